"""Server-rendered SVG bar charts (no JavaScript, no CDN, no inline style: presentation attributes
only, which the content security policy allows). Each chart comes with its numbers as a table."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

WIDTH = 640
HEIGHT = 140
PAD_LEFT = 34
PAD_BOTTOM = 22
PAD_TOP = 8
PALETTE = ["#1d3557", "#2a7f62", "#b5651d", "#6a4c93", "#1a5a96", "#8a1c14", "#4f6d7a", "#7a6c1a"]


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass
class Chart:
    title: str
    total: int
    bars: list[Bar]
    ticks: list[tuple[float, str]]  # (x, label) under the axis
    y_ticks: list[tuple[float, int]]  # (y, value)
    color: str
    width: int = WIDTH
    height: int = HEIGHT
    rows: list[tuple[str, int]] = field(default_factory=list)

    @property
    def base_y(self) -> float:
        return float(self.height - PAD_BOTTOM)

    @property
    def peak(self) -> int:
        return max((b.value for b in self.bars), default=0)


def _nice_max(value: int) -> int:
    if value <= 5:
        return max(1, value)
    magnitude = 10 ** int(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = int(math.ceil(value / (magnitude * step)) * magnitude * step)
        if top >= value:
            return top
    return value


def short_label(iso: str, bucket: str) -> str:
    try:
        t = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if bucket == "hour":
        return f"{t:%d/%m %Hh}"
    if bucket == "quarter":
        return f"{t:%H:%M}"
    return f"{t:%d/%m}"


def bar_chart(
    title: str, series: list[tuple[str, int]], *, bucket: str = "day", color: str = PALETTE[0],
    y_max: int | None = None, height: int = HEIGHT,
) -> Chart:
    n = max(1, len(series))
    top = _nice_max(y_max if y_max is not None else max((v for _, v in series), default=0))
    inner_w = WIDTH - PAD_LEFT - 4
    inner_h = height - PAD_BOTTOM - PAD_TOP
    slot = inner_w / n
    gap = min(4.0, slot * 0.2)
    bars = []
    for i, (iso, value) in enumerate(series):
        h = inner_h * value / top if top else 0.0
        bars.append(
            Bar(
                x=round(PAD_LEFT + i * slot + gap / 2, 2),
                y=round(height - PAD_BOTTOM - h, 2),
                width=round(max(1.0, slot - gap), 2),
                height=round(h, 2),
                label=short_label(iso, bucket),
                value=value,
            )
        )
    every = max(1, math.ceil(n / 8))
    ticks = [(round(b.x + b.width / 2, 2), b.label) for i, b in enumerate(bars) if i % every == 0]
    y_ticks = [(round(height - PAD_BOTTOM - inner_h * f, 2), round(top * f)) for f in (0.0, 0.5, 1.0)]
    return Chart(
        title=title,
        total=sum(v for _, v in series),
        bars=bars,
        ticks=ticks,
        y_ticks=y_ticks,
        color=color,
        height=height,
        rows=[(short_label(iso, bucket), v) for iso, v in series],
    )


def small_multiples(
    series: dict[str, list[tuple[str, int]]], *, bucket: str = "day", labels: dict[str, str] | None = None,
    limit: int = 8, height: int = 90,
) -> list[Chart]:
    """One chart per series, on the same scale, biggest first."""
    ordered = sorted(series.items(), key=lambda kv: (-sum(v for _, v in kv[1]), kv[0]))[:limit]
    top = max((v for _, s in ordered for _, v in s), default=0)
    return [
        bar_chart((labels or {}).get(key, key), values, bucket=bucket, color=PALETTE[i % len(PALETTE)], y_max=top, height=height)
        for i, (key, values) in enumerate(ordered)
    ]
