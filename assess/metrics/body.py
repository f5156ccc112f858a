"""Body geometry: segment lengths, body size, scale to cm, and centre of mass.

Scale (which unit lengths are reported in) is chosen in this order:

1. ``"body_height"``: the person's height in cm is given; cm per pixel is that
   height over the body height in pixels estimated from the pose.
2. ``"pose_world"``: MediaPipe world landmarks are in metres; the body height in
   metres is estimated from world segment lengths the same way. MediaPipe
   infers that metric size from a single image, so it is approximate.
3. ``"relative"``: lengths in body heights (``"bh"``).

Body height from the pose uses segment-length fractions of height from Winter
(2009), stored in ``assess/data/anthropometry.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..assessment import ScaleInfo
from ..landmarks import N_LANDMARKS, idx, other_side, side_idx
from .clean import CleanTrack

FloatArray = NDArray[np.float64]


def load_data(name: str) -> dict[str, Any]:
    """A JSON table from ``assess/data`` (read once, cached)."""
    return _load_data(name)


@cache
def _load_data(name: str) -> dict[str, Any]:
    text = resources.files("assess").joinpath("data", name).read_text(encoding="utf-8")
    return dict(json.loads(text))


def point(arr: FloatArray, name: str) -> FloatArray:
    """Landmark ``name`` from a ``(T, 33, D)`` array, shape ``(T, D)``."""
    return arr[:, idx(name), :]


def sided(arr: FloatArray, side: str, part: str) -> FloatArray:
    """Landmark ``<side>_<part>`` from a ``(T, 33, D)`` array, shape ``(T, D)``."""
    return arr[:, side_idx(side, part), :]


def midpoint(arr: FloatArray, part: str) -> FloatArray:
    """Mean of the left and right ``part``, shape ``(T, D)``."""
    return 0.5 * (sided(arr, "left", part) + sided(arr, "right", part))


def _seg_len(arr: FloatArray, side: str, a: str, b: str) -> FloatArray:
    return np.linalg.norm(sided(arr, side, a) - sided(arr, side, b), axis=-1)


def _robust(values: FloatArray, q: float) -> float:
    v = values[np.isfinite(values)]
    return float(np.percentile(v, q)) if v.size else float("nan")


def body_height_from(arr: FloatArray, *, q: float = 90.0) -> float:
    """Standing body height estimated from segment lengths, in ``arr``'s unit.

    Uses the ``q``-th percentile over time of thigh, shank (mean of both
    sides) and trunk lengths (hip midpoint → shoulder midpoint), so that
    foreshortened frames (squatting, a raised leg) do not shrink it, divided by
    their summed fractions of height (Winter 2009; anthropometry.json).
    Returns NaN when a segment is never seen.
    """
    frac = load_data("anthropometry.json")["height_fraction"]
    thigh = np.nanmean([_robust(_seg_len(arr, s, "hip", "knee"), q) for s in ("left", "right")])
    shank = np.nanmean([_robust(_seg_len(arr, s, "knee", "ankle"), q) for s in ("left", "right")])
    trunk = _robust(np.linalg.norm(midpoint(arr, "shoulder") - midpoint(arr, "hip"), axis=-1), q)
    total = thigh + shank + trunk
    return float(total / (frac["thigh"] + frac["shank"] + frac["trunk"]))


def leg_length_px(clean: CleanTrack, *, q: float = 90.0) -> float:
    """Hip→knee plus knee→ankle length in pixels (mean of sides, ``q``-th percentile over time)."""
    thigh = np.nanmean([_robust(_seg_len(clean.px, s, "hip", "knee"), q) for s in ("left", "right")])
    shank = np.nanmean([_robust(_seg_len(clean.px, s, "knee", "ankle"), q) for s in ("left", "right")])
    return float(thigh + shank)


@dataclass(frozen=True)
class Scale:
    """Conversion factors (see module docstring).

    info : the record stored in the Assessment.
    per_px : reported length unit per image pixel (cm/px or bh/px).
    per_m : reported length unit per world metre (cm/m or bh/m).
    unit : ``"cm"`` or ``"bh"``.
    """

    info: ScaleInfo
    per_px: float
    per_m: float
    unit: str


def estimate_scale(clean: CleanTrack, *, height_cm: float | None = None) -> Scale:
    """Pick the length unit and its conversion factors.

    Parameters
    ----------
    clean : cleaned track.
    height_cm : the person's standing height in cm, if known.

    Returns
    -------
    Scale. Lengths from world landmarks are converted with ``per_m`` scaled so
    that the world body height matches the chosen body height.
    """
    h_px = body_height_from(clean.px)
    h_m = body_height_from(clean.world)
    if height_cm is not None and height_cm > 0 and np.isfinite(h_px):
        per_px = height_cm / h_px
        per_m = height_cm / h_m if np.isfinite(h_m) else 100.0
        info = ScaleInfo("body_height", "cm", h_px, per_px, float(height_cm), "From the height you entered.")
        return Scale(info, per_px, per_m, "cm")
    if np.isfinite(h_m) and np.isfinite(h_px) and 0.8 < h_m < 2.3:
        per_px = 100.0 * h_m / h_px
        info = ScaleInfo(
            "pose_world",
            "cm",
            h_px,
            per_px,
            100.0 * h_m,
            f"Estimated from the pose (body height ≈ {100 * h_m:.0f} cm); enter the real height for accurate cm.",
        )
        return Scale(info, per_px, 100.0, "cm")
    per_px = 1.0 / h_px if np.isfinite(h_px) and h_px > 0 else float("nan")
    per_m = 1.0 / h_m if np.isfinite(h_m) and h_m > 0 else float("nan")
    info = ScaleInfo("relative", "bh", h_px if np.isfinite(h_px) else 0.0, None, None, "Lengths are in body heights (no scale found).")
    return Scale(info, per_px, per_m, "bh")


def com_weights(*, exclude_leg: str | None = None) -> FloatArray:
    """Landmark weights ``w`` (33,) such that the centre of mass is ``Σ w_k p_k``.

    Built from the Dempster/Winter segment table (``assess/data/segments.json``):
    each segment contributes ``mass · ((1 − r) · proximal + r · distal)``.

    Parameters
    ----------
    exclude_leg : ``"left"``/``"right"`` drops that leg's thigh, shank and foot
        (16.1 % of body mass) and renormalises the rest. This is the sway
        reference during single-leg stance: the free leg's swinging moves the
        whole-body COM without the body swaying over the stance foot.
    """
    w = np.zeros(N_LANDMARKS)
    for seg in load_data("segments.json")["segments"]:
        m, r = float(seg["mass_fraction"]), float(seg["com_from_proximal"])
        sides = ("left", "right") if seg["sided"] else ("",)
        for side in sides:
            if side and side == exclude_leg and seg["segment"] in ("thigh", "shank", "foot"):
                continue
            prox = [f"{side}_{p}" if side else p for p in seg["proximal"]]
            dist = [f"{side}_{p}" if side else p for p in seg["distal"]]
            for name in prox:
                w[idx(name)] += m * (1.0 - r) / len(prox)
            for name in dist:
                w[idx(name)] += m * r / len(dist)
    return w / w.sum()


def centre_of_mass(arr: FloatArray, *, exclude_leg: str | None = None) -> FloatArray:
    """Centre of mass ``(T, D)`` of a ``(T, 33, D)`` landmark array (same unit).

    NaN in a frame where any landmark it uses is missing.
    """
    w = com_weights(exclude_leg=exclude_leg)
    used = w > 0
    return np.asarray(np.einsum("tkd,k->td", arr[:, used, :], w[used]))


def lateral_sign(clean: CleanTrack) -> float:
    """+1 when the subject's left is on the image's right (facing the camera), −1 when facing away.

    From the median image x of the left hip minus the right hip (and of the
    shoulders when the hips are missing).
    """
    for part in ("hip", "shoulder"):
        d = sided(clean.px, "left", part)[:, 0] - sided(clean.px, "right", part)[:, 0]
        d = d[np.isfinite(d)]
        if d.size:
            return 1.0 if float(np.median(d)) >= 0 else -1.0
    return 1.0


def medial_sign(clean: CleanTrack, side: str) -> float:
    """Image-x direction (+1 right, −1 left) from the ``side`` leg toward the body midline."""
    return -lateral_sign(clean) if side == "left" else lateral_sign(clean)


__all__ = [
    "Scale",
    "body_height_from",
    "centre_of_mass",
    "com_weights",
    "estimate_scale",
    "lateral_sign",
    "leg_length_px",
    "load_data",
    "medial_sign",
    "midpoint",
    "other_side",
    "point",
    "sided",
]
