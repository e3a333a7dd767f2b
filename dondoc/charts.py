"""Small charts drawn on the server as SVG text: no JavaScript, readable by a screen reader. Pure.

:func:`rates_chart` draws the reporting rate and the on-time rate of an
obligation across its periods as pairs of bars on a 0–100% scale. The
``<title>`` and ``<desc>`` say everything the bars show (each rate with its
numerator and denominator), every bar carries its own ``<title>`` (a tooltip)
and ``data-*`` attributes, and labels are Vietnamese (English with
``lang="en"``). Every text that comes from outside (period labels, the title)
is escaped. Only presentation attributes, no ``style``: a strict
Content-Security-Policy allows it inline.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Protocol

from dondoc.vocabulary import percent

__all__ = ["RatePoint", "rate_points", "rates_chart"]

SERIES = (  # key, (Vietnamese, English), fill: two colours apart for colour-blind readers (blue, orange)
    ("reporting", ("Tỷ lệ báo cáo", "reporting rate"), "#1f5fa8"),
    ("on-time", ("Tỷ lệ đúng hạn", "on-time rate"), "#c8641b"),
)
WORDS = {
    "no_data": ("không có đơn vị phải báo cáo", "no agency required"),
    "desc": (
        "Biểu đồ cột: tỷ lệ báo cáo và tỷ lệ đúng hạn theo kỳ, trên số đơn vị phải báo cáo (không tính "
        "đơn vị được miễn).",
        "Bar chart: reporting and on-time rates by period, out of the agencies "
        "required to report (excused ones left out).",
    ),
    "of": ("trên", "of"),
}

PLOT_HEIGHT = 120
BAR_WIDTH = 18
GROUP_GAP = 40  # a period label on two lines of about 12 letters fits under its pair of bars
LEFT, TOP, BOTTOM = 40, 28, 42
FONT_SIZE = 10
LEGEND_STEP, LEGEND_SWATCH = 110, 14  # an entry's start to the next one's; its text starts after the swatch
LETTER_WIDTH = 0.62  # of the font size: a safe upper estimate of a sans-serif letter (no font metrics here)


@dataclass(frozen=True)
class RatePoint:
    """One period: its label, the two rates (percent, None when nothing was required), their numerators and
    their denominator."""

    label: str
    reporting_rate: float | None
    on_time_rate: float | None
    submitted: int
    on_time: int
    required: int


class _Counts(Protocol):
    @property
    def reporting_rate(self) -> float | None: ...
    @property
    def on_time_rate(self) -> float | None: ...
    @property
    def submitted(self) -> int: ...
    @property
    def on_time(self) -> int: ...
    @property
    def required(self) -> int: ...


class _Period(Protocol):
    """What a chart reads of a period (the console's ``PeriodSummary``; this module imports nothing of the views)."""

    @property
    def period_label(self) -> str: ...
    @property
    def counts(self) -> _Counts: ...


def rate_points(periods: Iterable[_Period]) -> list[RatePoint]:
    """The points of an overview's periods (:class:`dondoc.operations.views.PeriodSummary`), in their order."""
    return [
        RatePoint(
            p.period_label,
            p.counts.reporting_rate,
            p.counts.on_time_rate,
            p.counts.submitted,
            p.counts.on_time,
            p.counts.required,
        )
        for p in periods
    ]


def _safe_id(text: str) -> str:
    return re.sub(r"[^a-z0-9-]", "-", text.lower())[:60] or "chart"


def _said(point: RatePoint, lang: str) -> str:
    """One period in words: "6 tháng đầu năm 2025: tỷ lệ báo cáo 85,4% (170/199), tỷ lệ đúng hạn 70,9% (141/199)"."""
    en = lang == "en"
    if point.required == 0:
        return f"{point.label}: {WORDS['no_data'][en]}"
    parts = [
        f"{names[en].lower()} {percent(value)} ({count}/{point.required})"
        for (_, names, _), value, count in zip(
            SERIES, (point.reporting_rate, point.on_time_rate), (point.submitted, point.on_time), strict=True
        )
    ]
    return f"{point.label}: {', '.join(parts)}"


def _two_lines(label: str) -> list[str]:
    """A label cut at the space nearest its middle ("6 tháng đầu" / "năm 2025"); a short one stays whole."""
    if len(label) <= 12 or " " not in label:
        return [label]
    cut = min((i for i, c in enumerate(label) if c == " "), key=lambda i: abs(i - len(label) / 2))
    return [label[:cut], label[cut + 1 :]]


def _legend_end(en: bool) -> float:
    """Where the legend's last text ends, estimated: a chart with one or two periods must be at least this wide."""
    last = len(SERIES) - 1
    return LEFT + last * LEGEND_STEP + LEGEND_SWATCH + len(SERIES[last][1][en]) * FONT_SIZE * LETTER_WIDTH


def rates_chart(points: Sequence[RatePoint], *, title: str, lang: str = "vi", chart_id: str = "rates") -> str:
    """An SVG (a string to put in a page as it is) of the two rates across ``points``, oldest first."""
    en = lang == "en"
    ident = _safe_id(chart_id)
    group = 2 * BAR_WIDTH + GROUP_GAP
    width = max(LEFT + max(len(points), 1) * group, math.ceil(_legend_end(en))) + 10
    height = TOP + PLOT_HEIGHT + BOTTOM
    base = TOP + PLOT_HEIGHT
    desc = WORDS["desc"][en] + " " + "; ".join(_said(p, lang) for p in points) + "."
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'font-family="sans-serif" font-size="{FONT_SIZE}">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
    ]
    for tick in (0, 50, 100):  # the scale
        y = base - PLOT_HEIGHT * tick / 100
        out.append(f'<line x1="{LEFT}" y1="{y:g}" x2="{width - 10}" y2="{y:g}" stroke="#bbbbbb" stroke-width="1"/>')
        out.append(f'<text x="{LEFT - 4}" y="{y + 3:g}" text-anchor="end" fill="#333333">{tick}%</text>')
    for i, point in enumerate(points):
        x0 = LEFT + i * group + GROUP_GAP / 2
        for j, ((key, names, fill), value) in enumerate(
            zip(SERIES, (point.reporting_rate, point.on_time_rate), strict=True)
        ):
            x = x0 + j * BAR_WIDTH
            if value is None:
                continue
            bar = PLOT_HEIGHT * max(0.0, min(value, 100.0)) / 100
            words = escape(f"{point.label} — {names[en]}: {percent(value)}")
            out.append(
                f'<rect x="{x:g}" y="{base - bar:g}" width="{BAR_WIDTH - 2}" height="{bar:g}" fill="{fill}" '
                f'data-series="{key}" data-period="{escape(point.label)}" data-value="{value:g}">'
                f"<title>{words}</title></rect>"
            )
            out.append(
                f'<text x="{x + (BAR_WIDTH - 2) / 2:g}" y="{base - bar - 3:g}" text-anchor="middle" '
                f'font-size="8" fill="#333333" aria-hidden="true">{value:.0f}</text>'
            )
        lines = _two_lines(point.label)
        out.append(
            f'<text x="{x0 + BAR_WIDTH:g}" y="{base + 14}" text-anchor="middle" fill="#333333">'
            + "".join(
                f'<tspan x="{x0 + BAR_WIDTH:g}" dy="{0 if n == 0 else 12}">{escape(line)}</tspan>'
                for n, line in enumerate(lines)
            )
            + "</text>"
        )
        if point.required == 0:
            out.append(f'<text x="{x0 + BAR_WIDTH:g}" y="{base - 4}" text-anchor="middle" fill="#666666">–</text>')
    for j, (key, names, fill) in enumerate(SERIES):  # the legend, over the plot
        x = LEFT + j * LEGEND_STEP
        out.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{fill}" data-legend="{key}"/>')
        out.append(f'<text x="{x + LEGEND_SWATCH}" y="15" fill="#333333">{escape(names[en])}</text>')
    out.append("</svg>")
    return "".join(out)
