"""CRM in a real browser: an agent sees 138****1234 and reveals it for a recorded reason; a
manager sees the number, the customers graded by RFM with the reasons, and the churn list;
an import is uploaded, previewed, run with a progress bar, and reports its bad rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kefu.accounts.actors import Actor
from kefu.core import clock
from kefu.crm.actions import assess_churn, ensure_default_tiers, recompute_grades
from kefu.crm.models import CrmSettings
from kefu.customers.actions import create_customer, record_consumption
from kefu.customers.models import CustomerEvent
from tests.e2e.conftest import sign_in
from tests.factories import make_org

pytestmark = [pytest.mark.e2e]


def _graded_customer(org):
    ensure_default_tiers()  # the live-server tests flush the migrations' data
    customer = create_customer(actor=Actor.staff(org.agent), name="张伟", phone="13812341234")
    today = clock.today()
    for days_ago, amount in ((150, 9000), (110, 8000)):
        record_consumption(
            actor=Actor.system("e2e"),
            customer_id=customer.pk,
            occurred_on=today - dt.timedelta(days=days_ago),
            product="企业专线",
            amount=amount,
        )
    CrmSettings.objects.filter(pk=1).update(churn_threshold=30)
    recompute_grades(actor=Actor.system("rfm"))
    assess_churn(actor=Actor.system("churn"))
    return customer


def test_agent_sees_the_mask_and_reveals_for_a_reason(reference_data, new_page) -> None:
    org = make_org()
    customer = _graded_customer(org)
    page = new_page(locale="zh-CN")
    sign_in(page, org.agent.username)
    page.goto(f"/customers/{customer.pk}/")
    assert page.inner_text('[data-testid="phone"]') == "138****1234"
    form = page.locator('[data-testid="reveal-phone"]')
    form.locator('input[name="reason"]').fill("客户来电要求回拨")
    form.locator('button[type="submit"]').click()
    page.wait_for_selector('[data-testid="revealed-phone"]')
    assert page.inner_text('[data-testid="revealed-phone"]') == "+8613812341234"
    assert CustomerEvent.objects.get(type="revealed").data["reason"] == "客户来电要求回拨"


def test_manager_sees_grades_with_reasons_and_the_churn_list(reference_data, new_page) -> None:
    org = make_org()
    customer = _graded_customer(org)
    page = new_page(locale="zh-CN")
    sign_in(page, org.site_manager.username)
    page.goto(f"/customers/{customer.pk}/")
    assert page.inner_text('[data-testid="phone"]') == "+8613812341234"
    page.goto("/crm/customers/")
    table = page.inner_text('[data-testid="graded-customers"]')
    assert "张伟" in table and "R=" in table
    page.goto("/crm/churn/")
    assert "近90天消费" in page.inner_text('[data-testid="churn-list"]')


def test_an_import_shows_progress_and_reports_bad_rows(
    reference_data, new_page, tmp_path: Path, settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    org = make_org()
    path = tmp_path / "客户.csv"
    path.write_bytes("姓名,手机\n李四,13900001111\n坏行,12\n".encode("gbk"))
    page = new_page(locale="zh-CN")
    sign_in(page, org.supervisor.username)
    page.goto("/crm/imports/")
    page.set_input_files("#file", str(path))
    page.click('[data-testid="import-form"] button[type="submit"]')
    page.wait_for_selector('[data-testid="import-preview"]')
    page.click('[data-testid="import-start"]')
    page.wait_for_selector('[data-testid="import-progress"]')
    page.wait_for_selector('[data-testid="import-report"]', timeout=30_000)
    assert "不是有效的电话号码" in page.inner_text('[data-testid="import-report"]')
