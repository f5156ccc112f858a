"""From a `PoseTrack` to an `Assessment`: the one place the metric families meet.

Called through :func:`assess.assessment.analyze_track`. Choices documented
here (see CLINICAL.md for the definitions):

* **Sway reference.** ``com_sway_*`` is the centre of mass of the body *minus
  the free leg* (Dempster/Winter segment table, ``assess/data/segments.json``),
  so the free leg's own mass (16 % of body mass) does not count as sway;
  ``pelvis_sway_*`` is the hip midpoint. A swinging leg also makes the rest of
  the body counter-move (on the leg-swing clip the COM without the free leg
  correlates −0.87 with the free ankle), so when the free foot moves more than
  ``free_leg_range_leg`` leg lengths, the part of each sway trajectory
  linearly explained by the free foot's position is regressed out
  (:func:`assess.metrics.sway.remove_coupled`; reason
  ``free_leg_motion_removed``). ``com_whole_body_sway_ml_rms`` (free leg
  included, nothing removed) is kept for comparison only.
* **ML** sway comes from image x (pixels → unit), positive toward the
  subject's left. **AP** sway comes from MediaPipe's world depth of the COM
  relative to the stance ankle, positive forward; a frontal camera sees depth
  poorly, so AP metrics carry grade ≤ C and reason ``ap_from_frontal_view``.
* Sway windows skip ``trim_s`` (0.5 s) after lift-off and before touch-down
  (the transients of lifting and placing the foot), when the stance is long
  enough (≥ 4 · trim_s).
* Per-stance angle summaries: ``_mean`` and ``_p95`` (95th percentile of the
  signed value, i.e. the large values in the positive direction).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from ..assessment import (
    Assessment,
    BalanceEvent,
    CameraView,
    Grade,
    Metric,
    Mode,
    Quality,
    Reason,
    Series,
    Side,
    SquatRep,
    StanceTrial,
)
from ..landmarks import idx, other_side
from ..track import PoseTrack
from .asymmetry import asymmetries
from .body import Scale, centre_of_mass, estimate_scale, lateral_sign, leg_length_px, midpoint, sided
from .clean import CleanTrack, clean_track
from .foot import foot_centre_px, foot_shift_px, foot_wobble_px, heel_lift_px
from .knee import fppa_image, fppa_world
from .posture import hand_hip_distance, pelvic_drop, pelvic_drop_px, trunk_lean, wrist_excursion_px
from .quality import FEET_HARD_TO_SEE, KEY_POINTS, camera_view, cut_short, feet_visibility, grade_window, with_reason
from .segmentation import RepWindow, StanceWindow, find_reps, find_stances, foot_raise, nanmedian, stances_from_reps
from .sway import remove_coupled, sway_stats

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Params:
    """Analysis settings (all times in seconds, thresholds in leg lengths unless named)."""

    min_visibility: float = 0.5
    max_gap_s: float = 0.25
    cutoff_hz: float = 6.0
    raise_enter: float = 0.08
    raise_exit: float = 0.03
    contact_s: float = 0.25
    min_stance_s: float = 1.0
    squat_min_depth: float = 0.10
    trim_s: float = 0.5
    foot_shift_leg: float = 0.10
    hands_off_torso: float = 0.6
    hands_on_torso: float = 0.45
    trunk_excursion_deg: float = 30.0
    hip_excursion_deg: float = 30.0
    free_leg_range_leg: float = 0.10
    camera_motion_px: float = 1.0
    """Background motion (RMS, pixels) below this is measurement noise (heuristic)."""
    clipped_joints: float = 0.25
    """Share of the body's joints on blown-out or crushed pixels above which the picture is called badly exposed (heuristic: real clips ≤ 0.09, twice over-exposed 0.34)."""
    camera_motion_frac: float = 0.25
    """Background motion above this fraction of the person's own ML sway (RMS) degrades sway to C; above 1, to D (heuristic)."""
    camera_carry_min: float = 0.5
    """A camera that moves carries the person's image with it (slope 1 for a pan, more for a sideways step, whose
    nearer subject shifts more than the background). Background motion that moves the person's image by less than
    this share of itself (regression slope) is not the camera's: objects or shadows moving over a plain backdrop
    (heuristic: 0.13 on the shared studio leg-swing clip, a still camera whose white backdrop leaves an animated
    on-screen banner, the video editor's, as nearly the only thing to track; 1.01 on the panned test clips)."""


