"""Staff pages: the survey list, the designer (draft editor, versions, preview), sending,
relationship waves, peer figures and the index weights."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.actors import Actor
from kefu.accounts.models import User
from kefu.accounts.pages import staff_page
from kefu.accounts.roles import may_see_personal_data
from kefu.cases.selectors import kind_names
from kefu.core import clock
from kefu.core.errors import NotFound, ValidationFailed
from kefu.customers.models import Customer
from kefu.surveys import actions, permissions, scores, selectors
from kefu.surveys import definition as qdef
from kefu.surveys.actions import METRICS
from kefu.surveys.forms import layout, question_from_post, with_question
from kefu.surveys.models import IndexGroup, PeerFigure, RelationshipWave
from kefu.surveys.views.history import history_entries


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@staff_page
def survey_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    surveys = list(selectors.survey_rows(user))
    kinds = kind_names()
    sent_on_close = [[kinds.get(code, code) for code in s.closed_kinds] for s in surveys]
    return render(
        request,
        "surveys/list.html",
        {
            "surveys": surveys,
            "rows": zip(surveys, sent_on_close, strict=True),
            "may_design": permissions.may_design(user),
            "page_title": _("满意度调查"),
        },
    )


@staff_page
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    user = _user(request)
    survey = selectors.get_survey(user, survey_id)
    draft = selectors.draft_of(survey)
    current = selectors.published_version(survey)
    editing = draft or current
    text = request.POST.get("definition") if request.method == "POST" else None
    errors: dict[str, str] = {}
    if request.method == "POST" and permissions.may_design(user):
        try:
            definition = json.loads(text or "")
        except ValueError as exc:
            errors = {"definition": f"JSON: {exc}"}
        else:
            try:
                actions.save_draft(survey.pk, actor=Actor.staff(user), definition=definition)
                if request.POST.get("publish"):
                    actions.publish_draft(survey.pk, actor=Actor.staff(user))
                    messages.success(request, _("已发布新版本，之后发出的调查使用新版本。"))
                else:
                    messages.success(request, _("草稿已保存。"))
                return redirect("surveys:detail", survey_id=survey.pk)
            except ValidationFailed as exc:
                errors = exc.fields
    context = {
        "survey": survey,
        "draft": draft,
        "current": current,
        "versions": selectors.versions_with_counts(survey),
        "history": history_entries(selectors.survey_history(survey)),
        "definition_text": text
        if text is not None
        else json.dumps(editing.definition if editing else {}, ensure_ascii=False, indent=2),
        "errors": errors,
        "may_design": permissions.may_design(user),
        "waves": RelationshipWave.objects.filter(survey=survey).order_by("-scheduled_for")[:10],
        "sections": [
            (sec.get("key", ""), qdef.text(sec.get("title"), "zh-hans"))
            for sec in (editing.definition if editing else {}).get("sections", [])
        ],
        "question_types": qdef.TYPES,
        "recent": selectors.responses_for(user)
        .filter(survey=survey, complete=True)
        .order_by("-submitted_at")[:20],
        "page_title": survey.display_title,
    }
    return render(request, "surveys/detail.html", context, status=422 if errors else 200)


@staff_page
@require_POST
def add_question(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The designer's form: one question appended to a section of the draft."""
    user = _user(request)
    survey = selectors.get_survey(user, survey_id)
    editing = selectors.draft_of(survey) or selectors.published_version(survey)
    section, question = question_from_post(request.POST)
    section = "" if section == "new" else section
    definition = with_question(
        editing.definition if editing else {},
        section,
        question,
        request.POST.get("section_title", ""),
    )
    try:
        actions.save_draft(survey.pk, actor=Actor.staff(user), definition=definition)
        messages.success(request, _("题目已加入草稿。"))
    except ValidationFailed as exc:
        messages.error(
            request,
            _("题目未加入：%(errors)s")
            % {"errors": "; ".join(f"{k} {v}" for k, v in exc.fields.items())},
        )
    return redirect("surveys:detail", survey_id=survey.pk)


@staff_page
def response_detail(request: HttpRequest, response_id: int) -> HttpResponse:
    """One response, read with the questions of the version it answered."""
    user = _user(request)
    response = selectors.get_response(user, response_id)
    language = "en" if (translation.get_language() or "").startswith("en") else "zh-hans"
    sections = layout(response.version.definition, response.answers, {}, language)
    for section in sections:
        for q in section["questions"]:
            q["shown"] = _answer_text(q)
    return render(
        request,
        "surveys/response.html",
        {
            "response": response,
            "sections": sections,
            "personal": may_see_personal_data(user),
            "page_title": _("答卷 #%(id)s") % {"id": response.pk},
        },
    )


def _answer_text(q: dict) -> str:
    value = q.get("value")
    if value is None or value == "" or value == []:
        return "—"
    if q["type"] in ("single", "multiple"):
        return "、".join(o["label"] for o in q["options"] if o["checked"])
    if q["type"] == "ranking":
        by_value = {o["value"]: o["label"] for o in q["options"]}
        return " > ".join(by_value.get(v, v) for v in value)
    if q["type"] == "matrix":
        return "；".join(f"{r['label']} {r['value']}" for r in q["rows"] if r["value"] is not None)
    return str(value)


