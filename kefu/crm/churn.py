"""The churn-warning score: components 0..1, weighted, with the reasons in words.

score = Σ weightᵢ × componentᵢ / Σ weightᵢ × 100, where
- decline: how much spend in the recent window fell against the window before (0 = no fall,
  1 = stopped buying);
- complaints: complaints in the window, 3 or more count fully;
- breaches: cases that missed a time standard in the window, 2 or more count fully;
- satisfaction: the average satisfaction in the window (survey answers, else return-visit
  outcomes), 0.8 and above count 0, 0.3 and below count fully;
- silence: days since the last contact (a case or a purchase), from 60 days up to 180.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kefu.core.money import cents, money

COMPLAINTS_FULL = 3
BREACHES_FULL = 2
SATISFIED_AT = 0.8
DISSATISFIED_AT = 0.3
SILENCE_FROM_DAYS = 60
SILENCE_FULL_DAYS = 180
COMPONENTS = ("decline", "complaints", "breaches", "satisfaction", "silence")


@dataclass
class ChurnInputs:
    recent_spend: Decimal = Decimal(0)
    earlier_spend: Decimal = Decimal(0)
    complaints: int = 0
    breaches: int = 0
    satisfaction: float | None = None  # average 0..1 in the window
    satisfaction_source: str = ""
    days_since_contact: int | None = None


@dataclass
class ChurnScore:
    score: float
    components: dict[str, float] = field(default_factory=dict)
    reasons: list[dict[str, Any]] = field(default_factory=list)


def _clip(x: float) -> float:
    return max(0.0, min(1.0, x))


def score(inputs: ChurnInputs, weights: Mapping[str, float], window_days: int) -> ChurnScore:
    parts: dict[str, float] = dict.fromkeys(COMPONENTS, 0.0)
    reasons: list[dict[str, Any]] = []
    if inputs.earlier_spend > 0 and inputs.recent_spend < inputs.earlier_spend:
        fall = float((inputs.earlier_spend - inputs.recent_spend) / inputs.earlier_spend)
        parts["decline"] = _clip(fall)
        reasons.append(
            {
                "code": "decline",
                "days": window_days,
                "recent": str(cents(inputs.recent_spend)),
                "earlier": str(cents(inputs.earlier_spend)),
                "percent": round(fall * 100),
            }
        )
    if inputs.complaints:
        parts["complaints"] = _clip(inputs.complaints / COMPLAINTS_FULL)
        reasons.append({"code": "complaints", "days": window_days, "count": inputs.complaints})
    if inputs.breaches:
        parts["breaches"] = _clip(inputs.breaches / BREACHES_FULL)
        reasons.append({"code": "breaches", "days": window_days, "count": inputs.breaches})
    if inputs.satisfaction is not None and inputs.satisfaction < SATISFIED_AT:
        parts["satisfaction"] = _clip(
            (SATISFIED_AT - inputs.satisfaction) / (SATISFIED_AT - DISSATISFIED_AT)
        )
        reasons.append(
            {
                "code": "satisfaction",
                "percent": round(inputs.satisfaction * 100),
                "source": inputs.satisfaction_source,
            }
        )
    if inputs.days_since_contact is not None and inputs.days_since_contact > SILENCE_FROM_DAYS:
        parts["silence"] = _clip(
            (inputs.days_since_contact - SILENCE_FROM_DAYS)
            / (SILENCE_FULL_DAYS - SILENCE_FROM_DAYS)
        )
        reasons.append({"code": "silence", "days": inputs.days_since_contact})
    total_weight = sum(max(0.0, weights.get(k, 0.0)) for k in COMPONENTS) or 1.0
    value = sum(max(0.0, weights.get(k, 0.0)) * parts[k] for k in COMPONENTS) / total_weight
    # Strongest reasons first.
    reasons.sort(key=lambda r: -max(0.0, weights.get(r["code"], 0.0)) * parts[r["code"]])
    return ChurnScore(
        score=round(value * 100, 1),
        components={k: round(v, 3) for k, v in parts.items()},
        reasons=reasons,
    )


def reason_text(reason: dict[str, Any]) -> str:
    """One reason in words, in the reader's language."""
    code = reason.get("code")
    if code == "decline":
        amounts = {k: money(reason.get(k)) for k in ("recent", "earlier")}
        return _(
            "近%(days)s天消费 ¥%(recent)s，比之前%(days)s天的 ¥%(earlier)s 下降%(percent)s%%"
        ) % {**reason, **amounts}
    if code == "complaints":
        return (
            ngettext(
                "近%(days)s天投诉%(count)s次", "近%(days)s天投诉%(count)s次", reason.get("count", 0)
            )
            % reason
        )
    if code == "breaches":
        return (
            ngettext(
                "近%(days)s天有%(count)s个工单超出时限",
                "近%(days)s天有%(count)s个工单超出时限",
                reason.get("count", 0),
            )
            % reason
        )
    if code == "satisfaction":
        if reason.get("source") == "return_visit":
            return _("回访满意度仅%(percent)s%%") % reason
        return _("满意度调查得分仅%(percent)s%%") % reason
    if code == "silence":
        return _("已%(days)s天没有联系") % reason
    return str(code)