def _pts(*names: str) -> tuple[int, ...]:
    return tuple(idx(n) for n in names)


def _sided_pts(side: str, *parts: str) -> tuple[int, ...]:
    return tuple(idx(f"{side}_{p}") for p in parts)


BODY_PTS = _pts("left_shoulder", "right_shoulder", "left_hip", "right_hip", "left_ear", "right_ear")
HIP_PTS = _pts("left_hip", "right_hip")


@dataclass
class _Ctx:
    clean: CleanTrack
    scale: Scale
    view: CameraView
    params: Params
    leg_px: float
    lat: float
    hands_on_hips: bool
    camera_px: FloatArray | None = None
    """(T, 2) cumulative background position in pixels (camera motion), if measured."""


# ------------------------------------------------------------------ helpers
def _stat(values: FloatArray, how: str) -> float | None:
    v = values[np.isfinite(values)]
    if v.size == 0:
        return None
    if how == "mean":
        return float(v.mean())
    if how == "p95":
        return float(np.percentile(v, 95))
    if how == "max":
        return float(v.max())
    if how == "rms":
        return float(np.sqrt(np.mean(v**2)))
    raise ValueError(how)


def _metric(
    name: str,
    value: float | None,
    unit: str,
    side: str | None,
    family: str,
    quality: Quality,
    description: str,
    series: str | None = None,
) -> Metric:
    if value is None or not np.isfinite(value):
        quality = with_reason(
            quality, Reason("not_computable", f"{description.split(',')[0]}: not enough data to compute."), "D", reliable=False
        )
        value = None
    return Metric(name, value, unit, side, family, quality, description, series)  # type: ignore[arg-type]


def _first_time(mask: FloatArray | NDArray[np.bool_], times: FloatArray) -> float | None:
    hit = np.flatnonzero(mask)
    return float(times[hit[0]]) if hit.size else None


# ------------------------------------------------------------------ per stance
def _camera_moved(ctx: _Ctx, a: int, b: int) -> tuple[Reason, Grade] | None:
    """A reason (and grade) when the camera moved enough in ``a:b`` to spoil image-based sway.

    Compares the RMS of the background's side-to-side position with that of
    the body's centre of mass relative to the background (the person's own
    sway), both in pixels: C when the camera's share is noticeable, D when
    the camera moved more than the person swayed. Background motion that the
    person's image does not follow (:attr:`Params.camera_carry_min`) is not
    the camera's and says nothing.
    """
    if ctx.camera_px is None:
        return None
    cam = ctx.camera_px[a:b, 0]
    image = centre_of_mass(ctx.clean.px[a:b])[:, 0]
    ok = np.isfinite(cam) & np.isfinite(image)
    if ok.sum() < 3:
        return None
    cam, image = cam[ok] - cam[ok].mean(), image[ok] - image[ok].mean()
    cam_rms = float(np.std(cam))
    body_rms = float(np.std(image - cam))
    p = ctx.params
    if cam_rms < p.camera_motion_px or cam_rms < p.camera_motion_frac * body_rms:
        return None
    if float(np.dot(image, cam) / np.dot(cam, cam)) < p.camera_carry_min:
        return None
    size = f"{cam_rms * ctx.scale.per_px:.{1 if ctx.scale.unit == 'cm' else 3}f} {ctx.scale.unit}"
    text = f"The camera moved during this stance (background side-to-side RMS {size}): sway is measured in the picture, so it includes the camera's motion."
    return Reason("camera_moved", text), ("D" if cam_rms >= body_rms else "C")


