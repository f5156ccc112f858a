"""Cleaning: from a raw `PoseTrack` to filtered landmark series in pixels and metres.

Steps (all lengths of time in seconds, so 10/25/30/60 fps give the same answers):

1. Drop points whose MediaPipe visibility is below ``min_visibility``.
2. Fill gaps of at most ``max_gap_s`` by linear interpolation; longer gaps stay
   missing and are marked in ``long_gap``.
3. 4th-order zero-phase low-pass Butterworth (``scipy.signal.butter`` +
   ``sosfiltfilt``), 6 Hz by default, the usual filter for video-based
   centre-of-mass sway (CLINICAL.md, "Postural sway metrics").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.signal import butter, sosfiltfilt

from ..track import PoseTrack

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class CleanTrack:
    """Filtered landmarks of one person.

    Attributes
    ----------
    times : (T,) seconds.
    px : (T, 33, 2) image position in pixels (x right, y down), NaN where missing.
    world : (T, 33, 3) MediaPipe world landmarks in metres (hip-centred; x right,
        y down, z away from the camera), NaN where missing.
    valid : (T, 33) True where the point was seen or filled from a short gap.
    long_gap : (T, 33) True inside gaps longer than ``max_gap_s`` (and runs
        missing at the start/end of the clip longer than that).
    visibility : (T, 33) MediaPipe visibility, 0 where not detected.
    fps : nominal frame rate (frames per second).
    width, height : frame size in pixels.
    cutoff_hz : low-pass cut-off actually used (lowered to 0.8 × Nyquist when
        the frame rate is too low for the requested one).
    """

    times: FloatArray
    px: FloatArray
    world: FloatArray
    valid: BoolArray
    long_gap: BoolArray
    visibility: FloatArray
    fps: float
    width: int
    height: int
    cutoff_hz: float

    def __len__(self) -> int:
        return int(self.times.shape[0])

    @property
    def dt(self) -> float:
        """Nominal frame period in seconds."""
        return 1.0 / self.fps


def fill_gaps(values: FloatArray, times: FloatArray, *, max_gap_s: float) -> tuple[FloatArray, BoolArray]:
    """Linearly interpolate missing samples along axis 0.

    Parameters
    ----------
    values : (T, ...) array with NaN where missing.
    times : (T,) seconds.
    max_gap_s : gaps whose missing span (time between the last sample before and
        the first after, minus one frame period) is at most this are filled.

    Returns
    -------
    filled : every gap filled (long ones too, with the nearest values at the ends),
        so that a filter can run over the whole series; mask them with ``long``.
    long : (T, ...) True at samples inside gaps longer than ``max_gap_s`` and at
        samples that could not be filled at all (channel never seen).
    """
    v = np.asarray(values, dtype=np.float64)
    t = np.asarray(times, dtype=np.float64)
    n = v.shape[0]
    if n == 0:
        return v.copy(), np.zeros(v.shape, dtype=bool)
    ok = np.isfinite(v)
    shape = (n,) + (1,) * (v.ndim - 1)
    idx = np.broadcast_to(np.arange(n).reshape(shape), v.shape)
    prev = np.maximum.accumulate(np.where(ok, idx, -1), axis=0)
    nxt = np.flip(np.minimum.accumulate(np.flip(np.where(ok, idx, n), axis=0), axis=0), axis=0)
    has_prev, has_next = prev >= 0, nxt < n
    p = np.clip(prev, 0, n - 1)
    q = np.clip(nxt, 0, n - 1)
    vp = np.take_along_axis(v, p, axis=0)
    vq = np.take_along_axis(v, q, axis=0)
    tp, tq = t[p], t[q]
    tt = np.broadcast_to(t.reshape(shape), v.shape)
    w = np.where(tq > tp, (tt - tp) / np.where(tq > tp, tq - tp, 1.0), 0.0)
    inner = vp + w * (vq - vp)
    filled = np.where(ok, v, np.where(has_prev & has_next, inner, np.where(has_prev, vp, vq)))
    period = float(np.median(np.diff(t))) if n > 1 else 0.0
    t0, t1 = t[0] - period, t[-1] + period  # virtual samples just outside the clip
    span = np.where(has_next, tq, t1) - np.where(has_prev, tp, t0) - period
    long = ~ok & (span > max_gap_s + 1e-9)
    long |= ~(has_prev | has_next)
    return filled, long


def lowpass(values: FloatArray, fps: float, *, cutoff_hz: float = 6.0, order: int = 4) -> FloatArray:
    """Zero-phase Butterworth low-pass along axis 0.

    ``order`` is the order of the designed filter (``sosfiltfilt`` runs it
    forward and backward, doubling the effective order, with no phase lag).
    Columns containing NaN come out NaN. Series shorter than the filter's
    padding are filtered with the padding they allow (none below 4 samples).
    """
    v = np.asarray(values, dtype=np.float64)
    n = v.shape[0]
    if n < 4:
        return v.copy()
    sos = butter(order, cutoff_hz, btype="low", fs=fps, output="sos")
    padlen = min(3 * (2 * len(sos) + 1), n - 1)
    return np.asarray(sosfiltfilt(sos, v, axis=0, padlen=padlen))


def effective_cutoff(fps: float, cutoff_hz: float) -> float:
    """Cut-off in Hz, lowered to 0.8 × Nyquist (``0.4 · fps``) when needed."""
    return float(min(cutoff_hz, 0.4 * fps))


def clean_track(
    track: PoseTrack,
    *,
    min_visibility: float = 0.5,
    max_gap_s: float = 0.25,
    cutoff_hz: float = 6.0,
    order: int = 4,
) -> CleanTrack:
    """Drop low-visibility points, fill short gaps, low-pass filter.

    Parameters
    ----------
    track : the raw track.
    min_visibility : points below this MediaPipe visibility (0–1) are dropped.
    max_gap_s : longest gap, in seconds, that is filled by interpolation.
    cutoff_hz : low-pass cut-off in Hz (6 Hz: CLINICAL.md).
    order : Butterworth order.

    Returns
    -------
    CleanTrack, with long gaps kept as NaN and marked in ``long_gap``.
    """
    seen = track.detected[:, None] & (track.visibility >= min_visibility)
    px = track.pixels()
    px = np.where(seen[..., None], px, np.nan)
    world = np.where(seen[..., None], track.world, np.nan)
    both = np.concatenate([px, world], axis=2)  # (T, 33, 5)
    filled, long = fill_gaps(both, track.times, max_gap_s=max_gap_s)
    long_pt: NDArray[np.bool_] = np.asarray(long.any(axis=2), dtype=bool)
    fc = effective_cutoff(track.fps, cutoff_hz)
    smooth = lowpass(filled, track.fps, cutoff_hz=fc, order=order)
    smooth[long_pt] = np.nan
    return CleanTrack(
        times=np.asarray(track.times, dtype=np.float64),
        px=smooth[..., :2],
        world=smooth[..., 2:],
        valid=~long_pt,
        long_gap=long_pt,
        visibility=np.asarray(track.visibility, dtype=np.float64),
        fps=float(track.fps),
        width=track.width,
        height=track.height,
        cutoff_hz=fc,
    )
