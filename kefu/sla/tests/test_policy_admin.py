from __future__ import annotations

from django.test import Client

from kefu.sla.policies import SlaPolicy, SlaTarget
from tests.factories import Org


def test_admin_creates_a_policy_with_targets_through_the_action(org: Org) -> None:
    org.admin.is_staff = True
    org.admin.save()
    versions_before = dict(SlaPolicy.objects.values_list("pk", "version"))
    client = Client()
    client.force_login(org.admin)
    assert client.get("/admin/sla/slapolicy/").status_code == 200
    response = client.post(
        "/admin/sla/slapolicy/add/",
        {
            "name": "金卡客户报修",
            "kind_code": "repair_request",
            "tier": "gold",
            "priority": "",
            "active": "on",
            "targets-TOTAL_FORMS": "2",
            "targets-INITIAL_FORMS": "0",
            "targets-MIN_NUM_FORMS": "0",
            "targets-MAX_NUM_FORMS": "1000",
            "targets-0-metric": "assign",
            "targets-0-minutes": "45",
            "targets-0-business_time": "on",
            "targets-0-warn_share": "0.75",
            "targets-1-metric": "resolution",
            "targets-1-minutes": "600",
            "targets-1-warn_share": "0.8",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = SlaPolicy.objects.get(name="金卡客户报修")
    targets = {t.metric: t for t in SlaTarget.objects.filter(policy=policy)}
    assert (targets["assign"].minutes, targets["assign"].warn_share) == (45, 0.75)
    assert targets["resolution"].business_time is False
    # every other policy's version moved, so running clocks get recomputed
    assert all(SlaPolicy.objects.get(pk=pk).version == v + 1 for pk, v in versions_before.items())


def test_other_roles_do_not_see_policies(org: Org) -> None:
    org.supervisor.is_staff = True
    org.supervisor.save()
    client = Client()
    client.force_login(org.supervisor)
    assert client.get("/admin/sla/slapolicy/").status_code == 403


def test_a_policy_is_keyed_on_kinds_tiers_and_priorities_that_exist(org: Org) -> None:
    import pytest

    from kefu.accounts.actors import Actor
    from kefu.core.errors import ValidationFailed
    from kefu.sla.policy_actions import TargetInput, save_policy

    admin = Actor.staff(org.admin)
    targets = [TargetInput("resolution", 480, True, 0.8)]
    with pytest.raises(ValidationFailed) as refused:
        save_policy(
            actor=admin, name="错字", kind_code="complaintt", tier="golden", targets=targets
        )
    assert set(refused.value.fields) == {"kind_code", "tier"}  # a typo would never match
    with pytest.raises(ValidationFailed):
        save_policy(actor=admin, name="错字", priority=9, targets=targets)
    assert not SlaPolicy.objects.filter(name="错字").exists()
    kept = save_policy(
        actor=admin, name="紧急投诉", kind_code="complaint", priority=4, targets=targets
    )
    assert (kept.kind_code, kept.priority) == ("complaint", 4)

    org.admin.is_staff = True
    org.admin.save()
    client = Client()
    client.force_login(org.admin)
    client.cookies["django_language"] = "zh-hans"
    form = client.get("/admin/sla/slapolicy/add/").content.decode()
    assert '<option value="complaint">投诉</option>' in form
    assert '<option value="4">紧急</option>' in form and '<option value="vip">VIP</option>' in form
    listing = client.get("/admin/sla/slapolicy/").content.decode()
    assert '<td class="field-kind_name">投诉</td>' in listing