def _sway_metrics(ctx: _Ctx, w: StanceWindow, a: int, b: int) -> list[Metric]:
    c, s, u = ctx.clean, ctx.scale, ctx.scale.unit
    free = other_side(w.side)
    t = c.times[a:b]
    ankle_z = sided(c.world, w.side, "ankle")[a:b, 2]
    out: list[Metric] = []
    ml_pts = tuple(KEY_POINTS)
    q_ml = grade_window(c, ctx.view, a, b, points=ml_pts)
    q_ap = grade_window(c, ctx.view, a, b, points=ml_pts, frontal_plane=False)
    moved = _camera_moved(ctx, a, b)
    if moved is not None:
        q_ml, q_ap = with_reason(q_ml, *moved), with_reason(q_ap, *moved)
    if ctx.view.view != "side":
        q_ap = with_reason(
            q_ap,
            Reason("ap_from_frontal_view", "Forward–backward sway is estimated from depth, which a front-facing camera sees poorly."),
            "C",
        )
    refs: list[tuple[str, FloatArray, FloatArray, str]] = []
    com_px = centre_of_mass(c.px[a:b], exclude_leg=free)
    com_w = centre_of_mass(c.world[a:b], exclude_leg=free)
    refs.append(("com", com_px[:, 0], com_w[:, 2], "centre of mass without the free leg"))
    hip_px = midpoint(c.px, "hip")[a:b]
    hip_w = midpoint(c.world, "hip")[a:b]
    refs.append(("pelvis", hip_px[:, 0], hip_w[:, 2], "pelvis midpoint"))
    foot_ml = foot_centre_px(c, free)[a:b, 0] * ctx.lat * s.per_px
    foot_ap = -(np.mean(np.stack([sided(c.world, free, p_)[a:b, 2] for p_ in ("ankle", "heel", "foot_index")]), axis=0) - ankle_z)
    foot_ap = foot_ap * ctx.lat * s.per_m
    min_ml = ctx.params.free_leg_range_leg * ctx.leg_px * s.per_px
    min_ap = ctx.params.free_leg_range_leg * ctx.leg_px * s.per_px  # same physical length
    for key, x_px, z_w, what in refs:
        ml_raw = x_px * ctx.lat * s.per_px
        ap_raw = -(z_w - ankle_z) * ctx.lat * s.per_m
        ml, r2_ml = remove_coupled(ml_raw, foot_ml, min_driver_range=min_ml)
        ap, r2_ap = remove_coupled(ap_raw, foot_ap, min_driver_range=min_ap)
        st = sway_stats(t, ml, ap)
        qm, qa = q_ml, q_ap
        if r2_ml > 0 or r2_ap > 0:
            note = Reason(
                "free_leg_motion_removed",
                f"The free leg moved; sway coupled to it was removed ({r2_ml:.0%} of side-to-side, "
                f"{r2_ap:.0%} of forward–backward variance).",
            )
            qm, qa = with_reason(q_ml, note), with_reason(q_ap, note)
        vel_u = f"{u}/s"
        area_u = f"{u}2"
        rows: list[tuple[str, float | None, str, Quality, str]] = [
            ("ml_rms", st.rms_ml if st else None, u, qm, f"{what}: side-to-side (ML) sway, RMS about the mean"),
            ("ml_range", st.range_ml if st else None, u, qm, f"{what}: ML sway range (max − min)"),
            ("ml_path", st.path_ml if st else None, u, qm, f"{what}: ML path length"),
            ("ml_velocity", st.velocity_ml if st else None, vel_u, qm, f"{what}: ML mean velocity"),
            ("ml_frequency", st.frequency_ml if st else None, "Hz", qm, f"{what}: ML mean frequency"),
            ("ap_rms", st.rms_ap if st else None, u, qa, f"{what}: forward–backward (AP) sway, RMS (low confidence from the front)"),
            ("ap_range", st.range_ap if st else None, u, qa, f"{what}: AP sway range"),
            ("ap_velocity", st.velocity_ap if st else None, vel_u, qa, f"{what}: AP mean velocity"),
            ("path", st.path if st else None, u, qa, f"{what}: planar path length (ML+AP)"),
            ("velocity", st.velocity if st else None, vel_u, qa, f"{what}: planar mean velocity"),
            ("frequency", st.frequency if st else None, "Hz", qa, f"{what}: planar mean frequency"),
            ("ellipse95", st.ellipse_area95 if st else None, area_u, qa, f"{what}: 95% prediction ellipse area"),
        ]
        for name, val, unit, q, desc in rows:
            out.append(_metric(f"{key}_sway_{name}", val, unit, w.side, "sway", q, desc))
    whole = centre_of_mass(c.px[a:b])[:, 0] * ctx.lat * s.per_px
    st_w = sway_stats(t, whole)
    out.append(
        _metric(
            "com_whole_body_sway_ml_rms",
            st_w.rms_ml if st_w else None,
            u,
            w.side,
            "sway",
            q_ml,
            "whole-body centre of mass (free leg included): ML sway RMS, for comparison only",
        )
    )
    return out


