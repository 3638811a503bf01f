"""POSTs of the workflow buttons. Each calls the same action the API uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.actors import Actor
from kefu.accounts.models import User
from kefu.cases import actions, selectors
from kefu.cases.models import Case
from kefu.core.errors import DomainError, PermissionDenied, StaleVersion, ValidationFailed
from kefu.web.decorators import forbid, staff_view
from kefu.web.errors import attach_to_form, describe
from kefu.web.views.case_page import Lookups, action_form, render_case

Runner = Callable[[Case, Actor, dict[str, Any]], object]


def _v(data: dict[str, Any]) -> int | None:
    return data.get("version")


RUNNERS: dict[str, tuple[Runner, Callable[[], str]]] = {
    "accept": (
        lambda c, a, d: actions.accept_case(c.pk, actor=a, expected_version=_v(d)),
        lambda: _("已受理。"),
    ),
    "assign": (
        lambda c, a, d: actions.assign_case(
            c.pk, actor=a, handler=d["handler"], reason=d["reason"], expected_version=_v(d)
        ),
        lambda: _("已派单。"),
    ),
    "contact": (
        lambda c, a, d: actions.mark_contacted(
            c.pk, actor=a, note=d["note"], expected_version=_v(d)
        ),
        lambda: _("已记录联系客户。"),
    ),
    "await_customer": (
        lambda c, a, d: actions.await_customer(
            c.pk, actor=a, reason=d["reason"], expected_version=_v(d)
        ),
        lambda: _("工单转为等待客户。"),
    ),
    "resume": (
        lambda c, a, d: actions.resume_case(
            c.pk, actor=a, reason=d["reason"], expected_version=_v(d)
        ),
        lambda: _("已恢复处理。"),
    ),
    "resolve": (
        lambda c, a, d: actions.resolve_case(
            c.pk,
            actor=a,
            resolution=d["resolution"],
            stance=d.get("stance") or "",
            expected_version=_v(d),
        ),
        lambda: _("已标记为已解决。"),
    ),
    "close": (
        lambda c, a, d: actions.close_case(
            c.pk,
            actor=a,
            cause=d.get("cause", ""),
            root_cause=d.get("root_cause", ""),
            improvement_needed=d.get("improvement_needed"),
            responsible_person=d.get("responsible_person"),
            responsible_department=d.get("responsible_department"),
            expected_version=_v(d),
        ),
        lambda: _("已结案。"),
    ),
    "reopen": (
        lambda c, a, d: actions.reopen_case(
            c.pk, actor=a, reason=d["reason"], expected_version=_v(d)
        ),
        lambda: _("工单已重开。"),
    ),
    "escalate": (
        lambda c, a, d: actions.escalate_case(
            c.pk, actor=a, reason=d["reason"], expected_version=_v(d)
        ),
        lambda: _("已上报升级。"),
    ),
    "transfer": (
        lambda c, a, d: actions.transfer_case(
            c.pk, actor=a, team=d["team"], reason=d["reason"], expected_version=_v(d)
        ),
        lambda: _("已转派到其他班组。"),
    ),
    "change_kind": (
        lambda c, a, d: actions.change_case_kind(
            c.pk, actor=a, kind=d["kind"], reason=d["reason"], expected_version=_v(d)
        ),
        lambda: _("已变更工单类型。"),
    ),
    "edit": (
        lambda c, a, d: actions.edit_case(
            c.pk,
            actor=a,
            version=d["version"],
            subject=d["subject"],
            priority=d["priority"],
            description=d["description"],
            product=d["product"],
        ),
        lambda: _("已保存工单信息。"),
    ),
    "record_return_visit": (
        lambda c, a, d: actions.record_return_visit(
            c.pk, actor=a, outcome=d["outcome"], note=d["note"]
        ),
        lambda: _("已记录回访结果。"),
    ),
}


def _kept_typing(request: HttpRequest, action: str, fresh: Case) -> dict[str, Any]:
    """What the user typed, back in the form they sent, against the case as it is now: they
    read what changed and send again deliberately (nothing is applied, nothing is lost)."""
    user = request.user
    assert isinstance(user, User)
    if action != "edit" and action not in selectors.allowed_actions(user, fresh):
        return {}
    data = request.POST.copy()
    data[f"{action}-version"] = str(fresh.version)
    return {"open_action": action, "bound": action_form(action, fresh, Lookups(), data=data)}


@require_POST
@staff_view
def case_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    case = selectors.get_case_by_number_for(user, number)
    if action not in RUNNERS:
        raise Http404
    run, success = RUNNERS[action]
    form = action_form(action, case, Lookups(), data=request.POST)
    assert form is not None
    if not form.is_valid():
        messages.error(request, _("请检查标出的内容。"))
        return render_case(request, case, open_action=action, bound=form, status=422)
    try:
        run(case, Actor.staff(user), form.cleaned_data)
    except StaleVersion as exc:
        fresh = selectors.get_case_by_number_for(user, number)
        messages.error(request, describe(exc))
        return render_case(
            request, fresh, stale=True, status=409, **_kept_typing(request, action, fresh)
        )
    except ValidationFailed as exc:
        attach_to_form(form, exc)
        messages.error(request, describe(exc))
        return render_case(request, case, open_action=action, bound=form, status=422)
    except PermissionDenied as exc:
        raise forbid(describe(exc)) from exc
    except DomainError as exc:
        messages.error(request, describe(exc))
        return redirect("web:case", number=number)
    messages.success(request, success())
    return redirect("web:case", number=number)
