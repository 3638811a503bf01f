"""Coordinates for the server-rendered SVG charts (the templates only draw them)."""

from __future__ import annotations

from typing import Any

BAR_HEIGHT = 26
LABEL_WIDTH = 170
PLOT_WIDTH = 380
ROW_WITH_LABEL_ABOVE = 40  # long labels (questions) on their own line above the bar


def hbars(
    rows: list[dict[str, Any]],
    key: str,
    *,
    low: float = 0.0,
    high: float = 100.0,
    label_above: bool = False,
) -> dict[str, Any]:
    """Horizontal bars of rows[key] on [low, high]; a zero line when low < 0. With
    `label_above`, each label gets the chart's whole width on a line above its bar."""
    span = (high - low) or 1.0
    left = 0 if label_above else LABEL_WIDTH
    row_height = ROW_WITH_LABEL_ABOVE if label_above else BAR_HEIGHT
    zero = left + (0 - low) / span * PLOT_WIDTH if low < 0 else left
    bars = []
    for n, row in enumerate(rows):
        value = row.get(key)
        if value is None:
            x, width = zero, 0.0
        else:
            end = left + (min(max(float(value), low), high) - low) / span * PLOT_WIDTH
            x, width = min(zero, end), abs(end - zero)
        bars.append(
            {
                **row,
                "value": value,
                "y": n * row_height + (14 if label_above else 0),
                "label_y": n * row_height + 12,
                "x": round(x, 1),
                "width": round(width, 1),
                "text_x": round(max(x + width, zero) + 6, 1),
                "negative": value is not None and float(value) < 0,
            }
        )
    return {
        "bars": bars,
        "height": len(bars) * row_height + 8,
        "zero": round(zero, 1),
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