def _angle_metrics(ctx: _Ctx, w: StanceWindow, a: int, b: int) -> list[Metric]:
    c = ctx.clean
    side = w.side
    leg_pts = _sided_pts(side, "hip", "knee", "ankle")
    q_knee = grade_window(c, ctx.view, a, b, points=leg_pts)
    q_pelvis = grade_window(c, ctx.view, a, b, points=HIP_PTS)
    q_trunk = grade_window(c, ctx.view, a, b, points=BODY_PTS[:4])
    fi, fw = fppa_image(c, side)[a:b], fppa_world(c, side)[a:b]
    pd, td = pelvic_drop(c, side)[a:b], trunk_lean(c, side)[a:b]
    pd_len = pelvic_drop_px(c, side)[a:b] * ctx.scale.per_px
    u = ctx.scale.unit
    m: list[Metric] = []
    for key, arr, q, desc, ser in (
        ("fppa_image", fi, q_knee, "stance knee FPPA from the image, positive = knee inward (valgus)", f"fppa_image.{side}"),
        (
            "fppa_world",
            fw,
            q_knee,
            "stance knee FPPA from 3-D landmarks on the body's frontal plane, positive = valgus",
            f"fppa_world.{side}",
        ),
        ("pelvic_drop", pd, q_pelvis, "hip-line tilt, positive = free-leg side lower (pelvic drop)", f"pelvic_drop.{side}"),
        ("trunk_lean", td, q_trunk, "trunk lean from vertical, positive = toward the stance leg", f"trunk_lean.{side}"),
    ):
        fam = {"fppa_image": "knee", "fppa_world": "knee", "pelvic_drop": "pelvis", "trunk_lean": "trunk"}[key]
        m.append(_metric(f"{key}_mean", _stat(arr, "mean"), "deg", side, fam, q, f"{desc}, mean over the stance", ser))
        m.append(_metric(f"{key}_p95", _stat(arr, "p95"), "deg", side, fam, q, f"{desc}, 95th percentile over the stance", ser))
    base = _two_leg_baseline(ctx, w, pelvic_drop(c, side))
    no_base = Reason("no_two_leg_baseline", "No two-leg standing before lift-off to compare with.")
    q_change = q_pelvis if base is not None else with_reason(q_pelvis, no_base)
    m.append(
        _metric(
            "pelvic_drop_change_mean",
            None if base is None else _stat(pd - base, "mean"),
            "deg",
            side,
            "pelvis",
            q_change,
            "hip-line tilt relative to two-leg standing just before lift-off, positive = free side lower, mean over the stance "
            "(cancels camera roll and MediaPipe's habit of raising the hip point of a lifted thigh only partly)",
            f"pelvic_drop.{side}",
        )
    )
    m.append(
        _metric(
            "pelvic_drop_height_p95",
            _stat(pd_len, "p95"),
            u,
            side,
            "pelvis",
            q_pelvis,
            "stance hip above free hip, 95th percentile (rule of thumb: > 2 cm is a positive Trendelenburg sign)",
        )
    )
    # arms
    q_arm = grade_window(c, ctx.view, a, b, points=_pts("left_wrist", "right_wrist", "left_hip", "right_hip"), frontal_plane=False)
    ex = wrist_excursion_px(c, a, b) * ctx.scale.per_px
    m.append(
        _metric(
            "arm_excursion_max",
            _stat(ex, "max"),
            u,
            side,
            "arms",
            q_arm,
            "largest wrist movement from its start position (relative to the pelvis)",
        )
    )
    m.append(
        _metric(
            "arm_excursion_mean",
            _stat(ex, "mean"),
            u,
            side,
            "arms",
            q_arm,
            "mean wrist movement from its start position (relative to the pelvis)",
        )
    )
    # foot
    foot_pts = _sided_pts(side, "knee", "ankle", "heel", "foot_index")
    q_foot = grade_window(c, ctx.view, a, b, points=foot_pts)
    wob = foot_wobble_px(c, side)[a:b] * ctx.scale.per_px
    heel = heel_lift_px(c, side)[a:b]
    heel = (heel - nanmedian(heel[: max(1, int(round(0.25 * c.fps)))])) * ctx.scale.per_px if np.isfinite(heel).any() else heel
    shift = foot_shift_px(c, side, a, b) * ctx.scale.per_px
    m.append(
        _metric(
            "foot_wobble_rms",
            _stat(wob, "rms"),
            u,
            side,
            "foot",
            q_foot,
            "quick (> 1.5 Hz) side-to-side wobble of the stance foot relative to the shank, RMS",
        )
    )
    m.append(
        _metric(
            "heel_lift_p95",
            _stat(heel, "p95"),
            u,
            side,
            "foot",
            grade_window(c, ctx.view, a, b, points=foot_pts, frontal_plane=False),
            "rise of the stance heel relative to the toe since lift-off, 95th percentile",
        )
    )
    m.append(
        _metric(
            "foot_shift_max",
            _stat(shift, "max"),
            u,
            side,
            "foot",
            q_foot,
            "largest movement of the stance foot from where it stood at lift-off",
        )
    )
    return m


