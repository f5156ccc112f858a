"""Pelvis, trunk and arms during single-leg stance (CLINICAL.md, "Pelvis, trunk, foot").

All angles in degrees from image (pixel) coordinates, assuming an upright,
level camera. ``stance`` is the stance leg (subject's own side).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..landmarks import other_side
from .body import medial_sign, midpoint, sided
from .clean import CleanTrack

FloatArray = NDArray[np.float64]


def pelvic_drop(clean: CleanTrack, stance: str) -> FloatArray:
    """Tilt of the hip line per frame, degrees, **positive when the free-leg side is lower**.

    ``atan2(y_free − y_stance, |x_free − x_stance|)`` with image y down: a
    contralateral pelvic drop (Trendelenburg sign) is positive.
    """
    hs, hf = sided(clean.px, stance, "hip"), sided(clean.px, other_side(stance), "hip")
    return np.degrees(np.arctan2(hf[:, 1] - hs[:, 1], np.abs(hf[:, 0] - hs[:, 0])))


def pelvic_drop_px(clean: CleanTrack, stance: str) -> FloatArray:
    """Height of the stance hip above the free hip per frame, pixels (positive = free side lower)."""
    return sided(clean.px, other_side(stance), "hip")[:, 1] - sided(clean.px, stance, "hip")[:, 1]


def trunk_lean(clean: CleanTrack, stance: str) -> FloatArray:
    """Lateral trunk lean per frame, degrees, **positive toward the stance side**.

    Angle from image vertical of the line hip midpoint → shoulder midpoint.
    """
    toward_stance = -medial_sign(clean, stance)  # image-x direction from the midline to the stance side
    d = midpoint(clean.px, "shoulder") - midpoint(clean.px, "hip")
    return np.degrees(np.arctan2(toward_stance * d[:, 0], -d[:, 1]))


def wrist_excursion_px(clean: CleanTrack, start: int, stop: int, *, baseline_s: float = 0.25) -> FloatArray:
    """Largest wrist displacement (either wrist) from its start position, per frame, pixels.

    Wrists are taken relative to the hip midpoint, so whole-body sway does not
    count as arm use. The start position is the mean over the first
    ``baseline_s`` seconds of the window ``start:stop``.
    """
    hip = midpoint(clean.px, "hip")[start:stop]
    n0 = max(1, int(round(baseline_s * clean.fps)))
    out = []
    for side in ("left", "right"):
        w = sided(clean.px, side, "wrist")[start:stop] - hip
        ref = np.nanmean(w[:n0], axis=0) if np.isfinite(w[:n0]).any() else np.full(2, np.nan)
        out.append(np.linalg.norm(w - ref, axis=1))
    both = np.stack(out)
    res = np.full(both.shape[1], np.nan)
    okc = np.isfinite(both).any(axis=0)
    res[okc] = np.nanmax(both[:, okc], axis=0)
    return res


def hand_hip_distance(clean: CleanTrack) -> FloatArray:
    """Larger of the two wrist-to-same-side-hip distances per frame, in trunk lengths (hip midpoint → shoulder midpoint)."""
    torso = np.linalg.norm(midpoint(clean.px, "shoulder") - midpoint(clean.px, "hip"), axis=1)
    d = np.stack([np.linalg.norm(sided(clean.px, s, "wrist") - sided(clean.px, s, "hip"), axis=1) for s in ("left", "right")])
    return np.asarray(np.max(d, axis=0) / torso)
