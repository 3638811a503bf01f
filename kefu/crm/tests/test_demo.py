"""The demo's CRM: graded customers with reasons, a VIP complaint on the VIP standard with
the account manager, a churn list with reasons, full decision chains."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from kefu.cases.models import Case, CaseClock
from kefu.crm.models import ChurnAssessment, CustomerValue, TierChange
from kefu.customers.models import ConsumptionRecord, Customer, CustomerKind
from kefu.customers.selectors import decision_chain
from kefu.demo.crm import SHOWCASE_PHONE

pytestmark = pytest.mark.django_db


def test_the_demo_grades_customers_and_warns_of_churn() -> None:
    call_command("load_demo", cases=60, customers=120, no_progress=True, stdout=io.StringIO())
    assert ConsumptionRecord.objects.count() > 1000
    assert CustomerValue.objects.filter(tier="vip").exists()
    assert TierChange.objects.exists()
    assert ChurnAssessment.objects.filter(at_risk=True).exists()
    vip = Customer.objects.get(phones__number="+86" + SHOWCASE_PHONE)
    assert vip.tier == "vip" and vip.account_manager is not None
    case = Case.objects.filter(customer=vip, is_complaint=True).latest("created_at")
    assert case.handler == vip.account_manager
    assign = CaseClock.objects.get(case=case, metric="assign")
    assert assign.target_seconds == 30 * 60  # the VIP complaint standard
    companies = Customer.objects.filter(kind=CustomerKind.ORGANISATION)
    assert sum(len(decision_chain(c.pk)) >= 5 for c in companies) >= 3
