"""Data quality grades, camera view, asymmetry."""

from __future__ import annotations

import pytest

from assess.assessment import Metric, analyze_track
from assess.metrics.asymmetry import asymmetries, symmetry_index

from .synthetic import make_track


def test_clean_frontal_clip_is_grade_a() -> None:
    a = analyze_track(make_track(lift_off_s=1.0, duration_s=4))
    assert a.view.view == "frontal" and a.quality.grade == "A" and a.quality.reasons == ()


def test_body_out_of_frame_and_low_visibility_lower_the_grade() -> None:
    a = analyze_track(make_track(lift_off_s=1.0, duration_s=4, px_per_m=600.0, visibility=0.6))  # shoulders above the top edge
    codes = {r.code for r in a.quality.reasons}
    assert "body_out_of_frame" in codes and "feet_low_visibility" in codes
    assert a.quality.grade in ("C", "D")


def test_missing_frames_are_reported() -> None:
    a = analyze_track(make_track(lift_off_s=1.0, duration_s=6, missing=((2.0, 4.0),)))
    assert any(r.code in ("few_usable_frames", "some_frames_missing") for r in a.quality.reasons)
    assert a.quality.usable_fraction == pytest.approx(4 / 6, abs=0.02)


def test_side_view_detected() -> None:
    a = analyze_track(make_track(lift_off_s=1.0, duration_s=4, view="side"))
    assert a.view.view == "side" and any(r.code == "side_view" for r in a.quality.reasons)


def test_pelvic_drop_change_against_two_leg_baseline() -> None:
    a = analyze_track(make_track(lift_off_s=2.0, touch_down_s=6.0, duration_s=7, pelvic_drop_deg=lambda t: 4.0 * (t > 2.0)))
    m = a.stances[0].metric("pelvic_drop_change_mean")
    assert m is not None and m.value == pytest.approx(4.0, abs=0.3)
    started = analyze_track(make_track(lift_off_s=0.0, duration_s=4))
    m2 = started.stances[0].metric("pelvic_drop_change_mean")
    assert m2 is not None and m2.value is None and any(r.code == "no_two_leg_baseline" for r in m2.quality.reasons)


def test_asymmetry_and_symmetry_index() -> None:
    assert symmetry_index(6.0, 4.0) == pytest.approx(40.0)
    assert symmetry_index(0.0, 0.0) is None
    summary = (
        Metric("fppa_image_mean", 6.0, "deg", side="left"),
        Metric("fppa_image_mean", 4.0, "deg", side="right"),
        Metric("stance_duration", 30.0, "s", side="left"),
    )
    (asym,) = asymmetries(summary)
    assert asym.name == "fppa_image_mean" and asym.abs_diff == pytest.approx(2.0) and asym.symmetry_index_pct == pytest.approx(40.0)
