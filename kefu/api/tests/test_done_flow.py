"""The "done means" flow, end to end through the API only."""

from __future__ import annotations

from kefu.cases.models import Case, CaseEvent

STEPS = {
    "created",
    "accepted",
    "assigned",
    "contacted",
    "resolved",
    "closed",
    "return_visit_scheduled",
    "return_visit_recorded",
}


def test_a_complaint_goes_through_accept_handle_improve_and_every_step_is_on_the_record(org, api):
    # Given an agent and a supervisor with tokens
    agent, supervisor = api(org.agent), api(org.supervisor)

    # When the agent registers a phone complaint for a new customer
    created = agent.post(
        "/cases",
        {
            "kind": "complaint",
            "channel": "phone",
            "subject": "宽带每天晚上断网",
            "description": "客户反映宽带每晚八点后断网，要求上门维修",
            "customer": {"name": "刘女士", "phone": "13912345678"},
            "priority": 3,
            "tags": ["宽带"],
        },
    )
    assert created.status_code == 201, created.json()
    case = created.json()
    case_id = case["id"]
    assert case["number"].startswith("TS-")
    assert case["status"] == "new"
    assert case["version"] == 1
    assert case["allowed_actions"][0] == "accept"

    # ... accepts and assigns it to themselves, contacts the customer, resolves it
    steps = [
        (agent, "accept", {"version": 1}, "accepted"),
        (agent, "assign", {"handler_id": org.agent.pk}, "assigned"),
        (agent, "contact", {"note": "已电话联系客户"}, "in_progress"),
        (agent, "resolve", {"stance": "ours", "resolution": "更换光猫，线路恢复"}, "resolved"),
    ]
    for client, step, body, status in steps:
        response = client.post(f"/cases/{case_id}/{step}", body)
        assert response.status_code == 200, (step, response.json())
        assert response.json()["status"] == status

    # ... the supervisor closes it with its root cause, and the return visit is recorded
    closed = supervisor.post(
        f"/cases/{case_id}/close",
        {
            "cause": "product_quality",
            "root_cause": "光猫批次质量问题",
            "improvement_needed": True,
        },
    )
    assert closed.status_code == 200, closed.json()
    assert closed.json()["status"] == "closed"
    assert closed.json()["cause"] == "product_quality"
    assert closed.json()["root_cause"] == "光猫批次质量问题"
    assert len(closed.json()["return_visits"]) == 1
    visited = agent.post(
        f"/cases/{case_id}/return-visit", {"outcome": "satisfied", "note": "客户表示满意"}
    )
    assert visited.status_code == 200, visited.json()
    assert visited.json()["return_visits"][0]["outcome"] == "satisfied"

    # Then the timeline shows every step, oldest first, each with its actor
    events = agent.get(f"/cases/{case_id}/events")
    assert events.status_code == 200
    # (other parts of Kefu may add their own events, e.g. SLA bookkeeping; the steps are these)
    items = [e for e in events.json()["items"] if e["type"] in STEPS]
    assert [(e["type"], e["actor"]["kind"], e["actor"]["id"]) for e in items] == [
        ("created", "staff", org.agent.pk),
        ("accepted", "staff", org.agent.pk),
        ("assigned", "staff", org.agent.pk),
        ("contacted", "staff", org.agent.pk),
        ("resolved", "staff", org.agent.pk),
        ("closed", "staff", org.supervisor.pk),
        ("return_visit_scheduled", "system", None),
        ("return_visit_recorded", "staff", org.agent.pk),
    ]
    assert items[0]["actor"]["name"] == "张坐席"
    assert items[1]["before"] == {"status": "new"}
    assert items[1]["after"] == {"status": "accepted"}
    assert items[5]["after"]["root_cause"] == "光猫批次质量问题"
    assert items[7]["data"]["outcome"] == "satisfied"
    assert CaseEvent.objects.filter(case_id=case_id, type__in=STEPS).count() == 8
    assert Case.objects.get(pk=case_id).status == "closed"
    # ... and every answer matched the OpenAPI document
    assert agent.checked == 7
    assert supervisor.checked == 1
