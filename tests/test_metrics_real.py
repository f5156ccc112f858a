"""Metrics on the real clips in ../shared/videos (skipped with a reason when absent).

Tracks come from the session fixture ``real_track`` (tests/conftest.py): each
clip is tracked once with ``assess.pipeline.track_video`` and cached under
pytest's cache folder. Times are compared relative to the track's first frame
(some clips' timestamps do not start at 0). Expected values were read by eye
from the frames (see each test); tolerances are the acceptance criteria of the
"Balance metrics" issue.
"""

from __future__ import annotations

import pytest

from assess.assessment import Assessment, Mode, analyze_track

pytestmark = [pytest.mark.real_video, pytest.mark.slow]


def _analyze(real_track, name: str, mode: Mode = "stance") -> tuple[Assessment, float]:  # type: ignore[no-untyped-def]
    track = real_track(name)
    a = analyze_track(track, mode=mode)
    return a, float(track.times[0])


def test_treepose_one_left_stance_lift_off(real_track) -> None:  # type: ignore[no-untyped-def]
    # By eye: right heel leaves the floor between 10.14 s and 10.30 s.
    a, t0 = _analyze(real_track, "treepose_frontal_woman_studio_01")
    assert len(a.stances) == 1
    (s,) = a.stances
    assert s.side == "left"
    assert s.lift_off_s - t0 == pytest.approx(10.25, abs=0.5)
    assert s.duration_s > 25.0  # the long hold (tracking fades under the end overlay)
    back = Assessment.from_json(a.to_json())
    assert back.stances == a.stances and back.summary == a.summary and back.quality == a.quality


def test_quiet_two_leg_stance_has_no_single_leg_stance(real_track) -> None:  # type: ignore[no-untyped-def]
    for mode in ("stance", "squat"):
        a, _ = _analyze(real_track, "control_quietstance_frontal_mocaplab_markers_01", mode)
        assert a.stances == (), mode
        assert a.no_stance is not None and a.no_stance.code == "no_single_leg_stance"


def test_side_view_makes_fppa_unreliable(real_track) -> None:  # type: ignore[no-untyped-def]
    for mode in ("stance", "squat"):
        a, _ = _analyze(real_track, "singlelegdeadlift_sagittal_woman_studio_01", mode)
        assert a.view.view == "side" and not a.view.frontal_plane_reliable
        fppa = [m for s in a.stances for m in s.metrics if m.name.startswith("fppa")]
        fppa += [m for r in a.reps for m in r.metrics if m.name.startswith("fppa")]
        fppa += [m for m in a.summary if m.name.startswith("fppa")]
        assert fppa, mode
        for m in fppa:
            assert m.quality.grade == "D" and not m.quality.reliable, m.name


def test_alternating_squats_found_on_both_legs(real_track) -> None:  # type: ignore[no-untyped-def]
    a, _ = _analyze(real_track, "singlelegsquat_frontal_woman_studio_04", "squat")
    sides = [r.side for r in a.reps]
    assert "left" in sides and "right" in sides
    assert len(a.reps) >= 4
    assert {x.name for x in a.asymmetry} >= {"fppa_image_at_depth_rep_mean"}


def test_swinging_free_leg_does_not_inflate_sway(real_track) -> None:  # type: ignore[no-untyped-def]
    a, _ = _analyze(real_track, "singlelegstance_legswing_frontal_woman_studio_01")
    (s,) = a.stances
    assert s.side == "left" and s.duration_s > 7.0
    com = s.metric("com_sway_ml_rms")
    whole = s.metric("com_whole_body_sway_ml_rms")
    assert com is not None and whole is not None and com.value is not None and whole.value is not None
    assert com.unit == "cm"
    assert com.value < 0.5 * whole.value  # the leg swing's share is out
    assert com.value < 1.5  # an ordinary single-leg-stance sway, in cm


def test_valgus_clip_reps(real_track) -> None:  # type: ignore[no-untyped-def]
    a, t0 = _analyze(real_track, "singlelegsquat_valgus_goodbad_frontal_man_05", "squat")
    reps = a.reps
    assert len(reps) >= 2
    assert reps[0].start_s - t0 == pytest.approx(0.0, abs=0.2)  # the clip opens in the collapsed squat
    # By eye the stance leg is the subject's right (image left) in both parts.
    assert {r.side for r in reps} == {"right"}


@pytest.mark.xfail(
    reason=(
        "MediaPipe (full model) puts the right knee on the hip-ankle line during the opening collapse "
        "(image FPPA <= 4 deg), while the later deep squat projects to ~60 deg: 2-D FPPA grows with knee flexion."
    ),
    strict=False,
)
def test_valgus_collapse_scores_worse_than_later_reps(real_track) -> None:  # type: ignore[no-untyped-def]
    a, _ = _analyze(real_track, "singlelegsquat_valgus_goodbad_frontal_man_05", "squat")
    peaks = [next(m.value for m in r.metrics if m.name == "fppa_image_peak") for r in a.reps]
    assert all(p is not None for p in peaks)
    assert all(peaks[0] > p + 5.0 for p in peaks[1:])  # type: ignore[operator]
