"""Showcase cases with a fixed story, so that a visitor can see a rule at work.

调休: a complaint waits on the customer from Friday 2026-10-09 16:00 to Monday 2026-10-12
10:00. Saturday 2026-10-10 was a working day (National Day 调休), so the paused business
time is Fri 16:00–18:00 (2 h) + Sat 09:00–12:00, 13:30–18:00 (7.5 h) + Mon 09:00–10:00
(1 h) = 10.5 hours, and the resolution due time moves by exactly that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from kefu.accounts.actors import Actor
from kefu.accounts.models import User
from kefu.cases import actions
from kefu.cases.models import Case
from kefu.core import clock
from kefu.customers.models import Customer

SHANGHAI = ZoneInfo("Asia/Shanghai")
TIAOXIU_SUBJECT = "宽带装机延误，等待客户确认上门时间（调休周六）"


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 10, day, hour, minute, tzinfo=SHANGHAI)


def tiaoxiu_steps(
    agent: User, customer: Customer, now: dt.datetime
) -> list[tuple[dt.datetime, Callable[[], object]]]:
    """The 调休 story as timed steps for the replay (none when the demo's 90 days miss it)."""
    if not (now - dt.timedelta(days=90) <= _at(9, 9) and _at(13, 12) <= now):
        return []
    a = Actor.staff(agent)
    opened: list[Case] = []

    def case_id() -> int:
        return opened[0].pk

    def open_it() -> None:
        opened.append(
            actions.open_case(
                actor=a,
                kind="complaint",
                channel="phone",
                subject=TIAOXIU_SUBJECT,
                description="客户10月6日申请宽带装机，承诺3天内上门，至今未安排，要求尽快处理。",
                customer=customer,
            )
        )

    return [
        (_at(9, 9, 30), open_it),
        (_at(9, 9, 35), lambda: actions.accept_case(case_id(), actor=a)),
        (_at(9, 9, 40), lambda: actions.assign_case(case_id(), actor=a, handler=agent)),
        (_at(9, 10, 0), lambda: actions.mark_contacted(case_id(), actor=a, note="已致电客户致歉")),
        (
            _at(9, 16, 0),
            lambda: actions.await_customer(case_id(), actor=a, reason="等待客户确认上门时间"),
        ),
        (
            _at(12, 10, 0),
            lambda: actions.add_message(
                case_id(),
                actor=Actor.customer(customer.pk),
                kind="inbound",
                body="周二上午可以上门，谢谢。",
            ),
        ),
    ]


def tiaoxiu_wait(agent: User, customer: Customer, now: dt.datetime) -> Case | None:
    """Run the 调休 story at once (tests); the loader weaves its steps into the replay."""
    steps = tiaoxiu_steps(agent, customer, now)
    for moment, step in steps:
        with clock.frozen_at(moment):
            step()
    return Case.objects.filter(subject=TIAOXIU_SUBJECT).order_by("-pk").first() if steps else None
