"""In-app notifications: time-standard warnings and breaches, newest first."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.accounts.actors import Actor
from kefu.accounts.models import User
from kefu.cases import actions
from kefu.cases.notification_selectors import notifications_for
from kefu.web.decorators import staff_view


@staff_view
def notifications(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(notifications_for(user, unread_only=unread_only), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "web/notifications.html",
        {"page": page, "unread_only": unread_only, "page_title": _("通知")},
    )


@require_POST
@staff_view
def notifications_read(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    actions.mark_notifications_read(actor=Actor.staff(user), ids=ids)
    return redirect("web:notifications")
