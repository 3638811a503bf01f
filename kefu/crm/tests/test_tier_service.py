"""The tier drives service: queue priority, the dedicated team, the account manager."""

from __future__ import annotations

from kefu.accounts.actors import Actor
from kefu.cases import actions as case_actions
from kefu.cases.models import Case
from kefu.crm.actions import apply_tier_service, set_tier_manually
from kefu.customers.actions import update_profile
from tests.factories import Org, make_case, make_customer


def _vip(org: Org):
    customer = make_customer(org, "贵宾客户")
    set_tier_manually(
        actor=Actor.staff(org.supervisor), customer_id=customer.pk, tier="vip", reason="合同客户"
    )
    update_profile(
        actor=Actor.staff(org.supervisor),
        customer_id=customer.pk,
        account_manager_id=org.teammate.pk,
        dedicated_team_id=org.team.pk,
    )
    customer.refresh_from_db()
    return customer


def test_a_vip_case_is_raised_routed_and_assigned(
    org: Org, django_capture_on_commit_callbacks, tasks_inline
) -> None:
    vip = _vip(org)
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(org, customer=vip, by=org.other_agent)  # registered by another team
    case.refresh_from_db()
    assert case.priority == 3  # the VIP tier's minimum queue priority
    assert case.team == org.team  # the customer's dedicated team
    with django_capture_on_commit_callbacks(execute=True):
        case_actions.accept_case(case.pk, actor=Actor.staff(org.agent))
    case.refresh_from_db()
    assert (case.status, case.handler) == ("assigned", org.teammate)
    assert case.events.filter(actor_source="crm.tier_service").count() == 3


def test_a_standard_customer_is_left_alone(org: Org) -> None:
    case = make_case(org, customer=make_customer(org))
    assert apply_tier_service(case.pk, event_type="created") == []
    assert Case.objects.get(pk=case.pk).priority == 2
