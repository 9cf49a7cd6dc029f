"""The dashboard's charts as geometry for inline SVG: numbers only, no script, nothing fetched.

The templates draw ``<polyline>``, ``<circle>`` and ``<rect>`` elements from
these values; every text (an asset name in a ``<title>``) goes through the
templates' autoescaping like any other value. Times run left to right on a
linear scale; scores 0-100 bottom to top.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Mapping, Optional, Sequence, Tuple

PALETTE = 6  # CSS classes s0 .. s5; more series reuse them in turn


@dataclass(frozen=True)
class Point:
    at: dt.datetime
    score: Optional[int]
    hard_fails: int = 0
    record_id: Optional[int] = None


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str  # the tooltip: when and what
    record_id: Optional[int]


@dataclass(frozen=True)
class Line:
    name: str
    css: str
    points: str  # "x,y x,y ..." for <polyline points>
    dots: Tuple[Dot, ...]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass(frozen=True)
class Tick:
    pos: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lines: Tuple[Line, ...]
    bars: Tuple[Bar, ...] = ()
    x_ticks: Tuple[Tick, ...] = ()
    y_ticks: Tuple[Tick, ...] = ()  # score, left
    y2_ticks: Tuple[Tick, ...] = ()  # hard fails, right
    plot: Tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # left, top, right, bottom

    @property
    def empty(self) -> bool:
        return not any(line.dots for line in self.lines) and not self.bars


def _fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


class _Scale:
    def __init__(self, start: dt.datetime, end: dt.datetime, left: float, right: float) -> None:
        self.start, self.span = start, max((end - start).total_seconds(), 0.0)
        self.left, self.right = left, right

    def x(self, at: dt.datetime) -> float:
        if self.span == 0:
            return (self.left + self.right) / 2
        return self.left + (at - self.start).total_seconds() / self.span * (self.right - self.left)


def _score_y(score: int, top: float, bottom: float) -> float:
    return bottom - max(0, min(100, score)) / 100 * (bottom - top)


def sparkline(series: Mapping[str, Sequence[Point]], width: int = 96, height: int = 24) -> Chart:
    """A small chart of scores: one line per asset over the reports given, on one time scale."""
    pad = 2.0
    points = [p for ps in series.values() for p in ps if p.score is not None]
    if not points:
        return Chart(width, height, ())
    scale = _Scale(min(p.at for p in points), max(p.at for p in points), pad, width - pad)
    lines: List[Line] = []
    for i, (name, ps) in enumerate(sorted(series.items())):
        dots = tuple(
            Dot(round(scale.x(p.at), 1), round(_score_y(p.score, pad, height - pad), 1), f"{name} {p.at:%Y-%m-%d}: {p.score}", p.record_id)
            for p in sorted(ps, key=lambda p: p.at)
            if p.score is not None
        )
        lines.append(Line(name, f"s{i % PALETTE}", " ".join(f"{_fmt(d.x)},{_fmt(d.y)}" for d in dots), dots))
    return Chart(width, height, tuple(lines), plot=(pad, pad, width - pad, height - pad))


def history_chart(series: Mapping[str, Sequence[Point]], score_word: str, hard_fail_word: str, width: int = 720, height: int = 220) -> Chart:
    """Score lines per asset and a bar per report for its open hard-fail items, with date and value ticks."""
    left, right, top, bottom = 40.0, width - 40.0, 12.0, height - 28.0
    everything = sorted((p for ps in series.values() for p in ps), key=lambda p: p.at)
    if not everything:
        return Chart(width, height, (), plot=(left, top, right, bottom))
    start, end = everything[0].at, everything[-1].at
    scale = _Scale(start, end, left + 8, right - 8)
    most = max(1, max(p.hard_fails for p in everything))
    lines: List[Line] = []
    bars: List[Bar] = []
    bar_w = max(2.0, min(10.0, (right - left) / max(1, len(everything)) * 0.5))
    for i, (name, ps) in enumerate(sorted(series.items())):
        ordered = sorted(ps, key=lambda p: p.at)
        dots = tuple(
            Dot(round(scale.x(p.at), 1), round(_score_y(p.score, top, bottom), 1), f"{name} {p.at:%Y-%m-%d %H:%M}: {score_word} {p.score}", p.record_id)
            for p in ordered
            if p.score is not None
        )
        lines.append(Line(name, f"s{i % PALETTE}", " ".join(f"{_fmt(d.x)},{_fmt(d.y)}" for d in dots), dots))
        for p in ordered:
            if p.hard_fails:
                h = p.hard_fails / most * (bottom - top) * 0.5  # bars use the lower half, under the score lines' usual range
                x = scale.x(p.at) - bar_w / 2
                bars.append(Bar(round(x, 1), round(bottom - h, 1), round(bar_w, 1), round(h, 1), f"{name} {p.at:%Y-%m-%d %H:%M}: {hard_fail_word} {p.hard_fails}"))
    y_ticks = tuple(Tick(round(_score_y(v, top, bottom), 1), str(v)) for v in (0, 25, 50, 75, 100))
    y2_ticks = tuple(Tick(round(bottom - v / most * (bottom - top) * 0.5, 1), str(v)) for v in sorted({0, most // 2, most}))
    days = (end - start).total_seconds() / 86400
    stamp = "%Y-%m-%d" if days >= 2 or days == 0 else "%m-%d %H:%M"
    x_ticks = [Tick(round(scale.x(start), 1), f"{start:{stamp}}")]
    if end != start:
        middle = start + (end - start) / 2
        x_ticks += [Tick(round(scale.x(middle), 1), f"{middle:{stamp}}"), Tick(round(scale.x(end), 1), f"{end:{stamp}}")]
    return Chart(width, height, tuple(lines), tuple(bars), tuple(x_ticks), y_ticks, y2_ticks, (left, top, right, bottom))
