"""Cleaning: visibility, gap filling in seconds, zero-phase low-pass."""

from __future__ import annotations

import numpy as np
import pytest

from assess.landmarks import idx
from assess.metrics.clean import clean_track, fill_gaps, lowpass

from .synthetic import make_track, sine


def test_fill_gaps_linear_and_marks_long_ones() -> None:
    t = np.arange(20) / 10.0  # 10 fps
    v = t.copy()
    v[3:5] = np.nan  # 0.2 s missing → filled
    v[10:14] = np.nan  # 0.4 s missing → long
    filled, long = fill_gaps(v, t, max_gap_s=0.25)
    assert np.allclose(filled[3:5], t[3:5])
    assert not long[3:5].any() and long[10:14].all() and long.sum() == 4


def test_gap_rule_is_in_seconds_not_frames() -> None:
    for fps in (10.0, 30.0, 60.0):
        tr = make_track(fps=fps, duration_s=4, missing=((1.0, 1.2), (2.0, 2.5)))
        c = clean_track(tr)
        hip = c.valid[:, idx("left_hip")]
        assert hip[(c.times >= 1.0) & (c.times < 1.2)].all()
        assert not hip[(c.times >= 2.0) & (c.times < 2.5)].any()


def test_low_visibility_points_dropped() -> None:
    tr = make_track(duration_s=2, visibility=0.3)
    c = clean_track(tr, min_visibility=0.5)
    assert not c.valid.any() and np.isnan(c.px).all()


def test_lowpass_keeps_slow_removes_fast() -> None:
    fps = 60.0
    t = np.arange(600) / fps
    slow, fast = np.sin(2 * np.pi * 0.5 * t), np.sin(2 * np.pi * 15 * t)
    out = lowpass(slow + fast, fps, cutoff_hz=6.0)
    assert np.max(np.abs(out[60:-60] - slow[60:-60])) < 0.01  # zero phase: no lag


@pytest.mark.parametrize("fps", [10.0, 25.0])
def test_cutoff_lowered_below_nyquist(fps: float) -> None:
    c = clean_track(make_track(fps=fps, duration_s=3, sway_ml=sine(0.01, 0.5)))
    assert c.cutoff_hz <= 0.4 * fps + 1e-9
