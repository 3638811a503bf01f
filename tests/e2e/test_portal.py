"""The customer portal in a real browser: a customer signs in by the emailed link, submits
a case with an attachment, an agent replies in the workspace, the customer sees the reply
(and never the agent's internal note)."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from kefu.cases.models import Case
from kefu.channels.models import Mailbox
from tests.e2e.conftest import sign_in
from tests.factories import make_customer, make_org

pytestmark = [pytest.mark.e2e]


def test_customer_submits_on_the_portal_agent_replies_customer_sees_it(
    reference_data, new_page, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    org = make_org()
    Mailbox.objects.create(name="客服邮箱", address="support@kefu.test", team=org.team)
    customer = make_customer(org, name="陈女士")

    # The customer asks for a sign-in link and follows it (a phone-sized screen).
    portal = new_page(locale="zh-CN", width=390, height=844)
    portal.goto("/portal/")
    portal.fill("#id_email", customer.primary_email)
    portal.click("main button.primary")
    portal.wait_for_selector('[data-testid="link-sent"]')
    found = re.search(r"/portal/login/\S+/", mail.outbox[-1].body)
    assert found is not None
    portal.goto(found.group(0))
    portal.wait_for_selector("text=我的工单")

    # Submit a case with a photo.
    portal.click("text=提交新工单")
    portal.fill("#id_subject", "路由器频繁掉线")
    portal.fill("#id_body", "每天晚上八点左右掉线，重启后恢复。")
    portal.set_input_files(
        "#id_files",
        files=[{"name": "灯.txt", "mimeType": "text/plain", "buffer": "红灯闪烁".encode()}],
    )
    portal.click("main button.primary")
    portal.wait_for_selector("text=工单已提交，我们会尽快处理。")
    case = Case.objects.get(customer=customer)
    assert portal.inner_text('[data-testid="case-number"]') == case.number

    # The agent replies from the workspace and leaves an internal note.
    agent = new_page(locale="zh-CN")
    sign_in(agent, org.agent.username)
    agent.goto(f"/cases/{case.number}/")
    agent.check('input[name="msg-kind"][value="note"]')
    agent.fill("#id_msg-body", "内部：先查线路告警")
    agent.click('[data-submit="message"]')
    agent.wait_for_selector("text=内部备注已保存。")
    agent.check('input[name="msg-kind"][value="outbound"]')
    agent.fill("#id_msg-body", "陈女士您好，已为您重置端口，请观察今晚是否还掉线。")
    agent.click('[data-submit="message"]')
    agent.wait_for_selector("text=回复已记录。")

    # The customer sees the reply, not the note.
    portal.reload()
    portal.wait_for_selector("text=已为您重置端口")
    assert "先查线路告警" not in portal.content()
    assert portal.locator('[data-testid="portal-entry-outbound"]').count() == 1
