"""The customer 360 page's 客户记录 section: the customer's record as sentences, newest first,
masked like the profile for roles that may not see personal data, paged on with HTMX; and the
page's query count does not grow with the customer's events, cases, consumption or needs."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kefu.accounts.actors import Actor
from kefu.core import clock
from kefu.crm.actions import (
    assess_churn,
    complete_follow_up,
    record_need,
    record_satisfaction,
    set_tier_manually,
    update_need,
)
from kefu.crm.models import CrmSettings, FollowUpTask
from kefu.customers.actions import (
    add_contact,
    create_customer,
    record_consent,
    record_consumption,
    reveal_personal_data,
    set_decision_role,
    set_tags,
    update_profile,
)
from kefu.customers.models import Customer, CustomerKind
from tests.factories import Org, make_case

HTMX = {"HX-Request": "true"}
LINE = re.compile(r'<p class="record-text">(.*?)</p>', re.S)


def _lines(html: str) -> list[str]:
    return [line.strip() for line in LINE.findall(html)]


def _page(client: Client, customer: Customer) -> str:
    response = client.get(reverse("web:customer", args=[customer.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def customer(org: Org) -> Customer:
    return create_customer(actor=Actor.staff(org.agent), name="张三", phone="13812341234")


def test_the_record_reads_as_sentences_newest_first(org: Org, customer, as_user) -> None:
    agent = Actor.staff(org.agent)
    record_consent(
        actor=agent, customer_id=customer.pk, purpose="survey", granted=True, method="phone"
    )
    reveal_personal_data(actor=agent, customer_id=customer.pk, field="phone", reason="核实身份")
    record_need(
        actor=agent,
        customer_id=customer.pk,
        category="price",
        title="希望续约优惠",
        importance=4,
        urgency=3,
        feasibility=3,
        days_to_fulfil=30,
    )
    record_consent(
        actor=agent, customer_id=customer.pk, purpose="survey", granted=False, method="sms"
    )

    page = _page(as_user(org.agent), customer)

    assert 'data-testid="customer-record"' in page
    assert _lines(page) == [
        "张坐席 记录了客户撤回授权：满意度调查（短信）",
        "张坐席 记录了需求「希望续约优惠」：价格需求，优先级 62.3",
        "张坐席 查看了完整电话（原因：核实身份）",
        "张坐席 记录了客户授权：满意度调查（电话）",
    ]


def test_the_record_is_in_english_for_an_english_reader(org: Org, customer, as_user) -> None:
    reveal_personal_data(
        actor=Actor.staff(org.agent), customer_id=customer.pk, field="id_number", reason="核实身份"
    )
    client = as_user(org.agent)
    client.cookies["django_language"] = "en"

    page = _page(client, customer)

    assert "Customer record" in page
    assert _lines(page) == ["张坐席 viewed the full ID number (reason: 核实身份)"]


def test_personal_data_in_the_record_is_masked_for_an_agent(org: Org, customer, as_user) -> None:
    reveal_personal_data(
        actor=Actor.staff(org.agent),
        customer_id=customer.pk,
        field="phone",
        reason="客户改用 13900001111 和 li@example.cn 联系",
    )
    record_need(
        actor=Actor.staff(org.agent),
        customer_id=customer.pk,
        category="service",
        title="证件 110101198005040011 需要补办",
        importance=3,
        urgency=3,
        feasibility=3,
        days_to_fulfil=10,
    )

    agent_view = " ".join(_lines(_page(as_user(org.agent), customer)))
    manager_view = " ".join(_lines(_page(as_user(org.site_manager), customer)))

    assert "139****1111" in agent_view and "l***@example.cn" in agent_view
    assert "110***********0011" in agent_view
    assert "13900001111" not in agent_view and "li@example.cn" not in agent_view
    assert "110101198005040011" not in agent_view
    assert "13900001111" in manager_view and "li@example.cn" in manager_view
    assert "110101198005040011" in manager_view


def test_churn_warnings_follow_ups_and_needs_name_people_and_changes(
    org: Org, customer, as_user
) -> None:
    update_profile(
        actor=Actor.staff(org.supervisor),
        customer_id=customer.pk,
        account_manager_id=org.site_manager.pk,
    )
    need = record_need(
        actor=Actor.staff(org.agent),
        customer_id=customer.pk,
        category="price",
        title="希望续约优惠",
        importance=4,
        urgency=3,
        feasibility=3,
        days_to_fulfil=30,
    )
    update_need(actor=Actor.staff(org.agent), need_id=need.pk, importance=5, status="planned")
    make_case(org, customer=customer)
    CrmSettings.objects.filter(pk=1).update(churn_threshold=1)
    assess_churn(actor=Actor.system("churn"))
    task = FollowUpTask.objects.get(customer=customer)
    complete_follow_up(actor=Actor.staff(org.site_manager), task_id=task.pk, note="已回电")
    record_satisfaction(
        actor=Actor.system("survey"),
        customer_id=customer.pk,
        score=4,
        scale_max=5,
        source="survey",
        reference="s-1",
        measured_at=clock.now(),
    )

    lines = _lines(_page(as_user(org.agent), customer))

    assert lines[0] == "系统 记录了满意度：4 / 5 分（满意度调查）"
    assert lines[1] == "李站长 完成了流失预警跟进：已回电"
    assert lines[2].startswith("系统 发出流失预警：风险分 ")
    assert "前由 李站长 跟进" in lines[2]
    assert lines[3] == (
        "张坐席 变更了需求「希望续约优惠」：重要性 4 → 5，优先级 62.3 → 69.7，状态 待评估 → 已排期"
    )


def test_older_entries_page_on_with_htmx(org: Org, customer, as_user) -> None:
    for i in range(55):
        set_tags(actor=Actor.staff(org.agent), customer_id=customer.pk, tags=[f"标签{i}"])
    client = as_user(org.agent)

    page = _page(client, customer)
    more = re.search(r'hx-get="([^"]+)"[^>]*>更早的记录', page)

    assert len(_lines(page)) == 50 and _lines(page)[0] == "张坐席 将标签改为：标签54"
    assert more is not None
    rows = client.get(more.group(1).replace("&amp;", "&"), headers=HTMX).content.decode()
    assert _lines(rows) == [f"张坐席 将标签改为：标签{i}" for i in range(4, -1, -1)]
    assert "更早的记录" not in rows
    # Without HTMX the same entries come as a page of their own.
    full = client.get(more.group(1).replace("&amp;", "&")).content.decode()
    assert "张三 的客户记录" in full and len(_lines(full)) == 5


def test_the_record_is_refused_outside_the_customers_scope(org: Org, customer, as_user) -> None:
    url = reverse("web:customer_record", args=[customer.pk])
    assert as_user(org.backoffice).get(url, headers=HTMX).status_code == 404


# --- query count --------------------------------------------------------------------------


def _busy_customer(org: Org, rows: int, name: str) -> Customer:
    """An organisation with `rows` each of cases, consumption rows, needs (each from a case),
    tier changes, decision-chain contacts and record events of every kind the page shows."""
    agent, manager = Actor.staff(org.agent), Actor.staff(org.supervisor)
    company = create_customer(actor=agent, name=name, kind=CustomerKind.ORGANISATION)
    update_profile(actor=manager, customer_id=company.pk, account_manager_id=org.site_manager.pk)
    today = clock.today()
    tiers = ["vip", "gold", "silver", "standard"]
    roles = ["decision_maker", "influencer", "purchaser", "user", "first_contact"]
    for i in range(rows):
        case = make_case(org, customer=company)
        record_consumption(
            actor=Actor.system("bill"),
            customer_id=company.pk,
            occurred_on=today - dt.timedelta(days=15 * i),
            product="企业专线",
            amount=1000 + i,
        )
        record_need(
            actor=agent,
            customer_id=company.pk,
            category="service",
            title=f"需求{i}",
            importance=3,
            urgency=3,
            feasibility=3,
            days_to_fulfil=30,
            case_ids=[case.pk],
        )
        set_tier_manually(actor=manager, customer_id=company.pk, tier=tiers[i % 4], reason="合同")
        contact = add_contact(actor=agent, organisation_id=company.pk, name=f"联系人{i}")
        set_decision_role(actor=agent, contact_id=contact.pk, role_code=roles[i % 5])
        reveal_personal_data(actor=agent, customer_id=company.pk, field="phone", reason="核实身份")
        record_consent(
            actor=agent,
            customer_id=company.pk,
            purpose="survey",
            granted=bool(i % 2),
            method="phone",
        )
    CrmSettings.objects.filter(pk=1).update(churn_threshold=1)
    assess_churn(actor=Actor.system("churn"), customer_ids=[company.pk])
    return company


def _queries(client: Client, customer: Customer) -> int:
    with CaptureQueriesContext(connection) as queries:
        page = _page(client, customer)
    assert 'data-testid="customer-record"' in page
    return len(queries.captured_queries)


# An organisation's page: + its first contacts, decision chain first (one query); a
# manager's: + the account managers and teams to assign. The record is one query (its churn
# warning names the account manager, already loaded with the profile).
PINNED = {"agent": 23, "site_manager": 25}


@pytest.mark.parametrize("role", PINNED)
def test_the_page_runs_as_many_queries_for_25_rows_as_for_one(org: Org, as_user, role) -> None:
    small = _busy_customer(org, 1, "小单位")
    big = _busy_customer(org, 25, "大单位")
    client = as_user(getattr(org, role))
    _page(client, small)  # warm the per-process caches (tiers, kinds)

    few, many = _queries(client, small), _queries(client, big)
    page = _page(client, big)

    assert len(_lines(page)) >= 20 and page.count('class="mono"><a href') >= 20
    assert page.count("<td>¥") >= 10 and page.count("需求") >= 25
    assert few == many == PINNED[role]


def test_the_page_shows_the_50_most_pressing_needs(org: Org, customer, as_user) -> None:
    for i in range(52):
        record_need(
            actor=Actor.staff(org.agent),
            customer_id=customer.pk,
            category="service",
            title=f"需求编号{i:02d}",
            importance=5 if i == 0 else 3,
            urgency=3,
            feasibility=3,
            days_to_fulfil=30,
        )

    page = _page(as_user(org.agent), customer)
    needs = page[page.index('data-testid="needs"') : page.index('id="cases-title"')]

    assert needs.count("<td>需求编号") == 50 and "<td>需求编号00</td>" in needs
    assert "只显示优先级最高的 50 条需求。" in needs


def test_amounts_are_written_to_the_cent_with_thousands_separated(
    org: Org, customer, as_user
) -> None:
    record_consumption(
        actor=Actor.staff(org.agent),
        customer_id=customer.pk,
        occurred_on=clock.today(),
        product="手机终端",
        amount=13360.95,
    )
    page = _page(as_user(org.agent), customer)
    assert "<td>¥13,360.95</td>" in page  # the consumption table
    assert any(line.endswith("手机终端 ¥13,360.95（订单）") for line in _lines(page))


def test_a_stretch_of_purchases_is_one_run_opened_on_demand(org: Org, customer, as_user) -> None:
    today = clock.today()
    bill = Actor.system("bill")

    def purchases(count: int, product: str) -> None:
        for i in range(count):
            record_consumption(
                actor=bill,
                customer_id=customer.pk,
                occurred_on=today - dt.timedelta(days=i),
                product=product,
                amount=100 + i,
            )

    purchases(6, "宽带套餐")
    record_consent(
        actor=Actor.staff(org.agent),
        customer_id=customer.pk,
        purpose="survey",
        granted=True,
        method="phone",
    )
    purchases(2, "话费充值")
    html = _page(as_user(org.agent), customer)
    record = html[html.index('data-testid="customer-record"') :]
    # Newest first: two purchases as lines, the consent, then the six purchases as one run.
    kinds = re.findall(r'data-testid="record-(line|run)"', record)
    assert kinds[:4] == ["line", "line", "line", "run"]
    run = record[record.index('data-testid="record-run"') :]
    run = run[: run.index("</details>")]
    assert '<span class="count">6</span>' in run
    assert run.count('data-testid="record-line"') == 6 and "宽带套餐" in run
    assert "话费充值" not in run
