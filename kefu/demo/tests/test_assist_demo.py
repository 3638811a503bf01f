"""The demo's assist stories: the journalist's playbook, a suggested cause, an override."""

from __future__ import annotations

from kefu.assist import selectors as assist_selectors
from kefu.assist.models import Article
from kefu.cases.models import Case, CaseEvent
from kefu.demo.assist import ARTICLES, BILLING_SUBJECT, JOURNALIST_SUBJECT, load_assist_demo
from tests.factories import Org, make_customer


def test_the_assist_showcase(org: Org):
    customers = [make_customer(org, name=f"客户{i}") for i in range(4)]

    load_assist_demo(org.agent, customers)

    assert Article.objects.count() == len(ARTICLES)
    journalist = Case.objects.get(subject=JOURNALIST_SUBJECT)
    seen = assist_selectors.case_assist(org.agent, journalist)
    assert seen.playbook is not None and seen.playbook.playbook.code == "influential"
    assert [a.emotion for a in assist_selectors.case_analyses(journalist)] == ["angry", "angry"]
    billing = Case.objects.get(subject=BILLING_SUBJECT)
    kinds = list(billing.kind.__class__.objects.all())
    seen = assist_selectors.case_assist(org.agent, billing, kinds=kinds)
    assert seen.kind_suggestion is not None and seen.kind_suggestion.code == "complaint"
    assert assist_selectors.case_analyses(billing)[0].complaint_cause == "billing"
    assert CaseEvent.objects.filter(type="assist_override").count() == 1
    assert assist_selectors.search_articles("记者") != []
