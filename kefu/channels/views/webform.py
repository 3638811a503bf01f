"""The public contact form: honeypot, rate limit, and email confirmation before a case."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kefu.channels import actions
from kefu.channels.views.portal import client_ip
from kefu.core.errors import NotFound, ValidationFailed

HONEYPOT = "website"


def contact(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        if request.POST.get(HONEYPOT):
            # A bot filled the hidden field: answer as if it worked, store nothing.
            return render(request, "channels/portal/contact_sent.html")
        try:
            actions.submit_web_form(
                name=request.POST.get("name", ""),
                email=request.POST.get("email", ""),
                subject=request.POST.get("subject", ""),
                body=request.POST.get("body", ""),
                ip=client_ip(request),
            )
            return render(request, "channels/portal/contact_sent.html")
        except ValidationFailed as exc:
            limited = (getattr(exc, "fields", {}) or {}).get("email") == "rate limited"
            error = _("请求过于频繁，请稍后再试。") if limited else _("请检查填写的内容。")
            return render(
                request,
                "channels/portal/contact.html",
                {"error": error, "form": request.POST},
                status=429 if limited else 422,
            )
    return render(request, "channels/portal/contact.html", {"error": error, "form": {}})


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        case = actions.confirm_web_submission(token)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return render(request, "channels/portal/contact_confirmed.html", {"case": case})