def _two_leg_baseline(ctx: _Ctx, w: StanceWindow, series: FloatArray, *, span_s: float = 1.0, gap_s: float = 0.2) -> float | None:
    """Median of ``series`` over the ``span_s`` seconds of two-leg standing that end ``gap_s`` before lift-off, or None."""
    t = ctx.clean.times
    sel = (t >= w.lift_off_s - gap_s - span_s) & (t < w.lift_off_s - gap_s)
    v = series[sel]
    v = v[np.isfinite(v)]
    if w.started_in_stance or v.size < max(3, int(0.25 * ctx.clean.fps)):  # at least 0.25 s of two-leg standing
        return None
    return float(np.median(v))


def _events(ctx: _Ctx, w: StanceWindow, a: int, b: int) -> tuple[list[BalanceEvent], list[Reason]]:
    c, p = ctx.clean, ctx.params
    t = c.times[a:b]
    ev: list[BalanceEvent] = []
    notes: list[Reason] = []
    if w.ended_by == "touch_down":
        ev.append(BalanceEvent("free_foot_touchdown", w.touch_down_s, None, "The lifted foot touched down."))
    shift = foot_shift_px(c, w.side, a, b) / ctx.leg_px
    ts = _first_time(shift > p.foot_shift_leg, t)
    if ts is not None:
        ev.append(
            BalanceEvent(
                "stance_foot_shift", ts, None, f"The stance foot moved more than {p.foot_shift_leg:.0%} of leg length (hop or shift)."
            )
        )
    n0 = max(1, int(round(0.25 * c.fps)))
    if ctx.hands_on_hips:
        hh = hand_hip_distance(c)[a:b]
        start = float(np.nanmedian(hh[:n0])) if np.isfinite(hh[:n0]).any() else float("nan")
        if np.isfinite(start) and start <= p.hands_on_torso:
            th = _first_time(hh > p.hands_off_torso, t)
            if th is not None:
                ev.append(BalanceEvent("hands_off_hips", th, None, "A hand left the hip."))
        else:
            notes.append(
                Reason("hands_not_on_hips", "The hands were not on the hips at lift-off, so hands-off-hips errors were not counted.")
            )
    lean = trunk_lean(c, w.side)[a:b]
    if np.isfinite(lean[:n0]).any():
        dl = np.abs(lean - nanmedian(lean[:n0]))
        tt = _first_time(dl > p.trunk_excursion_deg, t)
        if tt is not None:
            ev.append(
                BalanceEvent(
                    "trunk_excursion", tt, None, f"The trunk tilted more than {p.trunk_excursion_deg:.0f}° from its starting position."
                )
            )
    free = other_side(w.side)
    thigh = sided(c.px, free, "knee") - sided(c.px, free, "hip")
    abd = np.degrees(np.arctan2(np.abs(thigh[a:b, 0]), thigh[a:b, 1]))
    if np.isfinite(abd[:n0]).any():
        da = np.abs(abd - nanmedian(abd[:n0]))
        th2 = _first_time(da > p.hip_excursion_deg, t)
        if th2 is not None:
            ev.append(
                BalanceEvent(
                    "hip_excursion", th2, None, f"The free hip moved more than {p.hip_excursion_deg:.0f}° from its starting position."
                )
            )
    ev.sort(key=lambda e: e.time_s)
    return ev, notes


