"""The crm admin: tiers and settings save through the actions (checked, recorded as
configuration events); the records are read-only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kefu.accounts.actors import Actor
from kefu.accounts.models import ConfigurationEvent, User
from kefu.core.errors import PermissionDenied, ValidationFailed
from kefu.crm.actions import ensure_default_tiers, save_value_tier, update_crm_settings
from kefu.crm.models import CrmSettings, TierChange, ValueTier
from kefu.crm.reference_data import DEFAULT_TIERS
from tests.factories import Org, make_customer


def _client(user: User) -> Client:
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def _tier_form(tier: ValueTier, **changes: Any) -> dict[str, Any]:
    data = {
        "name": tier.name,
        "name_en": tier.name_en,
        "rank": tier.rank,
        "min_score": tier.min_score,
        "queue_priority": tier.queue_priority or "",
        "entitlements": tier.entitlements,
        "entitlements_en": tier.entitlements_en,
        "active": "on" if tier.active else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != "" or k != "active"}


def _events(obj: Any) -> list[ConfigurationEvent]:
    return list(
        ConfigurationEvent.objects.filter(
            app_label=obj._meta.app_label, model=obj._meta.model_name, object_id=str(obj.pk)
        )
    )


def test_editing_a_tier_in_the_admin_saves_it_through_the_action(org: Org) -> None:
    client = _client(org.admin)
    gold = ValueTier.objects.get(code="gold")
    url = f"/admin/crm/valuetier/{gold.pk}/change/"
    response = client.post(url, _tier_form(gold, min_score=11, queue_priority=2))
    assert response.status_code == 302
    gold.refresh_from_db()
    assert (gold.min_score, gold.queue_priority) == (11, 2)
    [event] = _events(gold)
    assert (event.action, event.actor_user) == ("changed", org.admin)
    assert event.data == {
        "before": {"min_score": 10, "queue_priority": None},
        "after": {"min_score": 11, "queue_priority": 2},
    }

    # The action's rules show as form errors; nothing changes, nothing is recorded.
    refused = client.post(url, _tier_form(gold, min_score=16))
    assert refused.status_code == 200
    assert "min_score" in refused.content.decode()
    gold.refresh_from_db()
    assert gold.min_score == 11 and len(_events(gold)) == 1
    # A tier is deactivated, never deleted.
    delete = f"/admin/crm/valuetier/{gold.pk}/delete/"
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ValueTier.objects.filter(pk=gold.pk).exists()


def test_the_tier_list_columns_save_through_the_action_too(org: Org) -> None:
    client = _client(org.admin)
    tiers = list(ValueTier.objects.order_by("rank", "id"))
    data: dict[str, Any] = {
        "form-TOTAL_FORMS": len(tiers),
        "form-INITIAL_FORMS": len(tiers),
        "_save": "Save",
    }
    for i, tier in enumerate(tiers):
        data[f"form-{i}-id"] = tier.pk
        data[f"form-{i}-min_score"] = 6 if tier.code == "silver" else tier.min_score
        data[f"form-{i}-queue_priority"] = tier.queue_priority or ""
        if tier.active:
            data[f"form-{i}-active"] = "on"
    assert client.post("/admin/crm/valuetier/", data).status_code == 302
    silver = ValueTier.objects.get(code="silver")
    assert silver.min_score == 6
    [event] = ConfigurationEvent.objects.filter(model="valuetier")
    assert event.object_id == str(silver.pk)
    assert event.data == {"before": {"min_score": 7}, "after": {"min_score": 6}}


def test_adding_a_tier_in_the_admin_records_its_creation(org: Org) -> None:
    client = _client(org.admin)
    form = {
        "code": "diamond",
        "name": "钻石",
        "name_en": "Diamond",
        "rank": 1,
        "min_score": 15,
        "queue_priority": 4,
        "entitlements": "",
        "entitlements_en": "",
        "active": "on",
    }
    assert client.post("/admin/crm/valuetier/add/", form).status_code == 302
    diamond = ValueTier.objects.get(code="diamond")
    [event] = _events(diamond)
    assert event.action == "created"
    assert event.data["after"]["min_score"] == 15
    # Codes are unique.
    assert client.post("/admin/crm/valuetier/add/", form).status_code == 200
    assert ValueTier.objects.filter(code="diamond").count() == 1


def test_only_supervising_roles_configure_tiers(org: Org) -> None:
    gold = ValueTier.objects.get(code="gold")
    agent = _client(org.agent)
    response = agent.post(f"/admin/crm/valuetier/{gold.pk}/change/", _tier_form(gold, rank=9))
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        save_value_tier(
            actor=Actor.staff(org.agent),
            values={"code": "x", "name": "X", "rank": 5, "min_score": 3, "active": True},
        )
    gold.refresh_from_db()
    assert gold.rank == 2


def test_tier_rules(org: Org) -> None:
    actor = Actor.staff(org.supervisor)
    gold = ValueTier.objects.get(code="gold")
    values = {"name": gold.name, "rank": gold.rank}
    with pytest.raises(ValidationFailed) as renamed:
        save_value_tier(actor=actor, values={**values, "code": "golden"}, tier_id=gold.pk)
    assert "code" in renamed.value.fields
    with pytest.raises(ValidationFailed):
        save_value_tier(actor=actor, values={**values, "code": "gold", "queue_priority": 7})
    ValueTier.objects.exclude(pk=gold.pk).update(active=False)
    with pytest.raises(ValidationFailed) as last:
        save_value_tier(
            actor=actor, values={**values, "code": "gold", "active": False}, tier_id=gold.pk
        )
    assert "active" in last.value.fields
    # Saving it unchanged records nothing.
    save_value_tier(actor=actor, values={**values, "code": "gold"}, tier_id=gold.pk)
    assert _events(gold) == []


def _settings_form(row: CrmSettings, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "window_days": row.window_days,
        "method": row.method,
        "recency_cuts": str(row.recency_cuts),
        "frequency_cuts": str(row.frequency_cuts),
        "monetary_cuts": str(row.monetary_cuts),
        "churn_window_days": row.churn_window_days,
        "churn_threshold": row.churn_threshold,
        "weight_decline": row.weight_decline,
        "weight_complaints": row.weight_complaints,
        "weight_breaches": row.weight_breaches,
        "weight_satisfaction": row.weight_satisfaction,
        "weight_silence": row.weight_silence,
        "follow_up_days": row.follow_up_days,
    }
    data.update(changes)
    return data


def test_editing_the_crm_settings_in_the_admin_goes_through_the_action(org: Org) -> None:
    client = _client(org.admin)
    row = CrmSettings.objects.get(pk=1)
    url = "/admin/crm/crmsettings/1/change/"
    response = client.post(url, _settings_form(row, churn_threshold=60, follow_up_days=5))
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.churn_threshold, row.follow_up_days) == (60, 5)
    [event] = _events(row)
    assert (event.action, event.actor_user) == ("changed", org.admin)
    assert event.data == {
        "before": {"churn_threshold": 50.0, "follow_up_days": 3},
        "after": {"churn_threshold": 60.0, "follow_up_days": 5},
    }
    # Cut points must be four ascending numbers; every weight 0 is refused.
    bad_cuts = client.post(url, _settings_form(row, recency_cuts="[90, 30, 180, 365]"))
    assert bad_cuts.status_code == 200
    no_weight = _settings_form(
        row,
        weight_decline=0,
        weight_complaints=0,
        weight_breaches=0,
        weight_satisfaction=0,
        weight_silence=0,
    )
    assert client.post(url, no_weight).status_code == 200
    assert len(_events(row)) == 1
    # One row: no second one, none deleted.
    assert client.get("/admin/crm/crmsettings/add/").status_code == 403
    assert client.post("/admin/crm/crmsettings/1/delete/", {"post": "yes"}).status_code == 403


def test_crm_settings_action_refuses_unknown_fields_and_agents(org: Org) -> None:
    with pytest.raises(ValidationFailed):
        update_crm_settings(actor=Actor.staff(org.supervisor), window=30)
    with pytest.raises(PermissionDenied):
        update_crm_settings(actor=Actor.staff(org.agent), churn_threshold=10)
    row = update_crm_settings(actor=Actor.staff(org.supervisor), churn_threshold=45)
    assert CrmSettings.objects.get(pk=1).churn_threshold == 45 == row.churn_threshold


def test_records_stay_read_only_in_the_admin(org: Org) -> None:
    client = _client(org.admin)
    customer = make_customer(org)
    change = TierChange.objects.create(
        customer=customer,
        at=customer.created_at,
        previous="standard",
        tier="vip",
        actor_kind="system",
        actor_source="test",
    )
    assert client.get("/admin/crm/tierchange/").status_code == 200
    assert client.get("/admin/crm/tierchange/add/").status_code == 403
    posted = client.post(f"/admin/crm/tierchange/{change.pk}/change/", {"tier": "gold"})
    assert posted.status_code == 403
    deleted = client.post(f"/admin/crm/tierchange/{change.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403
    assert TierChange.objects.get(pk=change.pk).tier == "vip"


@pytest.mark.django_db
def test_the_default_tiers_restored_on_an_empty_database_are_on_the_record() -> None:
    ValueTier.objects.all().delete()
    CrmSettings.objects.all().delete()
    assert ensure_default_tiers() == len(DEFAULT_TIERS)
    created = ConfigurationEvent.objects.filter(app_label="crm", action="created")
    tiers = {e.object_id: e for e in created.filter(model="valuetier")}
    assert set(tiers) == {str(pk) for pk in ValueTier.objects.values_list("pk", flat=True)}
    vip = tiers[str(ValueTier.objects.get(code="vip").pk)]
    assert (vip.actor_kind, vip.actor_source, vip.data["after"]["code"]) == (
        "system",
        "setup",
        "vip",
    )
    assert created.filter(model="crmsettings").count() == 1
    # a database that has them is left alone, and nothing more is recorded
    assert ensure_default_tiers() == 0
    assert created.count() == len(DEFAULT_TIERS) + 1
