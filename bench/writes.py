"""Write figures: cases inserted as raw SQL (the physical limit), then opened through the API."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kefu.accounts.models import User
from kefu.cases.models import Case, CaseEvent, CaseKind, CaseSearchDocument
from kefu.core import clock
from kefu.core.text import index_tokens
from kefu.customers.models import Customer, CustomerPhone

from .generate import Table
from .measure import Context, measurement
from .organisation import BENCH_AGENT, BENCH_PASSWORD
from .results import Figure, Section, Target
from .server import ApiClient, Server

SUBJECT = "宽带无法上网，要求尽快上门维修"
DESCRIPTION = (
    "客户家中宽带从昨天开始无法上网，重启光猫无效，要求今天安排师傅上门，否则要求退还本月话费。"
)


def _phones(prefix: str) -> Callable[[int], str]:
    """Phone numbers no earlier run used: above every customer id so far."""
    base = (Customer.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    return lambda k: f"{prefix}{base + k:08d}"


def _run(
    n: int, clients: int, one: Callable[[int], float], done: Callable[[], None] | None = None
) -> tuple[list[float], float]:
    """one(k) for k in 0..n-1 on `clients` threads, each calling done() when it ends:
    (latencies in ms, cases per second)."""
    latencies: list[float] = [0.0] * n
    failures: list[BaseException] = []

    def client(ks: range) -> None:
        try:
            for k in ks:
                latencies[k] = one(k)
        except Exception as exc:
            failures.append(exc)
        finally:
            if done is not None:
                done()

    t0 = time.perf_counter()
    threads = [
        threading.Thread(target=client, args=(range(c, n, clients),)) for c in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise RuntimeError(f"{len(failures)} clients failed") from failures[0]
    return latencies, n / (time.perf_counter() - t0)


def _close_connection() -> None:
    connection.close()  # the calling thread's own connection


class RawInsert:
    """The rows one API creation writes, as plain SQL in one transaction per case."""

    def __init__(self) -> None:
        self.customer = Table(Customer, with_pk=False)
        self.phone = Table(CustomerPhone, with_pk=False)
        self.case = Table(Case, with_pk=False)
        self.event = Table(CaseEvent, with_pk=False)
        kind = CaseKind.objects.get(code="complaint")
        self.kind_id, self.prefix = kind.pk, kind.number_prefix
        self.agent = User.objects.get(username=BENCH_AGENT)
        self.phone_for = _phones("+86136")
        self.sql = {
            t.name: self._insert(t) for t in (self.customer, self.phone, self.case, self.event)
        }

    @staticmethod
    def _insert(t: Table) -> str:
        placeholders = ", ".join(["%s"] * len(t.columns))
        return f"INSERT INTO {t.name} ({', '.join(t.columns)}) VALUES ({placeholders}) RETURNING id"

    def _value(self, v: Any) -> Any:
        if connection.vendor == "sqlite" and isinstance(v, dt.datetime):
            return v.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
        return v

    def _add(self, cur: Any, table: Table, values: dict[str, Any]) -> int:
        cur.execute(self.sql[table.name], [self._value(v) for v in table.row(values)])
        return cur.fetchone()[0]

    def one(self, k: int) -> float:
        t0 = time.perf_counter()
        now = clock.now()
        phone = self.phone_for(k)
        with transaction.atomic(), connection.cursor() as cur:
            customer_id = self._add(
                cur,
                self.customer,
                {
                    "kind": "person",
                    "name": "张先生",
                    "primary_phone": phone,
                    "primary_email": "",
                    "created_at": now,
                    "organisation_id": None,
                    "tier": "standard",
                },
            )
            self._add(cur, self.phone, {"customer_id": customer_id, "number": phone, "label": ""})
            year = timezone.localtime(now).year
            cur.execute(
                "UPDATE cases_casenumbersequence SET last = last + 1 "
                "WHERE prefix = %s AND year = %s RETURNING last",
                [self.prefix, year],
            )
            row = cur.fetchone()
            number = f"{self.prefix}-{year}-{row[0]:06d}" if row else f"R-{phone}"
            team = self.agent.team
            case_id = self._add(
                cur,
                self.case,
                {
                    "number": number,
                    "kind_id": self.kind_id,
                    "is_complaint": True,
                    "channel": "phone",
                    "priority": 2,
                    "status": "new",
                    "subject": SUBJECT,
                    "description": DESCRIPTION,
                    "product": "",
                    "tags": "[]",
                    "customer_id": customer_id,
                    "team_id": team.pk if team else None,
                    "site_id": self.agent.site_id,
                    "created_by_id": self.agent.pk,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            data = {"after": {"number": number, "kind": "complaint", "subject": SUBJECT}}
            self._add(
                cur,
                self.event,
                {
                    "case_id": case_id,
                    "type": "created",
                    "at": now,
                    "actor_kind": "staff",
                    "actor_user_id": self.agent.pk,
                    "actor_customer_id": None,
                    "actor_source": "",
                    "data": json.dumps(data, ensure_ascii=False),
                },
            )
            cur.execute(
                f"INSERT INTO {CaseSearchDocument._meta.db_table} (case_id, content) "
                "VALUES (%s, %s)",
                [case_id, index_tokens(f"{number}\n{SUBJECT}\n{DESCRIPTION}")],
            )
        return (time.perf_counter() - t0) * 1000


@measurement("raw_insert", "Raw SQL insert (the physical limit)", order=40)
def raw_insert(ctx: Context) -> Section:
    n = ctx.api_requests
    raw = RawInsert()
    seq_ms, seq_rate = _run(n, 1, raw.one, done=_close_connection)
    raw.phone_for = _phones("+86136")
    _, conc_rate = _run(n, ctx.concurrency, raw.one, done=_close_connection)
    return Section(
        "raw_insert",
        "Raw SQL insert (the physical limit)",
        about=(
            "The rows one API creation writes — customer, phone, number sequence step, case, "
            "`created` event, search document — as plain SQL, one transaction (one commit) "
            f"per case, {n} cases sequentially and {n} more over {ctx.concurrency} "
            "connections. No validation, no HTTP, no ORM objects."
        ),
        figures=[
            Figure.of_samples("per case, 1 connection", seq_ms),
            Figure.single("rate, 1 connection", seq_rate, "cases/s", n=n),
            Figure.single(f"rate, {ctx.concurrency} connections", conc_rate, "cases/s", n=n),
        ],
    )


def _payload(k: int, phone: str) -> dict[str, Any]:
    return {
        "kind": "complaint",
        "channel": "phone",
        "subject": f"{SUBJECT}（{k}）",
        "description": DESCRIPTION,
        "customer": {"name": "李女士", "phone": phone},
    }


@measurement("api_create", "Case creation through the API", order=50)
def api_create(ctx: Context) -> Section:
    n = ctx.api_requests
    raw = ctx.sections.get("raw_insert")
    raw_seq = raw.figure("rate, 1 connection") if raw else None
    raw_conc = raw.figure(f"rate, {ctx.concurrency} connections") if raw else None
    phone_for = _phones("137")
    errors: list[str] = []
    queries, statements = _queries_per_creation(phone_for(10 * n))
    with Server(workers=ctx.workers) as server:
        client = ApiClient(server.base_url)
        token = client.token(BENCH_AGENT, BENCH_PASSWORD)

        def create(k: int) -> float:
            t0 = time.perf_counter()
            status, body = client.post("/api/v1/cases", _payload(k, phone_for(k)), token)
            if status != 201 or "number" not in body:
                errors.append(f"HTTP {status}: {str(body)[:200]}")
            return (time.perf_counter() - t0) * 1000

        for k in range(min(10, n)):  # warm every worker's connection
            create(n * 2 + k)
        seq_ms, seq_rate = _run(n, 1, create)
        conc_ms, conc_rate = _run(n, ctx.concurrency, lambda k: create(n + k))

    def half_of(fig: Figure | None) -> Target | None:
        if fig is None or fig.value is None:
            return None
        return Target(
            "value", ">=", fig.value / 2, f"≥ 50% of raw SQL ({fig.value / 2:,.0f} cases/s)"
        )

    def ratio(rate: float, fig: Figure | None) -> str:
        return f" = {rate / fig.value:.0%} of raw SQL" if fig and fig.value else ""

    notes = [
        f"gunicorn with {ctx.workers} sync workers on a free loopback port, production "
        f"settings (no DEBUG); urllib clients; HTTP keep-alive off (gunicorn sync workers).",
        f"Sequential: {seq_rate:,.1f} cases/s{ratio(seq_rate, raw_seq)}; "
        f"{ctx.concurrency} clients: {conc_rate:,.1f} cases/s{ratio(conc_rate, raw_conc)}.",
    ]
    if errors:
        notes.append(f"{len(errors)} requests failed, e.g. {errors[0]}")
    return Section(
        "api_create",
        "Case creation through the API",
        about=(
            "`POST /api/v1/cases` (new customer by phone, complaint, phone channel) with a "
            "Bearer token from `POST /api/v1/auth/token`, against gunicorn started by the "
            f"benchmark: {n} requests one after another, then {n} from {ctx.concurrency} "
            "concurrent clients. Each request opens the case through `kefu.cases.actions` "
            "and answers the full case detail."
        ),
        figures=[
            Figure.of_samples("latency, sequential", seq_ms),
            Figure.single("rate, sequential", seq_rate, "cases/s", n=n, target=half_of(raw_seq)),
            Figure.of_samples(f"latency, {ctx.concurrency} clients", conc_ms),
            Figure.single(
                f"rate, {ctx.concurrency} clients",
                conc_rate,
                "cases/s",
                n=n,
                target=half_of(raw_conc),
            ),
            Figure.single(
                "failed requests", len(errors), "", n=2 * n, target=Target("value", "<=", 0)
            ),
            Figure.single("SQL statements per creation (raw SQL: 8)", queries),
        ],
        notes=[*notes, f"The statements of one creation, in order: {statements}."],
    )


def _queries_per_creation(phone: str) -> tuple[int, str]:
    """One creation in this process (Django's test client), its SQL statements counted."""
    client = Client(HTTP_HOST="127.0.0.1")
    response = client.post(
        "/api/v1/auth/token",
        {"username": BENCH_AGENT, "password": BENCH_PASSWORD},
        content_type="application/json",
    )
    token = response.json()["token"]
    with CaptureQueriesContext(connection) as captured:
        client.post(
            "/api/v1/cases",
            _payload(0, phone),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    names = [_statement(q["sql"]) for q in captured.captured_queries]
    grouped: list[list[Any]] = []
    for name in names:
        if grouped and grouped[-1][0] == name:
            grouped[-1][1] += 1
        else:
            grouped.append([name, 1])
    text = ", ".join(f"{name} ×{k}" if k > 1 else name for name, k in grouped)
    return len(names), text


def _statement(sql: str) -> str:
    """'SELECT cases_case', 'INSERT cases_caseevent', 'SAVEPOINT'…"""
    words = sql.replace('"', "").split()
    verb = words[0].upper() if words else "?"
    table = ""
    for keyword in ("FROM", "INTO", "UPDATE"):
        if keyword in words[:-1]:
            table = words[words.index(keyword) + 1]
            break
    if verb == "UPDATE" and len(words) > 1:
        table = words[1]
    return f"{verb} {table}".strip()
