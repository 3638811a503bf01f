"""Every write of agent assist. Case changes go through kefu.cases.actions; assist keeps its
own records (analyses, verdicts, cycle progress, templates, articles) beside them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Model

from kefu.accounts.actors import Actor, ActorKind
from kefu.accounts.audit import changed_fields, record_configuration_event
from kefu.accounts.models import User
from kefu.accounts.roles import is_supervising
from kefu.assist.checks import Finding, ReplyCheck, check_reply, send_policy
from kefu.assist.models import (
    AnalysisSource,
    Article,
    ArticleCategory,
    CycleStep,
    Language,
    ReplyTemplate,
    SuggestionField,
    SuggestionVerdict,
    TextAnalysis,
    Verdict,
)
from kefu.assist.playbooks import CYCLE_CODES
from kefu.cases import actions as case_actions
from kefu.cases.choices import EventType, MessageKind
from kefu.cases.models import Case, CaseMessage, CauseCategory
from kefu.cases.permissions import ensure_may_perform, ensure_may_see
from kefu.cases.validation import require_choice, require_text
from kefu.core import clock
from kefu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kefu.core.text import index_tokens

# -- checked replies -------------------------------------------------------------------------


class NeedsConfirmation(Conflict):
    """The draft still has findings: the agent must confirm (the override is recorded)."""

    code = "assist_confirmation_required"

    def __init__(self, check: ReplyCheck) -> None:
        super().__init__("the reply contains phrases the service standards forbid")
        self.check = check
        self.fields = {"body": "; ".join(f.phrase for f in check.violations)}


class ReplyBlocked(PermissionDenied):
    """The site refuses replies with forbidden findings (KEFU_ASSIST_SEND_POLICY=block)."""

    code = "assist_reply_blocked"

    def __init__(self, check: ReplyCheck) -> None:
        super().__init__("this site does not send replies with forbidden phrases")
        self.check = check
        self.fields = {"body": "; ".join(f.phrase for f in check.violations)}


def check_case_reply(case: Case, text: str) -> ReplyCheck:
    """The composer's check: email cases also get the email etiquette."""
    if case.channel == "email":
        return check_reply(text, channel="email", subject=f"回复：{case.subject}")
    return check_reply(text)


@dataclass(frozen=True)
class SentReply:
    message: CaseMessage
    overridden: list[Finding]


def send_reply(
    case_id: int,
    *,
    actor: Actor,
    body: str,
    kind: str = MessageKind.OUTBOUND,
    confirmed: bool = False,
) -> SentReply:
    """Add a message; a reply to the customer is checked first. With findings it needs
    `confirmed` (or is refused under the block policy); a confirmed override is an
    `assist_override` event in the same transaction as the message."""
    check: ReplyCheck | None = None
    if kind == MessageKind.OUTBOUND:
        case = (
            Case.objects.filter(pk=case_id)
            .select_related("site")
            .only("id", "channel", "subject", "site")
            .first()
        )
        if case is None:
            raise NotFound("case not found")
        check = check_case_reply(case, body)
        if check.violations:
            if send_policy(case.site) == "block":
                raise ReplyBlocked(check)
            if not confirmed:
                raise NeedsConfirmation(check)
    with transaction.atomic():
        message = case_actions.add_message(case_id, actor=actor, kind=kind, body=body)
        overridden = list(check.violations) if check is not None else []
        if overridden:
            case_actions.record_domain_event(
                case_id,
                EventType.ASSIST_OVERRIDE,
                actor=actor,
                message=message.pk,
                findings=[f.as_record() for f in overridden],
            )
    return SentReply(message, overridden)


# -- stored analyses ---------------------------------------------------------------------------


def _analysis_values(result: dict[str, Any]) -> dict[str, Any]:
    """The stored columns of one customer analysis (kefu.assist.analyze's result)."""
    cause = result.get("complaint_cause") or {}
    difficult = result.get("difficult_type") or {}
    return {
        "kind": result["kind"]["label"],
        "kind_confidence": result["kind"]["confidence"],
        "complaint_cause": cause.get("label", ""),
        "cause_confidence": cause.get("confidence", 0.0),
        "emotion": result["emotion"]["label"],
        "emotion_confidence": result["emotion"]["confidence"],
        "difficult_type": difficult.get("label", ""),
        "urgency": result["urgency"]["label"],
        "needs": [n["label"] for n in result["needs"]],
        "result": result,
        "model_version": result["versions"]["model"],
        "lexicon_version": result["versions"]["lexicon"],
        "analyzed_at": clock.now(),
    }


