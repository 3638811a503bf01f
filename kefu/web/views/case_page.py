"""The case page: header, workflow buttons with their forms, timeline, composer, panels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kefu.accounts.models import User
from kefu.accounts.roles import may_see_personal_data
from kefu.accounts.selectors import all_departments, all_teams, assignable_handlers
from kefu.assist.selectors import case_assist
from kefu.cases import selectors
from kefu.cases.choices import CaseStatus
from kefu.cases.clock_selectors import timers_for
from kefu.cases.models import Case
from kefu.cases.transitions import IMPROVEMENT_WORKFLOWS, workflow_for
from kefu.crm import selectors as crm_selectors
from kefu.customers.normalize import mask_email, mask_phone
from kefu.surveys.selectors import survey_titles
from kefu.web import forms as web_forms
from kefu.web.decorators import staff_view
from kefu.web.presenters import TimelineBuilder, timer_rows
from kefu.web.views.assist_forms import CheckedMessageForm


class Lookups:
    """Reference rows the page needs, each loaded at most once per request."""

    def __init__(self) -> None:
        self._cache: dict[str, list[Any]] = {}

    def _get(self, name: str, load: Any) -> list[Any]:
        if name not in self._cache:
            self._cache[name] = list(load())
        return self._cache[name]

    @property
    def kinds(self) -> list[Any]:
        return self._get("kinds", selectors.active_case_kinds)

    @property
    def causes(self) -> list[Any]:
        return self._get("causes", selectors.active_cause_categories)

    @property
    def teams(self) -> list[Any]:
        return self._get("teams", all_teams)

    @property
    def handlers(self) -> list[User]:
        return self._get("handlers", assignable_handlers)

    @property
    def departments(self) -> list[Any]:
        return self._get("departments", all_departments)


# Actions whose button submits at once (no fields beyond the version).
INSTANT_ACTIONS = frozenset({"accept"})
DANGER_ACTIONS = frozenset({"close"})


def action_form(action: str, case: Case, lookups: Lookups, data: Any = None) -> forms.Form | None:
    initial: dict[str, Any] = {"version": case.version}
    common: dict[str, Any] = {"data": data, "initial": initial, "prefix": action}
    if action == "accept":
        return web_forms.AcceptForm(**common)
    if action == "assign":
        return web_forms.AssignForm(handlers=lookups.handlers, **common)
    if action == "contact":
        return web_forms.ContactForm(**common)
    if action in ("await_customer", "resume", "escalate"):
        return web_forms.ReasonForm(**common)
    if action == "reopen":
        return web_forms.ReopenForm(**common)
    if action == "resolve":
        improvement = case.kind.workflow in IMPROVEMENT_WORKFLOWS
        return web_forms.ResolveForm(stance_required=improvement, **common)
    if action == "close":
        if case.kind.workflow in IMPROVEMENT_WORKFLOWS:
            return web_forms.CloseForm(
                improvement=True,
                causes=lookups.causes,
                people=lookups.handlers,
                departments=lookups.departments,
                **common,
            )
        return web_forms.CloseForm(**common)
    if action == "transfer":
        teams = [t for t in lookups.teams if t.pk != case.team_id]
        return web_forms.TransferForm(teams=teams, **common)
    if action == "change_kind":
        kinds = [k for k in lookups.kinds if k.pk != case.kind_id]
        return web_forms.ChangeKindForm(kinds=kinds, **common)
    if action == "edit":
        initial.update(
            subject=case.subject,
            priority=case.priority,
            description=case.description,
            product=case.product,
        )
        return web_forms.EditCaseForm(**common)
    if action == "record_return_visit":
        return web_forms.ReturnVisitForm(data=data, prefix=action)
    return None


@dataclass
class ActionButton:
    name: str
    label: str
    form: forms.Form | None
    instant: bool
    danger: bool
    open: bool = False


def contact_display(user: User, case: Case) -> dict[str, str]:
    customer = case.customer
    if may_see_personal_data(user):
        return {"phone": customer.primary_phone, "email": customer.primary_email}
    return {
        "phone": mask_phone(customer.primary_phone) if customer.primary_phone else "",
        "email": mask_email(customer.primary_email) if customer.primary_email else "",
    }


def render_case(
    request: HttpRequest,
    case: Case,
    *,
    open_action: str = "",
    bound: forms.Form | None = None,
    composer: dict[str, forms.Form] | None = None,
    stale: bool = False,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    lookups = Lookups()
    workflow = workflow_for(case.kind.workflow)
    buttons = []
    for name in selectors.allowed_actions(user, case):
        if name == "record_return_visit":
            continue  # recorded in the return-visit panel
        form = (
            bound
            if (bound is not None and name == open_action)
            else action_form(name, case, lookups)
        )
        buttons.append(
            ActionButton(
                name=name,
                label=str(workflow[name].label),
                form=form,
                instant=name in INSTANT_ACTIONS,
                danger=name in DANGER_ACTIONS,
                open=name == open_action,
            )
        )
    if case.status != CaseStatus.CLOSED:
        form = (
            bound
            if (bound is not None and open_action == "edit")
            else action_form("edit", case, lookups)
        )
        buttons.append(
            ActionButton(
                name="edit",
                label=_("修改工单信息"),
                form=form,
                instant=False,
                danger=False,
                open=open_action == "edit",
            )
        )
    messages = list(selectors.case_messages(case))
    events = list(selectors.case_timeline(case))
    timeline = TimelineBuilder(
        case,
        messages=messages,
        kinds=lookups.kinds,
        causes=lookups.causes,
        teams=lookups.teams,
        surveys=survey_titles(e.data.get("survey") for e in events if e.type == "survey_sent"),
    ).build(events)
    visits = selectors.case_return_visits(case)
    pending_visit = next((v for v in visits if not v.outcome), None)
    may_record_visit = pending_visit is not None and "record_return_visit" in (
        selectors.allowed_actions(user, case)
    )
    visit_form = None
    if may_record_visit:
        visit_form = (
            bound
            if open_action == "record_return_visit" and bound is not None
            else action_form("record_return_visit", case, lookups)
        )
    composer = composer or {}
    assist = case_assist(user, case, kinds=lookups.kinds, causes=lookups.causes, messages=messages)
    for b in buttons:  # the close form starts from the cause the agent confirmed
        if b.name == "close" and b.form is not None and not b.form.is_bound:
            b.form.initial.setdefault("cause", assist.confirmed_cause)
    context = {
        "case": case,
        "buttons": buttons,
        "timeline": timeline,
        "return_visits": visits,
        "pending_visit": pending_visit,
        "visit_form": visit_form,
        "other_cases": selectors.other_cases_of_customer(user, case),
        "timers": timer_rows(timers_for([case]).get(case.pk, [])),
        "contact": contact_display(user, case),
        "service": crm_selectors.service_of(case.customer),
        "is_open": case.status != CaseStatus.CLOSED,
        "is_complaint_workflow": case.kind.workflow in IMPROVEMENT_WORKFLOWS,
        "stale": stale,
        "assist": assist,
        "message_form": composer.get("message")
        or CheckedMessageForm(prefix="msg", initial={"kind": "outbound"}),
        "call_form": composer.get("call")
        or web_forms.CallForm(prefix="call", initial={"direction": "outbound"}),
        "visit_record_form": composer.get("visit") or web_forms.VisitForm(prefix="visit"),
        "attachment_form": composer.get("attachment") or web_forms.AttachmentForm(prefix="file"),
        "composer_tab": next(iter(composer), "message"),
        "page_title": f"{case.number} {case.subject}",
    }
    return render(request, "web/case.html", context, status=status)


@staff_view
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    case = selectors.get_case_by_number_for(user, number)
    return render_case(request, case)
