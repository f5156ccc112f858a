"""Data quality: camera view, usable frames, feet visibility, whole body in frame; grades A–D.

Grades (per trial and per metric):

* A: ≥ 90 % usable frames, feet visibility ≥ 0.8, body in frame ≥ 95 %, and a
  view that suits the metric;
* B: one of those mildly short (≥ 75 % usable, feet ≥ 0.65, in frame ≥ 85 %);
* C: usable but doubtful (≥ 50 % usable, or an oblique view for frontal-plane
  measures, or AP sway from a frontal camera);
* D: do not use (< 50 % usable, or a frontal-plane measure from a side view).

Reasons are plain sentences for the report.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..assessment import CameraView, Grade, Quality, Reason
from ..landmarks import idx
from ..track import PoseTrack
from .body import midpoint, sided
from .clean import CleanTrack

FloatArray = NDArray[np.float64]

KEY_POINTS = tuple(idx(f"{s}_{p}") for s in ("left", "right") for p in ("shoulder", "hip", "knee", "ankle", "foot_index"))
"""Joints a whole-body measure needs. Heels are left out: in a frontal view the
foot itself hides the heel, often the free foot's for a whole trial (MediaPipe
visibility ~0.3 on our renders), and ankle + toe already place the foot.
Heel visibility still counts through FOOT_POINTS."""
FOOT_POINTS = tuple(idx(f"{s}_{p}") for s in ("left", "right") for p in ("ankle", "heel", "foot_index"))
GRADES: tuple[Grade, ...] = ("A", "B", "C", "D")
FEET_HARD_TO_SEE = 0.65
"""Mean foot-point visibility below this: the feet are hard to see (grade C for foot measures)."""


def camera_view(clean: CleanTrack, *, frontal_max_deg: float = 25.0, side_min_deg: float = 60.0) -> CameraView:
    """Classify the camera view from the shoulder line.

    The yaw of the shoulder line against the image plane is read from world
    landmarks (median over frames of ``atan(|Δz| / |Δx|)``); shoulders and hips
    narrower than 0.25 torso lengths in the image also mean a side view.
    Frontal: yaw < ``frontal_max_deg``; side: yaw > ``side_min_deg``; oblique in
    between. ``camera_motion`` is filled in by the analysis from the track's
    background shift (None here).
    """
    torso = np.linalg.norm(midpoint(clean.px, "shoulder") - midpoint(clean.px, "hip"), axis=1)

    def width_ratio(part: str) -> float:
        r = np.abs(sided(clean.px, "left", part)[:, 0] - sided(clean.px, "right", part)[:, 0]) / torso
        r = r[np.isfinite(r)]
        return float(np.median(r)) if r.size else float("nan")

    sh, hp = width_ratio("shoulder"), width_ratio("hip")
    d = sided(clean.world, "left", "shoulder") - sided(clean.world, "right", "shoulder")
    yaw = np.degrees(np.arctan2(np.abs(d[:, 2]), np.abs(d[:, 0])))
    yaw = yaw[np.isfinite(yaw)]
    y = float(np.median(yaw)) if yaw.size else float("nan")
    depth_ratio = float(np.tan(np.radians(y))) if np.isfinite(y) else float("nan")
    if not np.isfinite(y) and not np.isfinite(sh):
        view = "unknown"
    elif (np.isfinite(y) and y > side_min_deg) or (np.isfinite(sh) and sh < 0.25 and np.isfinite(hp) and hp < 0.25):
        view = "side"
    elif np.isfinite(y) and y > frontal_max_deg:
        view = "oblique"
    else:
        view = "frontal"
    return CameraView(view, sh, hp, depth_ratio, view == "frontal", None)


def cut_short(track: PoseTrack) -> Reason | None:
    """A reason when decoding stopped well before the end the container announced.

    A truncated or damaged file still yields its readable start (see
    :func:`assess.video.iter_frames`); the results then cover only that part.
    """
    announced = track.source.duration_s
    if len(track) == 0 or announced <= 0:
        return None
    decoded = float(track.times[-1]) + 1.0 / track.fps  # end of the last frame read
    if decoded >= 0.9 * announced - 0.5:
        return None
    return Reason(
        "video_cut_short",
        f"Only the first {decoded:.1f} s of this {announced:.1f}-s video could be decoded; "
        "the file looks truncated or damaged, and the results cover that part only.",
    )


def usable_fraction(clean: CleanTrack, points: tuple[int, ...], start: int = 0, stop: int | None = None) -> float:
    """Fraction of frames in ``start:stop`` where all ``points`` are present after cleaning."""
    v = clean.valid[start:stop][:, list(points)].all(axis=1)
    return float(v.mean()) if v.size else 0.0


def feet_visibility(clean: CleanTrack, start: int = 0, stop: int | None = None) -> float:
    """Mean MediaPipe visibility (0–1) of the six foot points over ``start:stop``."""
    v = clean.visibility[start:stop][:, list(FOOT_POINTS)]
    return float(v.mean()) if v.size else 0.0


def in_frame_fraction(clean: CleanTrack, start: int = 0, stop: int | None = None) -> float:
    """Fraction of frames in which all key points (shoulders to toes) lie inside the image."""
    p = clean.px[start:stop][:, list(KEY_POINTS)]
    inside = (p[..., 0] >= 0) & (p[..., 0] <= clean.width) & (p[..., 1] >= 0) & (p[..., 1] <= clean.height)
    v = inside.all(axis=1)
    return float(v.mean()) if v.size else 0.0


def _worst(*grades: Grade) -> Grade:
    return GRADES[max(GRADES.index(g) for g in grades)]


def grade_window(
    clean: CleanTrack,
    view: CameraView,
    start: int = 0,
    stop: int | None = None,
    *,
    points: tuple[int, ...] = KEY_POINTS,
    frontal_plane: bool = True,
) -> Quality:
    """Quality of a window for a measure needing ``points``.

    ``frontal_plane``: the measure is a frontal-plane one (FPPA, pelvic drop,
    trunk lean, ML sway), degraded by oblique views and unusable from the side.
    """
    reasons: list[Reason] = []
    grades: list[Grade] = ["A"]
    uf = usable_fraction(clean, points, start, stop)
    if uf < 0.5:
        grades.append("D")
        reasons.append(Reason("few_usable_frames", f"Only {uf:.0%} of frames show the needed joints."))
    elif uf < 0.75:
        grades.append("C")
        reasons.append(Reason("few_usable_frames", f"{uf:.0%} of frames show the needed joints."))
    elif uf < 0.9:
        grades.append("B")
        reasons.append(Reason("some_frames_missing", f"{1 - uf:.0%} of frames miss a needed joint."))
    if set(points) & set(FOOT_POINTS):
        fv = feet_visibility(clean, start, stop)
        if fv < FEET_HARD_TO_SEE:
            grades.append("C")
            reasons.append(Reason("feet_low_visibility", f"The feet are hard to see (visibility {fv:.2f})."))
        elif fv < 0.8:
            grades.append("B")
            reasons.append(Reason("feet_low_visibility", f"The feet are partly hard to see (visibility {fv:.2f})."))
    fr = in_frame_fraction(clean, start, stop)
    if fr < 0.85:
        grades.append("C")
        reasons.append(Reason("body_out_of_frame", f"The whole body is in the picture in only {fr:.0%} of frames."))
    elif fr < 0.95:
        grades.append("B")
        reasons.append(Reason("body_out_of_frame", f"Part of the body leaves the picture in {1 - fr:.0%} of frames."))
    if frontal_plane:
        if view.view == "side":
            grades.append("D")
            reasons.append(Reason("side_view", "Filmed from the side: left–right (frontal-plane) measures are not reliable."))
        elif view.view == "oblique":
            grades.append("C")
            reasons.append(Reason("oblique_view", "Filmed at an angle: frontal-plane angles are distorted."))
        elif view.view == "unknown":
            grades.append("C")
            reasons.append(Reason("unknown_view", "The camera view could not be determined."))
    g = _worst(*grades)
    return Quality(g, g != "D", uf, tuple(reasons))


def with_reason(q: Quality, reason: Reason, grade: Grade | None = None, *, reliable: bool | None = None) -> Quality:
    """``q`` with one more reason (and at least ``grade``, and ``reliable`` if given)."""
    g = _worst(q.grade, grade) if grade else q.grade
    rel = (q.reliable and g != "D") if reliable is None else (reliable and q.reliable)
    return Quality(g, rel, q.usable_fraction, q.reasons + (reason,))
