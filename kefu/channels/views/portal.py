"""The customer portal: sign in by emailed link, own cases only, reply, confirm or reopen.

Customers are not staff users: the portal keeps its own session key and never touches
Django's staff login. Someone else's case is a 404, never a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import IO, Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.actors import Actor
from kefu.cases.choices import CaseStatus
from kefu.cases.models import Case
from kefu.channels import actions, selectors, tokens
from kefu.core.errors import NotFound, ValidationFailed
from kefu.customers.models import Customer
from kefu.surveys.selectors import PendingInvitation, pending_invitations_for

SESSION_KEY = "kefu_portal_customer"
MAX_FILES = 5


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def portal_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        customer_id = request.session.get(SESSION_KEY)
        customer = selectors.portal_customer(customer_id) if customer_id else None
        if customer is None:
            return redirect("channels:portal_sign_in")
        try:
            return view(request, customer, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc

    return wrapper


def uploaded_files(request: HttpRequest) -> list[tuple[str, IO[bytes], int]]:
    files = request.FILES.getlist("files")[:MAX_FILES]
    return [(f.name or "file", f, f.size or 0) for f in files]  # type: ignore[misc]


def sign_in(request: HttpRequest) -> HttpResponse:
    """An emailed link (always), or the address and the optional password."""
    sent = False
    error = ""
    status = 200
    if request.method == "POST":
        email = request.POST.get("email", "")
        try:
            if request.POST.get("password"):
                customer = actions.check_portal_password(
                    email, request.POST["password"], ip=client_ip(request)
                )
                if customer is not None:
                    _start_session(request, customer.pk)
                    return redirect("channels:portal_cases")
                error, status = _("邮箱或密码不正确。"), 401
            else:
                actions.request_sign_in_link(email, ip=client_ip(request))
                sent = True
        except ValidationFailed:
            error, status = _("请求过于频繁，请稍后再试。"), 429
    return render(
        request, "channels/portal/sign_in.html", {"sent": sent, "error": error}, status=status
    )


def _start_session(request: HttpRequest, customer_id: int) -> None:
    request.session.cycle_key()
    request.session[SESSION_KEY] = customer_id


@portal_view
def password(request: HttpRequest, customer: Customer) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            actions.set_portal_password(
                customer.pk, request.POST.get("password", ""), actor=Actor.customer(customer.pk)
            )
        except ValidationFailed:
            error = _("密码至少 8 位。")
        else:
            messages.success(request, _("密码已设置。"))
            return redirect("channels:portal_cases")
    return render(
        request,
        "channels/portal/password.html",
        {"customer": customer, "error": error},
        status=422 if error else 200,
    )


def magic_link(request: HttpRequest, token: str) -> HttpResponse:
    customer_id = tokens.read(tokens.SIGN_IN, token)
    if customer_id is None or not Customer.objects.filter(pk=customer_id).exists():
        return render(request, "channels/portal/link_expired.html", status=400)
    _start_session(request, customer_id)
    return redirect("channels:portal_cases")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return redirect("channels:portal_sign_in")


@portal_view
def case_list(request: HttpRequest, customer: Customer) -> HttpResponse:
    cases = list(selectors.portal_cases(customer)[:100])
    return render(
        request,
        "channels/portal/cases.html",
        {"customer": customer, "cases": cases, "surveys": _surveys(customer)},
    )


@portal_view
def new_case(request: HttpRequest, customer: Customer) -> HttpResponse:
    error: ValidationFailed | None = None
    if request.method == "POST":
        try:
            case = actions.portal_submit_case(
                customer.pk,
                subject=request.POST.get("subject", ""),
                body=request.POST.get("body", ""),
                files=uploaded_files(request),
            )
            messages.success(request, _("工单已提交，我们会尽快处理。"))
            return redirect("channels:portal_case", number=case.number)
        except ValidationFailed as exc:
            error = exc
    return render(
        request,
        "channels/portal/new_case.html",
        {"customer": customer, "error": error, "form": request.POST},
        status=422 if error else 200,
    )


def _detail(
    request: HttpRequest, customer: Customer, number: str, error: str = "", status: int = 200
) -> HttpResponse:
    case = selectors.portal_case(customer, number)
    return render(
        request,
        "channels/portal/case.html",
        {
            "customer": customer,
            "case": case,
            "timeline": selectors.public_timeline(case),
            "may_reply": case.status != CaseStatus.CLOSED,
            "may_confirm": case.status == CaseStatus.RESOLVED,
            "may_reopen": case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED)
            and selectors.may_reopen(case),
            "reopen_deadline": selectors.reopen_deadline(case),
            "survey": _pending_survey(customer, case),
            "error": error,
        },
        status=status,
    )


def _surveys(customer: Customer) -> list[PendingInvitation]:
    """The surveys waiting for this customer's answer (the post-case survey among them)."""
    return pending_invitations_for(customer.pk)


def _pending_survey(customer: Customer, case: Case) -> PendingInvitation | None:
    return next((s for s in _surveys(customer) if s.case_number == case.number), None)


@portal_view
def case_detail(request: HttpRequest, customer: Customer, number: str) -> HttpResponse:
    return _detail(request, customer, number)


@portal_view
def attachment(
    request: HttpRequest, customer: Customer, number: str, attachment_id: int
) -> HttpResponseBase:
    """A file of the public conversation (never one of an internal note) of one's own case."""
    found = selectors.portal_attachment(customer, number, attachment_id)
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.original_name)


@require_POST
@portal_view
def reply(request: HttpRequest, customer: Customer, number: str) -> HttpResponse:
    try:
        actions.portal_reply(
            customer.pk, number, body=request.POST.get("body", ""), files=uploaded_files(request)
        )
    except ValidationFailed as exc:
        return _detail(request, customer, number, error=_message(exc), status=422)
    messages.success(request, _("您的回复已发送。"))
    return redirect("channels:portal_case", number=number)


@require_POST
@portal_view
def confirm(request: HttpRequest, customer: Customer, number: str) -> HttpResponse:
    try:
        actions.portal_confirm(customer.pk, number)
    except ValidationFailed as exc:
        return _detail(request, customer, number, error=_message(exc), status=422)
    messages.success(request, _("感谢您的确认。"))
    return redirect("channels:portal_case", number=number)


@require_POST
@portal_view
def reopen(request: HttpRequest, customer: Customer, number: str) -> HttpResponse:
    try:
        actions.portal_reopen(customer.pk, number, reason=request.POST.get("reason", ""))
    except ValidationFailed as exc:
        return _detail(request, customer, number, error=_message(exc), status=422)
    messages.success(request, _("工单已重新打开，我们会继续处理。"))
    return redirect("channels:portal_case", number=number)


def _message(exc: ValidationFailed) -> str:
    fields = getattr(exc, "fields", {}) or {}
    if "file" in fields:
        return _("附件不符合要求：") + str(exc)
    if "body" in fields or "reason" in fields or "subject" in fields:
        return _("请填写必填内容。")
    return _("操作未能完成：") + str(exc)
