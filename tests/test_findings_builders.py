"""Hand-built Assessments for the findings and plan tests (builders only; no tests here).

Values are per-side summary metrics (the form ``assess.metrics`` produces);
each helper states units and sign conventions as in ``assess/assessment.py``.
"""

from __future__ import annotations

from assess.assessment import (
    Assessment,
    BalanceEvent,
    CameraView,
    Grade,
    Metric,
    Quality,
    Reason,
    ScaleInfo,
    Side,
    SquatRep,
    StanceTrial,
)

FAMILY = {
    "stance_duration": ("s", "timing"),
    "com_sway_ml_velocity": ("cm/s", "sway"),
    "com_sway_ap_velocity": ("cm/s", "sway"),
    "com_sway_ellipse95": ("cm2", "sway"),
    "fppa_image_p95": ("deg", "knee"),
    "fppa_image_at_depth_rep_mean": ("deg", "knee"),
    "fppa_image_at_depth": ("deg", "knee"),
    "pelvic_drop_p95": ("deg", "pelvis"),
    "pelvic_drop_height_p95": ("cm", "pelvis"),
    "trunk_lean_p95": ("deg", "trunk"),
    "foot_wobble_rms": ("cm", "foot"),
    "arm_excursion_max": ("cm", "arms"),
}

AP_REASON = Reason("ap_from_frontal_view", "Forward–backward sway is estimated from depth, which a front-facing camera sees poorly.")


def quality(grade: Grade = "A", *, reliable: bool | None = None, reasons: tuple[Reason, ...] = ()) -> Quality:
    """A Quality; ``reliable`` defaults to ``grade != "D"``."""
    return Quality(grade, grade != "D" if reliable is None else reliable, 1.0, reasons)


def metric(
    name: str,
    value: float | None,
    side: Side,
    *,
    grade: Grade = "A",
    reliable: bool | None = None,
    unit: str | None = None,
    reasons: tuple[Reason, ...] = (),
) -> Metric:
    """Metric ``name`` with the unit and family it has in assess.metrics."""
    u, fam = FAMILY[name]
    return Metric(name, value, unit or u, side, fam, quality(grade, reliable=reliable, reasons=reasons))


def stance(
    side: Side,
    duration: float,
    *,
    ended_by: str = "touch_down",
    events: tuple[str, ...] = (),
    reps: tuple[SquatRep, ...] = (),
    index: int = 0,
    grade: Grade = "A",
    start: float = 1.0,
) -> StanceTrial:
    """A stance with ``events`` (kinds) spread over its first seconds."""
    ev = tuple(BalanceEvent(k, start + 1.0 + i, None, k) for i, k in enumerate(events))
    return StanceTrial(index, side, start, start + duration, duration, ended_by, duration, ev, (), reps, quality(grade))


def rep(side: Side, fppa: float, *, index: int = 0, grade: Grade = "A") -> SquatRep:
    """A squat repetition with its FPPA at depth (degrees, + = valgus)."""
    return SquatRep(index, side, 0.0, 0.5, 1.0, 10.0, (metric("fppa_image_at_depth", fppa, side, grade=grade),))


def assessment(
    mode: str = "stance",
    *,
    stances: tuple[StanceTrial, ...] = (),
    summary: tuple[Metric, ...] = (),
    view: str = "frontal",
    no_stance: Reason | None = None,
    overall: Quality | None = None,
    unit: str = "cm",
    hands_on_hips: bool = True,
) -> Assessment:
    """An Assessment with the given stances and per-side summary metrics."""
    frontal = view == "frontal"
    return Assessment(
        mode=mode,  # type: ignore[arg-type]
        source={"path": "hand-built", "fps": 30.0},
        parameters={"hands_on_hips": hands_on_hips},
        scale=ScaleInfo("body_height" if unit == "cm" else "relative", unit, 500.0),
        view=CameraView(view, 0.8 if frontal else 0.1, 0.6, 0.1, frontal),
        quality=overall or Quality(),
        stances=stances,
        summary=summary,
        no_stance=no_stance,
    )


def stance_side(
    side: Side,
    *,
    hold: float = 45.0,
    ml: float = 1.5,
    wobble: float = 0.25,
    fppa: float = 3.0,
    drop_deg: float = -1.0,
    drop_cm: float = -0.3,
    lean: float = 4.0,
    arms: float = 5.0,
    events: tuple[str, ...] = (),
    grade: Grade = "A",
    index: int = 0,
) -> tuple[StanceTrial, tuple[Metric, ...]]:
    """One stance trial on ``side`` and its summary metrics; defaults are unremarkable values."""
    st = stance(side, hold, events=events, index=index, ended_by="touch_down", grade=grade)
    ms = (
        metric("stance_duration", hold, side, grade=grade),
        metric("com_sway_ml_velocity", ml, side, grade=grade),
        metric("com_sway_ap_velocity", 20.0, side, grade="C", reasons=(AP_REASON,)),
        metric("com_sway_ellipse95", 60.0, side, grade="C", reasons=(AP_REASON,)),
        metric("fppa_image_p95", fppa, side, grade=grade),
        metric("pelvic_drop_p95", drop_deg, side, grade=grade),
        metric("pelvic_drop_height_p95", drop_cm, side, grade=grade),
        metric("trunk_lean_p95", lean, side, grade=grade),
        metric("foot_wobble_rms", wobble, side, grade=grade),
        metric("arm_excursion_max", arms, side, grade=grade),
    )
    return st, ms


def stance_assessment(left: dict[str, object] | None = None, right: dict[str, object] | None = None, **kw: object) -> Assessment:
    """A stance-mode Assessment with one trial per side; dicts override :func:`stance_side` defaults."""
    trials: list[StanceTrial] = []
    summary: list[Metric] = []
    for i, (side, over) in enumerate((("left", left), ("right", right))):
        if over is None:
            continue
        st, ms = stance_side(side, index=i, **over)  # type: ignore[arg-type]
        trials.append(st)
        summary.extend(ms)
    return assessment("stance", stances=tuple(trials), summary=tuple(summary), **kw)  # type: ignore[arg-type]


def squat_side(
    side: Side, *, fppa: float, drop_deg: float = -1.0, drop_cm: float = -0.3, lean: float = 4.0, grade: Grade = "A", index: int = 0
) -> tuple[StanceTrial, tuple[Metric, ...]]:
    """One squat set on ``side`` (3 reps at ``fppa``) and its summary metrics."""
    reps = tuple(rep(side, fppa, index=j, grade=grade) for j in range(3))
    st = stance(side, 6.0, ended_by="end_of_reps", reps=reps, index=index, grade=grade)
    ms = (
        metric("fppa_image_at_depth_rep_mean", fppa, side, grade=grade),
        metric("pelvic_drop_p95", drop_deg, side, grade=grade),
        metric("pelvic_drop_height_p95", drop_cm, side, grade=grade),
        metric("trunk_lean_p95", lean, side, grade=grade),
    )
    return st, ms


def squat_assessment(left: dict[str, object] | None = None, right: dict[str, object] | None = None, **kw: object) -> Assessment:
    """A squat-mode Assessment with one set per side."""
    trials: list[StanceTrial] = []
    summary: list[Metric] = []
    for i, (side, over) in enumerate((("left", left), ("right", right))):
        if over is None:
            continue
        st, ms = squat_side(side, index=i, **over)  # type: ignore[arg-type]
        trials.append(st)
        summary.extend(ms)
    return assessment("squat", stances=tuple(trials), summary=tuple(summary), **kw)  # type: ignore[arg-type]
