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
