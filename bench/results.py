"""What a measurement returns: figures (median, p95, or one value) checked against targets."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


@dataclass(frozen=True)
class Target:
    """`stat` (median, p95 or value) must be `op` (<= or >=) `limit`."""

    stat: str
    op: str
    limit: float
    label: str = ""

    def passes(self, value: float) -> bool:
        return value <= self.limit if self.op == "<=" else value >= self.limit

    def describe(self, unit: str) -> str:
        if self.label:
            return self.label
        stat = "" if self.stat == "value" else f"{self.stat} "
        return f"{stat}{'≤' if self.op == '<=' else '≥'} {_fmt(self.limit)} {unit}".strip()


@dataclass
class Figure:
    label: str
    unit: str
    median: float | None = None
    p95: float | None = None
    value: float | None = None
    n: int = 0
    target: Target | None = None

    @classmethod
    def of_samples(
        cls, label: str, samples: list[float], unit: str = "ms", target: Target | None = None
    ) -> Figure:
        return cls(
            label,
            unit,
            median=statistics.median(samples) if samples else None,
            p95=percentile(samples, 95) if samples else None,
            n=len(samples),
            target=target,
        )

    @classmethod
    def single(
        cls, label: str, value: float, unit: str = "", n: int = 1, target: Target | None = None
    ) -> Figure:
        return cls(label, unit, value=value, n=n, target=target)

    def stat(self, name: str) -> float | None:
        return {"median": self.median, "p95": self.p95, "value": self.value}[name]

    @property
    def passed(self) -> bool | None:
        if self.target is None:
            return None
        measured = self.stat(self.target.stat)
        return None if measured is None else self.target.passes(measured)

    @property
    def measured(self) -> str:
        if self.value is not None:
            return f"{_fmt(self.value)} {self.unit}".strip()
        if self.median is None:
            return "not measured"
        return f"median {_fmt(self.median)} / p95 {_fmt(self.p95)} {self.unit}".strip()


@dataclass
class Section:
    key: str
    title: str
    about: str = ""
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Query plans and other evidence, shown folded in the report.
    details: list[tuple[str, str]] = field(default_factory=list)

    def figure(self, label: str) -> Figure | None:
        return next((f for f in self.figures if f.label == label), None)


def _fmt(x: float | None) -> str:
    if x is None:
        return "–"
    if x != x:  # NaN
        return "–"
    if float(x).is_integer():
        return f"{int(x):,}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"
