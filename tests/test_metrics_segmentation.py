"""Stances and touch-downs at known times; no stance → a reason, not an exception."""

from __future__ import annotations

import pytest

from assess.assessment import analyze_track

from .synthetic import make_track


@pytest.mark.parametrize("fps", [25.0, 30.0, 60.0])
@pytest.mark.parametrize("stance", ["left", "right"])
def test_touch_down_within_one_frame(fps: float, stance: str) -> None:
    a = analyze_track(make_track(fps=fps, stance=stance, lift_off_s=1.0, touch_down_s=7.3, ramp_s=0.2, duration_s=9))
    (s,) = a.stances
    assert s.side == stance and s.ended_by == "touch_down"
    assert s.touch_down_s == pytest.approx(7.3, abs=1.0 / fps)  # foot reaches the floor at 7.3 s
    assert s.lift_off_s == pytest.approx(1.0, abs=1.0 / fps)  # foot leaves the floor at 1.0 s
    assert [e.kind for e in s.events][-1] == "free_foot_touchdown"


def test_no_single_leg_stance_is_a_reason() -> None:
    a = analyze_track(make_track(lift_off_s=None, duration_s=5))
    assert a.stances == () and a.no_stance is not None and a.no_stance.code == "no_single_leg_stance"
    assert any(r.code == "no_single_leg_stance" for r in a.quality.reasons)


def test_stance_to_end_of_clip_and_two_stances() -> None:
    a = analyze_track(make_track(lift_off_s=2.0, touch_down_s=None, duration_s=6))
    (s,) = a.stances
    assert s.ended_by == "end_of_clip" and s.duration_s == pytest.approx(4.0, abs=0.1)
    assert not any(e.kind == "free_foot_touchdown" for e in s.events)


def test_short_lift_is_not_a_stance() -> None:
    a = analyze_track(make_track(lift_off_s=1.0, touch_down_s=1.6, duration_s=4))
    assert a.stances == ()


def test_tracking_gap_inside_a_stance() -> None:
    a = analyze_track(make_track(lift_off_s=1.0, touch_down_s=None, duration_s=6, missing=((4.0, 6.0),)))
    (s,) = a.stances
    assert s.ended_by == "tracking_lost" and s.touch_down_s == pytest.approx(4.0, abs=0.1)
