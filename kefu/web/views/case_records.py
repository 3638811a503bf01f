"""Adding to the service record: replies, notes, calls, visits and attachments."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.actors import Actor
from kefu.accounts.models import User
from kefu.cases import actions, selectors
from kefu.cases.choices import MessageKind
from kefu.core.errors import DomainError, PermissionDenied, ValidationFailed
from kefu.web import forms as web_forms
from kefu.web.decorators import forbid, staff_view
from kefu.web.errors import attach_to_form, describe
from kefu.web.http import is_htmx
from kefu.web.views.case_page import render_case

SAVED = {
    MessageKind.OUTBOUND: lambda: _("回复已记录。"),
    MessageKind.NOTE: lambda: _("内部备注已保存。"),
    MessageKind.INBOUND: lambda: _("客户来信已记录。"),
    MessageKind.CALL: lambda: _("通话记录已保存。"),
    MessageKind.VISIT: lambda: _("上门记录已保存。"),
}


def _after(request: HttpRequest, number: str) -> HttpResponse:
    if is_htmx(request):
        # Reload the case page itself: the new record and the message show there.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return redirect(reverse("web:case", kwargs={"number": number}) + "#composer")


def _failed(
    request: HttpRequest, number: str, tab: str, form: forms.Form, exc: DomainError | None
) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if isinstance(exc, PermissionDenied):
        raise forbid(describe(exc))
    if isinstance(exc, ValidationFailed):
        attach_to_form(form, exc)
    elif exc is not None:
        form.add_error(None, describe(exc))
    messages.error(request, describe(exc) if exc else _("请检查标出的内容。"))
    case = selectors.get_case_by_number_for(user, number)
    return render_case(request, case, composer={tab: form}, status=422)


@require_POST
@staff_view
def add_call(request: HttpRequest, number: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    case = selectors.get_case_by_number_for(user, number)
    form = web_forms.CallForm(request.POST, prefix="call")
    if not form.is_valid():
        return _failed(request, number, "call", form, None)
    try:
        actions.add_message(
            case.pk,
            actor=Actor.staff(user),
            kind=MessageKind.CALL,
            body=form.cleaned_data["body"],
            call_direction=form.cleaned_data["direction"],
            call_duration_seconds=form.duration_seconds,
        )
    except DomainError as exc:
        return _failed(request, number, "call", form, exc)
    messages.success(request, SAVED[MessageKind.CALL]())
    return _after(request, number)


@require_POST
@staff_view
def add_visit(request: HttpRequest, number: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    case = selectors.get_case_by_number_for(user, number)
    form = web_forms.VisitForm(request.POST, prefix="visit")
    if not form.is_valid():
        return _failed(request, number, "visit", form, None)
    try:
        actions.add_message(
            case.pk,
            actor=Actor.staff(user),
            kind=MessageKind.VISIT,
            body=form.cleaned_data["body"],
            visited_at=form.cleaned_data["visited_at"],
        )
    except DomainError as exc:
        return _failed(request, number, "visit", form, exc)
    messages.success(request, SAVED[MessageKind.VISIT]())
    return _after(request, number)


@require_POST
@staff_view
def add_attachment(request: HttpRequest, number: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    case = selectors.get_case_by_number_for(user, number)
    form = web_forms.AttachmentForm(request.POST, request.FILES, prefix="file")
    if not form.is_valid():
        if is_htmx(request):
            return _upload_error(form, _("请选择要上传的文件。"))
        return _failed(request, number, "attachment", form, None)
    upload = form.cleaned_data["file"]
    try:
        actions.add_attachment(
            case.pk, actor=Actor.staff(user), name=upload.name, stream=upload, size=upload.size
        )
    except DomainError as exc:
        if is_htmx(request) and not isinstance(exc, PermissionDenied):
            # The upload came through XHR: show the reason next to the progress bar.
            if isinstance(exc, ValidationFailed):
                attach_to_form(form, exc)
            return _upload_error(form, describe(exc))
        return _failed(request, number, "attachment", form, exc)
    messages.success(request, _("附件已上传。"))
    return _after(request, number)


def _upload_error(form: forms.Form, fallback: str) -> HttpResponse:
    text = " ".join(str(e) for errors in form.errors.values() for e in errors)
    return HttpResponse(text or fallback, status=422, content_type="text/plain; charset=utf-8")


@staff_view
def download_attachment(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    user = request.user
    assert isinstance(user, User)
    case = selectors.get_case_by_number_for(user, number)
    attachment = selectors.get_attachment_for(user, case, attachment_id)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
