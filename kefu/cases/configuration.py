"""Writes of the case reference data: case kinds and complaint cause categories.
Re-exported by kefu.cases.actions. Administrators (or the system) only; each save is checked,
written and recorded as a ConfigurationEvent. Nothing is deleted: cases refer to both
(PROTECT), so a kind or a cause is deactivated instead."""

from __future__ import annotations

from typing import Any

from kefu.accounts.actions import check_code_kept, ensure_administrator, save_configured
from kefu.accounts.actors import Actor
from kefu.cases.models import Case, CaseKind, CauseCategory
from kefu.cases.transitions import WORKFLOWS
from kefu.core.errors import ValidationFailed

CASE_KIND_FIELDS = [
    "code",
    "name_zh",
    "name_en",
    "number_prefix",
    "workflow",
    "is_complaint",
    "active",
    "sort_order",
]
CAUSE_CATEGORY_FIELDS = ["code", "name_zh", "name_en", "is_work_quality", "active", "sort_order"]


def check_case_kind(row: CaseKind, before: dict[str, Any] | None, actor: Actor) -> None:
    check_code_kept(row, before)
    if row.workflow not in WORKFLOWS:
        raise ValidationFailed(
            "unknown workflow", fields={"workflow": f"one of {', '.join(sorted(WORKFLOWS))}"}
        )
    if before is None or row.pk is None:
        return
    # Cases copy is_complaint from their kind and move by its workflow: both stay while the
    # kind has cases.
    moved = [f for f in ("workflow", "is_complaint") if before.get(f) != getattr(row, f)]
    if moved and Case.objects.filter(kind_id=row.pk).exists():
        raise ValidationFailed(
            "the kind has cases",
            fields={f: "fixed while cases of this kind exist; add a new kind" for f in moved},
        )


def check_cause_category(row: CauseCategory, before: dict[str, Any] | None, actor: Actor) -> None:
    check_code_kept(row, before)


def save_case_kind(*, actor: Actor, values: dict[str, Any], kind_id: int | None = None) -> CaseKind:
    ensure_administrator(actor, "case kinds")
    return save_configured(
        CaseKind,
        actor=actor,
        fields=CASE_KIND_FIELDS,
        values=values,
        row_id=kind_id,
        check=check_case_kind,
    )


def save_cause_category(
    *, actor: Actor, values: dict[str, Any], category_id: int | None = None
) -> CauseCategory:
    ensure_administrator(actor, "cause categories")
    return save_configured(
        CauseCategory,
        actor=actor,
        fields=CAUSE_CATEGORY_FIELDS,
        values=values,
        row_id=category_id,
        check=check_cause_category,
    )
