"""Admins' page: mailbox health (last success, last error, backlog, stale alert) and the
quarantine with a retry button per message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kefu.accounts.actors import Actor
from kefu.accounts.choices import Role
from kefu.accounts.models import User
from kefu.channels import actions, selectors
from kefu.core.errors import DomainError


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
            "quarantined": list(selectors.quarantined_emails()),
        },
    )
