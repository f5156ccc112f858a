"""Change over time, from stored sessions and headline numbers (pure functions, no I/O).

Only like is compared with like: a trend is one headline metric, one leg (or
the left–right difference), one test type and one eyes condition, in one unit.
Every change is judged against the metric's smallest detectable change
(:mod:`assess.records.sdc`), so a change inside measurement error is never
called progress.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .headline import HEADLINES
from .sdc import VERDICT_TEXT, Sdc, Verdict, judge, sdc_for
from .store import MetricRow, Session

SIDE_LABEL = {"left": "left leg", "right": "right leg", "diff": "left–right difference"}
UNIT_TEXT = {"deg": "°", "s": " s", "cm": " cm", "cm/s": " cm/s", "bh": " bh", "bh/s": " bh/s"}


def fmt(value: float | None, unit: str, *, reliable: bool = True) -> str:
    """``12.3°``, ``9.9 s``; ``—`` for None; in brackets when unreliable."""
    if value is None:
        return "—"
    text = f"{value:.1f}{UNIT_TEXT.get(unit, f' {unit}')}"
    return text if reliable else f"({text})"


def condition(session: Session) -> str:
    """``"stance, eyes open"`` — the comparison group of a session."""
    return f"{session.test}, eyes {session.eyes}"


@dataclass(frozen=True)
class Point:
    """One session's value in a trend, with the verdict against the first session (baseline)."""

    session_id: int
    recorded_at: str
    value: float | None
    reliable: bool
    grade: str
    change: float | None
    verdict: Verdict


@dataclass(frozen=True)
class Trend:
    """One metric on one leg over a patient's sessions of one test type and eyes condition.

    points : oldest first; the first is the baseline. left_out : sessions measured
    in another unit (e.g. body heights when no height was known), not comparable.
    """

    key: str
    label: str
    side: str
    test: str
    eyes: str
    unit: str
    sdc: Sdc
    points: tuple[Point, ...]
    left_out: int = 0

    @property
    def baseline(self) -> Point | None:
        return next((p for p in self.points if p.value is not None), None)


def trends(sessions: Sequence[Session], rows: Sequence[MetricRow], *, test: str, eyes: str) -> list[Trend]:
    """Every trend (headline metric × leg/difference) with at least one value, for one test type and eyes condition."""
    chosen = [s for s in sessions if s.test == test and s.eyes == eyes]
    by = {(r.session_id, r.key, r.side): r for r in rows}
    out = []
    for h in HEADLINES:
        for side in ("left", "right", "diff"):
            found = [(s, by[(s.id, h.key, side)]) for s in chosen if (s.id, h.key, side) in by]
            if not found:
                continue
            unit = found[-1][1].unit  # the latest unit wins; others are not comparable
            same = [(s, r) for s, r in found if r.unit == unit]
            base = next((r for _, r in same if r.value is not None), None)
            points: list[Point] = []
            verdict: Verdict
            for s, r in same:
                if r is base:
                    change, verdict = 0.0, "baseline"
                elif base is None or r.value is None or base.value is None:
                    change, verdict = None, "missing"
                else:
                    change = r.value - base.value
                    verdict = judge(h.key, base.value, r.value, unit=unit, reliable=base.reliable and r.reliable, side=side)
                points.append(Point(s.id, s.recorded_at, r.value, r.reliable, r.grade, change, verdict))
            out.append(Trend(h.key, h.label, side, test, eyes, unit, sdc_for(h.key, unit, side), tuple(points), len(found) - len(same)))
    return out


def conditions(sessions: Sequence[Session]) -> list[tuple[str, str]]:
    """The (test, eyes) groups present, most sessions first."""
    counts: dict[tuple[str, str], int] = {}
    for s in sessions:
        counts[(s.test, s.eyes)] = counts.get((s.test, s.eyes), 0) + 1
    return sorted(counts, key=lambda k: -counts[k])


@dataclass(frozen=True)
class Comparison:
    """One metric and leg in two sessions: ``change = b − a`` and its verdict."""

    key: str
    label: str
    side: str
    unit: str
    a: float | None
    b: float | None
    a_reliable: bool
    b_reliable: bool
    change: float | None
    verdict: Verdict
    sdc: Sdc


def compare(a: Session, b: Session, rows: Sequence[MetricRow]) -> list[Comparison]:
    """Side-by-side headline numbers of sessions ``a`` (earlier) and ``b`` (later).

    Sessions of different test types or eyes conditions are shown but not judged
    (verdict ``not_judged``): their numbers are not comparable.
    """
    by = {(r.session_id, r.key, r.side): r for r in rows}
    comparable = (a.test, a.eyes) == (b.test, b.eyes)
    out = []
    for h in HEADLINES:
        for side in ("left", "right", "diff"):
            ra, rb = by.get((a.id, h.key, side)), by.get((b.id, h.key, side))
            if ra is None and rb is None:
                continue
            unit = (rb or ra).unit  # type: ignore[union-attr]
            va = ra.value if ra is not None and ra.unit == unit else None
            vb = rb.value if rb is not None else None
            change = vb - va if va is not None and vb is not None else None
            rel_a, rel_b = ra is not None and ra.reliable, rb is not None and rb.reliable
            verdict: Verdict = judge(h.key, va, vb, unit=unit, reliable=rel_a and rel_b, side=side) if comparable else "not_judged"
            out.append(Comparison(h.key, h.label, side, unit, va, vb, rel_a, rel_b, change, verdict, sdc_for(h.key, unit, side)))
    return out


def history_table(sessions: Sequence[Session], rows: Sequence[MetricRow]) -> tuple[list[str], list[list[str]]]:
    """Header and text rows: one row per session, headline numbers per leg (brackets = unreliable).

    Columns of a leg that no session tested are left out.
    """
    by = {(r.session_id, r.key, r.side): r for r in rows}
    header = ["#", "date", "test", "eyes", "grade", "video"]
    cols = []
    for h in HEADLINES:
        for side, short in (("left", "L"), ("right", "R")):
            header.append(f"{h.short} {short}")
            cols.append((h.key, side))
    table = []
    for s in sessions:
        cells = [str(s.id), s.recorded_at[:16].replace("T", " "), s.test, s.eyes, s.grade or "—", s.video_name or "—"]
        for key, side in cols:
            r = by.get((s.id, key, side))
            cells.append("" if r is None else fmt(r.value, r.unit, reliable=r.reliable))
        table.append(cells)
    keep = [i for i in range(len(header)) if i < 6 or any(row[i] for row in table)]  # no column for a leg never tested
    return [header[i] for i in keep], [[row[i] for i in keep] for row in table]


def verdict_text(verdict: Verdict) -> str:
    """Plain-language verdict."""
    return VERDICT_TEXT[verdict]