def _store(
    case_id: int, message_id: int | None, text: str, channel: str, written_at: Any
) -> TextAnalysis | None:
    from kefu.assist.analyze import CHANNELS, analyze  # scikit-learn loads on first use

    if not text.strip():
        return None
    result = analyze(text[:20_000], "customer", channel=channel if channel in CHANNELS else None)
    values = {**_analysis_values(result), "written_at": written_at}
    if message_id is not None:
        analysis, _ = TextAnalysis.objects.update_or_create(
            message_id=message_id,
            defaults={"case_id": case_id, "source": AnalysisSource.MESSAGE, **values},
        )
    else:
        analysis, _ = TextAnalysis.objects.update_or_create(
            case_id=case_id, source=AnalysisSource.CASE, message=None, defaults=values
        )
    return analysis


def analyze_message(message_id: int) -> TextAnalysis | None:
    """Analyse and store a customer's message (idempotent: a rerun replaces the reading)."""
    message = (
        CaseMessage.objects.filter(pk=message_id, kind=MessageKind.INBOUND)
        .select_related("case")
        .first()
    )
    if message is None:
        return None
    return _store(
        message.case_id, message.pk, message.body, message.case.channel, message.created_at
    )


def case_text(case: Case) -> str:
    return "\n".join(p for p in (case.subject, case.description) if p)


def analyze_case(case_id: int) -> TextAnalysis | None:
    """Analyse and store what the customer asked for when the case was opened."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return None
    return _store(case.pk, None, case_text(case), case.channel, case.created_at)


REANALYZED_FIELDS = [
    "kind",
    "kind_confidence",
    "complaint_cause",
    "cause_confidence",
    "emotion",
    "emotion_confidence",
    "difficult_type",
    "urgency",
    "needs",
    "result",
    "model_version",
    "lexicon_version",
    "analyzed_at",
]


def reanalyze_stale(*, batch: int = 200) -> int:
    """Recompute up to `batch` analyses made by another model or lexicon version: their
    texts read in two queries, analysed in one model pass, written back in one bulk update.
    An analysis whose text is now empty is dropped (none would be made for it). Returns how
    many were read (0: none left)."""
    from kefu.assist.analyze import CHANNELS, Request, analyze_many, versions

    current = versions()
    rows = list(
        TextAnalysis.objects.exclude(
            model_version=current["model"], lexicon_version=current["lexicon"]
        )
        .order_by("id")
        .only("id", "case_id", "message_id")[:batch]
    )
    if not rows:
        return 0
    bodies = dict(
        CaseMessage.objects.filter(
            pk__in=[r.message_id for r in rows if r.message_id is not None]
        ).values_list("pk", "body")
    )
    cases = {
        c.pk: c
        for c in Case.objects.filter(pk__in={r.case_id for r in rows}).only(
            "id", "subject", "description", "channel"
        )
    }
    readable, requests, empty = [], [], []
    for row in rows:
        case = cases[row.case_id]
        text = bodies.get(row.message_id, "") if row.message_id is not None else case_text(case)
        if not text.strip():
            empty.append(row.pk)
            continue
        channel = case.channel if case.channel in CHANNELS else None
        readable.append(row)
        requests.append(Request(text[:20_000], "customer", channel))
    for row, result in zip(readable, analyze_many(requests), strict=True):
        for name, value in _analysis_values(result).items():
            setattr(row, name, value)
    with transaction.atomic():
        TextAnalysis.objects.bulk_update(readable, REANALYZED_FIELDS, batch_size=500)
        if empty:
            TextAnalysis.objects.filter(pk__in=empty).delete()
    return len(rows)


# -- suggestions: the agent confirms or corrects ----------------------------------------------


def _case_for(actor: Actor, case_id: int) -> Case:
    case = Case.objects.filter(pk=case_id).select_related("kind", "team").first()
    if case is None:
        raise NotFound("case not found")
    ensure_may_see(actor, case)
    return case


def decide_kind(
    case_id: int,
    *,
    actor: Actor,
    suggested: str,
    chosen: str,
    expected_version: int | None = None,
) -> SuggestionVerdict:
    """Accept the suggested kind (or choose another): the kind changes through the case
    action when it differs; the verdict is kept as training data."""
    case = _case_for(actor, case_id)
    with transaction.atomic():
        if chosen and chosen != case.kind.code:
            case_actions.change_case_kind(
                case_id,
                actor=actor,
                kind=chosen,
                reason="坐席助手建议" if chosen == suggested else "",
                expected_version=expected_version,
            )
        return _verdict(case, actor, SuggestionField.KIND, suggested, chosen)


def decide_cause(case_id: int, *, actor: Actor, suggested: str, chosen: str) -> SuggestionVerdict:
    """Confirm a complaint's cause now (it is written on the case when it is closed; the
    close form starts from the confirmed one). An empty `chosen` dismisses the suggestion."""
    case = _case_for(actor, case_id)
    if chosen and not CauseCategory.objects.filter(code=chosen, active=True).exists():
        raise ValidationFailed("unknown cause", fields={"cause": "unknown"})
    return _verdict(case, actor, SuggestionField.CAUSE, suggested, chosen)


def _verdict(
    case: Case, actor: Actor, field: str, suggested: str, chosen: str
) -> SuggestionVerdict:
    if not chosen:
        verdict = Verdict.DISMISSED
    elif chosen == suggested:
        verdict = Verdict.ACCEPTED
    else:
        verdict = Verdict.CORRECTED
    return SuggestionVerdict.objects.create(
        case=case,
        field=field,
        suggested=suggested,
        chosen=chosen,
        verdict=verdict,
        text=case_text(case)[:5000],
        decided_by=actor.user if actor.is_staff else None,
        decided_at=clock.now(),
    )


# -- the service cycle ----------------------------------------------------------------------


def mark_cycle_step(case_id: int, *, actor: Actor, step: str, done: bool = True) -> CycleStep:
    """Record a step of the service cycle done (or undone again) on a case."""
    require_choice(step, "step", list(CYCLE_CODES))
    case = _case_for(actor, case_id)
    ensure_may_perform(actor, case, "message")
    with transaction.atomic():
        marked = CycleStep.objects.create(
            case=case,
            step=step,
            done=done,
            by=actor.user if actor.is_staff else None,
            at=clock.now(),
        )
        case_actions.record_domain_event(
            case.pk, EventType.SERVICE_CYCLE_STEP, actor=actor, step=step, done=done
        )
    return marked


# -- templates and knowledge base -------------------------------------------------------------


def _ensure_editor(actor: Actor) -> User | None:
    if actor.kind == ActorKind.CUSTOMER:
        raise PermissionDenied("customers do not maintain templates and articles")
    if actor.is_staff:
        assert actor.user is not None
        if not is_supervising(actor.user):
            raise PermissionDenied("only supervisors and admins maintain templates and articles")
        return actor.user
    return None


TEMPLATE_FIELDS = ["title", "body", "language", "kind", "sort_order", "active"]
CATEGORY_FIELDS = ["code", "name_zh", "name_en", "sort_order"]
ARTICLE_FIELDS = [
    "category_id",
    "title_zh",
    "body_zh",
    "title_en",
    "body_en",
    "kinds",
    "published",
    "public",
]


def _stored_values(model: type[Model], pk: int | None, fields: list[str]) -> dict[str, Any]:
    """The row's values as stored, locked for the rest of the transaction (the instance
    given may already carry the new values, as the admin's does)."""
    if pk is None:
        return {}
    before = model._default_manager.select_for_update().filter(pk=pk).values(*fields).first()
    if before is None:
        raise NotFound(f"{model._meta.model_name} not found")
    return before


