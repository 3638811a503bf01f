"""Satisfaction surveys in the demo: 90 days of survey history replayed through the actions
(closed cases send their surveys, most customers answer, low scores open follow-up cases),
peer figures for the benchmark, a decision-chain relationship wave, and a showcase: a
resolved complaint whose closing sends the return-visit survey live."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.accounts.actors import Actor
from kefu.accounts.models import User
from kefu.cases.models import Case, CaseEvent
from kefu.core import clock
from kefu.customers.actions import add_contact, create_customer, record_consent
from kefu.customers.models import Customer, CustomerKind, DecisionRole
from kefu.surveys import actions
from kefu.surveys.models import Invitation, Survey
from kefu.surveys.shipped import ensure_shipped

MAX_SURVEYED_CASES = 160
ANSWER_SHARE = 0.65
SHOWCASE_SUBJECT = "营业厅办理携号转网被拒，态度恶劣"
ORGANISATION = "华东电器有限公司"
FOLLOW_UP_PREFIX = "满意度回访跟进"

PRAISE = [
    "服务很好，处理很及时",
    "坐席很耐心，谢谢",
    "问题当天就解决了，很满意",
    "态度热情，讲解清楚",
]
COMPLAINTS = [
    "等待时间太长，电话一直打不通",
    "处理太慢，问题拖了一个星期",
    "营业厅排队时间太长",
    "账单看不懂，多扣的钱还没退",
    "说好回电话结果没人联系我",
]
SUGGESTIONS = ["希望晚上也能办理业务", "希望账单能更清楚一些", "希望网上就能办理", "等待时间太长"]

PEERS = [
    # metric, peer, value per month (three months back to this one)
    ("csat", "同业A", [84.0, 85.5, 86.0]),
    ("csat", "同业B", [72.0, 70.5, 74.0]),
    ("csat", "行业平均", [78.0, 78.5, 79.0]),
    ("nps", "同业A", [32.0, 35.0, 34.0]),
    ("nps", "行业平均", [18.0, 20.0, 21.0]),
    ("ces", "行业平均", [5.1, 5.2, 5.2]),
    ("index", "行业平均", [74.0, 75.0, 75.5]),
]


def _score(rng: random.Random, case: Case) -> int:
    """A 1–5 satisfaction: complaints and escalated cases score lower."""
    weights = [3, 5, 12, 35, 45]
    if case.is_complaint:
        weights = [12, 12, 20, 30, 26]
    if case.escalation_level:
        weights = [20, 18, 22, 24, 16]
    return rng.choices([1, 2, 3, 4, 5], weights=weights)[0]


def _answers(rng: random.Random, code: str, score: int) -> dict[str, Any]:
    near = [max(1, min(5, score + d)) for d in (rng.choice([-1, 0, 0, 1]) for _ in range(4))]
    nps = max(0, min(10, {1: 2, 2: 4, 3: 6, 4: 8, 5: 9}[score] + rng.choice([-1, 0, 0, 1])))
    if code == "complaint-return-visit":
        answers: dict[str, Any] = {
            "solved": "yes" if score >= 4 else ("partly" if score == 3 else "no"),
            "csat": score,
            "speed": near[0],
            "attitude": near[1],
            "fairness": near[2],
            "nps": nps,
        }
        if score <= 3:
            answers["unsolved"] = rng.choice(COMPLAINTS)
        if rng.random() < 0.4:
            answers["comment"] = rng.choice(PRAISE if score >= 4 else COMPLAINTS)
        return answers
    answers = {
        "csat": score,
        "ces": max(1, min(7, score + rng.choice([1, 2, 2, 3]) - 1)),
        "nps": nps,
        "aspects": dict(zip(["speed", "attitude", "skill", "result"], near, strict=True)),
    }
    if score <= 3:
        answers["why_low"] = rng.choice(COMPLAINTS)
    elif rng.random() < 0.35:
        answers["suggestion"] = rng.choice(SUGGESTIONS + PRAISE)
    return answers


def _consent(customer_id: int, at: dt.datetime) -> None:
    record_consent(
        actor=Actor.system("demo"),
        customer_id=customer_id,
        purpose="survey",
        granted=True,
        method="phone",
        at=at,
    )


def _history(rng: random.Random, now: dt.datetime) -> list[int]:
    """Surveys sent and answered back in time; returns the answers for the after-answer job."""
    closed = list(
        CaseEvent.objects.filter(type="closed", at__gte=now - dt.timedelta(days=88))
        .select_related("case__kind")
        .order_by("at")
    )
    rng.shuffle(closed)
    chosen = sorted(closed[:MAX_SURVEYED_CASES], key=lambda e: e.at)
    consented: set[int] = set()
    answered: list[int] = []
    for event in chosen:
        case = event.case
        if case.customer_id not in consented:
            _consent(case.customer_id, event.at - dt.timedelta(days=1))
            consented.add(case.customer_id)
        with clock.frozen_at(event.at + dt.timedelta(minutes=5)):
            invitations = actions.distribute_for_case_event(event.pk)
            for invitation in invitations:
                actions.deliver_invitation(invitation.pk)
        for invitation in invitations:
            if rng.random() > ANSWER_SHARE:
                continue
            answered_at = event.at + dt.timedelta(hours=rng.randint(2, 60))
            if answered_at >= now:
                continue
            with clock.frozen_at(answered_at):
                response = actions.submit_answers(
                    invitation.token,
                    _answers(rng, invitation.survey.code, _score(rng, case)),
                    language="zh-hans",
                )
                answered.append(response.pk)
    return answered


def _peers(supervisor: User | None, now: dt.datetime) -> None:
    if supervisor is None:
        return
    month = timezone.localdate(now).replace(day=1)
    starts: list[dt.date] = []
    for _ in range(3):
        starts.insert(0, month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    for metric, peer, values in PEERS:
        for start, value in zip(starts, values, strict=True):
            end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            actions.record_peer_figure(
                actor=Actor.staff(supervisor),
                metric=metric,
                peer=peer,
                period_start=start,
                period_end=end,
                value=value,
                source="行业协会季度通报（演示数据）",
            )


def _relationship_wave(rng: random.Random, manager: User | None, now: dt.datetime) -> list[int]:
    """One organisation with its whole decision chain, asked 40 days ago."""
    roles = list(DecisionRole.objects.filter(active=True).order_by("rank")[:4])
    if manager is None or not roles:
        return []
    staff = Actor.staff(manager)
    start = now - dt.timedelta(days=40)
    with clock.frozen_at(start - dt.timedelta(days=30)):
        company = create_customer(
            actor=Actor.system("demo"), name=ORGANISATION, kind=CustomerKind.ORGANISATION
        )
        names = ["周总（总经理）", "吴工（技术负责人）", "郑经理（采购）", "王主管（使用部门）"]
        for n, role in enumerate(roles):
            contact = add_contact(
                actor=Actor.system("demo"),
                organisation_id=company.pk,
                name=names[n % len(names)],
                phone=f"1381234{5600 + n:04d}",
                email=f"contact{n}@huadong.example.cn",
                role_code=role.code,
            )
            _consent(contact.pk, start - dt.timedelta(days=30))
    survey = Survey.objects.get(code="decision-chain-relationship")
    with clock.frozen_at(start):
        wave = actions.schedule_wave(
            survey.pk,
            actor=staff,
            name="2026 年度大客户关系调查",
            scheduled_for=start,
            organisation_id=company.pk,
        )
        actions.send_wave(wave.pk)
    answered: list[int] = []
    for invitation in Invitation.objects.filter(wave=wave):
        actions.deliver_invitation(invitation.pk)
        with clock.frozen_at(start + dt.timedelta(days=rng.randint(1, 5))):
            overall = rng.randint(6, 10)
            response = actions.submit_answers(
                invitation.token,
                {
                    "role": rng.choice(["decider", "influencer", "user", "buyer"]),
                    "overall": overall,
                    "quality": max(1, min(5, overall // 2)),
                    "care": rng.randint(3, 5),
                    "leader": rng.randint(2, 5),
                    "nps": overall,
                    "comment": rng.choice(SUGGESTIONS),
                },
            )
            answered.append(response.pk)
    return answered


def _showcase(people: list[Customer], org: Any, now: dt.datetime) -> None:
    """A complaint handled up to resolved: closing it (with the worker running) sends the
    return-visit survey; answering 1 opens the supervisor's follow-up case."""
    from kefu.cases import actions as case_actions

    agent = org.users.get("agent")
    if agent is None:
        return
    # Someone not surveyed lately, so that the frequency cap lets the showcase survey through.
    surveyed = set(Invitation.objects.values_list("customer_id", flat=True))
    customer = next(
        (p for p in people if p.primary_email and p.pk not in surveyed and not p.organisation_id),
        people[0],
    )
    _consent(customer.pk, now - dt.timedelta(days=60))
    a = Actor.staff(agent)
    # Opened last (at the load's moment), so that case numbers keep following the calendar.
    case = case_actions.open_case(
        actor=a,
        kind="complaint",
        channel="walk_in",
        subject=SHOWCASE_SUBJECT,
        description="客户称营业员拒绝办理携号转网且态度恶劣，要求道歉并当场办理。",
        customer=customer,
    )
    case_actions.accept_case(case.pk, actor=a)
    case_actions.assign_case(case.pk, actor=a, handler=agent)
    case_actions.mark_contacted(case.pk, actor=a)
    case_actions.resolve_case(
        case.pk, actor=a, resolution="已当场办理携号转网并由值班长致歉", stance="ours"
    )


def load_surveys_demo(org: Any, people: list[Customer], now: dt.datetime) -> None:
    rng = random.Random(6)
    ensure_shipped()
    manager = org.users.get("manager") or org.users.get("supervisor")
    supervisor = org.users.get("supervisor") or manager
    with transaction.atomic():
        answered = _history(rng, now)
    with transaction.atomic():
        _peers(supervisor, now)
        answered += _relationship_wave(rng, supervisor, now)
    # The after-answer job as the worker runs it, now: answers recorded on the cases, the
    # churn warning fed, follow-up cases opened (after every replayed case, so that case
    # numbers keep following the calendar).
    with clock.frozen_at(now):
        for response_id in answered:
            actions.after_answer(response_id)
        with transaction.atomic():
            _showcase(people, org, now)
    # Old invitations nobody answered have expired by now.
    actions.expire_invitations(now=now)
