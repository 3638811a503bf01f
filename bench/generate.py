"""The reference workload: organisation, customers, cases with their service record,
messages and search documents, generated at a chosen scale through bulk paths.

This is a fixture generator, not a product path: it bypasses kefu.cases.actions on purpose
(one action per case would take hours at 1M cases) and writes the rows the actions would
have written — same columns, same event shapes, same search content
(kefu.core.text.index_tokens over number, subject, request, product and messages, as
kefu.cases.search.index_case builds it). Case numbers stay unique per kind and year and
CaseNumberSequence is advanced past them, so cases opened afterwards continue correctly.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import random
import zoneinfo
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models
from tqdm import tqdm

from kefu.cases.models import (
    Case,
    CaseEvent,
    CaseKind,
    CaseMessage,
    CaseNumberSequence,
    CaseSearchDocument,
    CauseCategory,
)
from kefu.core import clock
from kefu.core.text import index_tokens
from kefu.customers.models import Customer, CustomerPhone

from . import vocabulary as v
from .organisation import Organisation, create_organisation, person_name
from .sinks import open_sink, pg_connect

SPAN_DAYS = 730
DETAIL_EVENTS = 20
KIND_WEIGHTS = {"complaint": 30, "inquiry": 35, "repair_request": 15, "suggestion": 12, "praise": 8}
CHANNEL_WEIGHTS = {
    "phone": 40,
    "wechat": 15,
    "chat": 15,
    "web": 8,
    "email": 5,
    "walk_in": 12,
    "on_site": 5,
}
OPEN_WEIGHTS = {
    "new": 20,
    "accepted": 15,
    "assigned": 20,
    "in_progress": 35,
    "awaiting_customer": 10,
}
SELF_SERVICE = frozenset({"web", "wechat", "email"})
# Statuses along the path, and the event that enters each.
PATH = ("new", "accepted", "assigned", "in_progress", "resolved", "closed")
ENTERING_EVENT = {
    "accepted": "accepted",
    "assigned": "assigned",
    "in_progress": "contacted",
    "resolved": "resolved",
    "closed": "closed",
}
BULK_MODELS: tuple[type[models.Model], ...] = (
    Customer,
    CustomerPhone,
    Case,
    CaseMessage,
    CaseEvent,
    CaseSearchDocument,
)


class Table:
    """A model's columns in order, with every field not given taking its default."""

    def __init__(self, model: type[models.Model], *, with_pk: bool = True) -> None:
        self.name = model._meta.db_table
        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        self.columns = [f.column for f in fields]
        self._attnames = [f.attname for f in fields]
        self._defaults = {f.attname: self._default(f) for f in fields}

    @staticmethod
    def _default(f: models.Field) -> Any:
        value = f.get_default()
        if isinstance(f, models.JSONField):
            return json.dumps(value, ensure_ascii=False)
        return value

    def row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        d = self._defaults
        return tuple(values[a] if a in values else d[a] for a in self._attnames)


@dataclass
class Kind:
    id: int
    code: str
    prefix: str
    is_complaint: bool


@dataclass
class GenerationResult:
    cases: int
    customers: int
    events: int
    messages: int
    seconds: float


