"""The supervisor board: by status and handler, workload, escalations, (bulk) reassigning."""

from __future__ import annotations

from kefu.accounts.actors import Actor
from kefu.cases import actions
from kefu.cases.choices import CaseStatus, EventType
from kefu.cases.models import Case, CaseEvent
from tests.factories import advance, make_case


def test_board_shows_columns_per_handler_workload_and_escalations(org, as_user):
    mine = advance(org, make_case(org), "assigned")
    waiting = advance(org, make_case(org, kind="inquiry"), "accepted")
    actions.escalate_case(waiting.pk, actor=Actor.staff(org.agent), reason="急")

    html = as_user(org.supervisor).get("/board/").content.decode()

    assert f'data-number="{mine.number}"' in html
    assert f'data-number="{waiting.number}"' in html
    assert f'data-handler="{org.agent.pk}"' in html
    assert "坐席工作量" in html and "升级中的工单" in html
    assert html.index(f'data-number="{waiting.number}"') < html.index(
        f'data-handler="{org.agent.pk}"'
    )


def test_bulk_reassign_goes_through_assign_case(org, as_user):
    a = advance(org, make_case(org), "assigned")
    b = advance(org, make_case(org, kind="inquiry"), "accepted")

    response = as_user(org.supervisor).post(
        "/board/assign/", {"team": org.team.pk, "cases": [a.pk, b.pk], "handler": org.teammate.pk}
    )

    assert response.status_code == 302
    assert set(Case.objects.filter(pk__in=[a.pk, b.pk]).values_list("handler", flat=True)) == {
        org.teammate.pk
    }
    assert CaseEvent.objects.filter(
        case=b, type=EventType.ASSIGNED, actor_user=org.supervisor
    ).exists()


def test_a_case_that_cannot_be_assigned_yet_is_reported(org, as_user):
    new = make_case(org)
    client = as_user(org.supervisor)

    client.post(
        "/board/assign/", {"team": org.team.pk, "cases": [new.pk], "handler": org.teammate.pk}
    )
    page = client.get("/board/").content.decode()

    assert f"{new.number}：工单当前的状态不允许这一步操作" in page
    fresh = Case.objects.get(pk=new.pk)
    assert (fresh.status, fresh.handler_id) == (CaseStatus.NEW, None)


def test_agents_cannot_reassign_from_the_board(org, as_user):
    case = advance(org, make_case(org), "assigned")

    response = as_user(org.agent).post(
        "/board/assign/", {"team": org.team.pk, "cases": [case.pk], "handler": org.teammate.pk}
    )

    assert response.status_code == 403
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.handler, fresh.version) == (org.agent, case.version)


def test_a_supervisor_cannot_use_another_teams_board(org, as_user):
    case = advance(org, make_case(org), "assigned")

    get = as_user(org.other_supervisor).get("/board/", {"team": org.team.pk})
    post = as_user(org.other_supervisor).post(
        "/board/assign/", {"team": org.team.pk, "cases": [case.pk], "handler": org.teammate.pk}
    )

    assert (get.status_code, post.status_code) == (404, 404)
    assert Case.objects.get(pk=case.pk).handler == org.agent