def _record_save(row: Model, before: dict[str, Any], fields: list[str], actor: Actor) -> None:
    if not before:
        record_configuration_event(
            row, "created", actor=actor, after={f: getattr(row, f) for f in fields}
        )
        return
    changes = changed_fields(row, before, fields)
    if changes["before"]:
        record_configuration_event(row, "changed", actor=actor, **changes)


def check_template_body(body: str) -> None:
    """A template that the reply check would flag is refused: it would put the phrase in
    every reply (placeholders are left out of the check)."""
    sample = body
    for name in ("customer_name", "case_number", "handler", "due_date"):
        sample = sample.replace("{" + name + "}", "")
    found = check_reply(sample).violations
    if found:
        raise ValidationFailed(
            "the template contains phrases the reply check flags",
            fields={"body": "; ".join(f.phrase for f in found)},
        )


def save_template(
    *,
    actor: Actor,
    title: str,
    body: str,
    language: str = Language.ZH,
    kind: str = "",
    sort_order: int = 0,
    active: bool = True,
    template: ReplyTemplate | None = None,
) -> ReplyTemplate:
    """Create or update a reply template (supervisors, admins, the system); the change is
    recorded with the fields before and after."""
    user = _ensure_editor(actor)
    title = require_text(title, "title", max_length=100)
    body = require_text(body, "body", max_length=10_000)
    require_choice(language, "language", list(Language.values))
    check_template_body(body)
    with transaction.atomic():
        row = template or ReplyTemplate(created_by=user)
        before = _stored_values(ReplyTemplate, row.pk, TEMPLATE_FIELDS)
        row.title, row.body, row.language, row.kind = title, body, language, kind or ""
        row.sort_order, row.active, row.updated_at = sort_order, active, clock.now()
        row.save()
        _record_save(row, before, TEMPLATE_FIELDS, actor)
    return row


