"""Sway statistics on trajectories whose answers are known in closed form."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from assess.assessment import analyze_track
from assess.metrics.sway import CHI2_95_2D, sway_stats

from .synthetic import make_track, sine


def test_sinusoid_rms_path_frequency() -> None:
    a, f, dur, fps = 2.0, 0.5, 20.0, 100.0
    t = np.arange(int(dur * fps) + 1) / fps
    st = sway_stats(t, a * np.sin(2 * np.pi * f * t))
    assert st is not None
    assert st.rms_ml == pytest.approx(a / np.sqrt(2), rel=0.002)
    assert st.path_ml == pytest.approx(4 * a * f * dur, rel=0.002)  # 4A per cycle
    assert st.velocity_ml == pytest.approx(4 * a * f, rel=0.002)
    assert st.frequency_ml == pytest.approx(f, rel=0.005)
    assert st.range_ml == pytest.approx(2 * a, rel=0.002)
    assert st.rms_ap is None and st.ellipse_area95 is None


def test_circle_planar_metrics() -> None:
    r, f, dur, fps = 1.5, 0.25, 8.0, 200.0
    t = np.arange(int(dur * fps) + 1) / fps
    x, y = r * np.cos(2 * np.pi * f * t), r * np.sin(2 * np.pi * f * t)
    st = sway_stats(t, x, y)
    assert st is not None and st.path is not None
    assert st.path == pytest.approx(2 * np.pi * r * f * dur, rel=0.002)
    assert st.mean_distance == pytest.approx(r, rel=0.002)
    assert st.frequency == pytest.approx(f, rel=0.005)
    # covariance of a circle: r²/2 on each axis → area = π χ² r²/2
    assert st.ellipse_area95 == pytest.approx(np.pi * CHI2_95_2D * r**2 / 2, rel=0.01)


def test_missing_samples_are_skipped_not_nan() -> None:
    t = np.arange(100) / 10.0
    x = np.sin(t)
    x[40:45] = np.nan
    st = sway_stats(t, x)
    assert st is not None and np.isfinite(st.rms_ml) and np.isfinite(st.path_ml)
    assert sway_stats(t[:2], x[:2]) is None


def _stance_metric(a, name):  # type: ignore[no-untyped-def]
    (s,) = a.stances
    m = s.metric(name)
    assert m is not None and m.value is not None, name
    return m


def test_end_to_end_pelvis_sway_in_cm() -> None:
    amp = 0.01  # 1 cm, 1 Hz: 7 whole cycles in the trimmed 1.5–8.5 s window
    tr = make_track(lift_off_s=1.0, touch_down_s=9.0, duration_s=10, sway_ml=sine(amp, 1.0))
    a = analyze_track(tr, height_cm=172.0)  # the template's estimated height: 1 px = 0.25 cm exactly-ish
    rms = _stance_metric(a, "pelvis_sway_ml_rms")
    assert rms.unit == "cm"
    assert rms.value == pytest.approx(100 * amp / np.sqrt(2), rel=0.02)
    path = _stance_metric(a, "pelvis_sway_ml_path").value
    win = _stance_metric(a, "pelvis_sway_ml_velocity")
    assert win.value == pytest.approx(4 * 100 * amp * 1.0, rel=0.02)
    assert path > 0
    ap = _stance_metric(a, "com_sway_ap_rms")
    assert ap.quality.grade in ("C", "D") and any(r.code == "ap_from_frontal_view" for r in ap.quality.reasons)


def test_ap_sway_from_world_depth() -> None:
    tr = make_track(lift_off_s=1.0, touch_down_s=9.0, duration_s=10, sway_ap=sine(0.02, 1.0))
    a = analyze_track(tr, height_cm=172.0)
    assert _stance_metric(a, "pelvis_sway_ap_rms").value == pytest.approx(2.0 / np.sqrt(2), rel=0.03)
    assert _stance_metric(a, "pelvis_sway_ml_rms").value == pytest.approx(0.0, abs=1e-6)


def test_swinging_free_leg_does_not_inflate_com_sway() -> None:
    base: dict[str, Any] = dict(lift_off_s=1.0, touch_down_s=9.0, duration_s=10, sway_ml=sine(0.005, 1.0))
    still = analyze_track(make_track(**base), height_cm=172.0)
    swing = analyze_track(make_track(**base, free_leg_ml=sine(0.25, 0.7)), height_cm=172.0)
    com_still = _stance_metric(still, "com_sway_ml_rms").value
    com_swing = _stance_metric(swing, "com_sway_ml_rms").value
    whole_swing = _stance_metric(swing, "com_whole_body_sway_ml_rms").value
    assert com_swing == pytest.approx(com_still, rel=0.01)
    assert whole_swing > 3 * com_swing  # what the free leg would have added


def test_relative_units_without_any_scale() -> None:
    tr = make_track(lift_off_s=1.0, touch_down_s=9.0, duration_s=10, sway_ml=sine(0.01, 1.0))
    # world landmarks scaled to an implausible size → no pose_world scale
    import dataclasses

    tr = dataclasses.replace(tr, world=tr.world * 10)
    a = analyze_track(tr)
    assert a.scale.method == "relative" and a.scale.unit == "bh"
    assert _stance_metric(a, "pelvis_sway_ml_rms").unit == "bh"
