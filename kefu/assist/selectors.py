"""Reads of agent assist: what the case page shows beside the service record, templates,
and the knowledge base."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from kefu.accounts.models import User
from kefu.assist.checks import send_policy
from kefu.assist.models import (
    AnalysisSource,
    Article,
    CycleStep,
    Language,
    ReplyTemplate,
    SuggestionField,
    SuggestionVerdict,
    TextAnalysis,
)
from kefu.assist.playbooks import PLAYBOOKS, SERVICE_CYCLE, CycleStepInfo, Playbook
from kefu.cases.models import Case, CaseClock, CaseKind, CaseMessage, CauseCategory
from kefu.cases.permissions import can_see_case
from kefu.cases.transitions import IMPROVEMENT_WORKFLOWS
from kefu.core.errors import NotFound
from kefu.core.text import index_tokens, normalize

# A suggestion is offered from this confidence on (below it the agent reads for themselves).
SUGGEST_FROM = 0.45


@dataclass
class Suggestion:
    field: str
    code: str
    confidence: float
    current: str
    obj: CaseKind | CauseCategory | None = None

    @property
    def matches_current(self) -> bool:
        return self.code == self.current


@dataclass
class CycleRow:
    info: CycleStepInfo
    done: bool = False
    by: User | None = None
    at: dt.datetime | None = None


@dataclass
class DetectedPlaybook:
    playbook: Playbook
    evidence: list[str]
    analysis: TextAnalysis


@dataclass
class RenderedTemplate:
    template: ReplyTemplate
    text: str


@dataclass
class CaseAssist:
    by_message: dict[int, TextAnalysis] = field(default_factory=dict)
    case_analysis: TextAnalysis | None = None
    playbook: DetectedPlaybook | None = None
    kind_suggestion: Suggestion | None = None
    cause_suggestion: Suggestion | None = None
    confirmed_cause: str = ""
    cycle: list[CycleRow] | None = None
    templates: list[RenderedTemplate] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    policy: str = "confirm"
    causes: list[CauseCategory] = field(default_factory=list)

    def for_message(self, message_id: int | None) -> TextAnalysis | None:
        return self.by_message.get(message_id) if message_id else None

    @property
    def cycle_done(self) -> int:
        return sum(1 for r in self.cycle or [] if r.done)


def current_language() -> str:
    return Language.EN if (get_language() or "").startswith("en") else Language.ZH


def case_analyses(case: Case) -> list[TextAnalysis]:
    return list(TextAnalysis.objects.filter(case=case).order_by("analyzed_at", "id"))


def _latest_verdicts(case: Case) -> dict[str, SuggestionVerdict]:
    out: dict[str, SuggestionVerdict] = {}
    for v in SuggestionVerdict.objects.filter(case=case).order_by("decided_at", "id"):
        out[v.field] = v
    return out


def cycle_rows(case: Case) -> list[CycleRow]:
    rows = {s.code: CycleRow(s) for s in SERVICE_CYCLE}
    for mark in CycleStep.objects.filter(case=case).select_related("by").order_by("at", "id"):
        row = rows.get(mark.step)
        if row is not None:
            row.done, row.by, row.at = mark.done, mark.by, mark.at
    return list(rows.values())


def _detected_playbook(analyses: list[TextAnalysis]) -> DetectedPlaybook | None:
    """The most recent difficult-complainant reading wins (people change as a case goes on)."""
    for a in reversed(analyses):
        if a.difficult_type and a.difficult_type in PLAYBOOKS:
            found = a.result.get("difficult_type") or {}
            evidence = [e["text"] for e in found.get("evidence", []) if e.get("text")]
            return DetectedPlaybook(PLAYBOOKS[a.difficult_type], evidence[:5], a)
    return None


def case_assist(
    user: User,
    case: Case,
    *,
    kinds: Iterable[CaseKind] = (),
    causes: Iterable[CauseCategory] = (),
    messages: Iterable[CaseMessage] = (),
) -> CaseAssist:
    """Everything assist shows on a case page, in a fixed number of queries."""
    analyses = case_analyses(case)
    out = CaseAssist(
        by_message={a.message_id: a for a in analyses if a.message_id is not None},
        case_analysis=next((a for a in analyses if a.source == AnalysisSource.CASE), None),
        playbook=_detected_playbook(analyses),
        policy=send_policy(case.site),
        causes=list(causes),
    )
    is_open = case.status != "closed"
    improvement = case.kind.workflow in IMPROVEMENT_WORKFLOWS
    base = out.case_analysis or next(iter(analyses), None)
    if base is not None and is_open:
        verdicts = _latest_verdicts(case)
        kind_map = {k.code: k for k in kinds}
        if (
            SuggestionField.KIND not in verdicts
            and base.kind_confidence >= SUGGEST_FROM
            and base.kind in kind_map
        ):
            out.kind_suggestion = Suggestion(
                SuggestionField.KIND,
                base.kind,
                base.kind_confidence,
                case.kind.code,
                kind_map[base.kind],
            )
        cause_map = {c.code: c for c in causes}
        cause_verdict = verdicts.get(SuggestionField.CAUSE)
        if cause_verdict is not None:
            out.confirmed_cause = cause_verdict.chosen
        elif (
            improvement
            and case.cause_id is None
            and base.complaint_cause in cause_map
            and base.cause_confidence >= SUGGEST_FROM / 2
        ):
            out.cause_suggestion = Suggestion(
                SuggestionField.CAUSE,
                base.complaint_cause,
                base.cause_confidence,
                "",
                cause_map[base.complaint_cause],
            )
    if improvement:
        out.cycle = cycle_rows(case)
    if is_open:
        out.templates = templates_for_case(user, case)
    inbound = [m.body for m in messages if m.kind == "inbound"]
    out.articles = suggest_articles(
        "\n".join([case.subject, case.description, *inbound[-2:]]), kind=case.kind.code
    )
    return out


# -- reply templates ----------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
PLACEHOLDERS = ("customer_name", "case_number", "handler", "due_date")


def fill(text: str, values: dict[str, str]) -> str:
    """Replace {name} placeholders; unknown names stay as typed."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def template_values(user: User, case: Case) -> dict[str, str]:
    due = (
        CaseClock.objects.filter(case=case, metric="resolution", stopped_at__isnull=True)
        .order_by("-id")
        .values_list("due_at", flat=True)
        .first()
    )
    handler = case.handler or user
    return {
        "customer_name": case.customer.name,
        "case_number": case.number,
        "handler": handler.label,
        "due_date": timezone.localtime(due).strftime("%Y-%m-%d %H:%M") if due else "",
    }


