"""From an `Assessment` to `Finding`s, graded against the thresholds in data.

Rules (see ``assess/data/thresholds.toml`` for the numbers and sources):

* A metric that is missing (``value is None``), not ``reliable``, grade D,
  carries a quality reason the threshold excludes (e.g. AP sway from a
  frontal view), or is a frontal-plane angle from a non-frontal view gives a
  "could not assess" finding (``assessed=False``) that shows no value.
* Per-side values come from the per-side summary metric when present, else
  from each stance (or squat repetition) on that side, aggregated as the
  threshold says, using only usable values.
* Hold time is the best stance per side against the age-band norm; a stance
  cut short by the end of the clip or lost tracking, below the norm, is not
  assessed (the person may have held longer).
* BESS-style errors: events in the first 20 s of each stance, per 20 s; a
  stance under 5 s scores 10 (BESS rule); mean over the side's stances.
* Left-right asymmetry compares the per-side values behind a finding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..assessment import Assessment, Grade, Metric, Quality, Side, StanceTrial
from ..landmarks import other_side
from .records import Confidence, Finding
from .tables import AsymmetryRule, Severity, Threshold, Thresholds

CONFIDENCE: dict[str, Confidence] = {"A": "high", "B": "moderate", "C": "low"}
FRONTAL_FAMILIES = ("knee", "pelvis", "trunk")
BESS_TRIAL_S = 20.0
BESS_MIN_S = 5.0
BESS_MAX = 10.0
SIDES: tuple[Side, ...] = ("left", "right")


@dataclass(frozen=True)
class Reading:
    """A usable per-side value (the input of a finding and of asymmetry)."""

    code: str
    side: Side
    value: float
    unit: str
    grade: Grade
    metric: str | None
    reasons: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _Unusable:
    reasons: tuple[tuple[str, str], ...]
    metric: str | None = None


# ------------------------------------------------------------------ formatting
def format_value(value: float, unit: str) -> str:
    """A number rounded for people: degrees and seconds whole, cm one decimal, bh three."""
    if unit in ("deg", "errors/20 s", "count", "cm2"):
        return f"{value:.0f}"
    if unit == "s":
        return f"{value:.0f}" if abs(value) >= 10 else f"{value:.1f}"
    if unit.startswith("bh"):
        return f"{value:.3f}"
    return f"{value:.1f}"


def unit_label(unit: str) -> str:
    """Unit as printed after a number."""
    return {"deg": "°", "cm2": " cm²", "bh": " body heights", "bh/s": " body heights/s"}.get(unit, f" {unit}")


def _side_abbr(side: Side | None) -> str:
    return {"left": "L", "right": "R"}.get(side or "", "")


def _sex_word(sex: str | None) -> str:
    return {"female": "women", "male": "men"}.get(sex or "", "adults")


# ------------------------------------------------------------------ grading
def grade_severity(value: float, cuts: dict[Severity, float], direction: str) -> Severity:
    """Severity of ``value`` for ``cuts``: strictly beyond a cut takes that severity."""
    for sev in ("marked", "moderate", "mild"):
        cut = cuts[sev]  # type: ignore[index]
        if (direction == "higher" and value > cut) or (direction == "lower" and value < cut):
            return sev  # type: ignore[return-value]
    return "none"


def _usable(q: Quality) -> bool:
    return q.reliable and q.grade != "D"


def _reason_pairs(q: Quality) -> tuple[tuple[str, str], ...]:
    return tuple((r.code, r.message) for r in q.reasons)


def _worst(grades: list[Grade]) -> Grade:
    return max(grades, key="ABCD".index)


_AGGREGATES: dict[str, Callable[[NDArray[np.float64]], Any]] = {"mean": np.mean, "median": np.median, "max": np.max, "min": np.min}


def _aggregate(values: list[float], how: str) -> float:
    return float(_AGGREGATES[how](np.asarray(values, dtype=np.float64)))


# ------------------------------------------------------------------ reading values
def _candidates(a: Assessment, name: str, side: Side) -> list[Metric]:
    """The metric ``name`` on ``side``: the summary one, else per stance, else per repetition."""
    m = a.summary_metric(name, side)
    if m is not None:
        return [m]
    per_stance = [x for s in a.stances_on(side) if (x := s.metric(name)) is not None]
    if per_stance:
        return per_stance
    return [x for r in a.reps if r.side == side for x in r.metrics if x.name == name]


def read_metric(a: Assessment, code: str, names: tuple[str, ...], side: Side, *, aggregate: str) -> Reading | _Unusable | None:
    """The usable value of the first metric in ``names`` found on ``side``.

    Returns None when none of the names is in the Assessment (nothing to say),
    an :class:`_Unusable` when it is there but cannot be used.
    """
    for name in names:
        found = _candidates(a, name, side)
        if not found:
            continue
        good = [m for m in found if m.value is not None and _usable(m.quality)]
        if not good:
            reasons = tuple(dict.fromkeys(p for m in found for p in _reason_pairs(m.quality)))
            return _Unusable(reasons or (("not_reliable", "The measurement was not reliable."),), name)
        units = {m.unit for m in good}
        if len(units) > 1:
            return _Unusable((("mixed_units", f"{name} came in several units ({', '.join(sorted(units))})."),), name)
        value = _aggregate([float(m.value) for m in good], aggregate)  # type: ignore[arg-type]
        grade = _worst([m.quality.grade for m in good])
        reasons = tuple(dict.fromkeys(p for m in good for p in _reason_pairs(m.quality)))
        return Reading(code, side, value, good[0].unit, grade, name, reasons)
    return None


# ------------------------------------------------------------------ building findings
@dataclass(frozen=True)
class Context:
    """What the wording and threshold choice depend on."""

    mode: str
    age_band: str
    sex: str | None
    eyes: str
    frontal_ok: bool
    hands_on_hips: bool


def _fill(template: str, **fields: str) -> str:
    return template.format(**fields)


def _fields(
    ctx: Context, side: Side | None, value: float | None, unit: str, row: Threshold, *, cut: float | None, typical: float | None
) -> dict[str, str]:
    fmt = lambda v: format_value(v, unit)  # noqa: E731
    return {
        "side": side or "",
        "other_side": other_side(side) if side else "",
        "side_abbr": _side_abbr(side),
        "value": fmt(value) if value is not None else "—",
        "unit": unit,
        "threshold": fmt(cut) if cut is not None else "—",
        "typical": fmt(typical) if typical is not None else "—",
        "norm": fmt(typical) if typical is not None else "—",
        "age_band": ctx.age_band.replace("-", "–"),
        "eyes": ctx.eyes,
        "who": _sex_word(ctx.sex if row.sex else None),
    }


def not_assessed(
    code: str,
    title: str,
    family: str,
    side: Side | None,
    row: Threshold | None,
    reasons: tuple[tuple[str, str], ...],
    *,
    metric: str | None = None,
    unit: str = "",
    source: str = "",
    basis: str = "heuristic",
) -> Finding:
    """A "could not assess" item: says why, shows no value."""
    where = f" on your {side} side" if side else ""
    msgs = tuple(m for _, m in reasons)
    plain = f"We could not assess {title[0].lower() + title[1:]}{where}: " + " ".join(msgs)
    clinical = f"{title} {_side_abbr(side)}: not assessed ({'; '.join(c for c, _ in reasons)})".replace("  ", " ")
    return Finding(
        id=f"{code}.{side}" if side else code,
        code=code,
        title=title,
        family=family,
        side=side,
        assessed=False,
        severity=None,
        value=None,
        unit=row.unit if row else unit,
        threshold=None,
        direction=row.direction if row else "higher",
        cuts=(),
        typical=None,
        basis=row.basis if row else basis,  # type: ignore[arg-type]
        source=row.source if row else source,
        cut_basis=row.cut_basis if row else "",
        confidence=None,
        grade=None,
        metric=metric,
        plain=plain,
        clinical=clinical,
        label=title[0].lower() + title[1:],
        reasons=msgs,
        reason_codes=tuple(c for c, _ in reasons),
    )


def _graded(
    ctx: Context,
    row: Threshold,
    r: Reading,
    *,
    scale: float = 1.0,
    typical: float | None = None,
    extra_reasons: tuple[tuple[str, str], ...] = (),
    details: tuple[tuple[str, float], ...] = (),
) -> Finding:
    cuts = row.cuts(scale)
    sev = grade_severity(r.value, cuts, row.direction)
    typical = row.typical if typical is None else typical
    f = _fields(ctx, r.side, r.value, r.unit, row, cut=cuts["mild"], typical=typical)
    plain = _fill(row.plain_ok if sev == "none" else row.plain, **f) + "."
    clinical = _fill(row.clinical, **f) + f" — {sev}; grade {r.grade} [{row.basis}]"
    reasons = tuple(dict.fromkeys(r.reasons + extra_reasons))
    return Finding(
        id=f"{row.code}.{r.side}",
        code=row.code,
        title=row.title,
        family=row.family,
        side=r.side,
        assessed=True,
        severity=sev,
        value=r.value,
        unit=r.unit,
        threshold=cuts["mild"],
        direction=row.direction,
        cuts=tuple(cuts.items()),
        typical=typical,
        basis=row.basis,
        source=row.source,
        cut_basis=row.cut_basis,
        confidence=CONFIDENCE[r.grade],
        grade=r.grade,
        metric=r.metric,
        plain=plain,
        clinical=clinical,
        label=_fill(row.label, **f),
        details=details,
        reasons=tuple(m for _, m in reasons),
        reason_codes=tuple(c for c, _ in reasons),
    )


def _metric_finding(a: Assessment, ctx: Context, rows: tuple[Threshold, ...], side: Side) -> tuple[Finding | None, Reading | None]:
    first = rows[0]
    if first.hands_on_hips and not ctx.hands_on_hips:
        return None, None  # arms were free by the protocol: nothing to compare
    names = tuple(dict.fromkeys(n for row in rows for n in row.metrics))
    got = read_metric(a, first.code, names, side, aggregate=first.aggregate)
    if got is None:
        return None, None
    if isinstance(got, _Unusable):
        return not_assessed(first.code, first.title, first.family, side, first, got.reasons, metric=got.metric), None
    if first.family in FRONTAL_FAMILIES and not ctx.frontal_ok:
        why = (("not_frontal_view", f"The camera did not face you ({a.view.view} view), so this angle cannot be measured."),)
        return not_assessed(first.code, first.title, first.family, side, first, why, metric=got.metric), None
    row = next((r for r in rows if r.unit == got.unit and got.metric in r.metrics), None)
    if row is None:
        why = (("no_threshold_for_unit", f"There is no threshold for values in {got.unit} (lengths could not be converted to cm)."),)
        return not_assessed(first.code, first.title, first.family, side, first, why, metric=got.metric), got
    excluded = tuple(p for p in got.reasons if p[0] in row.exclude_reasons)
    if excluded:
        return not_assessed(row.code, row.title, row.family, side, row, excluded, metric=got.metric), None
    if row.aggregate != first.aggregate:
        got = read_metric(a, row.code, (got.metric,), side, aggregate=row.aggregate)  # type: ignore[arg-type,assignment]
        assert isinstance(got, Reading)
    return _graded(ctx, row, got), got


def _best_stance(stances: tuple[StanceTrial, ...]) -> StanceTrial:
    return max(stances, key=lambda s: s.duration_s)


def _hold_finding(a: Assessment, ctx: Context, th: Thresholds, row: Threshold, side: Side) -> tuple[Finding | None, Reading | None]:
    stances = a.stances_on(side)
    if not stances:
        return None, None
    best = _best_stance(stances)
    m = best.metric("stance_duration")
    q = m.quality if m is not None else best.quality
    if not _usable(q):
        return not_assessed(row.code, row.title, row.family, side, row, _reason_pairs(q), metric="stance_duration"), None
    norm = th.norm(age_band=ctx.age_band, eyes=ctx.eyes)
    reading = Reading(row.code, side, best.duration_s, "s", q.grade, "stance_duration", _reason_pairs(q))
    if norm is None:
        why = (("no_norm", f"No norm is stored for eyes {ctx.eyes}, ages {ctx.age_band}."),)
        return not_assessed(row.code, row.title, row.family, side, row, why, metric="stance_duration"), reading
    if best.duration_s < norm.seconds and best.ended_by != "touch_down":
        d = format_value(best.duration_s, "s")
        msg = {
            "end_of_clip": f"The video ended while you were still standing ({d} s); record at least 45 s.",
            "tracking_lost": f"We lost sight of you after {d} s, before your foot came down.",
        }.get(best.ended_by, f"The stance ended by {best.ended_by.replace('_', ' ')} after {d} s, not by your foot coming down.")
        return not_assessed(row.code, row.title, row.family, side, row, ((best.ended_by, msg),), metric="stance_duration"), None
    details = (("norm_s", norm.seconds), ("trials", float(len(stances))))
    f = _graded(ctx, row, reading, scale=norm.seconds, typical=norm.seconds, details=details)
    return f, reading


def _bess_score(s: StanceTrial) -> float:
    if s.duration_s < BESS_MIN_S:
        return BESS_MAX
    n = sum(1 for e in s.events if e.time_s - s.lift_off_s <= BESS_TRIAL_S)
    return min(BESS_MAX, n * BESS_TRIAL_S / min(s.duration_s, BESS_TRIAL_S))


def _events_finding(a: Assessment, ctx: Context, row: Threshold, side: Side) -> tuple[Finding | None, Reading | None]:
    stances = a.stances_on(side)
    if not stances:
        return None, None
    good = [s for s in stances if _usable(s.quality)]
    if not good:
        reasons = tuple(dict.fromkeys(p for s in stances for p in _reason_pairs(s.quality)))
        return not_assessed(row.code, row.title, row.family, side, row, reasons), None
    scores = [_bess_score(s) for s in good]
    grade = _worst([s.quality.grade for s in good])
    reasons = tuple(dict.fromkeys(p for s in good for p in _reason_pairs(s.quality)))
    reading = Reading(row.code, side, _aggregate(scores, "mean"), row.unit, grade, None, reasons)
    kinds = sorted({e.kind for s in good for e in s.events})
    details = tuple((f"trial_{s.index}", v) for s, v in zip(good, scores, strict=True))
    f = _graded(ctx, row, reading, details=details)
    if kinds:
        f = _with_clinical_suffix(f, f" (events: {', '.join(kinds)})")
    return f, reading


def _with_clinical_suffix(f: Finding, suffix: str) -> Finding:
    from dataclasses import replace

    return replace(f, clinical=f.clinical + suffix)


def _rows_for(th: Thresholds, code: str, ctx: Context) -> tuple[Threshold, ...]:
    rows = [r for r in th.rows(code) if ctx.mode in r.modes and r.sex in (ctx.sex, None)]
    if ctx.sex is not None:  # a sex-specific row wins over the any-sex row with the same unit
        specific = {r.unit for r in rows if r.sex == ctx.sex}
        rows = [r for r in rows if r.sex == ctx.sex or r.unit not in specific]
    return tuple(rows)


def _asymmetry_finding(rule: AsymmetryRule, readings: dict[Side, Reading], ctx: Context) -> Finding | None:
    left, right = readings.get("left"), readings.get("right")
    if left is None or right is None or left.unit != right.unit:
        return None
    unit = left.unit
    abs_cut = rule.abs_cut(unit)
    diff = abs(left.value - right.value)
    positive = left.value > 0 and right.value > 0
    si = 100.0 * diff / (0.5 * (abs(left.value) + abs(right.value))) if positive else None
    tests: list[tuple[float, float]] = []
    if abs_cut is not None:
        tests.append((diff, abs_cut))
    if rule.min_si_pct is not None and si is not None:
        tests.append((si, rule.min_si_pct))
    if not tests:
        return None
    worse, better = (left, right) if (left.value > right.value) == (rule.direction == "higher") else (right, left)
    sev: Severity = "none"
    if all(v > c for v, c in tests):
        sev = "moderate" if all(v > 2 * c for v, c in tests) else "mild"
    grade = _worst([left.grade, right.grade])
    fmt = lambda v: format_value(v, unit)  # noqa: E731
    fields = {
        "side": worse.side,
        "side_abbr": _side_abbr(worse.side),
        "worse_value": fmt(worse.value),
        "better_value": fmt(better.value),
        "unit": unit_label(unit).strip(),
    }
    plain = rule.plain.format(**fields) + (" — within the expected range." if sev == "none" else ".")
    si_txt = f", SI {si:.0f}%" if si is not None else ""
    clinical = rule.clinical.format(**fields) + f" — |Δ| {fmt(diff)} {unit}{si_txt}; {sev}; grade {grade} [{rule.basis}]"
    details: tuple[tuple[str, float], ...] = (("left", left.value), ("right", right.value))
    if si is not None:
        details += (("si_pct", si),)
    cuts = tuple(("mild", c) for c in ([abs_cut] if abs_cut is not None else []))
    return Finding(
        id=f"{rule.code}.{worse.side}" if sev != "none" else rule.code,
        code=rule.code,
        title=rule.title,
        family="asymmetry",
        side=worse.side if sev != "none" else None,
        assessed=True,
        severity=sev,
        value=diff,
        unit=unit,
        threshold=abs_cut,
        direction="higher",
        cuts=cuts,
        typical=None,
        basis=rule.basis,
        source=rule.source,
        cut_basis=f"min |Δ| {abs_cut} {unit}" if abs_cut is not None else f"min SI {rule.min_si_pct}%",
        confidence=CONFIDENCE[grade],
        grade=grade,
        metric=worse.metric,
        plain=plain,
        clinical=clinical,
        label=rule.label.format(**fields),
        details=details,
    )


def detect_findings(a: Assessment, ctx: Context, th: Thresholds) -> tuple[Finding, ...]:
    """Every finding (and "could not assess" item) for an Assessment with stances.

    Parameters
    ----------
    a : the Assessment (``no_stance`` must be None; see :func:`assess.findings.build_plan`).
    ctx : mode, age band, sex, eyes, view, protocol.
    th : the threshold tables.

    Returns
    -------
    Findings per code and side in the order of thresholds.toml, then asymmetry.
    """
    sides = tuple(s for s in SIDES if a.stances_on(s))
    out: list[Finding] = []
    readings: dict[str, dict[Side, Reading]] = {}
    for code in th.codes:
        rows = _rows_for(th, code, ctx)
        if not rows:
            continue
        for side in sides:
            row = rows[0]
            if row.kind == "hold":
                f, r = _hold_finding(a, ctx, th, row, side)
            elif row.kind == "events":
                f, r = _events_finding(a, ctx, row, side)
            else:
                f, r = _metric_finding(a, ctx, rows, side)
            if f is not None:
                out.append(f)
            if r is not None:
                readings.setdefault(code, {})[side] = r
    for rule in th.asymmetry:
        f = _asymmetry_finding(rule, readings.get(rule.of, {}), ctx)
        if f is not None:
            out.append(f)
    return tuple(out)


__all__ = ["Context", "Reading", "detect_findings", "format_value", "grade_severity", "not_assessed", "read_metric", "unit_label"]
