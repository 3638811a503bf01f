"""CRM in the demo: two years of consumption for every demo customer (loyal big spenders,
regulars, occasional buyers, and customers drifting away), full decision chains for the
organisations, consents, account managers, needs from complaints, then the RFM grading and
the churn warning — and a showcase: the VIP 张伟 (138****1234 to an agent) whose new
complaint gets the VIP time standard and goes to the account manager."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from kefu.accounts.actors import Actor
from kefu.cases import actions as case_actions
from kefu.cases.models import Case
from kefu.core import clock
from kefu.crm import actions as crm_actions
from kefu.customers.actions import (
    add_contact,
    bulk_record_consumption,
    create_customer,
    record_consent,
    set_decision_role,
    update_profile,
)
from kefu.customers.models import ConsumptionRecord, Customer, CustomerKind
from kefu.demo.people import DemoOrg, person_name

SHOWCASE_NAME = "张伟"
SHOWCASE_PHONE = "13812341234"
VIP_SUBJECT = "宽带频繁掉线，三天内报修两次未解决"
# Customers this module adds (the showcase, contacts completing a chain) carry this prefix.
EXTERNAL_PREFIX = "DEMO-CRM-"
CHAIN = ["decision_maker", "influencer", "purchaser", "user", "first_contact"]
PRODUCTS = [
    ("家庭宽带500M套餐", Decimal("199")),
    ("5G畅享套餐", Decimal("129")),
    ("企业专线", Decimal("2980")),
    ("智能家居安装", Decimal("680")),
    ("手机终端", Decimal("3299")),
    ("云存储年包", Decimal("240")),
    ("话费充值", Decimal("100")),
]
CHANNELS = ["营业厅", "网上营业厅", "客服热线", "客户经理"]
# persona: (purchases a month, amount multiplier, months it stopped buying, or 0)
PERSONAS = {
    "loyal": (2.2, 4.0, 0),
    "regular": (1.0, 1.2, 0),
    "occasional": (0.25, 1.0, 0),
    "drifting": (1.6, 2.5, 4),
    "lapsed": (0.8, 1.0, 14),
}
MONTHS = 24


def _persona(customer: Customer, rng: random.Random) -> str:
    if customer.kind == CustomerKind.ORGANISATION or customer.tier == "vip":
        return rng.choices(["loyal", "drifting"], weights=[4, 1])[0]
    return rng.choices(list(PERSONAS), weights=[6, 30, 40, 10, 14])[0]


def _consumption(
    customer: Customer, persona: str, rng: random.Random, today: dt.date, seq: list[int]
) -> list[ConsumptionRecord]:
    per_month, scale, stopped = PERSONAS[persona]
    if customer.kind == CustomerKind.ORGANISATION:
        scale *= 3
    rows = []
    for month in range(MONTHS, stopped, -1):
        for _ in range(int(per_month) + (rng.random() < per_month % 1)):
            product, price = rng.choice(PRODUCTS)
            day = today - dt.timedelta(days=30 * month - rng.randint(0, 29))
            quantity = rng.choice([1, 1, 1, 2])
            seq[0] += 1
            rows.append(
                ConsumptionRecord(
                    customer_id=customer.pk,
                    kind=rng.choice(["order", "order", "bill", "plan"]),
                    occurred_on=min(day, today),
                    product=product,
                    quantity=Decimal(quantity),
                    amount=(
                        price * quantity * Decimal(str(round(scale * rng.uniform(0.6, 1.4), 2)))
                    ).quantize(Decimal("0.01")),
                    channel=rng.choice(CHANNELS),
                    external_id=f"DEMO-{seq[0]:07d}",
                )
            )
    return rows


def _decision_chains(org: DemoOrg, people: list[Customer], rng: random.Random) -> None:
    supervisor = org.users.get("supervisor")
    if supervisor is None:
        return
    actor = Actor.staff(supervisor)
    for company in [c for c in people if c.kind == CustomerKind.ORGANISATION]:
        contacts = list(Customer.objects.filter(organisation=company).order_by("pk"))
        if any(c.decision_role_id for c in contacts):
            continue  # another demo module set its chain
        while len(contacts) < len(CHAIN):
            _surname, name = person_name(rng)
            contact = add_contact(
                actor=actor,
                organisation_id=company.pk,
                name=name,
                phone=f"1370{company.pk % 1000:03d}{len(contacts):04d}",
            )
            update_profile(
                actor=actor, customer_id=contact.pk, external_id=f"{EXTERNAL_PREFIX}{contact.pk}"
            )
            contacts.append(contact)
        for contact, role in zip(contacts, CHAIN, strict=False):
            set_decision_role(actor=actor, contact_id=contact.pk, role_code=role)


def _showcase_customer(org: DemoOrg) -> Customer:
    found = Customer.objects.filter(phones__number="+86" + SHOWCASE_PHONE).first()
    if found is not None:
        return found
    agent = org.users.get("agent")
    actor = Actor.staff(agent) if agent is not None else Actor.system("demo")
    customer = create_customer(
        actor=actor, name=SHOWCASE_NAME, phone=SHOWCASE_PHONE, email="zhangwei@example.cn"
    )
    return update_profile(
        actor=Actor.system("demo"),
        customer_id=customer.pk,
        external_id=f"{EXTERNAL_PREFIX}{customer.pk}",
    )


def load_crm_demo(org: DemoOrg, people: list[Customer], now: dt.datetime) -> None:
    rng = random.Random(20260505)
    today = timezone.localdate(now)
    system = Actor.system("demo")
    manager = org.users.get("manager")
    supervisor = org.users.get("supervisor")
    boss = Actor.staff(supervisor) if supervisor is not None else system
    _decision_chains(org, people, rng)
    showcase = _showcase_customer(org)
    customers = list(Customer.objects.order_by("pk"))
    seq = [ConsumptionRecord.objects.count()]
    records: list[ConsumptionRecord] = []
    personas: dict[int, str] = {}
    for customer in customers:
        if customer.organisation_id is not None:
            continue  # an organisation's contacts buy through the organisation
        personas[customer.pk] = "loyal" if customer.pk == showcase.pk else _persona(customer, rng)
        records += _consumption(customer, personas[customer.pk], rng, today, seq)
    bulk_record_consumption(actor=system, records=records)

    # The biggest spenders get the manager as their account manager; some gave consents.
    if manager is not None:
        for customer_id in [c for c, p in personas.items() if p in ("loyal", "drifting")][:40]:
            update_profile(actor=boss, customer_id=customer_id, account_manager_id=manager.pk)
        update_profile(
            actor=boss,
            customer_id=showcase.pk,
            account_manager_id=manager.pk,
            birthday=dt.date(1979, 8, 12),
            preferred_channel="phone",
            id_number="110105197908120031",
        )
    for customer in rng.sample(customers, k=min(len(customers), 80)):
        for purpose in ("care", "survey", "marketing"):
            if rng.random() < 0.6:
                record_consent(
                    actor=system,
                    customer_id=customer.pk,
                    purpose=purpose,
                    granted=rng.random() < 0.85,
                    method=rng.choice(["phone", "web", "paper", "sms"]),
                    at=now - dt.timedelta(days=rng.randint(5, 500)),
                )

    # Needs recorded from complaints.
    needs = [
        ("price", "希望老用户续约有折扣", 4, 3, 4, 30),
        ("service", "希望上门安装时间可预约到晚上", 3, 4, 3, 45),
        ("functional", "希望网上营业厅能查询历史账单明细", 4, 2, 5, 60),
        ("emotional", "希望投诉处理进展能主动告知", 5, 4, 5, 7),
    ]
    for case in Case.objects.filter(is_complaint=True).order_by("pk")[:16]:
        category, title, importance, urgency, feasibility, days = rng.choice(needs)
        crm_actions.record_need(
            actor=system,
            customer_id=case.customer_id,
            category=category,
            title=title,
            importance=importance,
            urgency=urgency,
            feasibility=feasibility,
            days_to_fulfil=days,
            case_ids=[case.pk],
        )

    with clock.frozen_at(now):
        crm_actions.recompute_grades(actor=Actor.system("rfm"), today=today)
        crm_actions.assess_churn(actor=Actor.system("churn"), now=now)
    _vip_complaint(org, showcase, now)


def _vip_complaint(org: DemoOrg, customer: Customer, now: dt.datetime) -> None:
    """The showcase: the VIP's new complaint gets the VIP standard and the account manager.
    Opened at the real time of the load (after every backdated case and the other showcases,
    so case numbers follow the calendar), each step at one frozen moment."""
    agent = org.users.get("agent")
    if agent is None:
        return
    customer.refresh_from_db()
    opened = max(now, clock.now())
    with clock.frozen_at(opened):
        case = case_actions.open_case(
            actor=Actor.staff(agent),
            kind="complaint",
            channel="phone",
            subject=VIP_SUBJECT,
            description="客户是VIP，要求今天给出处理方案。",
            customer=customer,
        )
        crm_actions.apply_tier_service(case.pk, event_type="created")
        case_actions.accept_case(case.pk, actor=Actor.staff(agent))
        crm_actions.apply_tier_service(case.pk, event_type="accepted")