def _rep_metrics(ctx: _Ctx, rep: RepWindow, fi: FloatArray, fw: FloatArray) -> tuple[Metric, ...]:
    c = ctx.clean
    q = grade_window(c, ctx.view, rep.start, rep.stop, points=_sided_pts(rep.side, "hip", "knee", "ankle"))
    side = rep.side
    m = [
        _metric(
            "fppa_image_at_depth",
            float(fi[rep.deepest]),
            "deg",
            side,
            "knee",
            q,
            "stance knee FPPA (image) at the deepest point, positive = valgus",
            f"fppa_image.{side}",
        ),
        _metric(
            "fppa_world_at_depth",
            float(fw[rep.deepest]),
            "deg",
            side,
            "knee",
            q,
            "stance knee FPPA (3-D, frontal plane) at the deepest point, positive = valgus",
            f"fppa_world.{side}",
        ),
        _metric(
            "fppa_image_peak",
            _stat(fi[rep.start : rep.stop], "max"),
            "deg",
            side,
            "knee",
            q,
            "largest stance knee FPPA (image) during the repetition",
            f"fppa_image.{side}",
        ),
        _metric(
            "fppa_world_peak",
            _stat(fw[rep.start : rep.stop], "max"),
            "deg",
            side,
            "knee",
            q,
            "largest stance knee FPPA (3-D) during the repetition",
            f"fppa_world.{side}",
        ),
    ]
    return tuple(m)


def _stance_trial(ctx: _Ctx, i: int, w: StanceWindow, reps: list[RepWindow]) -> StanceTrial:
    c, p = ctx.clean, ctx.params
    a, b = w.start, w.stop
    trim = int(round(p.trim_s * c.fps)) if (w.touch_down_s - w.lift_off_s) >= 4 * p.trim_s else 0
    sa, sb = a + trim, max(b - trim, a + trim + 1)
    metrics: list[Metric] = []
    metrics += _sway_metrics(ctx, w, sa, sb)
    metrics += _angle_metrics(ctx, w, a, b)
    events, notes = _events(ctx, w, a, b)
    duration = w.touch_down_s - w.lift_off_s
    first_fail = min((e.time_s for e in events), default=w.touch_down_s) - w.lift_off_s
    q = grade_window(c, ctx.view, a, b, frontal_plane=False)
    if w.started_in_stance:
        q = with_reason(
            q, Reason("started_in_stance", "The clip starts with the foot already lifted: the stance may be longer than measured."), "B"
        )
    if w.ended_by == "tracking_lost":
        q = with_reason(q, Reason("tracking_lost", "The person was lost from view before the foot came down."), "B")
    for n in notes:
        q = with_reason(q, n)
    q_t = grade_window(c, ctx.view, a, b, points=_pts("left_ankle", "right_ankle", "left_heel", "right_heel"), frontal_plane=False)
    metrics = [
        _metric("stance_duration", duration, "s", w.side, "timing", q_t, "time from lift-off to touch-down (or end of clip)"),
        _metric("time_to_first_failure", first_fail, "s", w.side, "timing", q_t, "time from lift-off to the first balance error"),
        _metric(
            "error_count", float(len(events)), "count", w.side, "timing", q_t, "number of distinct balance-error kinds during the stance"
        ),
    ] + metrics
    fi, fw = fppa_image(c, w.side), fppa_world(c, w.side)
    rep_recs = []
    for j, r in enumerate(reps):
        depth = r.depth_leg * ctx.leg_px * ctx.scale.per_px
        rep_recs.append(SquatRep(j, r.side, r.start_s, r.deepest_s, r.end_s, depth, _rep_metrics(ctx, r, fi, fw)))  # type: ignore[arg-type]
    if rep_recs:
        q_knee = grade_window(c, ctx.view, a, b, points=_sided_pts(w.side, "hip", "knee", "ankle"))
        at_depth = np.array(
            [float(np.nan if m.value is None else m.value) for r in rep_recs for m in r.metrics if m.name == "fppa_image_at_depth"]
        )
        metrics.append(
            _metric(
                "fppa_image_at_depth_mean",
                _stat(at_depth, "mean"),
                "deg",
                w.side,
                "knee",
                q_knee,
                "stance knee FPPA (image) at the deepest point, mean over repetitions",
            )
        )
        metrics.append(_metric("rep_count", float(len(rep_recs)), "count", w.side, "timing", q, "number of squat repetitions"))
    side = cast(Side, w.side)  # "left" or "right" by construction (segmentation)
    return StanceTrial(i, side, w.lift_off_s, w.touch_down_s, duration, w.ended_by, first_fail, tuple(events), tuple(metrics), tuple(rep_recs), q)


# ------------------------------------------------------------------ summary
_SUMMARY_BEST = {"stance_duration": "max", "time_to_first_failure": "max"}


