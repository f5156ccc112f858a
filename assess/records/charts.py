"""Trend charts: one headline metric over a patient's sessions, per leg, with the SDC band.

The band is the first session's value ± the smallest detectable change: a later
point inside it is within measurement error. Metrics without a published SDC
get no band and say so on the chart. Hollow markers = unreliable measurements.
"""

from __future__ import annotations

import datetime as _dt

import matplotlib.dates as mdates
from matplotlib.figure import Figure

from ..plots import SIDE_COLOURS
from .progress import SIDE_LABEL, UNIT_TEXT, Trend

DIFF_COLOUR = "#555555"


def _when(text: str) -> _dt.datetime:
    try:
        t = _dt.datetime.fromisoformat(text)
    except ValueError:
        return _dt.datetime(1970, 1, 1)
    return t.replace(tzinfo=None)


def trend_figure(trends: list[Trend], *, title: str | None = None) -> Figure:
    """One chart of ``trends`` (same metric, same unit: e.g. the left and right leg), SDC bands shaded.

    Parameters
    ----------
    trends : from :func:`assess.records.progress.trends`, all with the same ``key`` and ``unit``.
    title : defaults to the metric's label and condition.
    """
    fig = Figure(figsize=(6.4, 3.0), dpi=100)
    ax = fig.subplots()
    first = trends[0]
    unit = UNIT_TEXT.get(first.unit, f" {first.unit}").strip()
    for tr in trends:
        colour = SIDE_COLOURS.get(tr.side, DIFF_COLOUR)
        pts = [p for p in tr.points if p.value is not None]
        if not pts:
            continue
        xs = mdates.date2num([_when(p.recorded_at) for p in pts])
        ys = [float(p.value or 0.0) for p in pts]
        ax.plot(xs, ys, "-", color=colour, lw=1.5, label=SIDE_LABEL[tr.side])
        ax.xaxis_date()
        for x, y, p in zip(xs, ys, pts, strict=True):
            ax.plot([x], [y], "o", ms=7, mec=colour, mfc=colour if p.reliable else "white", mew=1.5)
        base = tr.baseline
        if tr.sdc.value is not None and base is not None and base.value is not None:
            lo, hi = base.value - tr.sdc.value, base.value + tr.sdc.value
            ax.axhspan(lo, hi, color=colour, alpha=0.12, lw=0)
            ax.axhline(base.value, color=colour, lw=0.8, ls=":")
    _min_span(ax)
    s = first.sdc
    note = (
        f"band: first session {s.label}" if s.value is not None else "no published smallest detectable change: no band, changes not judged"
    )
    ax.set_title(title or f"{first.label} — {first.test}, eyes {first.eyes}", fontsize=10)
    ax.set_ylabel(unit)
    ax.set_xlabel(note + " · hollow marker = unreliable", fontsize=7, color="#444444")
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def _min_span(ax: object, *, fraction: float = 0.25) -> None:
    """Keep the y-range at least ``fraction`` of the largest |value| wide, so noise-sized changes do not look like steps."""
    lo, hi = ax.get_ylim()  # type: ignore[attr-defined]
    need = fraction * max(abs(lo), abs(hi))
    if hi - lo < need:
        mid = 0.5 * (lo + hi)
        ax.set_ylim(mid - need / 2, mid + need / 2)  # type: ignore[attr-defined]


def figures(all_trends: list[Trend]) -> list[tuple[str, Figure]]:
    """One figure per metric (left and right legs together) and one per left–right difference, with a title each."""
    groups: dict[tuple[str, str, str], list[Trend]] = {}
    for tr in all_trends:
        groups.setdefault((tr.key, "diff" if tr.side == "diff" else "legs", tr.unit), []).append(tr)
    out = []
    for (_, kind, _), trs in groups.items():
        t0 = trs[0]
        title = f"{t0.label}{' — left–right difference' if kind == 'diff' else ''} ({t0.test}, eyes {t0.eyes})"
        out.append((title, trend_figure(trs, title=title)))
    return out