def save_category(
    *,
    actor: Actor,
    code: str,
    name_zh: str,
    name_en: str,
    sort_order: int | None = None,
    category: ArticleCategory | None = None,
) -> ArticleCategory:
    """Update `category` (its code may change), else the one with this code, else create it."""
    _ensure_editor(actor)
    code = require_text(code, "code", max_length=40)
    name_zh = require_text(name_zh, "name_zh", max_length=50)
    name_en = require_text(name_en, "name_en", max_length=50)
    with transaction.atomic():
        taken = ArticleCategory.objects.filter(code=code).first()
        if category is not None and taken is not None and taken.pk != category.pk:
            raise ValidationFailed("another category has this code", fields={"code": "taken"})
        row = category or taken or ArticleCategory()
        before = _stored_values(ArticleCategory, row.pk, CATEGORY_FIELDS)
        row.code, row.name_zh, row.name_en = code, name_zh, name_en
        if sort_order is not None:
            row.sort_order = sort_order
        row.save()
        _record_save(row, before, CATEGORY_FIELDS, actor)
    return row


def save_article(
    *,
    actor: Actor,
    category: ArticleCategory,
    title_zh: str,
    body_zh: str,
    title_en: str = "",
    body_en: str = "",
    kinds: list[str] | None = None,
    published: bool = True,
    public: bool = False,
    article: Article | None = None,
) -> Article:
    """Create or update a knowledge-base article; its search tokens are rebuilt with it.
    Recorded as created, published or unpublished (when that flag changed), else changed."""
    user = _ensure_editor(actor)
    title_zh = require_text(title_zh, "title_zh", max_length=200)
    body_zh = require_text(body_zh, "body_zh", max_length=100_000)
    with transaction.atomic():
        row = article or Article(created_by=user)
        before = _stored_values(Article, row.pk, ARTICLE_FIELDS)
        row.category = category
        row.title_zh, row.body_zh = title_zh, body_zh
        row.title_en, row.body_en = (title_en or "").strip(), (body_en or "").strip()
        row.kinds = list(kinds or [])
        row.published, row.public = published, public
        # Titles count twice: a query word in the title matters more than one in the body.
        row.search_tokens = index_tokens(
            "\n".join([row.title_zh, row.title_zh, row.title_en, row.body_zh, row.body_en])
        )
        row.updated_at = clock.now()
        row.save()
        if before and before["published"] != published:
            changes = changed_fields(row, before, ARTICLE_FIELDS)
            action = "published" if published else "unpublished"
            record_configuration_event(row, action, actor=actor, **changes)
        else:
            _record_save(row, before, ARTICLE_FIELDS, actor)
    return row


# -- corrections become training rows ------------------------------------------------------------

KINDS = ("inquiry", "complaint", "suggestion", "praise", "repair_request")
CAUSES = ("product_quality", "service_manner", "unfamiliar_new_product", "billing", "delivery")
CORRECTIONS_FILE = "workspace-corrections.jsonl"


def export_corrections(directory: Path | None = None) -> int:
    """Write the agents' verdicts on suggested kinds and causes as labelled rows (the corpus
    schema) into the site's corpus directory, where `kefu assist train` picks them up. The
    other labels come from the stored analysis of the same text. Returns the row count."""
    from kefu.assist.train import site_corpus_dir

    latest: dict[int, dict[str, SuggestionVerdict]] = {}
    for v in SuggestionVerdict.objects.exclude(verdict=Verdict.DISMISSED).order_by("decided_at"):
        latest.setdefault(v.case_id, {})[v.field] = v
    analyses = {
        a.case_id: a
        for a in TextAnalysis.objects.filter(case_id__in=latest, source=AnalysisSource.CASE)
    }
    rows = []
    for case_id, verdicts in sorted(latest.items()):
        analysis = analyses.get(case_id)
        if analysis is None:
            continue
        kind_v, cause_v = verdicts.get(SuggestionField.KIND), verdicts.get(SuggestionField.CAUSE)
        kind = kind_v.chosen if kind_v is not None else analysis.kind
        cause = cause_v.chosen if cause_v is not None else analysis.complaint_cause
        if kind not in KINDS:
            continue
        text = (kind_v or cause_v).text  # type: ignore[union-attr]
        rows.append(
            {
                "id": f"site-case-{case_id}",
                "industry": "site",
                "text": text,
                "kind": kind,
                "cause": (cause if cause in CAUSES else "other") if kind == "complaint" else None,
                "emotion": analysis.emotion,
                "urgency": analysis.urgency,
                "difficult": analysis.difficult_type or None,
                "needs": analysis.needs,
                "script": "hans",
            }
        )
    rows = [r for r in rows if r["text"].strip()]
    target = directory or site_corpus_dir()
    path = target / CORRECTIONS_FILE
    if not rows and not path.exists():
        return 0  # nothing to add: the corpus (and so the model) stays as it is
    target.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    tmp.replace(path)
    return len(rows)