def _summary(stances: tuple[StanceTrial, ...]) -> tuple[Metric, ...]:
    out: list[Metric] = []
    for side in ("left", "right"):
        trials = [s for s in stances if s.side == side]
        if not trials:
            continue
        names = list(dict.fromkeys(m.name for s in trials for m in s.metrics))
        for name in names:
            ms = [m for s in trials for m in s.metrics if m.name == name]
            vals = np.array([m.value for m in ms if m.value is not None], dtype=float)
            how = _SUMMARY_BEST.get(name, "mean")
            best = min(ms, key=lambda m: "ABCD".index(m.quality.grade))
            val = None if vals.size == 0 else float(vals.max() if how == "max" else vals.mean())
            desc = f"{ms[0].description} ({'best' if how == 'max' else 'mean'} of {len(trials)} stance(s))"
            out.append(_metric(name, val, ms[0].unit, side, ms[0].family, best.quality, desc, ms[0].series))
        reps = [r for s in trials for r in s.reps]
        if reps:
            for key in ("fppa_image_at_depth", "fppa_world_at_depth", "fppa_image_peak"):
                vals = np.array([m.value for r in reps for m in r.metrics if m.name == key and m.value is not None], dtype=float)
                q = next(m.quality for r in reps for m in r.metrics if m.name == key)
                out.append(
                    _metric(
                        f"{key}_rep_mean",
                        _stat(vals, "mean"),
                        "deg",
                        side,
                        "knee",
                        q,
                        f"{key.replace('_', ' ')}, mean over {len(reps)} repetition(s)",
                    )
                )
        out.append(Metric("stance_count", float(len(trials)), "count", side, "timing", Quality(), "number of single-leg stances found"))  # type: ignore[arg-type]
    return tuple(out)


# ------------------------------------------------------------------ entry
def _series(ctx: _Ctx, raise_: FloatArray) -> dict[str, Series]:
    c = ctx.clean
    t = c.times
    s: dict[str, Series] = {"foot_raise": Series("foot_raise", "leg", t, raise_, "foot raise (leg lengths), + = right foot higher")}
    for side in ("left", "right"):
        free = other_side(side)
        pairs: list[tuple[str, str, FloatArray, str]] = [
            ("fppa_image", "deg", fppa_image(c, side), "FPPA image (°), + = valgus"),
            ("fppa_world", "deg", fppa_world(c, side), "FPPA 3-D (°), + = valgus"),
            ("pelvic_drop", "deg", pelvic_drop(c, side), "pelvic drop (°), + = free side lower"),
            ("trunk_lean", "deg", trunk_lean(c, side), "trunk lean (°), + = toward stance"),
            (
                "com_ml",
                ctx.scale.unit,
                centre_of_mass(c.px, exclude_leg=free)[:, 0] * ctx.lat * ctx.scale.per_px,
                "COM without free leg, ML, + = subject's left",
            ),
        ]
        for key, unit, values, desc in pairs:
            name = f"{key}.{side}"
            s[name] = Series(name, unit, t, np.asarray(values, dtype=float), desc)
    pel = midpoint(c.px, "hip")[:, 0] * ctx.lat * ctx.scale.per_px
    s["pelvis_ml"] = Series("pelvis_ml", ctx.scale.unit, t, pel, "pelvis midpoint ML, + = subject's left")
    return s


def _exposure(track: PoseTrack, p: Params) -> Reason | None:
    clipped = track.source.extra.get("clipped_fraction")
    if not isinstance(clipped, (int, float)) or clipped <= p.clipped_joints:
        return None
    return Reason(
        "badly_exposed",
        f"The picture is too bright or too dark where the body is ({clipped:.0%} of the joints on blown-out or black pixels): "
        "the pose is less certain. Film with the light behind the camera and adjust the exposure.",
    )


def _why_no_stance(c: CleanTrack, mode: Mode, p: Params, raise_: FloatArray, exposure: Reason | None) -> tuple[Reason, Grade | None]:
    """The plain reason no trial was found, and a grade when the data, not the person, is the cause."""
    what = "single-leg squat repetition" if mode == "squat" else "single-leg stance"
    if exposure is not None:
        return Reason("no_single_leg_stance", f"No {what} could be found in this badly exposed picture."), "D"
    feet = feet_visibility(c)
    if feet < FEET_HARD_TO_SEE:
        text = f"No {what} could be found: the feet are hard to see (visibility {feet:.2f}). Film in even light, feet fully in the picture."
        return Reason("no_single_leg_stance", text), "D"
    if mode == "stance":
        short = find_stances(c, enter=p.raise_enter, exit=p.raise_exit, contact_s=p.contact_s, min_stance_s=0.0, raise_=raise_)
        if short:
            longest = max(w.touch_down_s - w.lift_off_s for w in short)
            text = f"A foot was lifted, but for only {longest:.1f} s; a single-leg stance counts from {p.min_stance_s:g} s."
            return Reason("no_single_leg_stance", text), None
    return Reason("no_single_leg_stance", f"No {what} was found: both feet seem to stay on the ground."), None


