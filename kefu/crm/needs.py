"""The priority of a customer need, from its assessment, with the formula shown to users.

priority = 20 × (0.4 × importance + 0.35 × urgency + 0.25 × feasibility)
             × (1 − 0.5 × min(days to fulfil, 180) / 180)

Each assessment is 1–5, so priority runs from 10 (a slow, unimportant need that is hard to
meet) to 100 (an important, urgent, feasible need met at once). Taking long halves it at most.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

WEIGHTS = {"importance": 0.4, "urgency": 0.35, "feasibility": 0.25}
SLOW_DAYS = 180
FORMULA = _(
    "优先级 = 20 ×（0.4×重要性 + 0.35×紧迫性 + 0.25×可行性）×（1 − 0.5 × min(实现天数, 180) ÷ 180）"
)


def need_priority(importance: int, urgency: int, feasibility: int, days_to_fulfil: int) -> float:
    base = (
        WEIGHTS["importance"] * importance
        + WEIGHTS["urgency"] * urgency
        + WEIGHTS["feasibility"] * feasibility
    )
    slowness = 1 - 0.5 * min(max(days_to_fulfil, 0), SLOW_DAYS) / SLOW_DAYS
    return round(20 * base * slowness, 1)
