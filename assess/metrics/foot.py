"""Stance foot and ankle (CLINICAL.md, "Pelvis, trunk, foot").

MediaPipe gives only ankle, heel and toe (foot index) per foot, so these are
screening signals, not a foot-posture assessment. Image coordinates, pixels,
y down; ``stance`` is the stance leg.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.signal import butter, sosfiltfilt

from .body import lateral_sign, sided
from .clean import CleanTrack

FloatArray = NDArray[np.float64]


def foot_centre_px(clean: CleanTrack, side: str) -> FloatArray:
    """Mean of ankle, heel and toe of the ``side`` foot, (T, 2) pixels."""
    return np.mean(np.stack([sided(clean.px, side, p) for p in ("ankle", "heel", "foot_index")]), axis=0)


def foot_wobble_px(clean: CleanTrack, stance: str, *, highpass_hz: float = 1.5) -> FloatArray:
    """High-frequency ML motion of the stance foot relative to the shank, per frame, pixels.

    The foot centre's image x minus the stance knee's, high-passed at
    ``highpass_hz`` (2nd-order zero-phase Butterworth) so slow whole-body sway
    and posture drop out; what is left (1.5 Hz up to the 6 Hz cleaning
    cut-off) is the quick corrective wobble at the ankle. Sign: positive
    toward the subject's left. NaN where missing; the filter runs over the
    longest stretch of present samples only.
    """
    x = (foot_centre_px(clean, stance)[:, 0] - sided(clean.px, stance, "knee")[:, 0]) * lateral_sign(clean)
    out = np.full_like(x, np.nan)
    ok = np.isfinite(x)
    if ok.sum() < 12 or highpass_hz >= 0.5 * clean.fps:
        return out
    # longest present stretch
    m = np.concatenate([[False], ok, [False]]).astype(np.int8)
    d = np.diff(m)
    starts, stops = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
    k = int(np.argmax(stops - starts))
    a, b = int(starts[k]), int(stops[k])
    if b - a < 12:
        return out
    sos = butter(2, highpass_hz, btype="high", fs=clean.fps, output="sos")
    out[a:b] = sosfiltfilt(sos, x[a:b], padlen=min(3 * (2 * len(sos) + 1), b - a - 1))
    return out


def heel_lift_px(clean: CleanTrack, stance: str) -> FloatArray:
    """Height of the stance heel above the stance toe per frame, pixels (positive = heel higher)."""
    return sided(clean.px, stance, "foot_index")[:, 1] - sided(clean.px, stance, "heel")[:, 1]


def foot_shift_px(clean: CleanTrack, stance: str, start: int, stop: int, *, baseline_s: float = 0.25) -> FloatArray:
    """Displacement of the stance foot centre from its position at the start of the window, pixels."""
    f = foot_centre_px(clean, stance)[start:stop]
    n0 = max(1, int(round(baseline_s * clean.fps)))
    ref = np.nanmean(f[:n0], axis=0) if np.isfinite(f[:n0]).any() else np.full(2, np.nan)
    return np.asarray(np.linalg.norm(f - ref, axis=1))