def analyze(
    track: PoseTrack,
    *,
    mode: Mode = "stance",
    height_cm: float | None = None,
    hands_on_hips: bool = True,
    params: Params | None = None,
) -> Assessment:
    """See :func:`assess.assessment.analyze_track`."""
    p = params or Params()
    c = clean_track(track, min_visibility=p.min_visibility, max_gap_s=p.max_gap_s, cutoff_hz=p.cutoff_hz)
    scale = estimate_scale(c, height_cm=height_cm)
    camera_px = None
    if track.background_shift is not None:
        camera_px = np.nancumsum(track.background_shift * np.array([track.width, track.height]), axis=0)
        camera_px[~np.isfinite(track.background_shift).all(axis=1)] = np.nan  # unknown stays unknown
    view = camera_view(c)
    if camera_px is not None and np.isfinite(camera_px).any():
        view = dataclasses.replace(view, camera_motion=float(np.sqrt(np.nanmean(np.nansum((camera_px - np.nanmean(camera_px, axis=0)) ** 2, axis=1)))))
    ctx = _Ctx(c, scale, view, p, leg_length_px(c), lateral_sign(c), hands_on_hips, camera_px)
    overall = grade_window(c, view, frontal_plane=False)
    if c.cutoff_hz < p.cutoff_hz:
        overall = with_reason(
            overall,
            Reason(
                "low_frame_rate", f"Low frame rate ({c.fps:.0f} fps): filtered at {c.cutoff_hz:.1f} Hz instead of {p.cutoff_hz:.0f} Hz."
            ),
            "B",
        )
    exposure = _exposure(track, p)
    if exposure is not None:
        overall = with_reason(overall, exposure, "C")
    truncated = cut_short(track)
    if truncated is not None:
        overall = with_reason(overall, truncated, "B")
    if view.view != "frontal":
        overall = with_reason(
            overall,
            Reason(f"{view.view}_view", f"Camera view: {view.view}. Face the camera for knee, pelvis and side-to-side sway measures."),
            "C" if view.view != "side" else "C",
        )
    raise_ = foot_raise(c)
    reps = find_reps(c, min_depth=p.squat_min_depth, raise_=raise_) if mode == "squat" else []
    if mode == "squat":
        windows = stances_from_reps(reps, c)
    else:
        windows = find_stances(c, enter=p.raise_enter, exit=p.raise_exit, contact_s=p.contact_s, min_stance_s=p.min_stance_s, raise_=raise_)
    trials = []
    for i, w in enumerate(windows):
        inside = [r for r in reps if r.side == w.side and w.start <= r.deepest < w.stop]
        trials.append(_stance_trial(ctx, i, w, inside))
    stances = tuple(trials)
    no_stance = None
    if not stances:
        no_stance, grade = _why_no_stance(c, mode, p, raise_, exposure)
        overall = with_reason(overall, no_stance, grade)
    summary = _summary(stances)
    source: dict[str, Any] = {
        "path": track.source.path,
        "model": track.source.model,
        "fps": track.fps,
        "n_frames": len(track),
        "duration_s": track.duration_s,
        "width": track.width,
        "height": track.height,
        "detection_rate": track.detection_rate,
    }
    params_d = {k: getattr(p, k) for k in p.__dataclass_fields__} | {
        "mode": mode,
        "height_cm": height_cm,
        "hands_on_hips": hands_on_hips,
        "cutoff_hz_used": c.cutoff_hz,
    }
    return Assessment(
        mode=mode,
        source=source,
        parameters=params_d,
        scale=scale.info,
        view=view,
        quality=overall,
        stances=stances,
        summary=summary,
        asymmetry=asymmetries(summary),
        series=_series(ctx, raise_),
        no_stance=no_stance,
    )


__all__ = ["Params", "analyze"]
_ = Side
