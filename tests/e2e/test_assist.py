"""Agent assist in a real browser: the composer flags a forbidden phrase as the agent types,
offers the better wording in one click, and a confirmed override is recorded."""

from __future__ import annotations

import pytest

from kefu.cases.models import CaseEvent, CaseMessage
from tests.e2e.conftest import sign_in
from tests.factories import advance, make_case, make_org

pytestmark = [pytest.mark.e2e]

BODY = "#id_msg-body"


def test_agent_replaces_a_forbidden_phrase_with_the_suggestion_and_sends(
    reference_data, new_page
) -> None:
    org = make_org()
    case = advance(org, make_case(org), "assigned")
    page = new_page(locale="zh-CN")
    sign_in(page, org.agent.username)
    page.goto(f"/cases/{case.number}/")

    # Typing: the check runs after a pause and underlines the phrase with advice and a rewrite.
    page.click(BODY)
    page.keyboard.type("您好，公司的规定就是这样的。")
    finding = page.wait_for_selector(
        '[data-testid="assist-finding"][data-category="company_rules"]'
    )
    assert "规定就是这样" in page.inner_text("mark.assist-hit")
    assert "不过我可以为您" in finding.inner_text()

    # One click puts the suggested wording in place of the clause; the recheck is clean.
    page.click('[data-testid="assist-replace"]')
    page.wait_for_selector('[data-testid="assist-ok"]')
    draft = page.input_value(BODY)
    assert draft.startswith("您好，按照") and "规定就是这样" not in draft

    page.click('[data-submit="message"]')
    page.wait_for_selector("text=回复已记录。")
    assert CaseMessage.objects.get(case=case).body == draft
    assert not CaseEvent.objects.filter(case=case, type="assist_override").exists()


def test_sending_despite_a_warning_asks_for_confirmation_and_is_recorded(
    reference_data, new_page
) -> None:
    org = make_org()
    case = advance(org, make_case(org), "assigned")
    page = new_page(locale="zh-CN")
    sign_in(page, org.agent.username)
    page.goto(f"/cases/{case.number}/")

    page.fill(BODY, "公司的规定就是这样的，这种问题我们见得多了。")
    page.click('[data-submit="message"]')

    # Not sent: the page explains and asks for an explicit confirmation.
    page.wait_for_selector('[data-testid="assist-finding"][data-category="company_rules"]')
    page.wait_for_selector('[data-testid="assist-finding"][data-category="seen_it_often"]')
    assert not CaseMessage.objects.filter(case=case).exists()
    page.check('[data-testid="assist-confirm"]')
    page.click('[data-submit="message"]')
    page.wait_for_selector("text=回复已发送；忽略助手提醒已记录在服务记录中。")

    event = CaseEvent.objects.get(case=case, type="assist_override")
    assert event.data["message"] == CaseMessage.objects.get(case=case).pk
    assert [f["category"] for f in event.data["findings"]] == ["company_rules", "seen_it_often"]
    assert "忽略助手提醒发送" in page.locator(".tl-title").all_inner_texts()
