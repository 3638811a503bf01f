"""Admin: mailboxes editable by administrators through the action (with their health),
received email read-only with a retry action for quarantined messages, sent email
read-only."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kefu.accounts.actors import Actor
from kefu.accounts.choices import Role
from kefu.cases.models import CaseKind
from kefu.channels import actions
from kefu.channels.models import InboundEmail, InboundStatus, Mailbox, OutboundEmail
from kefu.core.admin import ReadOnlyAdmin as ReadOnly
from kefu.core.errors import DomainError


class MailboxForm(forms.ModelForm):
    """The IMAP password is write-only: never shown back; left empty, it stays as it is."""

    imap_password = forms.CharField(
        label=_("IMAP 密码"), required=False, widget=forms.PasswordInput(render_value=False)
    )

    class Meta:
        model = Mailbox
        fields = (
            "name",
            "address",
            "active",
            "imap_host",
            "imap_port",
            "imap_security",
            "imap_username",
            "imap_password",
            "imap_folder",
            "team",
            "default_kind",
        )

    def clean_imap_password(self) -> str:
        return self.cleaned_data.get("imap_password") or ""

    def clean_default_kind(self) -> str:
        code: str = self.cleaned_data["default_kind"]
        if not CaseKind.objects.filter(code=code).exists():
            raise forms.ValidationError(_("没有这个工单类型。"))
        return code


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = (
        "name",
        "address",
        "active",
        "last_success_at",
        "last_error_at",
        "backlog",
        "stale_alerted_at",
    )
    readonly_fields = (
        "uidvalidity",
        "last_uid",
        "last_fetch_at",
        "last_success_at",
        "last_error_at",
        "last_error",
        "backlog",
        "stale_alerted_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_admin(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _is_admin(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # received email refers to it: deactivate it instead

    def save_model(
        self, request: HttpRequest, obj: Mailbox, form: forms.ModelForm, change: bool
    ) -> None:
        data = form.cleaned_data
        saved = actions.save_mailbox(
            actions.MailboxInput(
                name=data["name"],
                address=data["address"],
                active=data["active"],
                imap_host=data["imap_host"],
                imap_port=data["imap_port"],
                imap_security=data["imap_security"],
                imap_username=data["imap_username"],
                imap_folder=data["imap_folder"],
                team=data["team"],
                default_kind=data["default_kind"],
            ),
            actor=Actor.staff(request.user),  # type: ignore[arg-type]
            # Left empty on a change, the stored password stays as it is.
            password=data["imap_password"] or (None if change else ""),
            mailbox_id=obj.pk if change else None,
        )
        obj.pk = saved.pk


def _is_admin(request: HttpRequest) -> bool:
    return getattr(request.user, "role", None) == Role.ADMIN


@admin.action(description=_("重试隔离的邮件"))
def retry(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    actor = Actor.staff(request.user)  # type: ignore[arg-type]
    for row in queryset.filter(status=InboundStatus.QUARANTINED):
        try:
            result = actions.retry_quarantined(row.pk, actor=actor)
        except DomainError as exc:
            modeladmin.message_user(request, str(exc), messages.ERROR)
            return
        level = messages.ERROR if result.status == InboundStatus.QUARANTINED else messages.SUCCESS
        modeladmin.message_user(request, f"{row}: {result.status}", level)


@admin.register(InboundEmail)
class InboundEmailAdmin(ReadOnly):
    list_display = ("received_at", "mailbox", "from_address", "subject", "status", "case")
    list_filter = ("status", "mailbox")
    search_fields = ("subject", "from_address", "message_id")
    actions = [retry]
    exclude = ("html",)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnly):
    list_display = ("created_at", "to_address", "subject", "status", "attempts", "case")
    list_filter = ("status",)
