"""FPPA on constructed legs: known angle, sign (valgus +) on both legs, side view unreliable."""

from __future__ import annotations

import numpy as np
import pytest

from assess.assessment import analyze_track
from assess.metrics.clean import clean_track
from assess.metrics.knee import fppa_image, fppa_world, signed_knee_angle

from .synthetic import make_track


def test_signed_angle_by_hand() -> None:
    hip, ankle = np.array([[0.0, 0.0]]), np.array([[0.0, 2.0]])
    knee = np.array([[-np.tan(np.radians(10)), 1.0]])  # 10° half-angle, knee toward −x
    medial = np.array([-1.0, 0.0])
    assert signed_knee_angle(hip, knee, ankle, medial)[0] == pytest.approx(20.0, abs=1e-9)
    assert signed_knee_angle(hip, knee, ankle, -medial)[0] == pytest.approx(-20.0, abs=1e-9)


@pytest.mark.parametrize("stance", ["left", "right"])
@pytest.mark.parametrize("angle", [-8.0, 0.0, 12.0, 25.0])
def test_constructed_leg_gives_its_fppa(stance: str, angle: float) -> None:
    c = clean_track(make_track(stance=stance, fppa_deg=angle, duration_s=3))
    assert np.nanmedian(fppa_image(c, stance)) == pytest.approx(angle, abs=0.5)
    assert np.nanmedian(fppa_world(c, stance)) == pytest.approx(angle, abs=0.5)


def test_fppa_is_per_stance_and_not_confident_from_the_side() -> None:
    front = analyze_track(make_track(fppa_deg=15.0, lift_off_s=1.0, touch_down_s=6.0, duration_s=7))
    (s,) = front.stances
    m = s.metric("fppa_image_mean")
    assert m is not None and m.value == pytest.approx(15.0, abs=0.5) and m.quality.reliable
    side = analyze_track(make_track(fppa_deg=15.0, lift_off_s=1.0, touch_down_s=6.0, duration_s=7, view="side"))
    assert side.view.view == "side" and not side.view.frontal_plane_reliable
    for st in side.stances:
        for name in ("fppa_image_mean", "fppa_image_p95", "fppa_world_mean"):
            q = st.metric(name).quality  # type: ignore[union-attr]
            assert q.grade == "D" and not q.reliable and any(r.code == "side_view" for r in q.reasons)


def test_squat_reps_and_fppa_at_depth() -> None:
    def depth(t: np.ndarray) -> np.ndarray:  # three 2-s squats, 0.25 m deep, from t = 1, 4, 7 s
        d = np.zeros_like(t)
        for t0 in (1.0, 4.0, 7.0):
            inside = (t >= t0) & (t <= t0 + 2.0)
            d[inside] = 0.125 * (1 - np.cos(np.pi * (t[inside] - t0)))
        return d

    def valgus(t: np.ndarray) -> np.ndarray:
        return 40.0 * depth(t)  # 10° at the deepest point

    a = analyze_track(make_track(squat_depth=depth, fppa_deg=valgus, lift_off_s=0.5, duration_s=10.5), mode="squat")
    reps = a.reps
    assert [r.side for r in reps] == ["left"] * 3
    assert [r.deepest_s for r in reps] == pytest.approx([2.0, 5.0, 8.0], abs=0.05)
    for r in reps:
        at = next(m for m in r.metrics if m.name == "fppa_image_at_depth")
        assert at.value == pytest.approx(10.0, abs=0.5)
    mean = a.summary_metric("fppa_image_at_depth_rep_mean", "left")
    assert mean is not None and mean.value == pytest.approx(10.0, abs=0.5)
