"""The same movement sampled at 25, 30 and 60 fps gives the same numbers (±1 %)."""

from __future__ import annotations

import numpy as np
import pytest

from assess.assessment import analyze_track

from .synthetic import make_track, sine


def _values(fps: float) -> dict[str, float]:
    tr = make_track(
        fps=fps,
        lift_off_s=1.0,
        touch_down_s=9.0,
        duration_s=10.0,
        sway_ml=sine(0.01, 0.8),
        sway_ap=sine(0.01, 0.5, 1.0),
        fppa_deg=lambda t: 6.0 + 2.0 * np.sin(2 * np.pi * 0.3 * t),
        pelvic_drop_deg=3.0,
        trunk_lean_deg=lambda t: 4.0 * np.sin(2 * np.pi * 0.2 * t),
    )
    a = analyze_track(tr, height_cm=170.0)
    (s,) = a.stances
    return {m.name: m.value for m in s.metrics if m.value is not None}


def test_results_do_not_depend_on_frame_rate() -> None:
    ref = _values(30.0)
    for fps in (25.0, 60.0):
        other = _values(fps)
        assert other.keys() == ref.keys()
        for k, v in ref.items():
            assert other[k] == pytest.approx(v, rel=0.01, abs=0.02), (fps, k)
