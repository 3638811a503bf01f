"""Coordinates for the server-rendered SVG charts (the templates only draw them)."""

from __future__ import annotations

from typing import Any

BAR_HEIGHT = 26
LABEL_WIDTH = 170
PLOT_WIDTH = 380


def hbars(
    rows: list[dict[str, Any]], key: str, *, low: float = 0.0, high: float = 100.0
) -> dict[str, Any]:
    """Horizontal bars of rows[key] on [low, high]; a zero line when low < 0."""
    span = (high - low) or 1.0
    zero = LABEL_WIDTH + (0 - low) / span * PLOT_WIDTH if low < 0 else LABEL_WIDTH
    bars = []
    for n, row in enumerate(rows):
        value = row.get(key)
        if value is None:
            x, width = zero, 0.0
        else:
            end = LABEL_WIDTH + (min(max(float(value), low), high) - low) / span * PLOT_WIDTH
            x, width = min(zero, end), abs(end - zero)
        bars.append(
            {
                **row,
                "value": value,
                "y": n * BAR_HEIGHT,
                "x": round(x, 1),
                "width": round(width, 1),
                "text_x": round(max(x + width, zero) + 6, 1),
                "negative": value is not None and float(value) < 0,
            }
        )
    return {
        "bars": bars,
        "height": len(bars) * BAR_HEIGHT + 8,
        "zero": round(zero, 1),
        "label_width": LABEL_WIDTH,
    }


def lines(
    points: list[dict[str, Any]], keys: list[str], *, low: float = -100.0, high: float = 100.0
) -> dict[str, Any]:
    """A line per key over the periods in `points` (each with "label" and the keys)."""
    width, height, left, top = 560, 200, 40, 10
    n = max(len(points) - 1, 1)
    span = (high - low) or 1.0

    def y(value: float) -> float:
        return round(top + (high - value) / span * height, 1)

    series = []
    for key in keys:
        coords = [
            (round(left + i / n * width, 1), y(float(p[key])))
            for i, p in enumerate(points)
            if p.get(key) is not None
        ]
        series.append(
            {
                "key": key,
                "points": " ".join(f"{a},{b}" for a, b in coords),
                "dots": [{"x": a, "y": b} for a, b in coords],
            }
        )
    ticks = [{"value": v, "y": y(v)} for v in (high, (high + low) / 2, low)]
    labels = [
        {
            "x": round(left + i / n * width, 1),
            "text": p["label"][5:] if len(p["label"]) > 5 else p["label"],
        }
        for i, p in enumerate(points)
    ]
    return {
        "series": series,
        "ticks": ticks,
        "labels": labels,
        "width": width + left + 20,
        "height": height + top + 30,
        "baseline": top + height,
    }
