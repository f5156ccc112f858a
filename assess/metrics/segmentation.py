"""Trial segmentation: single-leg stances, squat repetitions, BESS-style events.

Single-leg stance (CLINICAL.md, "Single-leg stance test"): the free foot is
lifted; the trial ends when it touches down. We read this from the *foot
raise*: how much higher the free foot's lowest point (ankle, heel, toe) is than
the stance foot's, as the mean of the image estimate (pixels, y down) and the
world estimate (metres, from MediaPipe's 3-D pose), each divided by the leg
length in its own unit, so it is independent of distance to the camera.

Detection uses hysteresis: a stance starts when the raise exceeds
``enter`` leg lengths and ends when it stays below ``exit`` for at least
``contact_s`` seconds (a swinging foot passing low is not a touch-down).
Stances shorter than ``min_stance_s`` are dropped. Lift-off and touch-down
times are then refined to the last/first frame where the raise is within
``contact_tol`` of its ground level (the median raise while both feet are down,
0 when that is never seen).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.signal import find_peaks, peak_widths

from ..landmarks import other_side
from .body import centre_of_mass, sided
from .clean import CleanTrack

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

FOOT_POINTS = ("ankle", "heel", "foot_index")


@dataclass(frozen=True)
class StanceWindow:
    """One single-leg stance found in the clip.

    side : stance leg (subject's own).
    start, stop : frame indices, ``stop`` exclusive.
    lift_off_s, touch_down_s : seconds.
    ended_by : ``"touch_down"``, ``"end_of_clip"`` or ``"tracking_lost"``.
    started_in_stance : True when the clip starts with the foot already up.
    """

    side: str
    start: int
    stop: int
    lift_off_s: float
    touch_down_s: float
    ended_by: str
    started_in_stance: bool = False


@dataclass(frozen=True)
class RepWindow:
    """One squat repetition: frame indices and times (seconds), depth in leg lengths."""

    side: str
    start: int
    deepest: int
    stop: int
    start_s: float
    deepest_s: float
    end_s: float
    depth_leg: float


def _leg_length(arr: FloatArray) -> float:
    lengths = [
        np.linalg.norm(sided(arr, s, "hip") - sided(arr, s, "knee"), axis=-1)
        + np.linalg.norm(sided(arr, s, "knee") - sided(arr, s, "ankle"), axis=-1)
        for s in ("left", "right")
    ]
    v = np.concatenate(lengths)
    v = v[np.isfinite(v)]
    return float(np.percentile(v, 90)) if v.size else float("nan")


def _lowest_y(arr: FloatArray, side: str) -> FloatArray:
    ys = np.stack([sided(arr, side, p)[:, 1] for p in FOOT_POINTS])
    out = np.full(ys.shape[1], np.nan)
    ok = np.isfinite(ys).any(axis=0)
    out[ok] = np.nanmax(ys[:, ok], axis=0)  # y down: largest y is lowest
    return out


def foot_raise(clean: CleanTrack) -> FloatArray:
    """Signed foot raise per frame, in leg lengths (hip→knee→ankle).

    Positive when the **right** foot is higher than the left (so the left leg
    is the stance leg), negative when the left foot is higher. Mean of the
    image-based and world-based estimates where both exist, else whichever
    exists; NaN where neither does.
    """
    est = []
    for arr in (clean.px, clean.world):
        leg = _leg_length(arr)
        est.append(
            (_lowest_y(arr, "left") - _lowest_y(arr, "right")) / leg if np.isfinite(leg) and leg > 0 else np.full(len(clean), np.nan)
        )
    stack = np.stack(est)
    out = np.full(len(clean), np.nan)
    ok = np.isfinite(stack).any(axis=0)
    out[ok] = np.nanmean(stack[:, ok], axis=0)
    return out


def _runs(mask: BoolArray) -> list[tuple[int, int]]:
    """(start, stop) index pairs of True runs."""
    m = np.concatenate([[False], mask.astype(bool), [False]])
    d = np.diff(m.astype(np.int8))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))


def find_stances(
    clean: CleanTrack,
    *,
    enter: float = 0.08,
    exit: float = 0.03,
    contact_s: float = 0.25,
    min_stance_s: float = 1.0,
    contact_tol: float = 0.015,
    raise_: FloatArray | None = None,
) -> list[StanceWindow]:
    """Find single-leg stances from the foot raise (see module docstring).

    Parameters
    ----------
    clean : cleaned track.
    enter, exit : hysteresis thresholds on the foot raise, in leg lengths.
    contact_s : the raise must stay below ``exit`` this long (seconds) to end a stance.
    min_stance_s : shorter stances (seconds) are ignored.
    contact_tol : a foot within this many leg lengths of its ground level is down.
    raise_ : precomputed :func:`foot_raise` (for tests).

    Returns
    -------
    Stances in time order (empty when there is none).
    """
    r = foot_raise(clean) if raise_ is None else raise_
    t = clean.times
    n = len(t)
    if n < 2:
        return []
    mag = np.abs(r)
    sign = np.sign(r)
    seen = np.isfinite(r)
    high = seen & (mag > enter)
    low = seen & (mag < exit)
    # Contact: below `exit` for at least contact_s (run-length in seconds).
    down = np.zeros(n, dtype=bool)
    for a, b in _runs(low):  # loop over runs, not frames
        if t[b - 1] - t[a] + clean.dt >= contact_s or a == 0 or b == n:
            down[a:b] = True
    ground = float(np.median(r[down])) if down.any() else 0.0
    stances: list[StanceWindow] = []
    runs = _runs(~down)
    back = max(2, int(round(1.0 * clean.fps)))  # search this far into the neighbouring contact for the exact times
    prev_end = 0
    for j, (a, b) in enumerate(runs):  # candidate: a run of frames with no sustained contact
        seg_high = high[a:b]
        if not seg_high.any():
            continue
        a += int(np.argmax(seen[a:b]))  # a person who walks in is standing from when they are first seen
        seg_high = high[a:b]
        side = "left" if float(np.median(sign[a:b][seg_high])) > 0 else "right"  # right foot higher → left stance
        sgn = 1.0 if side == "left" else -1.0
        com_side = _side_under_body(clean, a, b, ratio=3.0, minimum=0.15)
        flipped = com_side is not None and com_side != side
        if flipped:
            # The "raised" foot is the one under the body: the other foot reaches out near
            # the floor and perspective makes it look lower. Trust the centre of mass.
            side = com_side  # type: ignore[assignment]
        a0 = max(prev_end, a - back)
        b1 = min(n, b + back, runs[j + 1][0] if j + 1 < len(runs) else n)
        tt = t[a0:b1]
        above = sgn * (r[a0:b1] - ground)  # free-foot height above its ground level, leg lengths
        near = np.isfinite(above) & (above <= contact_tol)
        first_high = a - a0 + int(np.flatnonzero(seg_high)[0])
        last_high = a - a0 + int(np.flatnonzero(seg_high)[-1])
        before = np.flatnonzero(near[: first_high + 1])
        after = np.flatnonzero(near[last_high:])
        vel = np.gradient(above, tt) if b1 - a0 > 1 else np.zeros(b1 - a0)
        if flipped:
            before = after = np.array([], dtype=int)
        if before.size:
            lift = _tangent_time(tt, above, vel, int(before[-1]), first_high, rising=True)
        else:
            lift = float(t[a])
        started = not seen[:a].any() and not before.size  # on one leg from the first frame the person is seen
        if after.size:
            td, ended = _tangent_time(tt, above, vel, last_high, last_high + int(after[0]), rising=False), "touch_down"
        elif b < n:
            td, ended = float(t[b]), "touch_down"
        else:
            td, ended = float(t[n - 1]), "end_of_clip"
        stop = min(int(np.searchsorted(t, td - 1e-9)), n - 1)
        if ended != "touch_down" or not seen[stop]:
            seen_idx = a + np.flatnonzero(seen[a : stop + 1])
            last_seen = int(seen_idx[-1])
            if last_seen < n - 1 or not seen[stop]:
                stop, ended, td = last_seen, "tracking_lost", float(t[last_seen])
        start = min(int(np.searchsorted(t, lift - 1e-9)), n - 1)
        if td - lift < min_stance_s:
            continue
        stances.append(StanceWindow(side, start, stop + 1, lift, td, ended, started))
        prev_end = stop + 1
    return stances


def _side_under_body(clean: CleanTrack, a: int, b: int, *, ratio: float, minimum: float) -> str | None:
    """The leg whose foot stays under the centre of mass over frames ``a:b``, or None when unclear.

    Decisive only when the other foot's median ML distance from the whole-body
    centre of mass is at least ``ratio`` times larger and at least ``minimum``
    leg lengths.
    """
    leg = _leg_length(clean.px)
    com_x = centre_of_mass(clean.px)[a:b, 0]
    d = {s: nanmedian(np.abs(com_x - _foot_x(clean, s)[a:b]) / leg) for s in ("left", "right")}
    dl, dr = d["left"], d["right"]
    if not (np.isfinite(dl) and np.isfinite(dr)) or max(dl, dr) < max(ratio * min(dl, dr), minimum):
        return None
    return "left" if dl < dr else "right"


def _tangent_time(t: FloatArray, above: FloatArray, vel: FloatArray, k0: int, k1: int, *, rising: bool) -> float:
    """Time the foot leaves (``rising``) or reaches the ground, seconds.

    Between samples ``k0`` (foot down) and ``k1`` (foot up) for lift-off, or
    ``k0`` (up) and ``k1`` (down) for touch-down: the tangent at the fastest
    vertical foot speed, extended to the ground level. Exact for a foot moving
    at constant speed, and insensitive to the filter's rounding of the corner
    and to the frame rate. Clipped to the searched interval.
    """
    lo, hi = min(k0, k1), max(k0, k1)
    seg = vel[lo : hi + 1]
    if seg.size == 0 or not np.isfinite(seg).any():
        return float(t[k1 if not rising else k0])
    k = lo + int(np.nanargmax(seg) if rising else np.nanargmin(seg))
    v = vel[k]
    if not np.isfinite(v) or v == 0 or not np.isfinite(above[k]):
        return float(t[k1 if not rising else k0])
    t_star = float(t[k] - above[k] / v)  # zero crossing of the tangent (v < 0 when falling)
    return float(np.clip(t_star, t[lo], t[hi]))


def hip_height(clean: CleanTrack, side: str) -> FloatArray:
    """Height of the ``side`` hip above that side's ankle, in leg lengths (image, y up positive)."""
    leg = _leg_length(clean.px)
    return (sided(clean.px, side, "ankle")[:, 1] - sided(clean.px, side, "hip")[:, 1]) / leg


def find_reps(
    clean: CleanTrack,
    *,
    min_depth: float = 0.10,
    min_interval_s: float = 0.8,
    rel_height: float = 0.85,
    single_leg_ratio: float = 2.0,
    single_leg_min: float = 0.06,
    raise_single: float = 0.08,
    raise_: FloatArray | None = None,
) -> list[RepWindow]:
    """Find single-leg squat repetitions from the hips' vertical displacement.

    The squat signal is the drop of the pelvis midpoint (image y, down positive)
    below its standing level (95th percentile of its height), in leg lengths.
    Each repetition is a peak of that drop with prominence ≥ ``min_depth``;
    start and end are where the drop is back within ``1 − rel_height`` of the
    peak's prominence (``scipy.signal.peak_widths``).

    The stance leg is the one whose foot stays under the body: the smaller
    median ML distance between the foot centre and the whole-body centre of
    mass over the repetition (image-height foot raise misleads when the free
    foot reaches forward or sideways near the floor). A repetition counts as
    single-leg only when the other foot is at least ``single_leg_ratio`` times
    (and ``single_leg_min`` leg lengths) further from the centre of mass, or
    the median foot raise is at least ``raise_single``; otherwise it is a
    two-leg squat and is skipped.

    Returns
    -------
    Repetitions in time order; times in seconds, ``depth_leg`` in leg lengths.
    """
    leg = _leg_length(clean.px)
    t = clean.times
    y = 0.5 * (sided(clean.px, "left", "hip")[:, 1] + sided(clean.px, "right", "hip")[:, 1]) / leg
    ok = np.isfinite(y)
    if ok.sum() < 4 or not np.isfinite(leg):
        return []
    y = np.interp(t, t[ok], y[ok])  # long gaps bridged for peak finding only
    drop = y - np.percentile(y, 5)
    # A standing sample on either side, so a clip that starts or ends inside a
    # squat still yields that repetition (it then starts/ends at the clip's edge).
    padded = np.concatenate([[0.0], drop, [0.0]])
    distance = max(1, int(round(min_interval_s * clean.fps)))
    peaks, props = find_peaks(padded, prominence=min_depth, distance=distance)
    if peaks.size == 0:
        return []
    _, _, left, right = peak_widths(
        padded, peaks, rel_height=rel_height, prominence_data=(props["prominences"], props["left_bases"], props["right_bases"])
    )
    n = len(t)
    peaks, left, right = peaks - 1, np.clip(left - 1, 0, n - 1), np.clip(right - 1, 0, n - 1)
    r = foot_raise(clean) if raise_ is None else raise_
    com_x = centre_of_mass(clean.px)[:, 0]
    # ML distance of each foot from the centre of mass, leg lengths: the stance foot is under the body.
    under = {s: np.abs(com_x - _foot_x(clean, s)) / leg for s in ("left", "right")}
    reps: list[RepWindow] = []
    idx = np.arange(n)
    for p, lo, hi, prom in zip(peaks, left, right, props["prominences"], strict=True):
        a, b = int(np.floor(lo)), min(int(np.ceil(hi)) + 1, n)
        dl, dr = (nanmedian(under[s][a:b]) for s in ("left", "right"))
        raise_mean = nanmedian(r[a:b])
        by_com = bool(np.isfinite(dl) and np.isfinite(dr) and max(dl, dr) >= max(single_leg_ratio * min(dl, dr), single_leg_min))
        by_raise = bool(np.isfinite(raise_mean) and abs(raise_mean) >= raise_single)
        single = by_com or by_raise
        if by_com:
            side = "left" if dl <= dr else "right"
        else:
            side = "left" if raise_mean >= 0 else "right"
        if not single:
            continue  # both feet under the body and neither lifted: a two-leg squat
        reps.append(RepWindow(side, a, int(p), b, float(np.interp(lo, idx, t)), float(t[p]), float(np.interp(hi, idx, t)), float(prom)))
    return reps


def _foot_x(clean: CleanTrack, side: str) -> FloatArray:
    """Image x of the ``side`` foot centre (mean of ankle, heel, toe), pixels."""
    return np.mean(np.stack([sided(clean.px, side, p)[:, 0] for p in FOOT_POINTS]), axis=0)


def nanmedian(v: FloatArray) -> float:
    v = v[np.isfinite(v)]
    return float(np.median(v)) if v.size else float("nan")


def stances_from_reps(reps: list[RepWindow], clean: CleanTrack, *, max_gap_s: float = 3.0) -> list[StanceWindow]:
    """Group consecutive same-side repetitions into stance windows (squat mode)."""
    groups: list[list[RepWindow]] = []
    for rep in reps:
        if groups and groups[-1][-1].side == rep.side and rep.start_s - groups[-1][-1].end_s <= max_gap_s:
            groups[-1].append(rep)
        else:
            groups.append([rep])
    n = len(clean)
    return [
        StanceWindow(g[0].side, g[0].start, min(g[-1].stop, n), g[0].start_s, g[-1].end_s, "end_of_reps", g[0].start == 0) for g in groups
    ]


__all__ = ["RepWindow", "StanceWindow", "find_reps", "find_stances", "foot_raise", "hip_height", "other_side", "stances_from_reps"]