@staff_page
@require_POST
def publish(request: HttpRequest, survey_id: int) -> HttpResponse:
    try:
        actions.publish_draft(survey_id, actor=Actor.staff(_user(request)))
        messages.success(request, _("已发布新版本，之后发出的调查使用新版本。"))
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    except actions.Conflict:
        messages.error(request, _("没有可发布的草稿。"))
    return redirect("surveys:detail", survey_id=survey_id)


@staff_page
def preview(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The answer page as a customer sees it, for the draft (or the current version)."""
    user = _user(request)
    survey = selectors.get_survey(user, survey_id)
    number = request.GET.get("version", "")
    versions = {v.number: v for v in selectors.versions_of(survey)}
    version = (
        versions.get(int(number))
        if number.isdigit()
        else (selectors.draft_of(survey) or selectors.published_version(survey))
    )
    if version is None:
        raise NotFound("no version")
    language = request.GET.get("lang") or translation.get_language() or "zh-hans"
    language = "en" if language.startswith("en") else "zh-hans"
    with translation.override(language):
        sections = layout(version.definition, {}, {}, language)
        return render(
            request,
            "surveys/public/answer.html",
            {
                "title": survey.title(language),
                "intro": qdef.text(version.definition.get("intro"), language),
                "sections": sections,
                "errors": [],
                "language": language,
                "other_language": "en" if language == "zh-hans" else "zh-hans",
                "total": sum(len(s["questions"]) for s in sections),
                "preview": True,
            },
        )


@staff_page
@require_POST
def send(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Send the survey to one customer now (by customer number)."""
    user = _user(request)
    survey = selectors.get_survey(user, survey_id)
    raw = request.POST.get("customer", "").strip()
    customer = Customer.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if customer is None:
        messages.error(request, _("找不到该客户。"))
        return redirect("surveys:detail", survey_id=survey.pk)
    invitation, why = actions.invite(
        actor=Actor.staff(user), survey=survey, customer=customer, trigger="manual"
    )
    if invitation is None:
        messages.warning(request, _("未发送：%(why)s") % {"why": _skip_reason(why)})
    else:
        messages.success(request, _("调查已发送。"))
    return redirect("surveys:detail", survey_id=survey.pk)


def _skip_reason(why: str) -> str:
    return {
        "no_consent": _("客户未同意接收调查"),
        "frequency_cap": _("客户近期已被调查过"),
        "no_published_version": _("问卷没有已发布的版本"),
        "already_invited": _("已经发送过"),
        "organisation": _("单位本身不能答卷，请选择联系人"),
    }.get(why, why)


@staff_page
@require_POST
def schedule_wave(request: HttpRequest, survey_id: int) -> HttpResponse:
    user = _user(request)
    raw_org = request.POST.get("organisation", "").strip()
    raw_at = request.POST.get("scheduled_for", "").strip()
    try:
        at = dt.datetime.fromisoformat(raw_at) if raw_at else clock.now()
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        actions.schedule_wave(
            survey_id,
            actor=Actor.staff(user),
            name=request.POST.get("name", ""),
            scheduled_for=at,
            organisation_id=int(raw_org) if raw_org.isdigit() else None,
        )
        messages.success(request, _("已安排关系调查批次。"))
    except ValueError:
        messages.error(request, _("时间格式不正确。"))
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    return redirect("surveys:detail", survey_id=survey_id)


@staff_page
def peers(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "weights":
                actions.set_index_weights(
                    actor=Actor.staff(user),
                    weights={
                        g.key: request.POST.get(f"w_{g.key}", g.weight)
                        for g in IndexGroup.objects.all()
                    },
                )
                messages.success(request, _("权重已保存。"))
            else:
                actions.record_peer_figure(
                    actor=Actor.staff(user),
                    metric=request.POST.get("metric", ""),
                    peer=request.POST.get("peer", ""),
                    period_start=dt.date.fromisoformat(request.POST.get("period_start", "")),
                    period_end=dt.date.fromisoformat(request.POST.get("period_end", "")),
                    value=float(request.POST.get("value", "")),
                    source=request.POST.get("source", ""),
                )
                messages.success(request, _("同业数据已保存。"))
            return redirect("surveys:peers")
        except ValueError:
            messages.error(request, _("日期或数值格式不正确。"))
        except ValidationFailed as exc:
            messages.error(
                request, f"{exc.message}: " + "; ".join(f"{k} {v}" for k, v in exc.fields.items())
            )
    return render(
        request,
        "surveys/peers.html",
        {
            "figures": [
                (figure, scores.metric_name(figure.metric))
                for figure in PeerFigure.objects.order_by("-period_start", "metric", "peer")[:100]
            ],
            "metric_names": [(m, scores.metric_name(m)) for m in METRICS],
            "groups": IndexGroup.objects.all(),
            "may_design": permissions.may_design(user),
            "may_configure": permissions.may_configure(user),
            "page_title": _("同业数据"),
        },
    )
