"""The agent workspace in a real browser: a phone complaint handled end to end, in Chinese."""

from __future__ import annotations

import re

import pytest

from kefu.cases.choices import CaseStatus
from kefu.cases.models import Case
from tests.e2e.conftest import sign_in
from tests.factories import advance, make_case, make_customer, make_org

pytestmark = [pytest.mark.e2e]


def expect_text(page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector(f"text={text}")


def test_agent_handles_a_phone_complaint_end_to_end(
    reference_data, new_page, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    org = make_org()
    customer = make_customer(org, name="李四", phone="13800138000")
    page = new_page(locale="zh-CN")

    # Sign in; the queue is in Chinese because the browser asks for Chinese.
    sign_in(page, org.agent.username)
    assert page.locator("h1").inner_text() == "我的工单"

    # A phone complaint for an existing customer, found by phone as the agent types.
    page.click("text=新建工单")
    page.fill("#customer-q", "138 0013")
    page.click(f'.pick[data-customer="{customer.pk}"]')
    page.wait_for_selector('[data-testid="chosen-customer"]')
    page.check('input[name="kind"][value="complaint"]')
    page.check('input[name="channel"][value="phone"]')
    page.fill("#id_subject", "话费多扣了50元")
    page.fill("#id_description", "客户要求退还多扣的50元并说明原因")
    page.click('[data-submit="open-case"]')
    page.wait_for_url(re.compile(r"/cases/TS-\d{4}-\d{6}/$"))
    case = Case.objects.get(customer=customer)
    expect_text(page, f"工单 {case.number} 已创建。")
    assert page.inner_text('[data-testid="customer-phone"]') == "138****8000"

    # Accept (受理), then assign (派单) through the dialog, keyboard only for the choice.
    page.click('[data-action="accept"]')
    expect_text(page, "已受理。")
    page.click('[data-action="assign"]')
    page.select_option("#id_assign-handler", str(org.agent.pk))
    page.click('[data-submit="assign"]')
    expect_text(page, "已派单。")

    # The customer's bill as an attachment, uploaded with a progress bar (HTMX).
    page.click("#tab-attachment")
    page.set_input_files(
        "#id_file-file",
        files=[
            {"name": "账单.txt", "mimeType": "text/plain", "buffer": "本月话费 158 元".encode()}
        ],
    )
    page.click(".upload-form button[type=submit]")
    expect_text(page, "附件已上传。")
    assert page.locator("a", has_text="账单.txt").count() == 1

    # Reply to the customer, then record that the customer was contacted.
    page.check('input[name="msg-kind"][value="outbound"]')
    page.fill("#id_msg-body", "您好，已核实多扣50元，将于三个工作日内退还。")
    page.click('[data-submit="message"]')
    expect_text(page, "回复已记录。")
    page.click('[data-action="contact"]')
    page.fill("#id_contact-note", "已电话联系客户，客户同意方案")
    page.click('[data-submit="contact"]')
    expect_text(page, "已记录联系客户。")

    # Resolve with the responsibility stance; close with the root cause, after confirming.
    page.click('[data-action="resolve"]')
    page.check('input[name="resolve-stance"][value="ours"]')
    page.fill("#id_resolve-resolution", "退还50元并致歉")
    page.click('[data-submit="resolve"]')
    expect_text(page, "已标记为已解决。")
    page.click('[data-action="close"]')
    page.select_option("#id_close-cause", "billing")
    page.fill("#id_close-root_cause", "流量包计费规则配置错误")
    page.check('input[name="close-improvement_needed"][value="yes"]')
    page.check("#id_close-confirm")
    page.click('[data-submit="close"]')
    expect_text(page, "已结案。")

    # Return visit (回访): the customer is satisfied.
    page.check('input[name="record_return_visit-outcome"][value="satisfied"]')
    page.fill("#id_record_return_visit-note", "客户对处理满意")
    page.click('[data-submit="record_return_visit"]')
    expect_text(page, "已记录回访结果。")

    # The timeline shows every step with its actor.
    titles = page.locator(".tl-title").all_inner_texts()
    assert titles == [
        "创建工单",
        "受理",
        f"派单给 {org.agent.label}",
        "上传附件",
        "回复客户",
        "已联系客户",
        "解决",
        "结案",
        "安排回访",
        "回访结果",
    ]
    assert set(page.locator(".tl-actor").all_inner_texts()) == {org.agent.label, "系统"}
    case.refresh_from_db()
    assert (case.status, case.root_cause) == (CaseStatus.CLOSED, "流量包计费规则配置错误")

    # English and back; the choice is remembered across pages.
    page.click('[data-testid="lang-en"]')
    page.wait_for_selector("text=Service record")
    assert "Case closed" not in page.content()  # the flash was shown once, before
    page.goto("/queues/mine/")
    assert page.locator("h1").inner_text() == "My cases"
    page.click('[data-testid="lang-zh"]')
    page.wait_for_selector("h1:has-text('我的工单')")


def test_supervisor_reassigns_a_case_from_the_board(reference_data, new_page) -> None:
    org = make_org()
    case = advance(org, make_case(org, subject="宽带掉线"), "assigned")
    page = new_page(locale="zh-CN")
    sign_in(page, org.supervisor.username)

    page.click("text=班组看板")
    page.check(f'[data-case="{case.pk}"] input[name="cases"]')
    page.select_option("#bulk-handler", str(org.teammate.pk))
    page.click('[data-submit="bulk-assign"]')

    expect_text(page, f"已派给 {org.teammate.label}：{case.number}")
    lane = page.locator(f'[data-handler="{org.teammate.pk}"]')
    assert lane.locator(f'[data-number="{case.number}"]').count() == 1
    case.refresh_from_db()
    assert case.handler == org.teammate


def test_supervisor_drags_a_card_to_another_agent(reference_data, new_page) -> None:
    org = make_org()
    case = advance(org, make_case(org, subject="固话无拨号音"), "assigned")
    page = new_page(locale="zh-CN")
    sign_in(page, org.supervisor.username)
    page.goto("/board/")

    page.drag_and_drop(f'[data-number="{case.number}"]', f'[data-handler="{org.teammate.pk}"]')

    expect_text(page, f"已派给 {org.teammate.label}：{case.number}")
    case.refresh_from_db()
    assert case.handler == org.teammate


def test_an_agent_of_another_team_cannot_open_the_case(reference_data, new_page) -> None:
    org = make_org()
    case = make_case(org, subject="携号转网被拒")
    page = new_page(locale="zh-CN")
    sign_in(page, org.other_agent.username)

    response = page.goto(f"/cases/{case.number}/")

    assert response is not None and response.status == 404
    assert "找不到页面" in page.content()
    assert "携号转网被拒" not in page.content()


def test_the_main_flow_works_from_the_keyboard(reference_data, new_page) -> None:
    org = make_org()
    case = make_case(org, subject="宽带装机延误")
    page = new_page(locale="zh-CN")
    sign_in(page, org.agent.username)
    page.goto(f"/cases/{case.number}/")

    # 受理: focus the button and press Enter.
    page.focus('[data-action="accept"]')
    page.keyboard.press("Enter")
    expect_text(page, "已受理。")

    # 派单: Enter opens the dialog with the focus on the handler; choose, Tab to confirm.
    page.focus('[data-action="assign"]')
    page.keyboard.press("Enter")
    page.wait_for_selector("#dlg-assign[open]")
    assert page.evaluate("document.activeElement.id") == "id_assign-handler"
    page.select_option("#id_assign-handler", str(org.teammate.pk))
    page.keyboard.press("Tab")  # reason
    page.keyboard.press("Tab")  # cancel
    page.keyboard.press("Tab")  # confirm
    assert page.evaluate("document.activeElement.dataset.submit") == "assign"
    page.keyboard.press("Enter")
    expect_text(page, "已派单。")

    # Escape closes a dialog without changing anything.
    page.focus('[data-action="escalate"]')
    page.keyboard.press("Enter")
    page.wait_for_selector("#dlg-escalate[open]")
    page.keyboard.press("Escape")
    page.wait_for_selector("#dlg-escalate", state="hidden")
    case.refresh_from_db()
    assert (case.status, case.handler, case.escalation_level) == (
        CaseStatus.ASSIGNED,
        org.teammate,
        0,
    )


def test_walk_in_customer_is_created_inline_and_gets_a_case(reference_data, new_page) -> None:
    org = make_org()
    make_customer(org, name="王五", phone="13900139000")
    page = new_page(locale="zh-CN")
    sign_in(page, org.agent.username)
    page.goto("/cases/new/")

    # Searching finds nobody; the duplicate phone is refused in place; then a new customer.
    page.fill("#customer-q", "赵六")
    expect_text(page, "没有找到“赵六”")
    page.click("text=找不到？新建客户")
    page.fill("#id_newcustomer-name", "赵六")
    page.fill("#id_newcustomer-phone", "139 0013 9000")
    page.click('[data-submit="create-customer"]')
    expect_text(page, "已有客户使用这个电话或邮箱")
    page.fill("#id_newcustomer-phone", "136 0000 1111")
    page.click('[data-submit="create-customer"]')
    expect_text(page, "新客户已创建")

    page.check('input[name="kind"][value="inquiry"]')
    page.check('input[name="channel"][value="walk_in"]')
    page.fill("#id_subject", "咨询宽带提速")
    page.click('[data-submit="open-case"]')
    page.wait_for_url(re.compile(r"/cases/ZX-\d{4}-\d{6}/$"))

    case = Case.objects.get(subject="咨询宽带提速")
    assert (case.customer.name, case.customer.primary_phone, case.channel) == (
        "赵六",
        "+8613600001111",
        "walk_in",
    )


def test_new_arrivals_appear_in_the_queue_without_a_reload(reference_data, new_page) -> None:
    org = make_org()
    page = new_page(locale="zh-CN")
    sign_in(page, org.agent.username)
    page.goto("/queues/unaccepted/")
    expect_text(page, "没有等待受理的工单。")
    page.evaluate("() => { window.notReloaded = true; }")
    # The queue polls every 30 s; poll every second here so the test does not wait.
    page.evaluate(
        """() => { const el = document.querySelector('#queue-results');
                   el.setAttribute('hx-trigger', 'every 1s'); htmx.process(el); }"""
    )

    case = make_case(org, subject="新来电：停机未通知")

    page.wait_for_selector(f'a[href="/cases/{case.number}/"]')
    assert page.evaluate("() => window.notReloaded") is True
    count = page.locator('[data-queue="unaccepted"] .count').inner_text()
    assert count == "1"
