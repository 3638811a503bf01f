"""Agent assist in the workspace: the composer's checks and checked sending, suggestions
confirmed with one click, the service-cycle checklist, and the knowledge base."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.actors import Actor
from kefu.accounts.models import User
from kefu.assist import actions as assist_actions
from kefu.assist import selectors as assist_selectors
from kefu.assist.checks import send_policy
from kefu.assist.playbooks import CYCLE_CODES
from kefu.cases import selectors
from kefu.cases.choices import MessageKind
from kefu.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from kefu.web.decorators import forbid, staff_view
from kefu.web.errors import attach_to_form, describe
from kefu.web.http import is_htmx
from kefu.web.views.assist_forms import CheckedMessageForm
from kefu.web.views.case_page import render_case
from kefu.web.views.case_records import SAVED


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _case_url(number: str, anchor: str = "") -> str:
    return reverse("web:case", kwargs={"number": number}) + anchor


@require_POST
@staff_view
def check_draft(request: HttpRequest, number: str) -> HttpResponse:
    """HTMX, as the agent types (debounced): the findings for the draft reply."""
    case = selectors.get_case_by_number_for(_user(request), number)
    body = request.POST.get("msg-body", "").replace("\r\n", "\n")
    kind = request.POST.get("msg-kind", MessageKind.OUTBOUND)
    check = assist_actions.check_case_reply(case, body) if kind == MessageKind.OUTBOUND else None
    return render(
        request,
        "web/partials/assist_findings.html",
        {"check": check, "policy": send_policy(case.site), "case": case},
    )


@require_POST
@staff_view
def send_message(request: HttpRequest, number: str) -> HttpResponse:
    """The composer's submit: a reply is checked first; a confirmed override is recorded."""
    user = _user(request)
    case = selectors.get_case_by_number_for(user, number)
    form = CheckedMessageForm(request.POST, prefix="msg")
    if not form.is_valid():
        messages.error(request, _("请检查标出的内容。"))
        return render_case(request, case, composer={"message": form}, status=422)
    kind = form.cleaned_data["kind"]
    try:
        sent = assist_actions.send_reply(
            case.pk,
            actor=Actor.staff(user),
            kind=kind,
            body=form.cleaned_data["body"],
            confirmed=form.cleaned_data["confirm_override"],
        )
    except (assist_actions.NeedsConfirmation, assist_actions.ReplyBlocked) as exc:
        form = CheckedMessageForm(request.POST, prefix="msg")
        form.is_valid()
        form.check = exc.check
        form.blocked = isinstance(exc, assist_actions.ReplyBlocked)
        messages.warning(
            request,
            _("回复中有服务规范禁止的说法，本站不允许发送，请修改后再发。")
            if form.blocked
            else _("回复中有服务规范禁止的说法。请修改，或确认后仍然发送（会记录在服务记录中）。"),
        )
        return render_case(request, case, composer={"message": form}, status=422)
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            raise forbid(describe(exc)) from exc
        if isinstance(exc, ValidationFailed):
            attach_to_form(form, exc)
        else:
            form.add_error(None, describe(exc))
        messages.error(request, describe(exc))
        return render_case(request, case, composer={"message": form}, status=422)
    if sent.overridden:
        messages.warning(request, _("回复已发送；忽略助手提醒已记录在服务记录中。"))
    else:
        messages.success(request, SAVED[kind]())
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return redirect(_case_url(number, "#composer"))


@require_POST
@staff_view
def decide_suggestion(request: HttpRequest, number: str, field: str) -> HttpResponse:
    """Accept, correct or dismiss a suggested kind or cause (one click)."""
    user = _user(request)
    case = selectors.get_case_by_number_for(user, number)
    suggested = request.POST.get("suggested", "")
    # The accept button and the correction list share the name: the one with a value counts.
    chosen = next((v for v in request.POST.getlist("chosen") if v), "")
    version = request.POST.get("version", "")
    try:
        if field == "kind":
            assist_actions.decide_kind(
                case.pk,
                actor=Actor.staff(user),
                suggested=suggested,
                chosen=chosen,
                expected_version=int(version) if version.isdigit() else None,
            )
        elif field == "cause":
            assist_actions.decide_cause(
                case.pk, actor=Actor.staff(user), suggested=suggested, chosen=chosen
            )
        else:
            raise Http404
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            raise forbid(describe(exc)) from exc
        messages.error(request, describe(exc))
        return redirect(_case_url(number))
    if not chosen:
        messages.info(request, _("已忽略助手建议。"))
    elif field == "kind" and chosen != case.kind.code:
        messages.success(request, _("工单类型已变更。"))
    else:
        messages.success(request, _("已确认。"))
    return redirect(_case_url(number))


@require_POST
@staff_view
def mark_cycle(request: HttpRequest, number: str, step: str) -> HttpResponse:
    """Tick (or untick) a step of the service cycle."""
    user = _user(request)
    case = selectors.get_case_by_number_for(user, number)
    if step not in CYCLE_CODES:
        raise Http404
    try:
        assist_actions.mark_cycle_step(
            case.pk, actor=Actor.staff(user), step=step, done=request.POST.get("done") != "0"
        )
    except PermissionDenied as exc:
        raise forbid(describe(exc)) from exc
    if is_htmx(request):
        rows = assist_selectors.cycle_rows(case)
        return render(
            request,
            "web/partials/assist_cycle.html",
            {
                "case": case,
                "cycle": rows,
                "cycle_done": sum(1 for r in rows if r.done),
                "is_open": case.status != "closed",
            },
        )
    return redirect(_case_url(number, "#service-cycle"))


@staff_view
def knowledge(request: HttpRequest) -> HttpResponse:
    """The knowledge base: search in Chinese or English."""
    query = request.GET.get("q", "").strip()[:100]
    articles = assist_selectors.search_articles(query, limit=50)
    template = "web/assist/kb_results.html" if is_htmx(request) else "web/assist/kb.html"
    return render(
        request,
        template,
        {"query": query, "articles": articles, "nav": "knowledge", "page_title": _("知识库")},
    )


@staff_view
def knowledge_article(request: HttpRequest, article_id: int) -> HttpResponse:
    try:
        article = assist_selectors.get_article(article_id)
    except NotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "web/assist/article.html",
        {"article": article, "page_title": article.title_zh, "public": False},
    )


def public_article(request: HttpRequest, article_id: int) -> HttpResponse:
    """An article marked public, without signing in (for the customer portal)."""
    try:
        article = assist_selectors.get_article(article_id, public_only=True)
    except NotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "web/assist/public_article.html",
        {"article": article, "page_title": article.title_zh, "public": True},
    )


def public_help(request: HttpRequest) -> HttpResponse:
    """The public articles, searchable, without signing in (for the customer portal)."""
    query = request.GET.get("q", "").strip()[:100]
    articles = assist_selectors.search_articles(query, public_only=True, limit=50)
    return render(
        request,
        "web/assist/public_help.html",
        {"query": query, "articles": articles, "page_title": _("帮助中心")},
    )
