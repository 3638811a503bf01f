"""The supervisor board: the team's open cases by handler, workload, escalations, reassigning."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.actors import Actor
from kefu.accounts.models import Team, User
from kefu.accounts.roles import is_supervising
from kefu.accounts.selectors import supervised_teams, team_members
from kefu.cases import actions
from kefu.cases.choices import CaseStatus
from kefu.cases.selectors import CaseFilters, list_cases_for, workload_by_handler
from kefu.core.errors import DomainError
from kefu.web.decorators import forbid, staff_view
from kefu.web.errors import describe
from kefu.web.forms import BulkAssignForm
from kefu.web.http import is_htmx


def _team_for(request: HttpRequest, user: User) -> tuple[Team, list[Team]]:
    if not is_supervising(user):
        raise forbid(_("班组看板只对班长、网点负责人和管理员开放。"))
    teams = list(supervised_teams(user))
    if not teams:
        raise forbid(_("您没有负责的班组，所以没有看板可看。"))
    wanted = request.GET.get("team") or request.POST.get("team") or ""
    chosen = next((t for t in teams if str(t.pk) == wanted), None)
    if wanted and chosen is None:
        raise Http404
    return chosen or next((t for t in teams if t.pk == user.team_id), teams[0]), teams


@staff_view
def board(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    team, teams = _team_for(request, user)
    members = list(team_members(team))
    cases = list(list_cases_for(user, CaseFilters(team_id=team.pk, open_only=True)))
    load = workload_by_handler(user, team.pk)
    columns: list[dict[str, Any]] = [
        {"handler": None, "cases": [c for c in cases if c.handler_id is None]}
    ]
    member_ids = {m.pk for m in members}
    columns += [
        {"handler": m, "cases": [c for c in cases if c.handler_id == m.pk]} for m in members
    ]
    elsewhere = [c for c in cases if c.handler_id is not None and c.handler_id not in member_ids]
    if elsewhere:
        columns.append({"handler": "elsewhere", "cases": elsewhere})
    statuses = [
        (label, sum(1 for c in cases if c.status == value))
        for value, label in CaseStatus.choices
        if value != CaseStatus.CLOSED
    ]
    context = {
        "team": team,
        "teams": teams,
        "members": members,
        "columns": columns,
        "workload": [(m, load.get(m.pk)) for m in members],
        "unassigned": load.get(None),
        "escalations": [c for c in cases if c.escalation_level > 0],
        "statuses": statuses,
        "total": len(cases),
        "page_title": _("班组看板"),
    }
    return render(request, "web/board.html", context)


@require_POST
@staff_view
def board_assign(request: HttpRequest) -> HttpResponse:
    """Reassign one case (drag and drop) or several (bulk), each through assign_case."""
    user = request.user
    assert isinstance(user, User)
    team, _teams = _team_for(request, user)
    cases = {c.pk: c for c in list_cases_for(user, CaseFilters(team_id=team.pk, open_only=True))}
    form = BulkAssignForm(request.POST, case_ids=cases, handlers=team_members(team))
    url = reverse("web:board") + f"?team={team.pk}"
    if not form.is_valid():
        messages.error(request, _("请选择工单和处理人。"))
        return _back(request, url)
    handler = form.cleaned_data["handler"]
    done, failed = [], []
    for case_id in form.cleaned_data["cases"]:
        case = cases[case_id]
        try:
            actions.assign_case(case.pk, actor=Actor.staff(user), handler=handler)
        except DomainError as exc:
            failed.append(f"{case.number}{_('：')}{describe(exc)}")
        else:
            done.append(case.number)
    if done:
        messages.success(
            request,
            _("已派给 %(name)s：%(cases)s") % {"name": handler.label, "cases": "、".join(done)},
        )
    for line in failed:
        messages.error(request, line)
    return _back(request, url)


def _back(request: HttpRequest, url: str) -> HttpResponse:
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
