"""Load the Chinese demo data once: organisation, customers and 90 days of cases.

Every case is replayed through the case actions in time order (so case numbers and ids
follow the calendar), each step under `clock.frozen_at` its own moment: the service record
is the real one the actions write. Seeded, so two loads of the same size are identical.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import random
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from kefu.cases import actions
from kefu.core import clock
from kefu.customers.models import Customer
from kefu.demo import content, showcase
from kefu.demo.assist import load_assist_demo
from kefu.demo.channels import load_channels_demo
from kefu.demo.crm import load_crm_demo
from kefu.demo.models import DemoDataset
from kefu.demo.people import build_customers, build_org
from kefu.demo.replay import KINDS, STATUSES, CaseReplayer, Step
from kefu.demo.surveys import load_surveys_demo

DEFAULT_CASES = 2000
DEFAULT_CUSTOMERS = 300
DEFAULT_SEED = 20260101
STEPS_PER_TRANSACTION = 400


class DemoConflict(Exception):
    """Demo accounts exist but the demo marker does not: a half-finished or foreign load."""


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    display_name: str


def loaded_dataset() -> DemoDataset | None:
    return DemoDataset.objects.order_by("pk").first()


def demo_logins() -> list[DemoLogin]:
    """The demo accounts (password `kefu-demo`), when the demo data is loaded."""
    if loaded_dataset() is None:
        return []
    users = get_user_model().objects.filter(username__in=content.DEMO_LOGINS, is_active=True)
    by_name = {u.username: u for u in users}
    return [
        DemoLogin(name, by_name[name].role, by_name[name].display_name)
        for name in content.DEMO_LOGINS
        if name in by_name
    ]


SWEEP_EVERY = dt.timedelta(minutes=10)


def _customer_weights(customers: list[Customer], rng: random.Random) -> list[float]:
    # A few customers call again and again; most call once or twice.
    return [rng.paretovariate(1.6) for _ in customers]


def load_demo(
    *,
    cases: int = DEFAULT_CASES,
    customers: int = DEFAULT_CUSTOMERS,
    seed: int = DEFAULT_SEED,
    progress: bool = True,
) -> DemoDataset | None:
    """Load the demo data, or return None when it is already there."""
    if loaded_dataset() is not None:
        return None
    taken = get_user_model().objects.filter(username__in=[s[0] for s in content.STAFF])
    if taken.exists():
        raise DemoConflict(
            "demo usernames already exist ("
            + ", ".join(sorted(taken.values_list("username", flat=True)))
            + ") but no finished demo load was recorded (an interrupted load?): start from an"
            " empty database (the default SQLite one: remove $KEFU_DATA_DIR/kefu.sqlite3, migrate)"
        )
    started = time.monotonic()
    now = timezone.now().replace(microsecond=0)
    rng = random.Random(seed)
    with transaction.atomic():
        org = build_org(now)
        people = build_customers(customers, rng=rng, org=org, now=now)
    replayer = CaseReplayer(org, rng, now)
    weights = _customer_weights(people, rng)
    # Every kind in every status first (so even a small load shows them all), then at random.
    targets = itertools.chain(
        itertools.product(KINDS, STATUSES),
        iter(replayer.random_target, None),
    )
    timeline: list[tuple[dt.datetime, int, int, Step]] = []
    for index, (kind, status) in enumerate(itertools.islice(targets, cases)):
        plan = replayer.plan(kind, status, rng.choices(people, weights=weights)[0])
        timeline.extend(
            (moment, index, n, step) for n, (moment, step) in enumerate(replayer.timeline(plan))
        )
    agent = org.users.get("agent")
    if agent is not None:
        for n, (moment, run) in enumerate(showcase.tiaoxiu_steps(agent, people[0], now)):
            timeline.append((moment, -1, n, Step(0, run)))
    timeline.sort(key=lambda item: item[:3])
    # The plans hold ~100k long-lived objects: the cyclic GC rescanning them costs ~10%.
    gc.freeze()
    last_sweep = timeline[0][0] if timeline else now
    with tqdm(total=len(timeline), desc="demo", unit="step", disable=not progress) as bar:
        for start in range(0, len(timeline), STEPS_PER_TRANSACTION):
            with transaction.atomic():
                for moment, _index, _n, step in timeline[start : start + STEPS_PER_TRANSACTION]:
                    # The worker's time standards, replayed: warnings, breaches and their
                    # escalations happen at their moment in history, not all at once later.
                    if moment - last_sweep >= SWEEP_EVERY:
                        actions.sweep_clocks(now=moment)
                        last_sweep = moment
                    with clock.frozen_at(moment):
                        step.run()
            bar.update(min(STEPS_PER_TRANSACTION, len(timeline) - start))
    actions.sweep_clocks(now=now)
    load_surveys_demo(org, people, now)
    load_crm_demo(org, people, now)
    load_channels_demo(org, people, now)  # after the backdated ones (case numbering)
    # Last: its cases are opened at the real time, after every backdated one (numbering).
    load_assist_demo(agent, people)
    return DemoDataset.objects.create(
        loaded_at=now,
        seed=seed,
        customers=len(people),
        cases=cases,
        seconds=round(time.monotonic() - started, 1),
    )