def templates(language: str | None = None, kind: str | None = None) -> QuerySet[ReplyTemplate]:
    qs = ReplyTemplate.objects.filter(active=True)
    if language:
        qs = qs.filter(language=language)
    if kind:
        qs = qs.filter(kind__in=["", kind])
    return qs.order_by("sort_order", "id")


def templates_for_case(
    user: User, case: Case, language: str | None = None
) -> list[RenderedTemplate]:
    rows = list(templates(language or current_language(), case.kind.code))
    if not rows:
        return []
    values = template_values(user, case)
    return [RenderedTemplate(t, fill(t.body, values)) for t in rows]


# -- knowledge base ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Indexed:
    """The published articles' search tokens, parsed once per process and version."""

    key: tuple[Any, ...]
    rows: list[tuple[int, str, frozenset[str], list[str], bool]]  # pk, tokens, set, kinds, public
    weight: dict[str, float]


_index: _Indexed | None = None


def _indexed() -> _Indexed:
    """One aggregate query while nothing changed; the token rows are read again after an
    article is added, edited or removed (count or latest change differ)."""
    global _index
    from django.db.models import Count, Max

    state = Article.objects.filter(published=True).aggregate(
        n=Count("id"), last=Max("updated_at"), top=Max("id")
    )
    key = (state["n"], state["last"], state["top"])
    if _index is not None and _index.key == key:
        return _index
    rows: list[tuple[int, str, frozenset[str], list[str], bool]] = []
    if state["n"]:
        rows = [
            (pk, tokens, frozenset(tokens.split()), kinds or [], public)
            for pk, tokens, kinds, public in Article.objects.filter(published=True).values_list(
                "id", "search_tokens", "kinds", "public"
            )
        ]
    df: Counter[str] = Counter()
    for row in rows:
        df.update(row[2])
    n = len(rows) + 1
    weight = {t: math.log(n / (c + 0.5)) + 1.0 for t, c in df.items()}
    _index = _Indexed(key, rows, weight)
    return _index


