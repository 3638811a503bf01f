"""RFM scoring on whole columns at once (numpy), so a million customers grade in seconds.

Quantile scores: a value's score is 1 + ⌊5 × (share of the graded customers with a strictly
lower value)⌋, so equal values always get the same score (ties never split across a
boundary) and the lowest value scores 1. Threshold scores: 1 + the number of cut points
the value reaches (for R, the number of cut points the days since the last purchase stay
within). Customers without a purchase in the window score 1, 1, 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

SCORES = 5

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def quantile_scores(values: npt.NDArray[np.generic], graded: npt.NDArray[np.bool_]) -> IntArray:
    """Scores 1..5 by the share of graded values strictly below each value."""
    out = np.ones(len(values), dtype=np.int64)
    population = np.sort(values[graded])
    if len(population) == 0:
        return out
    below = np.searchsorted(population, values[graded], side="left")
    out[graded] = 1 + np.minimum(SCORES - 1, (SCORES * below) // len(population))
    return out


def threshold_scores(
    values: npt.NDArray[np.generic],
    graded: npt.NDArray[np.bool_],
    cuts: Sequence[float],
    *,
    lower_is_better: bool = False,
) -> IntArray:
    """Scores 1..5 from 4 ascending cut points: reaching a cut point earns one more."""
    out = np.ones(len(values), dtype=np.int64)
    edges = np.asarray(sorted(cuts)[: SCORES - 1], dtype=np.float64)
    vals = values[graded].astype(np.float64)
    if lower_is_better:
        # days ≤ first cut → 5, ≤ second → 4, ...; beyond the last → 1.
        out[graded] = SCORES - np.searchsorted(edges, vals, side="left")
    else:
        out[graded] = 1 + np.searchsorted(edges, vals, side="right")
    return np.clip(out, 1, SCORES)


@dataclass(frozen=True)
class Grades:
    r: IntArray
    f: IntArray
    m: IntArray

    @property
    def score(self) -> IntArray:
        return self.r + self.f + self.m


def grade(
    *,
    last_ordinal: IntArray,
    frequency: IntArray,
    monetary: FloatArray,
    today_ordinal: int,
    method: str,
    recency_cuts: Sequence[float] = (),
    frequency_cuts: Sequence[float] = (),
    monetary_cuts: Sequence[float] = (),
) -> Grades:
    """R, F and M scores for every customer (frequency 0 = no purchase in the window)."""
    graded = frequency > 0
    if method == "threshold":
        days = today_ordinal - last_ordinal
        return Grades(
            r=threshold_scores(days, graded, recency_cuts, lower_is_better=True),
            f=threshold_scores(frequency, graded, frequency_cuts),
            m=threshold_scores(monetary, graded, monetary_cuts),
        )
    return Grades(
        r=quantile_scores(last_ordinal, graded),
        f=quantile_scores(frequency, graded),
        m=quantile_scores(monetary, graded),
    )


def tiers_for(scores: IntArray, floors: Sequence[tuple[int, int]]) -> IntArray:
    """Index of the tier each score earns: floors are (min_score, tier index), best first;
    the best tier whose floor the score reaches wins, else the last one."""
    out = np.full(len(scores), floors[-1][1] if floors else -1, dtype=np.int64)
    for min_score, index in reversed(floors):
        out[scores >= min_score] = index
    return out
