"""Every write of the surveys configuration and distribution leaves an entry in the
configuration record (who, what, before and after), in the same transaction as the write."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from django.test import Client

from kefu.accounts.actors import Actor
from kefu.accounts.audit import configuration_history
from kefu.core import clock
from kefu.core.errors import ValidationFailed
from kefu.customers.actions import add_contact, create_customer
from kefu.customers.models import CustomerKind, DecisionRole
from kefu.surveys import actions
from kefu.surveys.models import IndexGroup, Invitation, PeerFigure, Survey
from kefu.surveys.shipped import CSAT
from kefu.surveys.tests.conftest import consenting_customer
from tests.factories import Org, advance, make_case

pytestmark = pytest.mark.usefixtures("shipped")


def entries(obj: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(e.action, e.data) for e in configuration_history(obj)]


def test_designing_a_survey_is_recorded_step_by_step(org: Org) -> None:
    staff = Actor.staff(org.site_manager)
    survey = actions.create_survey(actor=staff, code="q4", title_zh="四季度回访", definition=CSAT)
    actions.update_survey(survey.pk, actor=staff, expiry_days=30, title_zh="四季度回访问卷")
    actions.update_survey(survey.pk, actor=staff, expiry_days=30)  # nothing changes
    actions.publish_draft(survey.pk, actor=staff)
    edited = copy.deepcopy(CSAT)
    edited["sections"][0]["questions"].append(
        {"key": "again", "type": "nps", "text": {"zh": "还会再来吗？", "en": "Again?"}}
    )
    actions.save_draft(survey.pk, actor=staff, definition=edited)
    actions.publish_draft(survey.pk, actor=staff)

    history = configuration_history(survey)
    assert [e.action for e in history] == [
        "created",
        "edited",
        "published",
        "draft_saved",
        "published",
    ]
    assert {e.actor_user for e in history} == {org.site_manager}
    created, edited_entry, first, draft, second = (e.data for e in history)
    assert created["code"] == "q4" and created["draft"] == 1
    assert edited_entry == {
        "before": {"expiry_days": 14, "title_zh": "四季度回访"},
        "after": {"expiry_days": 30, "title_zh": "四季度回访问卷"},
    }
    assert first == {"version": 1, "replaces": None}
    assert (draft["version"], draft["added"], draft["removed"]) == (2, ["again"], [])
    assert second == {"version": 2, "replaces": 1}


def test_a_refused_edit_records_nothing_and_a_failed_record_undoes_the_edit(
    org: Org, monkeypatch: Any
) -> None:
    survey = Survey.objects.get(code="customer-care")
    staff = Actor.staff(org.site_manager)
    with pytest.raises(ValidationFailed):
        actions.update_survey(survey.pk, actor=staff, expiry_days=0)
    assert entries(survey) == []

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("record unavailable")

    monkeypatch.setattr(actions, "record_configuration_event", broken)
    with pytest.raises(RuntimeError):
        actions.update_survey(survey.pk, actor=staff, expiry_days=60)
    survey.refresh_from_db()
    assert survey.expiry_days == 14  # the edit went with its entry


def test_index_weights_and_peer_figures_are_recorded_with_before_and_after(org: Org) -> None:
    admin = Actor.staff(org.admin)
    actions.set_index_weights(
        actor=admin, weights={"service_quality": "0.6", "care": "0.25", "leadership": "0.15"}
    )
    care = IndexGroup.objects.get(key="care")
    assert entries(care) == [
        ("weight_changed", {"before": {"weight": "0.150"}, "after": {"weight": "0.250"}})
    ]
    assert entries(IndexGroup.objects.get(key="leadership")) == []  # unchanged: no entry

    today = clock.today()
    for value in (80.0, 82.5):
        actions.record_peer_figure(
            actor=Actor.staff(org.supervisor),
            metric="csat",
            peer="同业A",
            period_start=today.replace(day=1),
            period_end=today,
            value=value,
            source="行业协会",
        )
    figure = PeerFigure.objects.get()
    (created, created_data), (replaced, replaced_data) = entries(figure)
    assert (created, created_data["value"], created_data["source"]) == ("created", 80.0, "行业协会")
    assert (replaced, replaced_data) == (
        "replaced",
        {"before": {"value": 80.0}, "after": {"value": 82.5}},
    )


def test_a_wave_records_its_schedule_and_what_it_sent(org: Org) -> None:
    staff = Actor.staff(org.supervisor)
    company = create_customer(actor=staff, name="华东电器有限公司", kind=CustomerKind.ORGANISATION)
    roles = list(DecisionRole.objects.filter(active=True).order_by("rank")[:3])
    for n, role in enumerate(roles):
        contact = add_contact(
            actor=staff,
            organisation_id=company.pk,
            name=f"联系人{n}",
            phone=f"1380000000{n}",
            email=f"c{n}@hd.cn",
            role_code=role.code,
        )
        if n:  # the first never agreed to surveys
            from kefu.surveys.tests.test_distribution import record_consent_for

            record_consent_for(org, contact)
    survey = Survey.objects.get(code="decision-chain-relationship")
    wave = actions.schedule_wave(
        survey.pk, actor=staff, name="2026Q4", scheduled_for=clock.now(), organisation_id=company.pk
    )
    assert actions.send_wave(wave.pk) == (2, 1)
    (scheduled, plan), (sent, counts) = entries(survey)
    assert (scheduled, plan["wave"], plan["organisation"]) == (
        "wave_scheduled",
        wave.pk,
        company.pk,
    )
    assert (sent, counts["invited"], counts["skipped"]) == ("wave_sent", 2, 1)
    assert counts["reasons"] == {"no_consent": 1}
    assert configuration_history(survey)[1].actor_source == "surveys"
    assert actions.send_wave(wave.pk) == (0, 0)  # once
    assert len(entries(survey)) == 2


def test_expired_links_and_manual_sends_are_on_the_survey_record(
    org: Org, django_capture_on_commit_callbacks: Any
) -> None:
    survey = Survey.objects.get(code="customer-care")
    start = clock.now()
    with clock.frozen_at(start):
        for name in ("甲", "乙"):
            invitation, _ = actions.invite(
                actor=Actor.staff(org.supervisor),
                survey=survey,
                customer=consenting_customer(org, name),
                trigger="manual",
            )
            assert invitation is not None
    # An invitation a closed case sent is on the case's record, not here.
    customer = consenting_customer(org, "丙")
    with django_capture_on_commit_callbacks(execute=True):
        case = advance(org, make_case(org, kind="complaint", customer=customer), "closed")
    assert Invitation.objects.filter(case=case).exists()

    invited = [d for a, d in entries(survey) if a == "invited"]
    assert [d["channel"] for d in invited] == ["email", "email"]
    with clock.frozen_at(start + dt.timedelta(days=survey.expiry_days, minutes=1)):
        assert actions.expire_invitations() == 3
        assert actions.expire_invitations() == 0
    for each, count in ((survey, 2), (Invitation.objects.get(case=case).survey, 1)):
        expired = [d for a, d in entries(each) if a == "invitations_expired"]
        assert [d["count"] for d in expired] == [count]


def test_the_designer_page_shows_the_change_history(org: Org) -> None:
    survey = Survey.objects.get(code="customer-care")
    actions.update_survey(survey.pk, actor=Actor.staff(org.site_manager), expiry_days=21)
    client = Client()
    client.force_login(org.supervisor)
    html = client.get(f"/surveys/{survey.pk}/").content.decode()
    assert 'data-testid="survey-history"' in html
    assert "李站长" in html and "修改设置" in html and "14 → 21" in html
