"""Pelvic drop, trunk lean, arms and foot on constructed poses."""

from __future__ import annotations

import numpy as np
import pytest

from assess.assessment import analyze_track
from assess.metrics.clean import clean_track
from assess.metrics.posture import pelvic_drop, trunk_lean

from .synthetic import make_track, sine


@pytest.mark.parametrize("stance", ["left", "right"])
@pytest.mark.parametrize("angle", [-4.0, 0.0, 6.0])
def test_pelvis_tilted_by_a_known_angle(stance: str, angle: float) -> None:
    c = clean_track(make_track(stance=stance, pelvic_drop_deg=angle, duration_s=3))
    assert np.nanmedian(pelvic_drop(c, stance)) == pytest.approx(angle, abs=0.1)


@pytest.mark.parametrize("stance", ["left", "right"])
def test_trunk_lean_toward_stance_is_positive(stance: str) -> None:
    c = clean_track(make_track(stance=stance, trunk_lean_deg=10.0, duration_s=3))
    assert np.nanmedian(trunk_lean(c, stance)) == pytest.approx(10.0, abs=0.2)


def test_stance_metrics_in_cm() -> None:
    a = analyze_track(make_track(pelvic_drop_deg=5.0, lift_off_s=1.0, touch_down_s=6.0, duration_s=7), height_cm=172.0)
    (s,) = a.stances
    assert s.metric("pelvic_drop_mean").value == pytest.approx(5.0, abs=0.1)  # type: ignore[union-attr]
    # 20 cm hip width → 20·tan 5° = 1.75 cm
    assert s.metric("pelvic_drop_height_p95").value == pytest.approx(20 * np.tan(np.radians(5)), rel=0.05)  # type: ignore[union-attr]
    assert s.metric("arm_excursion_max").value == pytest.approx(0.0, abs=0.05)  # type: ignore[union-attr]
    assert s.metric("foot_shift_max").value == pytest.approx(0.0, abs=0.05)  # type: ignore[union-attr]


def test_no_metric_is_a_silent_nan() -> None:
    a = analyze_track(make_track(lift_off_s=1.0, touch_down_s=6.0, duration_s=7, sway_ml=sine(0.01, 1.0)))
    for s in a.stances:
        for m in s.metrics:
            assert m.value is None or np.isfinite(m.value), m.name
            if m.value is None:
                assert m.quality.reasons, m.name
    assert "NaN" not in a.to_json()
