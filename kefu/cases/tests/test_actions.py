"""The case actions: validation, the record they write, and what they refuse."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from kefu.accounts.actors import Actor
from kefu.cases import actions
from kefu.cases.choices import CaseStatus, EventType
from kefu.cases.models import Attachment, Case, CaseEvent, CaseMessage, ReturnVisit
from kefu.cases.selectors import CaseFilters, list_cases_for
from kefu.core import clock
from kefu.core.errors import (
    Conflict,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)
from tests.factories import Org, advance, make_case, make_customer

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def events(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("id").values_list("type", flat=True))


# --- open_case --------------------------------------------------------------------------


def test_open_case_numbers_records_and_routes_to_the_agents_team(org: Org) -> None:
    # given an agent on the phone with a customer
    moment = timezone.make_aware(dt.datetime(2026, 3, 5, 10, 0))
    with clock.frozen_at(moment):
        case = make_case(org, subject="宽带断网三天", description="要求尽快上门维修")
    # then the case is numbered per kind and year, new, with the agent's team and site
    assert case.number == "TS-2026-000001"
    assert (case.status, case.team, case.site) == (CaseStatus.NEW, org.team, org.site)
    assert case.is_complaint is True
    assert case.created_by == org.agent
    created = CaseEvent.objects.get(case=case)
    assert created.type == EventType.CREATED
    assert created.actor_user == org.agent
    assert created.at == moment
    assert created.data["after"]["number"] == "TS-2026-000001"


def test_numbers_count_per_kind(org: Org) -> None:
    first = make_case(org, kind="inquiry")
    second = make_case(org, kind="inquiry")
    complaint = make_case(org, kind="complaint")
    year = timezone.localtime(first.created_at).year
    assert [first.number, second.number, complaint.number] == [
        f"ZX-{year}-000001",
        f"ZX-{year}-000002",
        f"TS-{year}-000001",
    ]


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("kind", {"kind": "gossip"}),
        ("channel", {"channel": "pigeon"}),
        ("priority", {"priority": 9}),
        ("subject", {"subject": "   "}),
        ("subject", {"subject": "长" * 201}),
    ],
)
def test_open_case_rejects_bad_input_and_stores_nothing(
    org: Org, field: str, overrides: dict
) -> None:
    customer = make_customer(org)
    payload = {"kind": "complaint", "channel": "phone", "subject": "话费", **overrides}
    with pytest.raises(ValidationFailed) as error:
        actions.open_case(actor=Actor.staff(org.agent), customer=customer, **payload)
    assert field in error.value.fields
    assert Case.objects.count() == 0
    assert CaseEvent.objects.count() == 0


def test_backoffice_does_not_register_contacts(org: Org) -> None:
    with pytest.raises(PermissionDenied):
        make_case(org, by=org.backoffice)
    assert Case.objects.count() == 0


def test_system_actor_opens_case_without_team(org: Org) -> None:
    case = actions.open_case(
        actor=Actor.system("email"),
        kind="inquiry",
        channel="email",
        subject="发票怎么开",
        customer=make_customer(org),
        tags=[" 发票 ", "", "电子"],
    )
    assert (case.team, case.site, case.created_by) == (None, None, None)
    walk_in = actions.open_case(
        actor=Actor.system("kiosk"),
        kind="inquiry",
        channel="walk_in",
        subject="营业时间",
        customer=make_customer(org),
        site=org.site,
    )
    assert (walk_in.team, walk_in.site) == (None, org.site)
    assert case.tags == ["发票", "电子"]
    assert CaseEvent.objects.get(case=case).actor_kind == "system"


# --- edit_case --------------------------------------------------------------------------


def test_edit_records_before_and_after_and_reindexes(org: Org) -> None:
    case = make_case(org, subject="快递未到")
    edited = actions.edit_case(
        case.pk, actor=Actor.staff(org.agent), version=case.version, subject="快递丢失", priority=3
    )
    assert (edited.subject, edited.priority, edited.version) == ("快递丢失", 3, case.version + 1)
    change = CaseEvent.objects.filter(case=case, type=EventType.FIELDS_CHANGED).get()
    assert change.data["before"] == {"subject": "快递未到", "priority": 2}
    assert change.data["after"] == {"subject": "快递丢失", "priority": 3}
    assert [c.pk for c in list_cases_for(org.agent, CaseFilters(q="丢失"))] == [case.pk]


def test_edit_with_a_stale_version_is_a_conflict_and_changes_nothing(org: Org) -> None:
    case = make_case(org, subject="快递未到")
    actions.edit_case(case.pk, actor=Actor.staff(org.agent), version=1, product="顺丰")
    with pytest.raises(StaleVersion):
        actions.edit_case(case.pk, actor=Actor.staff(org.teammate), version=1, subject="覆盖")
    assert Case.objects.get(pk=case.pk).subject == "快递未到"


def test_edit_without_changes_writes_nothing(org: Org) -> None:
    case = make_case(org, subject="快递未到")
    same = actions.edit_case(case.pk, actor=Actor.staff(org.agent), version=1, subject="快递未到")
    assert same.version == 1
    assert events(case) == [EventType.CREATED]


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"status": "closed"}, "status"),
        ({"handler": 1}, "handler"),
        ({"tags": "a,b"}, "tags"),
        ({"priority": 0}, "priority"),
        ({"subject": ""}, "subject"),
    ],
)
def test_edit_refuses_bad_fields(org: Org, fields: dict, bad: str) -> None:
    case = make_case(org)
    with pytest.raises(ValidationFailed) as error:
        actions.edit_case(case.pk, actor=Actor.staff(org.agent), version=1, **fields)
    assert bad in error.value.fields
    assert Case.objects.get(pk=case.pk).version == 1


def test_edit_tags_and_description(org: Org) -> None:
    case = make_case(org)
    edited = actions.edit_case(
        case.pk, actor=Actor.staff(org.agent), version=1, tags=["VIP", " "], description=" 新诉求 "
    )
    assert (edited.tags, edited.description) == (["VIP"], "新诉求")


# --- assignment and escalation ------------------------------------------------------------


def test_assignment_records_time_to_assign_once(org: Org) -> None:
    start = timezone.make_aware(dt.datetime(2026, 5, 6, 9, 0))
    with clock.frozen_at(start):
        case = make_case(org)
        actions.accept_case(case.pk, actor=Actor.staff(org.agent))
    with clock.frozen_at(start + dt.timedelta(minutes=42)):
        case = actions.assign_case(case.pk, actor=Actor.staff(org.agent), handler=org.teammate)
    with clock.frozen_at(start + dt.timedelta(hours=3)):
        case = actions.assign_case(
            case.pk, actor=Actor.staff(org.supervisor), handler=org.agent, reason="重新分配"
        )
    assert case.seconds_to_assign == 42 * 60
    assert case.assigned_at == start + dt.timedelta(minutes=42)
    assigned = CaseEvent.objects.filter(case=case, type=EventType.ASSIGNED).order_by("id")
    assert [e.data["after"]["handler"] for e in assigned] == [org.teammate.pk, org.agent.pk]
    assert assigned[0].data["seconds_to_assign"] == 2520
    assert "seconds_to_assign" not in assigned[1].data
    assert assigned[1].data["before"]["handler"] == org.teammate.pk


def test_assign_refuses_inactive_or_same_handler(org: Org) -> None:
    case = advance(org, make_case(org), "assigned")
    org.teammate.is_active = False
    org.teammate.save()
    with pytest.raises(ValidationFailed):
        actions.assign_case(case.pk, actor=Actor.staff(org.agent), handler=org.teammate)
    with pytest.raises(Conflict):
        actions.assign_case(case.pk, actor=Actor.staff(org.agent), handler=org.agent)
    assert Case.objects.get(pk=case.pk).handler == org.agent


def test_escalation_goes_to_supervisor_then_first_responsible_then_stops(org: Org) -> None:
    case = advance(org, make_case(org), "in_progress")
    first = actions.escalate_case(case.pk, actor=Actor.staff(org.agent), reason="客户要求领导处理")
    assert (first.escalation_level, first.escalated_to) == (1, org.supervisor)
    second = actions.escalate_case(case.pk, actor=Actor.system("sla"))
    assert (second.escalation_level, second.escalated_to) == (2, org.site_manager)
    with pytest.raises(Conflict):
        actions.escalate_case(case.pk, actor=Actor.staff(org.agent))
    escalations = CaseEvent.objects.filter(case=case, type=EventType.ESCALATED).order_by("id")
    assert [e.data["after"]["escalated_to"] for e in escalations] == [
        org.supervisor.pk,
        org.site_manager.pk,
    ]
    assert escalations[1].actor_kind == "system"


def test_escalation_skips_a_missing_supervisor(org: Org) -> None:
    org.team.supervisor = None
    org.team.save()
    case = advance(org, make_case(org), "assigned")
    escalated = actions.escalate_case(case.pk, actor=Actor.staff(org.agent))
    assert (escalated.escalation_level, escalated.escalated_to) == (2, org.site_manager)


def test_transfer_hands_the_case_to_another_team_without_handler(org: Org) -> None:
    case = advance(org, make_case(org), "in_progress")
    moved = actions.transfer_case(
        case.pk, actor=Actor.staff(org.agent), team=org.billing_team, reason="计费核查"
    )
    assert (moved.team, moved.handler, moved.status) == (org.billing_team, None, "accepted")
    with pytest.raises(ValidationFailed):
        actions.transfer_case(case.pk, actor=Actor.staff(org.admin), team=org.billing_team)
    # the back office now sees it; the agent's team no longer does, but its creator does
    assert list_cases_for(org.backoffice).filter(pk=case.pk).exists()
    assert list_cases_for(org.agent).filter(pk=case.pk).exists()
    assert not list_cases_for(org.teammate).filter(pk=case.pk).exists()


def test_change_kind_turns_an_inquiry_into_a_complaint(org: Org) -> None:
    case = make_case(org, kind="inquiry", subject="套餐资费咨询")
    changed = actions.change_case_kind(
        case.pk, actor=Actor.staff(org.agent), kind="complaint", reason="客户对资费不满"
    )
    assert (changed.kind.code, changed.is_complaint, changed.number) == (
        "complaint",
        True,
        case.number,
    )
    event = CaseEvent.objects.get(case=case, type=EventType.KIND_CHANGED)
    assert event.data["before"]["kind"] == "inquiry"
    assert event.data["after"]["kind"] == "complaint"
    with pytest.raises(ValidationFailed):
        actions.change_case_kind(case.pk, actor=Actor.staff(org.agent), kind="complaint")
    with pytest.raises(ValidationFailed):
        actions.change_case_kind(case.pk, actor=Actor.staff(org.agent), kind="nope")


# --- resolve, close, return visit -------------------------------------------------------


def test_resolving_a_complaint_needs_a_stance(org: Org) -> None:
    case = advance(org, make_case(org), "in_progress")
    with pytest.raises(ValidationFailed) as error:
        actions.resolve_case(case.pk, actor=Actor.staff(org.agent), resolution="已处理")
    assert "stance" in error.value.fields
    with pytest.raises(ValidationFailed):
        actions.resolve_case(case.pk, actor=Actor.staff(org.agent), resolution=" ", stance="ours")
    assert Case.objects.get(pk=case.pk).status == "in_progress"


def test_closing_a_complaint_needs_the_improvement_fields(org: Org) -> None:
    case = advance(org, make_case(org), "resolved")
    with pytest.raises(ValidationFailed) as error:
        actions.close_case(case.pk, actor=Actor.staff(org.agent))
    assert set(error.value.fields) == {"cause", "root_cause", "improvement_needed"}
    with pytest.raises(ValidationFailed) as work_quality:
        actions.close_case(
            case.pk,
            actor=Actor.staff(org.agent),
            cause="service_manner",
            root_cause="营业员态度生硬",
            improvement_needed=True,
        )
    assert set(work_quality.value.fields) == {"responsible_person"}
    assert Case.objects.get(pk=case.pk).status == "resolved"
    assert not ReturnVisit.objects.exists()

    closed = actions.close_case(
        case.pk,
        actor=Actor.staff(org.agent),
        cause="service_manner",
        root_cause="营业员态度生硬",
        improvement_needed=True,
        responsible_person=org.teammate,
        responsible_department=org.front,
    )
    assert closed.cause is not None
    assert closed.closed_at is not None
    assert (closed.status, closed.cause.code, closed.responsible_person) == (
        "closed",
        "service_manner",
        org.teammate,
    )
    visit = ReturnVisit.objects.get(case=case)
    assert visit.due_at == closed.closed_at + dt.timedelta(days=3)
    assert events(case)[-2:] == [EventType.CLOSED, EventType.RETURN_VISIT_SCHEDULED]


@pytest.mark.parametrize(
    ("outcome", "status"),
    [("satisfied", "closed"), ("unreachable", "closed"), ("not_satisfied", "in_progress")],
)
def test_return_visit_outcome(org: Org, outcome: str, status: str) -> None:
    case = advance(org, make_case(org), "closed")
    visit = actions.record_return_visit(
        case.pk, actor=Actor.staff(org.teammate), outcome=outcome, note="电话回访"
    )
    assert (visit.outcome, visit.recorded_by, visit.note) == (outcome, org.teammate, "电话回访")
    assert Case.objects.get(pk=case.pk).status == status
    with pytest.raises(Conflict):
        actions.record_return_visit(case.pk, actor=Actor.staff(org.agent), outcome="satisfied")


def test_return_visit_outcome_must_be_known(org: Org) -> None:
    case = advance(org, make_case(org), "closed")
    with pytest.raises(ValidationFailed):
        actions.record_return_visit(case.pk, actor=Actor.staff(org.agent), outcome="meh")


def test_reopen_needs_a_reason_and_clears_closure(org: Org) -> None:
    case = advance(org, make_case(org), "closed")
    with pytest.raises(ValidationFailed):
        actions.reopen_case(case.pk, actor=Actor.staff(org.agent), reason="")
    reopened = actions.reopen_case(case.pk, actor=Actor.staff(org.agent), reason="问题复发")
    assert (reopened.status, reopened.closed_at, reopened.resolved_at) == (
        "in_progress",
        None,
        None,
    )


def test_expected_version_guards_transitions(org: Org) -> None:
    case = make_case(org)
    actions.edit_case(case.pk, actor=Actor.staff(org.agent), version=1, product="宽带")
    with pytest.raises(StaleVersion):
        actions.accept_case(case.pk, actor=Actor.staff(org.agent), expected_version=1)
    assert Case.objects.get(pk=case.pk).status == "new"
    accepted = actions.accept_case(case.pk, actor=Actor.staff(org.agent), expected_version=2)
    assert accepted.status == "accepted"


# --- messages and attachments -----------------------------------------------------------


def test_messages_of_every_kind_are_recorded_and_searchable(org: Org) -> None:
    case = advance(org, make_case(org, subject="网络问题"), "assigned")
    a = Actor.staff(org.agent)
    actions.add_message(case.pk, actor=a, kind="note", body="内部：需计费部核查")
    call = actions.add_message(
        case.pk,
        actor=a,
        kind="call",
        body="与客户确认维修时间",
        call_direction="outbound",
        call_duration_seconds=185,
    )
    visit = actions.add_message(case.pk, actor=a, kind="visit", body="上门检查光猫")
    actions.add_message(
        case.pk, actor=Actor.customer(case.customer_id), kind="inbound", body="好的"
    )
    assert (call.call_direction, call.call_duration_seconds) == ("outbound", 185)
    assert visit.visited_at is not None
    stored = Case.objects.get(pk=case.pk)
    assert stored.first_contact_at == call.created_at
    assert events(case).count(EventType.MESSAGE_ADDED) == 4
    assert [c.pk for c in list_cases_for(org.agent, CaseFilters(q="光猫"))] == [case.pk]
    assert [c.pk for c in list_cases_for(org.agent, CaseFilters(q="维修时间"))] == [case.pk]


def test_customer_reply_resumes_a_case_awaiting_the_customer(org: Org) -> None:
    case = advance(org, make_case(org), "awaiting_customer")
    actions.add_message(
        case.pk, actor=Actor.customer(case.customer_id), kind="inbound", body="照片已发"
    )
    assert Case.objects.get(pk=case.pk).status == "in_progress"
    resumed = CaseEvent.objects.filter(case=case, type=EventType.RESUMED).last()
    assert resumed is not None
    assert resumed.actor_kind == "system"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "shout", "body": "x"}, "kind"),
        ({"kind": "note", "body": "  "}, "body"),
        ({"kind": "call", "body": "x", "call_direction": "sideways"}, "call_direction"),
        ({"kind": "call", "body": "x", "call_direction": "inbound"}, "call_duration_seconds"),
    ],
)
def test_bad_messages_are_refused(org: Org, kwargs: dict, field: str) -> None:
    case = make_case(org)
    with pytest.raises(ValidationFailed) as error:
        actions.add_message(case.pk, actor=Actor.staff(org.agent), **kwargs)
    assert field in error.value.fields
    assert not CaseMessage.objects.exists()


def test_no_reply_on_a_closed_case(org: Org) -> None:
    case = advance(org, make_case(org), "closed")
    with pytest.raises(Conflict):
        actions.add_message(case.pk, actor=Actor.staff(org.agent), kind="outbound", body="您好")
    actions.add_message(case.pk, actor=Actor.staff(org.agent), kind="note", body="归档备注")


def test_attachment_is_stored_as_a_file(org: Org, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    case = make_case(org)
    message = actions.add_message(case.pk, actor=Actor.staff(org.agent), kind="note", body="照片")
    attachment = actions.add_attachment(
        case.pk,
        actor=Actor.staff(org.agent),
        name="../../etc/发票.png",
        stream=io.BytesIO(PNG),
        size=len(PNG),
        message=message,
    )
    assert attachment.original_name == "发票.png"
    assert attachment.content_type == "image/png"
    assert (tmp_path / attachment.file.name).read_bytes() == PNG
    event = CaseEvent.objects.get(case=case, type=EventType.ATTACHMENT_ADDED)
    assert event.data["name"] == "发票.png"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.png", b""),
        ("big.png", PNG + b"\x00" * 2048),
        ("virus.exe", b"MZ" + b"\x00" * 100),
        ("fake.png", b"%PDF-1.4 not a png"),
        ("fake.pdf", b"just text"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_stored(
    org: Org, settings, tmp_path, name: str, content: bytes
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.KEFU_MAX_ATTACHMENT_BYTES = 1024
    case = make_case(org)
    with pytest.raises(ValidationFailed):
        actions.add_attachment(
            case.pk,
            actor=Actor.staff(org.agent),
            name=name,
            stream=io.BytesIO(content),
            size=len(content),
        )
    assert not Attachment.objects.exists()
    assert list(tmp_path.iterdir()) == []


def test_attachment_for_a_message_of_another_case_is_refused(org: Org, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    one, other = make_case(org), make_case(org)
    message = actions.add_message(one.pk, actor=Actor.staff(org.agent), kind="note", body="x")
    with pytest.raises(ValidationFailed):
        actions.add_attachment(
            other.pk,
            actor=Actor.staff(org.agent),
            name="a.png",
            stream=io.BytesIO(PNG),
            size=len(PNG),
            message=message,
        )


# --- who may ----------------------------------------------------------------------------


def test_agent_of_another_team_cannot_touch_the_case(org: Org) -> None:
    case = make_case(org)
    with pytest.raises(PermissionDenied):
        actions.accept_case(case.pk, actor=Actor.staff(org.other_agent))
    with pytest.raises(PermissionDenied):
        actions.add_message(case.pk, actor=Actor.staff(org.other_agent), kind="note", body="x")
    assert Case.objects.get(pk=case.pk).status == "new"
    assert events(case) == [EventType.CREATED]


def test_only_the_handler_or_a_supervisor_progresses_a_case(org: Org) -> None:
    case = advance(org, make_case(org), "assigned")
    with pytest.raises(PermissionDenied):
        actions.mark_contacted(case.pk, actor=Actor.staff(org.teammate))
    assert Case.objects.get(pk=case.pk).status == "assigned"
    contacted = actions.mark_contacted(case.pk, actor=Actor.staff(org.supervisor))
    assert contacted.status == "in_progress"


def test_backoffice_handles_what_is_assigned_to_it(org: Org) -> None:
    case = advance(org, make_case(org), "accepted")
    actions.assign_case(case.pk, actor=Actor.staff(org.supervisor), handler=org.backoffice)
    contacted = actions.mark_contacted(case.pk, actor=Actor.staff(org.backoffice))
    assert contacted.status == "in_progress"
    with pytest.raises(PermissionDenied):
        actions.change_case_kind(case.pk, actor=Actor.staff(org.backoffice), kind="inquiry")


def test_unknown_case_is_not_found(org: Org) -> None:
    from kefu.core.errors import NotFound

    with pytest.raises(NotFound):
        actions.accept_case(999_999, actor=Actor.staff(org.agent))


def test_open_case_for_a_chosen_team_and_edit_without_reindex(org: Org) -> None:
    case = actions.open_case(
        actor=Actor.staff(org.agent),
        kind="repair_request",
        channel="on_site",
        subject="空调不制冷",
        customer=make_customer(org),
        team=org.billing_team,
    )
    assert (case.team, case.site) == (org.billing_team, org.billing_team.site)
    edited = actions.edit_case(case.pk, actor=Actor.staff(org.agent), version=1, tags=["上门"])
    assert edited.tags == ["上门"]


def test_contact_after_reopen_keeps_the_first_contact_time(org: Org) -> None:
    case = advance(org, make_case(org), "in_progress")
    first = case.first_contact_at
    actions.transfer_case(case.pk, actor=Actor.staff(org.agent), team=org.other_team)
    actions.assign_case(case.pk, actor=Actor.staff(org.admin), handler=org.other_agent)
    again = actions.mark_contacted(case.pk, actor=Actor.staff(org.other_agent))
    assert again.first_contact_at == first