def _rank(
    query: str,
    rows: list[tuple[int, frozenset[str]]],
    weight: dict[str, float],
    *,
    limit: int,
    min_shared: int,
) -> list[int]:
    wanted = set(index_tokens(query).split())
    scored = []
    for pk, tokens in rows:
        have = tokens & wanted
        if len(have) >= min_shared:
            score = sum(weight.get(t, 1.0) for t in have) / math.sqrt(len(wanted) or 1)
            scored.append((score, len(have), pk))
    scored.sort(reverse=True)
    return [pk for _score, _n, pk in scored[:limit]]


def _published(*, public_only: bool = False) -> QuerySet[Article]:
    qs = Article.objects.filter(published=True)
    return qs.filter(public=True) if public_only else qs


def _load(ids: list[int]) -> list[Article]:
    if not ids:
        return []
    by_id = {a.pk: a for a in Article.objects.filter(pk__in=ids).select_related("category")}
    return [by_id[i] for i in ids if i in by_id]


def search_articles(query: str, *, public_only: bool = False, limit: int = 20) -> list[Article]:
    """Articles for a query in Chinese (Simplified or Traditional) or English: every word of
    the query must occur (as in case search); best matches first. Empty query: all."""
    text = normalize(query).strip()
    if not text:
        qs = _published(public_only=public_only).select_related("category")
        return list(qs.order_by("category__sort_order", "-updated_at")[:limit])
    index = _indexed()
    phrases = [index_tokens(p) for p in text.split() if p]
    matching = [
        (pk, token_set)
        for pk, tokens, token_set, _kinds, public in index.rows
        # The bigrams of a query word follow each other in the document: a substring test.
        if (public or not public_only) and all(p in tokens for p in phrases)
    ]
    return _load(_rank(text, matching, index.weight, limit=limit, min_shared=0))


def suggest_articles(text: str, *, kind: str = "", limit: int = 3) -> list[Article]:
    """Articles that fit a case's text (shared words, rare words weigh more; articles for the
    case's kind first). Three shared bigrams at least: one common word is not a topic."""
    if not text.strip():
        return []
    index = _indexed()
    if not index.rows:
        return []
    rows = [(pk, token_set) for pk, _t, token_set, _k, _p in index.rows]
    ids = _rank(text[:2000], rows, index.weight, limit=limit * 2, min_shared=3)
    if kind:
        kinds_of = {pk: kinds for pk, _t, _s, kinds, _p in index.rows}
        ids.sort(key=lambda pk: 0 if not kinds_of.get(pk) or kind in kinds_of[pk] else 1)
    return _load(ids[:limit])


def get_article(article_id: int, *, public_only: bool = False) -> Article:
    article = (
        _published(public_only=public_only).filter(pk=article_id).select_related("category").first()
    )
    if article is None:
        raise NotFound("article not found")
    return article


def analyses_for_case(user: User, case: Case) -> list[TextAnalysis]:
    if not can_see_case(user, case):
        raise NotFound("case not found")
    return case_analyses(case)


def analysis_dict(a: TextAnalysis) -> dict[str, Any]:
    return {
        "message": a.message_id,
        "source": a.source,
        "kind": a.kind,
        "complaint_cause": a.complaint_cause or None,
        "emotion": a.emotion,
        "difficult_type": a.difficult_type or None,
        "urgency": a.urgency,
        "needs": a.needs,
        "analyzed_at": a.analyzed_at,
        "versions": {"model": a.model_version, "lexicon": a.lexicon_version},
    }


def emotion_by_day(
    start: dt.datetime, end: dt.datetime, *, source: str | None = None
) -> dict[dt.date, dict[str, int]]:
    """How many customer texts of each emotion were written per day (local dates), for
    analytics charts. Texts from every case: callers scope by role before showing it."""
    from django.db.models import Count
    from django.db.models.functions import TruncDate

    qs = TextAnalysis.objects.filter(written_at__gte=start, written_at__lt=end)
    if source:
        qs = qs.filter(source=source)
    out: dict[dt.date, dict[str, int]] = {}
    rows = (
        qs.annotate(day=TruncDate("written_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "emotion")
        .annotate(n=Count("id"))
        .order_by("day", "emotion")
    )
    for row in rows:
        out.setdefault(row["day"], {})[row["emotion"]] = row["n"]
    return out
