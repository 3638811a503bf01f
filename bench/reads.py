"""Read figures: the agent queue, Chinese full-text search, the case detail."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import Count, QuerySet

from kefu.accounts.choices import Role
from kefu.accounts.models import User
from kefu.cases.models import Case, CaseEvent
from kefu.cases.selectors import (
    CaseFilters,
    case_messages,
    case_timeline,
    get_case_for,
    list_cases_for,
)

from .generate import DETAIL_EVENTS
from .measure import Context, count_queries, database_share, measurement, timed
from .organisation import BENCH_ADMIN
from .results import Figure, Section, Target
from .vocabulary import SEARCH_QUERIES

PAGE = 25


def _page(qs: QuerySet[Case]) -> list[Case]:
    """The first page, every row and the related rows a list shows materialised."""
    rows = list(qs[:PAGE])
    for c in rows:
        _ = (c.kind.name_zh, c.customer.name, c.team, c.site, c.handler)
    return rows


def _explain(qs: QuerySet[Any]) -> str:
    if connection.vendor != "postgresql":
        return qs.explain()
    return qs.explain(analyze=True, buffers=True)


def _slowest(samples: list[tuple[float, Any]]) -> Any:
    return max(samples, key=lambda s: s[0])[1]


@measurement("queue", "Agent queue, first page", order=10)
def queue(ctx: Context) -> Section:
    agents = {}
    for user in User.objects.filter(role=Role.AGENT).order_by("pk"):
        agents.setdefault(user.team_id, user)
    teams = sorted(agents)

    def queue_of(team_id: int, **more: Any) -> QuerySet[Case]:
        return list_cases_for(agents[team_id], CaseFilters(team_id=team_id, **more))

    def measure(label: str, target: Target | None, **more: Any) -> tuple[Figure, Callable]:
        for team_id in teams:  # warm the caches once per team
            _page(queue_of(team_id, **more))
        samples = []
        for i in range(ctx.repeat):
            team_id = teams[i % len(teams)]
            samples.append((timed(lambda t=team_id: _page(queue_of(t, **more))), team_id))
        figure = Figure.of_samples(label, [s for s, _ in samples], target=target)
        return figure, lambda: queue_of(_slowest(samples), **more)

    latency, slowest = measure("first page, team filter", Target("p95", "<=", 30))
    queries = count_queries(lambda: _page(queue_of(teams[0])))
    open_only, slowest_open = measure(
        "first page, team filter, open cases only", None, open_only=True
    )
    per_team = Case.objects.filter(team_id=teams[0]).count()
    return Section(
        "queue",
        "Agent queue, first page",
        about=(
            "`kefu.cases.selectors.list_cases_for(agent, CaseFilters(team_id=…))`, complaints "
            f"first then oldest first, {PAGE} rows materialised with kind, customer, team, site "
            f"and handler; {len(teams)} teams in turn, an agent of the team reading. "
            "The second row adds the open-cases filter a working queue uses (no target)."
        ),
        figures=[
            latency,
            Figure.single("SQL queries per page", queries, target=Target("value", "<=", 5)),
            open_only,
        ],
        notes=[
            f"A team holds about {per_team:,} cases.",
            f"{database_share(lambda: _page(queue_of(teams[0]))):.0%} of a page's time is spent "
            "in the database (planning and executing the query, fetching rows); the rest is "
            "Python (building the query, model instances).",
        ],
        details=[
            ("Plan of the slowest page", _explain(slowest()[:PAGE])),
            ("Plan of the slowest open-cases page", _explain(slowest_open()[:PAGE])),
        ],
    )


def _substring_scan(q: str) -> set[int]:
    """Ground truth: a plain substring scan over subjects, requests and message bodies."""
    pattern = f"%{q}%"
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id FROM cases_case WHERE subject LIKE %s OR description LIKE %s "
            "UNION SELECT case_id FROM cases_casemessage WHERE body LIKE %s",
            [pattern, pattern, pattern],
        )
        return {row[0] for row in cur.fetchall()}


@measurement("search", "Chinese full-text search", order=20)
def search(ctx: Context) -> Section:
    admin = User.objects.get(username=BENCH_ADMIN)

    def results(q: str) -> QuerySet[Case]:
        return list_cases_for(admin, CaseFilters(q=q))

    for q in SEARCH_QUERIES[:5]:  # warm up (a full pass takes minutes at 1M cases)
        _page(results(q))
    rounds = max(1, ctx.repeat // len(SEARCH_QUERIES))
    samples = [
        (timed(lambda q=q: _page(results(q))), q) for _ in range(rounds) for q in SEARCH_QUERIES
    ]
    queries = count_queries(lambda: _page(results(SEARCH_QUERIES[0])))
    # The same matches newest first: what ranking by relevance costs (no target).
    newest = [
        timed(lambda q=q: _page(results(q).order_by("-created_at", "-id")))
        for _ in range(max(1, rounds // 2))
        for q in SEARCH_QUERIES
    ]

    found_total = truth_total = hit_total = 0
    scan_ms: list[float] = []
    worst: tuple[float, str] = (1.0, "")
    matches: list[int] = []
    for q in SEARCH_QUERIES:
        found = set(results(q).order_by().values_list("id", flat=True))
        truth: set[int] = set()
        scan_ms.append(timed(lambda q=q, truth=truth: truth.update(_substring_scan(q))))
        hits = len(found & truth)
        found_total, truth_total, hit_total = (
            found_total + len(found),
            truth_total + len(truth),
            hit_total + hits,
        )
        matches.append(len(truth))
        recall_q = hits / len(truth) if truth else 1.0
        worst = min(worst, (recall_q, q))
    recall = hit_total / truth_total if truth_total else 1.0
    slow_q = _slowest(samples)
    return Section(
        "search",
        "Chinese full-text search",
        about=(
            f"`list_cases_for(admin, CaseFilters(q=…))` for {len(SEARCH_QUERIES)} typical 2–4 "
            f"character queries ({'、'.join(SEARCH_QUERIES[:8])} …), first {PAGE} rows by "
            f"relevance materialised, {rounds} rounds. Recall is measured against a plain "
            "substring scan (`LIKE '%…%'` over subjects, requests and message bodies) over "
            "every case, as the administrator sees them all."
        ),
        figures=[
            Figure.of_samples(
                "first page", [s for s, _ in samples], target=Target("p95", "<=", 50)
            ),
            Figure.single("SQL queries per page", queries),
            Figure.single(
                "recall vs substring scan",
                recall,
                n=len(SEARCH_QUERIES),
                target=Target("value", ">=", 0.95),
            ),
            Figure.of_samples("first page, newest first instead of by relevance", newest),
            Figure.of_samples("substring scan (the naive way, for comparison)", scan_ms),
        ],
        notes=[
            f"Cases matching a query: median {statistics.median(matches):,.0f}, "
            f"largest {max(matches):,} ({max(matches) / max(ctx.cases, 1):.1%} of all cases).",
            f"Lowest recall for one query: {worst[0]:.3f} ({worst[1] or '–'}).",
            f"{database_share(lambda: _page(results(slow_q)), 3):.0%} of the slowest query's "
            "time is spent in the database. Ordering by relevance (`ts_rank`) has to read and "
            "score every matching document before the first page is known, so its cost grows "
            "with the number of matches; newest first stops after the first 25 matches found "
            "walking the `case_created` index.",
            f"The index also finds {found_total - hit_total:,} matches the scan does not "
            "(case numbers and the product field are indexed too).",
        ],
        details=[(f"Plan of the slowest query ({slow_q})", _explain(results(slow_q)[:PAGE]))],
    )


def _cycle(items: list[int], n: int) -> list[int]:
    return [items[i % len(items)] for i in range(n)]


def _detail_case_ids(limit: int = 100) -> list[int]:
    return list(
        CaseEvent.objects.values("case_id")
        .annotate(n=Count("id"))
        .filter(n=DETAIL_EVENTS)
        .order_by("case_id")
        .values_list("case_id", flat=True)[:limit]
    )


def _detail(admin: User, case_id: int) -> None:
    case = get_case_for(admin, case_id)
    for event in case_timeline(case):
        event.actor_user  # noqa: B018
    for message in case_messages(case):
        (message.author_user, message.author_customer, list(message.attachments.all()))


@measurement("detail", f"Case detail with {DETAIL_EVENTS} events", order=30)
def detail(ctx: Context) -> Section:
    admin = User.objects.get(username=BENCH_ADMIN)
    ids = _detail_case_ids()
    for case_id in ids:
        _detail(admin, case_id)
    samples = [timed(lambda c=case_id: _detail(admin, c)) for case_id in _cycle(ids, ctx.repeat)]
    queries = count_queries(lambda: _detail(admin, ids[0]))
    return Section(
        "detail",
        f"Case detail with {DETAIL_EVENTS} events",
        about=(
            "`get_case_for` + `case_timeline` + `case_messages` for cases with "
            f"{DETAIL_EVENTS} events ({len(ids)} such cases in turn), every row materialised "
            "with its related rows."
        ),
        figures=[
            Figure.of_samples(
                "case, timeline and messages", samples, target=Target("p95", "<=", 30)
            ),
            Figure.single("SQL queries", queries),
        ],
        notes=[
            f"{database_share(lambda: _detail(admin, ids[0])):.0%} of the time is spent in the "
            "database; the rest is Python (model instances for the case, its 20 events and "
            "messages with their related rows)."
        ],
    )