def detail_every(cases: int) -> int:
    """Every n-th case gets a full 20-event service record (about 100 such cases)."""
    return max(10, min(1000, cases // 100))


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _weighted(rng: random.Random, weights: dict[str, int], k: int) -> list[str]:
    return rng.choices(list(weights), weights=list(weights.values()), k=k)


@functools.lru_cache(maxsize=500_000)
def _tokens(text: str) -> str:
    return index_tokens(text)


def _fill(rng: random.Random, template: str, when: dt.datetime) -> str:
    if "{" not in template:
        return template
    return template.format(
        amount=rng.choice((18, 30, 50, 88, 128, 199, 300, 500, 1200)),
        days=rng.randint(2, 15),
        order=f"{rng.randint(10**11, 10**12 - 1)}",
        date=f"{when.month}月{when.day}日",
    )


class Generator:
    def __init__(self, cases: int, seed: int = 2026) -> None:
        self.n = cases
        self.rng = random.Random(seed)
        self.now = clock.now().replace(microsecond=0)
        self.start = self.now - dt.timedelta(days=SPAN_DAYS)
        self.tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.tables = {m: Table(m) for m in BULK_MODELS}
        self.kinds = {
            k.code: Kind(k.pk, k.code, k.number_prefix, k.is_complaint)
            for k in CaseKind.objects.filter(code__in=KIND_WEIGHTS)
        }
        self.causes = list(CauseCategory.objects.filter(active=True).values_list("pk", flat=True))
        self.sequences: dict[tuple[str, int], int] = {}
        self.n_customers = max(50, self.n * 6 // 10)
        self.event_id = 0
        self.message_id = 0

    # --- customers ------------------------------------------------------------------

    def customers(self, sink: Any) -> None:
        rng, customer, phone = self.rng, self.tables[Customer], self.tables[CustomerPhone]
        for i in range(1, self.n_customers + 1):
            number = f"+86139{i:08d}"
            organisation = i % 10 == 0
            name = (
                rng.choice(v.CITIES) + person_name(rng)[:2] + rng.choice(v.COMPANIES)
                if organisation
                else person_name(rng)
            )
            created = self.start + dt.timedelta(seconds=rng.randint(0, SPAN_DAYS * 86_400))
            sink.add(
                customer.name,
                customer.row(
                    {
                        "id": i,
                        "kind": "organisation" if organisation else "person",
                        "name": name,
                        "tier": "standard",
                        "primary_phone": number,
                        "primary_email": "",
                        "created_at": created,
                        "organisation_id": None,
                    }
                ),
            )
            sink.add(
                phone.name, phone.row({"id": i, "customer_id": i, "number": number, "label": ""})
            )

    # --- cases ----------------------------------------------------------------------

    def _number(self, kind: Kind, created: dt.datetime) -> str:
        year = created.astimezone(self.tz).year
        key = (kind.prefix, year)
        last = self.sequences.get(key, 0) + 1
        self.sequences[key] = last
        return f"{kind.prefix}-{year}-{last:06d}"

    def _status(self, i: int, detail: bool) -> str:
        if detail:
            return "closed"
        r = self.rng.random()
        if i < self.n * 0.97:  # older cases are nearly all finished
            return "closed" if r < 0.95 else "resolved" if r < 0.97 else "open"
        return "open" if r < 0.7 else "resolved" if r < 0.8 else "closed"

    def case(self, i: int, org: Organisation, sink: Any, every: int) -> None:
        rng = self.rng
        case_id = i + 1
        detail = i % every == every - 1
        created = self.start + dt.timedelta(
            seconds=(i + rng.random() * 0.5) * SPAN_DAYS * 86_400 / self.n
        )
        kind = self.kinds[_weighted(rng, KIND_WEIGHTS, 1)[0]]
        channel = _weighted(rng, CHANNEL_WEIGHTS, 1)[0]
        status = self._status(i, detail)
        if status == "open":
            status = _weighted(rng, OPEN_WEIGHTS, 1)[0]
        topic = rng.choice(v.TOPICS)
        subject = _fill(rng, rng.choice(topic.subjects), created)
        sentences = [
            _fill(rng, s, created)
            for s in [*rng.sample(topic.requests, 2), rng.choice(v.GENERIC_REQUESTS)]
        ]
        description = "".join(sentences)
        product = rng.choice(topic.products)
        team = None if status == "new" and channel in SELF_SERVICE else rng.choice(org.teams)
        site_id = team.site_id if team else rng.choice(org.sites).pk
        agents = org.agents_by_team[team.pk] if team else []
        creator = None if channel in SELF_SERVICE or not agents else rng.choice(agents)
        handler = rng.choice(agents) if agents else None
        staff = handler or creator or org.admin_id
        reached = PATH.index(status) if status in PATH else PATH.index("in_progress")
        if status in PATH[2:] and handler is None:
            status, reached = "accepted", 1

        # Times along the path: minutes to accept, under an hour to assign, days to close.
        times = {"new": created}
        t = created
        steps = {"accepted": (60, 1800), "assigned": (120, 3600), "in_progress": (600, 14_400)}
        steps |= {"resolved": (3600, 259_200), "closed": (3600, 172_800)}
        for st in PATH[1 : reached + 1]:
            t = min(self.now, t + dt.timedelta(seconds=rng.randint(*steps[st])))
            times[st] = t
        last = t

        values: dict[str, Any] = {
            "id": case_id,
            "number": self._number(kind, created),
            "kind_id": kind.id,
            "is_complaint": kind.is_complaint,
            "channel": channel,
            "priority": 3 if kind.is_complaint and rng.random() < 0.2 else 2,
            "status": status,
            "subject": subject,
            "description": description,
            "product": product,
            "tags": "[]",
            "customer_id": rng.randint(1, self.n_customers),
            "site_id": site_id,
            "team_id": team.pk if team else None,
            "created_by_id": creator,
            "created_at": created,
            "updated_at": last,
            "version": reached + 1,
        }
        if reached >= 1:
            values |= {"accepted_at": times["accepted"], "accepted_by_id": staff}
        if reached >= 2:
            values |= {
                "handler_id": handler,
                "assigned_at": times["assigned"],
                "seconds_to_assign": int((times["assigned"] - created).total_seconds()),
            }
        if reached >= 3:
            values["first_contact_at"] = times["in_progress"]
        if reached >= 4:
            values["resolved_at"] = times["resolved"]
            values["resolution"] = _fill(rng, rng.choice(topic.staff_says), created)
            if kind.is_complaint:
                values["stance"] = rng.choice(("ours", "shared", "customer_misunderstanding"))
        if reached >= 5:
            values["closed_at"] = times["closed"]
            if kind.is_complaint:
                values |= {
                    "cause_id": rng.choice(self.causes) if self.causes else None,
                    "root_cause": rng.choice(v.ROOT_CAUSES),
                    "improvement_needed": rng.random() < 0.3,
                }
        case_row = self.tables[Case].row(values)
        sink.add(Case._meta.db_table, case_row)

        # Messages, spread between creation and the last step.
        n_messages = DETAIL_EVENTS - (reached + 1) if detail else rng.choice((0, 1, 1, 2, 2, 3, 4))
        bodies: list[str] = []
        events: list[tuple[dt.datetime, str, dict[str, Any], int | None]] = []
        msg_table = self.tables[CaseMessage]
        span = max(1.0, (last - created).total_seconds())
        for m in range(n_messages):
            kind_m = ("inbound", "outbound", "note", "call")[m % 4 if m else 0]
            if kind_m == "inbound":
                body = _fill(rng, rng.choice(topic.customer_says), created)
            elif kind_m == "note":
                body = rng.choice(v.NOTES)
            else:
                body = _fill(rng, rng.choice(topic.staff_says), created)
            at = created + dt.timedelta(seconds=span * (m + 1) / (n_messages + 1))
            self.message_id += 1
            author = None if kind_m == "inbound" else staff
            sink.add(
                msg_table.name,
                msg_table.row(
                    {
                        "id": self.message_id,
                        "case_id": case_id,
                        "kind": kind_m,
                        "body": body,
                        "author_user_id": author,
                        "author_customer_id": values["customer_id"] if author is None else None,
                        "call_direction": "outbound" if kind_m == "call" else "",
                        "call_duration_seconds": rng.randint(30, 900) if kind_m == "call" else None,
                        "visited_at": None,
                        "created_at": at,
                    }
                ),
            )
            bodies.append(body)
            data = {"message": self.message_id, "kind": kind_m, "excerpt": body[:200]}
            events.append((at, "message_added", data, author))

        created_data = {
            "after": {
                "number": values["number"],
                "kind": kind.code,
                "channel": channel,
                "priority": values["priority"],
                "subject": subject,
                "customer": values["customer_id"],
                "team": values["team_id"],
                "site": site_id,
                "status": "new",
            }
        }
        events.append((created, "created", created_data, creator))
        for before, st in itertools.pairwise(PATH[: reached + 1]):
            data = {"before": {"status": before}, "after": {"status": st}}
            if st == "assigned":
                data["before"]["handler"], data["after"]["handler"] = None, handler
            events.append((times[st], ENTERING_EVENT[st], data, staff))
        if status == "awaiting_customer":
            data = {"before": {"status": "in_progress"}, "after": {"status": status}}
            events.append((last, "awaiting_customer", data, staff))
        ev_table = self.tables[CaseEvent]
        for at, type_, data, actor in events:
            self.event_id += 1
            system = actor is None and type_ == "created"
            sink.add(
                ev_table.name,
                ev_table.row(
                    {
                        "id": self.event_id,
                        "case_id": case_id,
                        "type": type_,
                        "at": at,
                        "actor_kind": "system"
                        if system
                        else ("customer" if actor is None else "staff"),
                        "actor_user_id": actor,
                        "actor_customer_id": values["customer_id"]
                        if actor is None and not system
                        else None,
                        "actor_source": channel if system else "",
                        "data": _json(data),
                    }
                ),
            )
        # index_tokens("\n".join(parts)), built from cached pieces: no token run crosses a
        # line break or a sentence's closing punctuation, so the pieces' tokens joined are
        # the same string (the smoke test checks it against index_tokens itself).
        pieces = [values["number"], subject, *sentences, product, *bodies]
        content = " ".join(t for t in map(_tokens, pieces) if t)
        sink.add(CaseSearchDocument._meta.db_table, (case_id, content))

    def finish(self) -> None:
        CaseNumberSequence.objects.all().delete()
        CaseNumberSequence.objects.bulk_create(
            CaseNumberSequence(prefix=p, year=y, last=last)
            for (p, y), last in sorted(self.sequences.items())
        )
        with connection.cursor() as cur:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(BULK_MODELS)):
                cur.execute(sql)


def _columns(gen: Generator, models_: Sequence[type[models.Model]]) -> dict[str, list[str]]:
    cols = {gen.tables[m].name: gen.tables[m].columns for m in models_ if m in gen.tables}
    cols[CaseSearchDocument._meta.db_table] = ["case_id", "content"]
    return {k: cols[k] for k in (m._meta.db_table for m in models_)}


@contextmanager
def _indexes_dropped(tables: Sequence[str]) -> Iterator[None]:
    """PostgreSQL: drop the secondary indexes for the load and build them once afterwards."""
    if connection.vendor != "postgresql":
        yield
        return
    with pg_connect(autocommit=True) as conn:
        rows = conn.execute(
            """SELECT i.indexname, i.indexdef FROM pg_indexes i
               WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                               WHERE c.conindid = (quote_ident(i.indexname))::regclass)""",
            [list(tables)],
        ).fetchall()
        for name, _ in rows:
            conn.execute(f'DROP INDEX "{name}"')
    yield
    with pg_connect(autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in tqdm(rows, desc="indexes", unit="index", leave=False):
            conn.execute(definition)
        for table in tables:
            conn.execute(f"VACUUM ANALYZE {table}")


def generate(cases: int, *, seed: int = 2026, progress: bool = True) -> GenerationResult:
    """Fill an empty, migrated database with the reference workload at `cases` cases."""
    t0 = clock.now()
    gen = Generator(cases, seed)
    org = create_organisation(cases, gen.rng)
    every = detail_every(cases)
    tables = [m._meta.db_table for m in BULK_MODELS]
    with _indexes_dropped(tables):
        sink = open_sink(_columns(gen, [Customer, CustomerPhone]))
        gen.customers(sink)
        sink.close()
        sink = open_sink(_columns(gen, [Case, CaseMessage, CaseEvent, CaseSearchDocument]))
        for i in tqdm(range(cases), desc="cases", unit="case", disable=not progress):
            gen.case(i, org, sink, every)
        sink.close()
    gen.finish()
    return GenerationResult(
        cases=cases,
        customers=gen.n_customers,
        events=gen.event_id,
        messages=gen.message_id,
        seconds=(clock.now() - t0).total_seconds(),
    )
