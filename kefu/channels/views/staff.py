"""Admins' page: mailbox health (last success, last error, backlog, stale alert) and the
quarantine with a retry button per message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kefu.accounts.actors import Actor
from kefu.accounts.choices import Role
from kefu.accounts.models import User
from kefu.accounts.roles import may_see_personal_data
from kefu.cases.selectors import get_case_by_number_for
from kefu.channels import actions, selectors
from kefu.channels.words import quarantine_reason_text
from kefu.core.errors import DomainError, NotFound
from kefu.customers.normalize import mask_email


@login_required
def mailboxes(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if user.role != Role.ADMIN:
        raise DjangoPermissionDenied(_("您的角色不能执行此操作。"))
    if request.method == "POST":
        try:
            result = actions.retry_quarantined(
                int(request.POST.get("inbound", "0")), actor=Actor.staff(user)
            )
        except (DomainError, ValueError) as exc:
            messages.error(request, str(exc))
        else:
            if result.status == "quarantined":
                messages.error(request, _("重试失败，邮件仍在隔离区。"))
            else:
                messages.success(request, _("邮件已重新处理。"))
        return redirect("channels:mailboxes")
    return render(
        request,
        "channels/mailboxes.html",
        {
            "page_title": _("邮箱与隔离区"),
            "health": selectors.mailbox_health(),
            "quarantined": [
                (mail, quarantine_reason_text(mail.reason))
                for mail in selectors.quarantined_emails()
            ],
        },
    )


@login_required
def case_emails(request: HttpRequest, number: str) -> HttpResponse:
    """The original emails of a case (sanitised HTML) and the delivery of the replies."""
    user = request.user
    assert isinstance(user, User)
    try:
        case = get_case_by_number_for(user, number)
    except NotFound as exc:
        raise Http404(_("找不到该记录，或您无权查看。")) from exc
    emails = selectors.case_emails(case)
    reveal = may_see_personal_data(user)

    def shown(address: str) -> str:
        return address if reveal else mask_email(address)

    return render(
        request,
        "channels/case_emails.html",
        {
            "page_title": _("邮件原文"),
            "case": case,
            "inbound": [(m, shown(m.from_address)) for m in emails.inbound],
            "outbound": [(m, shown(m.to_address)) for m in emails.outbound],
        },
    )
