"""Postural sway statistics of a planar trajectory (CLINICAL.md, "Postural sway metrics").

Conventions: ML (mediolateral) positive toward the subject's left, AP
(anteroposterior) positive forward. Lengths in whatever unit the inputs are in
(cm or body heights), times in seconds. All statistics are about the mean
position over the window. Missing samples (NaN) are left out; path length only
sums steps between consecutive present samples, and velocities divide by the
time those steps cover.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import chi2

FloatArray = NDArray[np.float64]

CHI2_95_2D = float(chi2.ppf(0.95, 2))  # 5.991: 95 % prediction ellipse, 2 dof


@dataclass(frozen=True)
class SwayStats:
    """Sway of one trajectory over one window.

    Per axis (``_ml``, ``_ap``): RMS about the mean, range (max − min), path
    length Σ|Δx|, mean velocity (path / time), mean frequency.
    Planar (no suffix, None when AP is not given): path length Σ‖Δp‖, mean
    velocity, mean distance from the centroid, mean frequency
    ``path / (2π · mean distance · duration)``, RMS of the distance, and the
    95 % *prediction* ellipse area ``π · χ²₀.₉₅(2) · √det Σ`` (Schubert &
    Kirchner 2014).

    The per-axis mean frequency is ``velocity / (4√2 · RMS)``, which is exact
    for a sinusoid (velocity 4Af, RMS A/√2).
    """

    duration_s: float
    n_samples: int
    rms_ml: float
    range_ml: float
    path_ml: float
    velocity_ml: float
    frequency_ml: float
    rms_ap: float | None = None
    range_ap: float | None = None
    path_ap: float | None = None
    velocity_ap: float | None = None
    frequency_ap: float | None = None
    rms: float | None = None
    path: float | None = None
    velocity: float | None = None
    mean_distance: float | None = None
    frequency: float | None = None
    ellipse_area95: float | None = None


def _axis(x: FloatArray, steps_ok: NDArray[np.bool_], span: float) -> tuple[float, float, float, float, float]:
    xv = x[np.isfinite(x)]
    rms = float(np.sqrt(np.mean((xv - xv.mean()) ** 2)))
    rng = float(xv.max() - xv.min())
    path = float(np.sum(np.abs(np.diff(x))[steps_ok]))
    vel = path / span if span > 0 else 0.0
    freq = vel / (4.0 * np.sqrt(2.0) * rms) if rms > 0 else 0.0
    return rms, rng, path, vel, freq


def sway_stats(times: FloatArray, ml: FloatArray, ap: FloatArray | None = None) -> SwayStats | None:
    """Sway statistics of a trajectory.

    Parameters
    ----------
    times : (T,) seconds.
    ml : (T,) mediolateral position (any length unit), NaN where missing.
    ap : (T,) anteroposterior position in the same unit, or None.

    Returns
    -------
    SwayStats, or None when fewer than 3 consecutive samples are present.
    """
    t = np.asarray(times, dtype=np.float64)
    x = np.asarray(ml, dtype=np.float64)
    ok = np.isfinite(x)
    if ap is not None:
        y = np.asarray(ap, dtype=np.float64)
        ok &= np.isfinite(y)
        x = np.where(ok, x, np.nan)
        y = np.where(ok, y, np.nan)
    steps_ok = ok[1:] & ok[:-1]
    if steps_ok.sum() < 2:
        return None
    span = float(np.sum(np.diff(t)[steps_ok]))
    rms_ml, rng_ml, path_ml, vel_ml, f_ml = _axis(x, steps_ok, span)
    base = dict(
        duration_s=span, n_samples=int(ok.sum()), rms_ml=rms_ml, range_ml=rng_ml, path_ml=path_ml, velocity_ml=vel_ml, frequency_ml=f_ml
    )
    if ap is None:
        return SwayStats(**base)  # type: ignore[arg-type]
    rms_ap, rng_ap, path_ap, vel_ap, f_ap = _axis(y, steps_ok, span)
    p = np.stack([x[ok], y[ok]], axis=1)
    d = p - p.mean(axis=0)
    dist = np.linalg.norm(d, axis=1)
    step = np.hypot(np.diff(x), np.diff(y))[steps_ok]
    path = float(step.sum())
    mdist = float(dist.mean())
    cov = np.cov(d.T, bias=True)
    area = float(np.pi * CHI2_95_2D * np.sqrt(max(np.linalg.det(cov), 0.0)))
    return SwayStats(
        **base,  # type: ignore[arg-type]
        rms_ap=rms_ap,
        range_ap=rng_ap,
        path_ap=path_ap,
        velocity_ap=vel_ap,
        frequency_ap=f_ap,
        rms=float(np.sqrt(np.mean(dist**2))),
        path=path,
        velocity=path / span,
        mean_distance=mdist,
        frequency=path / (2 * np.pi * mdist * span) if mdist > 0 else 0.0,
        ellipse_area95=area,
    )


def remove_coupled(x: FloatArray, driver: FloatArray, *, min_driver_range: float) -> tuple[FloatArray, float]:
    """Remove the part of ``x`` linearly explained by ``driver`` (least squares).

    Used to keep a swinging free leg from counting as sway: ``x`` is a sway
    trajectory (COM without the free leg, or the pelvis), ``driver`` the free
    foot's position on the same axis. The body's counter-movement to a
    voluntary leg swing is coupled to the foot and is removed with it; sway
    unrelated to the leg stays. Applied only when the driver moves (range ≥
    ``min_driver_range``, same unit), so quiet stances are left untouched.

    Returns
    -------
    residual : ``x − β (driver − mean driver)``, NaN where either is missing.
    r2 : fraction of ``x``'s variance removed (0 when not applied).
    """
    ok = np.isfinite(x) & np.isfinite(driver)
    if ok.sum() < 3:
        return x.copy(), 0.0
    d = driver[ok] - driver[ok].mean()
    if float(np.ptp(driver[ok])) < min_driver_range or float(d @ d) == 0.0:
        return x.copy(), 0.0
    xc = x[ok] - x[ok].mean()
    beta = float(xc @ d) / float(d @ d)
    out = np.full_like(x, np.nan)
    out[ok] = x[ok] - beta * d
    var = float(xc @ xc)
    r2 = 1.0 - float((xc - beta * d) @ (xc - beta * d)) / var if var > 0 else 0.0
    return out, r2
