"""Scores and analysis (reads only): CSAT, NPS, CES, response rates, cuts, the weighted
index, drivers, open-answer keywords and the peer benchmark.

Definitions (shown on the dashboard):
- CSAT: share of 4 and 5 among the answers to the CSAT question (5-point scale), in %.
- NPS: % promoters (9–10) − % detractors (0–6) among the 0–10 answers.
- CES: mean of the 1–7 effort answers (7 = very easy).
- Index group score: mean of the group's item scores, each answer put on 0–100.
- Weighted index: Σ weight × group score over the groups with answers, divided by the sum
  of those weights (so a missing group does not pull the index down).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils.translation import gettext

from kefu.accounts.models import Department, Site, Team, User
from kefu.surveys import definition as qdef
from kefu.surveys import permissions
from kefu.surveys.actions import ROLLUP_COUNTERS
from kefu.surveys.models import (
    IndexGroup,
    Invitation,
    PeerFigure,
    Response,
    ResponseItem,
    SurveyRollup,
    SurveyVersion,
)

CUTS = ("team", "agent", "site", "department", "channel", "kind", "tier", "period")
_CUT_FIELDS = {
    "team": "team__name",
    "agent": "agent__display_name",
    "site": "site__name",
    "department": "department__name",
    "channel": "case_channel",
    "kind": "case_kind",
    "tier": "tier",
}
DRIVER_METHOD = "Pearson r"
DRIVER_SAMPLE = 2000
KEYWORD_SAMPLE = 3000


# --- the arithmetic ------------------------------------------------------------------------


def csat_share(satisfied: int, answered: int) -> float | None:
    return round(satisfied / answered * 100, 1) if answered else None


def nps_score(promoters: int, detractors: int, answered: int) -> float | None:
    return round((promoters - detractors) / answered * 100, 1) if answered else None


def weighted_index(
    group_scores: dict[str, float | None], weights: dict[str, Decimal | float]
) -> tuple[float | None, str]:
    """(index, formula): Σ wᵢ·sᵢ / Σ wᵢ over the groups that have a score."""
    used = [(k, float(weights[k]), s) for k, s in group_scores.items() if s is not None]
    used = [(k, w, s) for k, w, s in used if w > 0]
    if not used:
        return None, ""
    total_weight = sum(w for _k, w, _s in used)
    value = sum(w * s for _k, w, s in used) / total_weight
    terms = " + ".join(f"{w:g} × {s:.1f}" for _k, w, s in used)
    formula = f"({terms}) / {total_weight:g}" if abs(total_weight - 1) > 1e-9 else terms
    return round(value, 1), f"{formula} = {value:.1f}"


def pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 3:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return round(sxy / math.sqrt(sxx * syy), 3)


# --- filters -------------------------------------------------------------------------------


@dataclass
class Filters:
    start: dt.date
    end: dt.date
    survey_id: int | None = None
    cut: str = "team"

    @property
    def span(self) -> tuple[dt.datetime, dt.datetime]:
        from django.utils import timezone

        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return start, end


def responses(user: User, filters: Filters) -> QuerySet[Response]:
    start, end = filters.span
    qs = Response.objects.filter(complete=True, submitted_at__gte=start, submitted_at__lt=end)
    if filters.survey_id:
        qs = qs.filter(survey_id=filters.survey_id)
    return permissions.scope_responses(user, qs)


def _invitations(user: User, filters: Filters) -> QuerySet[Invitation]:
    start, end = filters.span
    qs = Invitation.objects.filter(created_at__gte=start, created_at__lt=end)
    if filters.survey_id:
        qs = qs.filter(survey_id=filters.survey_id)
    if user.role in permissions.DESIGN_ROLES:
        return qs
    if user.role == "backoffice":
        return qs.filter(department_id=user.department_id) if user.department_id else qs.none()
    return qs.filter(agent_id=user.pk)


_AGGREGATES = {
    "n": Count("id"),
    "csat_n": Count("csat"),
    "csat_ok": Count("id", filter=Q(csat__gte=4)),
    "nps_n": Count("nps"),
    "promoters": Count("id", filter=Q(nps__gte=9)),
    "detractors": Count("id", filter=Q(nps__lte=6)),
    "ces_avg": Avg("ces"),
    "followups": Count("followup_case"),
}


def _scores(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "n": row["n"],
        "csat": csat_share(row["csat_ok"], row["csat_n"]),
        "csat_n": row["csat_n"],
        "nps": nps_score(row["promoters"], row["detractors"], row["nps_n"]),
        "nps_n": row["nps_n"],
        "ces": round(row["ces_avg"], 2) if row["ces_avg"] is not None else None,
        "followups": row["followups"],
    }


# --- the dashboard -------------------------------------------------------------------------


@dataclass
class Dashboard:
    headline: dict[str, Any]
    index: float | None
    formula: str
    groups: list[dict[str, Any]]
    cuts: list[dict[str, Any]]
    trend: list[dict[str, Any]]
    items: list[dict[str, Any]] = field(default_factory=list)
    drivers: list[dict[str, Any]] = field(default_factory=list)
    driver_target: str = ""
    driver_n: int = 0
    keywords: list[tuple[str, int]] = field(default_factory=list)
    phrases: list[tuple[str, int]] = field(default_factory=list)
    themes: list[dict[str, Any]] = field(default_factory=list)
    peers: list[dict[str, Any]] = field(default_factory=list)


def use_rollups(user: User) -> bool:
    """Readers of every answer read the running totals; scoped readers the answers."""
    return user.role in permissions.DESIGN_ROLES


def _rollups(filters: Filters, dim: str) -> QuerySet[SurveyRollup]:
    qs = SurveyRollup.objects.filter(dim=dim, day__gte=filters.start, day__lte=filters.end)
    return qs.filter(survey_id=filters.survey_id) if filters.survey_id else qs


_SUMS = {c: Sum(c) for c in ROLLUP_COUNTERS}


def _scores_of_sums(row: dict[str, Any]) -> dict[str, Any]:
    v = {c: row.get(c) or 0 for c in ROLLUP_COUNTERS}
    return {
        "n": int(v["n"]),
        "csat": csat_share(int(v["csat_ok"]), int(v["csat_n"])),
        "csat_n": int(v["csat_n"]),
        "nps": nps_score(int(v["promoters"]), int(v["detractors"]), int(v["nps_n"])),
        "nps_n": int(v["nps_n"]),
        "ces": round(v["ces_sum"] / v["ces_n"], 2) if v["ces_n"] else None,
        "followups": int(v["followups"]),
    }


def headline(user: User, filters: Filters) -> dict[str, Any]:
    if use_rollups(user):
        sums = _rollups(filters, "all").aggregate(**_SUMS)
        scores = _scores_of_sums(sums)
        sent = {"sent": int(sums["invited"] or 0), "answered": int(sums["answered"] or 0)}
        scores["sent"], scores["answered"] = sent["sent"], sent["answered"]
        scores["response_rate"] = (
            round(sent["answered"] / sent["sent"] * 100, 1) if sent["sent"] else None
        )
        return scores
    return live_headline(user, filters)


def live_headline(user: User, filters: Filters) -> dict[str, Any]:
    scores = _scores(responses(user, filters).aggregate(**_AGGREGATES))
    sent = _invitations(user, filters).aggregate(
        sent=Count("id"), answered=Count("id", filter=Q(state="answered"))
    )
    scores["sent"], scores["answered"] = sent["sent"], sent["answered"]
    scores["response_rate"] = (
        round(sent["answered"] / sent["sent"] * 100, 1) if sent["sent"] else None
    )
    return scores


def index_groups(
    user: User, filters: Filters, language: str
) -> tuple[list[dict[str, Any]], float | None, str]:
    means = _rollup_group_means(filters) if use_rollups(user) else live_group_means(user, filters)
    groups = list(IndexGroup.objects.all())
    scores = {g.key: (round(means[g.key], 1) if g.key in means else None) for g in groups}
    value, formula = weighted_index(scores, {g.key: g.weight for g in groups})
    rows = [
        {
            "key": g.key,
            "name": g.name_en if language.startswith("en") else g.name_zh,
            "weight": float(g.weight),
            "score": scores[g.key],
        }
        for g in groups
    ]
    return rows, value, formula


def live_group_means(user: User, filters: Filters) -> dict[str, float]:
    return dict(
        ResponseItem.objects.filter(response__in=responses(user, filters))
        .exclude(group="")
        .values_list("group")
        .annotate(avg=Avg("score"))
        .values_list("group", "avg")
    )


def _rollup_group_means(filters: Filters) -> dict[str, float]:
    rows = _rollups(filters, "group").values("key").annotate(s=Sum("score_sum"), c=Sum("score_n"))
    return {r["key"]: r["s"] / r["c"] for r in rows if r["c"]}


def cut(user: User, filters: Filters, by: str) -> list[dict[str, Any]]:
    return _rollup_cut(filters, by) if use_rollups(user) else live_cut(user, filters, by)


def _weekly(filters: Filters) -> bool:
    return (filters.end - filters.start).days <= 120


def _rollup_cut(filters: Filters, by: str) -> list[dict[str, Any]]:
    if by == "period":
        buckets: dict[dt.date, dict[str, float]] = {}
        daily: Any = _rollups(filters, "all").values("day").annotate(**_SUMS)
        for row in daily:
            day = row["day"]
            start = (
                day - dt.timedelta(days=day.weekday()) if _weekly(filters) else day.replace(day=1)
            )
            bucket = buckets.setdefault(start, dict.fromkeys(ROLLUP_COUNTERS, 0))
            for c in ROLLUP_COUNTERS:
                bucket[c] += row[c] or 0
        return [
            {"label": start.isoformat(), **_scores_of_sums(b)}
            for start, b in sorted(buckets.items())
            if b["n"]
        ]
    summed: Any = _rollups(filters, by).values("key").annotate(**_SUMS)
    rows: list[dict[str, Any]] = [r for r in summed if r["n"]]
    rows.sort(key=lambda r: -r["n"])
    names = _key_names(by, [r["key"] for r in rows[:30]])
    return [{"label": names.get(r["key"]) or _no_group(), **_scores_of_sums(r)} for r in rows[:30]]


def metric_name(code: str) -> str:
    """A measure by the name the results page shows (CSAT, NPS, CES, the weighted index)."""
    if code == "index":
        return gettext("加权指数")
    return code.upper()


def _no_group() -> str:
    """The group of answers about no team, site, department or agent (a manual send)."""
    return gettext("未归属")


def _key_names(by: str, keys: list[str]) -> dict[str, str]:
    ids = [int(k) for k in keys if k.isdigit()]
    if by == "team":
        return {
            str(pk): name for pk, name in Team.objects.filter(pk__in=ids).values_list("pk", "name")
        }
    if by == "site":
        return {
            str(pk): name for pk, name in Site.objects.filter(pk__in=ids).values_list("pk", "name")
        }
    if by == "department":
        return {
            str(pk): name
            for pk, name in Department.objects.filter(pk__in=ids).values_list("pk", "name")
        }
    if by == "agent":
        return {
            str(pk): name
            for pk, name in User.objects.filter(pk__in=ids).values_list("pk", "display_name")
        }
    return {k: k for k in keys}


def live_cut(user: User, filters: Filters, by: str) -> list[dict[str, Any]]:
    qs = responses(user, filters)
    if by == "period":
        trunc = TruncWeek if _weekly(filters) else TruncMonth
        periods: Any = (
            qs.annotate(label=trunc("submitted_at")).values("label").annotate(**_AGGREGATES)
        )
        return [
            {"label": r["label"].date().isoformat() if r["label"] else "—", **_scores(r)}
            for r in periods.order_by("label")
        ]
    name = _CUT_FIELDS[by]
    groups: Any = qs.values(label=F(name)).annotate(**_AGGREGATES)
    return [{"label": r["label"] or _no_group(), **_scores(r)} for r in groups.order_by("-n")[:30]]


def item_means(
    user: User, filters: Filters, language: str, questions: Questions | None = None
) -> list[dict[str, Any]]:
    if not use_rollups(user):
        return live_item_means(user, filters, language, questions)
    rows = (
        _rollups(filters, "item")
        .values("survey_id", "key")
        .annotate(s=Sum("score_sum"), v=Sum("value_sum"), c=Sum("score_n"))
        .order_by("survey_id", "key")
    )
    labels = (questions or questions_of(language, filters.survey_id)).labels
    return [
        {
            "survey_id": r["survey_id"],
            "question": r["key"],
            "label": labels.get((r["survey_id"], r["key"]), r["key"]),
            "score": round(r["s"] / r["c"], 1),
            "value": round(r["v"] / r["c"], 2),
            "n": r["c"],
        }
        for r in rows
        if r["c"]
    ]


def live_item_means(
    user: User, filters: Filters, language: str, questions: Questions | None = None
) -> list[dict[str, Any]]:
    rows = (
        ResponseItem.objects.filter(response__in=responses(user, filters))
        .values("survey_id", "question")
        .annotate(score=Avg("score"), value=Avg("value"), n=Count("id"))
        .order_by("survey_id", "question")
    )
    labels = (questions or questions_of(language, filters.survey_id)).labels
    return [
        {
            "survey_id": r["survey_id"],
            "question": r["question"],
            "label": labels.get((r["survey_id"], r["question"]), r["question"]),
            "score": round(r["score"], 1),
            "value": round(r["value"], 2),
            "n": r["n"],
        }
        for r in rows
    ]


@dataclass(frozen=True)
class Questions:
    """What the results read from the questionnaires, keyed by (survey id, question key)."""

    labels: dict[tuple[int, str], str]
    # The overall-satisfaction questions (metric csat or overall) the drivers correlate with.
    targets: set[tuple[int, str]]


def questions_of(language: str, survey_id: int | None = None) -> Questions:
    """One read of the versions (of one survey, or all): item labels (the newest version's
    wins) and the target questions. A page computes it once and hands it on."""
    versions = SurveyVersion.objects.order_by("survey_id", "number")
    if survey_id:
        versions = versions.filter(survey_id=survey_id)
    labels: dict[tuple[int, str], str] = {}
    targets: set[tuple[int, str]] = set()
    for survey_pk, definition in versions.values_list("survey_id", "definition"):
        for key, label in qdef.labels(definition, language).items():
            labels[(survey_pk, key)] = label
        for q in qdef.questions(definition):
            if q.get("metric") in ("csat", "overall"):
                targets.add((survey_pk, q["key"]))
    return Questions(labels=labels, targets=targets)


def drivers(
    user: User, filters: Filters, language: str, questions: Questions | None = None
) -> tuple[list[dict[str, Any]], str, int]:
    """Which items move overall satisfaction most: Pearson r of each item's score with the
    overall score (the CSAT or overall question) over every answer of the period, from the
    running sums (Σx, Σy, Σxy, Σx², Σy²)."""
    if not use_rollups(user):
        return live_drivers(user, filters, language, questions)
    rows = (
        _rollups(filters, "driver")
        .values("survey_id", "key")
        .annotate(
            n=Sum("score_n"),
            x=Sum("score_sum"),
            y=Sum("y_sum"),
            xy=Sum("xy_sum"),
            xx=Sum("xx_sum"),
            yy=Sum("yy_sum"),
        )
    )
    labels = (questions or questions_of(language, filters.survey_id)).labels
    out: list[dict[str, Any]] = []
    most = 0
    for r in rows:
        n = r["n"] or 0
        most = max(most, n)
        r_value = pearson_from_sums(n, r["x"], r["y"], r["xy"], r["xx"], r["yy"])
        if r_value is None:
            continue
        out.append(
            {
                "label": labels.get((r["survey_id"], r["key"]), r["key"]),
                "r": r_value,
                "n": n,
                "mean": round(r["x"] / n, 1),
            }
        )
    out.sort(key=lambda row: -row["r"])
    return out[:12], DRIVER_METHOD, most


def pearson_from_sums(
    n: int, sx: float, sy: float, sxy: float, sxx: float, syy: float
) -> float | None:
    if n < 3:
        return None
    cov = sxy - sx * sy / n
    vx, vy = sxx - sx * sx / n, syy - sy * sy / n
    if vx <= 1e-9 or vy <= 1e-9:
        return None
    return round(cov / math.sqrt(vx * vy), 3)


def live_drivers(
    user: User, filters: Filters, language: str, questions: Questions | None = None
) -> tuple[list[dict[str, Any]], str, int]:
    """Pearson r over the latest responses the reader may see (scoped readers)."""
    latest = list(
        responses(user, filters)
        .order_by("-submitted_at")
        .values_list("id", flat=True)[:DRIVER_SAMPLE]
    )
    if not latest:
        return [], "", 0
    questions = questions or questions_of(language, filters.survey_id)
    target_keys = questions.targets
    per_response: dict[int, dict[tuple[int, str], float]] = defaultdict(dict)
    for response_id, survey_id, question, score in ResponseItem.objects.filter(
        response_id__in=latest
    ).values_list("response_id", "survey_id", "question", "score"):
        per_response[response_id][(survey_id, question)] = score
    targets: dict[int, float] = {}
    for response_id, items in per_response.items():
        for key, score in items.items():
            if key in target_keys:
                targets[response_id] = score
                break
    columns: dict[tuple[int, str], tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for response_id, items in per_response.items():
        if response_id not in targets:
            continue
        for key, score in items.items():
            if key in target_keys:
                continue
            xs, ys = columns[key]
            xs.append(score)
            ys.append(targets[response_id])
    labels = questions.labels
    rows: list[dict[str, Any]] = []
    for key, (xs, ys) in columns.items():
        r = pearson(xs, ys)
        if r is None:
            continue
        rows.append(
            {
                "label": labels.get(key, key[1]),
                "r": r,
                "n": len(xs),
                "mean": round(sum(xs) / len(xs), 1),
            }
        )
    rows.sort(key=lambda row: -row["r"])
    return rows[:12], DRIVER_METHOD, len(targets)


def keywords(
    user: User, filters: Filters, *, top: int = 20
) -> tuple[list[tuple[str, int]], list[tuple[str, int]], list[dict[str, Any]]]:
    """Words and two-word phrases of the open answers and the top words per month, from the
    running counts (each counted once per answer)."""
    if not use_rollups(user):
        return live_keywords(user, filters, top=top)
    words = _top(
        Counter(
            {
                r["key"]: int(r["n"])
                for r in _rollups(filters, "word").values("key").annotate(n=Sum("n"))
            }
        ),
        top,
    )
    phrases = _top(
        Counter(
            {
                r["key"]: int(r["n"])
                for r in _rollups(filters, "phrase")
                .values("key")
                .annotate(n=Sum("n"))
                .filter(n__gt=1)
            }
        ),
        10,
    )
    by_month: dict[str, Counter[str]] = defaultdict(Counter)
    monthly = (
        _rollups(filters, "word")
        .annotate(month=TruncMonth("day"))
        .values("month", "key")
        .annotate(n=Sum("n"))
    )
    for r in monthly:
        by_month[r["month"].strftime("%Y-%m")][r["key"]] += int(r["n"])
    themes = [
        {"period": month, "words": _top(counter, 5)} for month, counter in sorted(by_month.items())
    ]
    return words, phrases, themes


def live_keywords(
    user: User, filters: Filters, *, top: int = 20
) -> tuple[list[tuple[str, int]], list[tuple[str, int]], list[dict[str, Any]]]:
    """Keywords of the latest open answers the reader may see (scoped readers)."""
    rows = list(
        responses(user, filters)
        .exclude(open_tokens="")
        .order_by("-submitted_at")
        .values_list("open_tokens", "submitted_at")[:KEYWORD_SAMPLE]
    )
    words: Counter[str] = Counter()
    phrases: Counter[str] = Counter()
    by_month: dict[str, Counter[str]] = defaultdict(Counter)
    for text, submitted_at in rows:
        if submitted_at is None:
            continue
        tokens = text.split()
        unique = set(tokens)
        words.update(unique)
        phrases.update({a + b for a, b in itertools.pairwise(tokens)})
        by_month[submitted_at.strftime("%Y-%m")].update(unique)
    themes = [
        {"period": month, "words": _top(counter, 5)} for month, counter in sorted(by_month.items())
    ]
    return (
        _top(words, top),
        _top(Counter({p: n for p, n in phrases.items() if n > 1}), 10),
        themes,
    )


def _top(counter: Counter[str], n: int) -> list[tuple[str, int]]:
    """The n commonest, ties in code-point order (the same on every database)."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def peer_comparison(
    user: User, filters: Filters, ours: dict[str, float | None]
) -> list[dict[str, Any]]:
    """Peer and industry figures whose period overlaps the filter, beside our own figure: one
    value per peer (the mean of its periods in the window), and our rank among them."""
    figures = PeerFigure.objects.filter(
        period_start__lte=filters.end, period_end__gte=filters.start
    ).order_by("metric", "peer", "period_start")
    per_peer: dict[tuple[str, str], list[PeerFigure]] = defaultdict(list)
    for f in figures:
        per_peer[(f.metric, f.peer)].append(f)
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (metric, peer), rows in per_peer.items():
        grouped[metric].append(
            {
                "peer": peer,
                "value": round(sum(r.value for r in rows) / len(rows), 1),
                "period": f"{rows[0].period_start:%Y-%m-%d}–{rows[-1].period_end:%Y-%m-%d}",
                "periods": len(rows),
            }
        )
    out = []
    for metric in ("csat", "nps", "ces", "index"):
        if metric not in grouped:
            continue
        peers = grouped[metric]
        # Higher is better for every metric (CES: 7 = very easy).
        ranked = sorted(
            [p["value"] for p in peers] + ([ours[metric]] if ours.get(metric) is not None else []),
            reverse=True,
        )
        rank = ranked.index(ours[metric]) + 1 if ours.get(metric) is not None else None
        out.append(
            {
                "metric": metric,
                "ours": ours.get(metric),
                "peers": peers,
                "rank": rank,
                "of": len(ranked),
            }
        )
    return out


def dashboard(user: User, filters: Filters, language: str) -> Dashboard:
    head = headline(user, filters)
    groups, value, formula = index_groups(user, filters, language)
    questions = questions_of(language, filters.survey_id)
    driver_rows, method, driver_n = drivers(user, filters, language, questions)
    words, phrases, themes = keywords(user, filters)
    ours = {"csat": head["csat"], "nps": head["nps"], "ces": head["ces"], "index": value}
    return Dashboard(
        headline=head,
        index=value,
        formula=formula,
        groups=groups,
        cuts=cut(user, filters, filters.cut),
        trend=cut(user, filters, "period"),
        items=item_means(user, filters, language, questions),
        drivers=driver_rows,
        driver_target=method,
        driver_n=driver_n,
        keywords=words,
        phrases=phrases,
        themes=themes,
        peers=peer_comparison(user, filters, ours),
    )
