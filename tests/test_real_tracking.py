"""Real MediaPipe on the real clips in ../shared/videos (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assess.landmarks import idx
from assess.pipeline import track_video
from assess.video import iter_frames
from tests.conftest import shared_clip
from tests.media import write_video

pytestmark = [pytest.mark.real_video, pytest.mark.slow]

FRONTAL = [
    "control_quietstance_frontal_mocaplab_markers_01",
    "singlelegsquat_frontal_man_indoor_01",
    "singlelegsquat_frontal_woman_studio_04",
    "singlelegsquat_skater_reach_frontal_woman_gym_02",
    "singlelegsquat_valgus_goodbad_frontal_man_05",
    "singlelegstance_legswing_frontal_woman_studio_01",
    "treepose_frontal_mocaplab_markers_04",
    "treepose_frontal_woman_studio_01",
    "treepose_frontal_woman_studio_03",
]
OTHER = [
    "singlelegbalance_oblique_lab_multicam_cam01",
    "singlelegbalance_oblique_lab_multicam_cam02",
    "singlelegdeadlift_sagittal_woman_studio_01",
]


@pytest.mark.parametrize("name", FRONTAL)
def test_frontal_clips_have_a_pose_in_95_percent_of_frames(real_track, name: str) -> None:  # type: ignore[no-untyped-def]
    track = real_track(name)
    detected = track.detected
    if name == "treepose_frontal_woman_studio_01":
        detected = detected[: int(0.9 * len(detected))]  # the last ~10% is darkened under a text overlay
    assert detected.mean() >= 0.95


@pytest.mark.parametrize("name", OTHER)
def test_other_clips_are_tracked(real_track, name: str) -> None:  # type: ignore[no-untyped-def]
    assert real_track(name).detection_rate >= 0.9


@pytest.mark.parametrize("name", ["singlelegbalance_oblique_lab_multicam_cam01", "singlelegbalance_oblique_lab_multicam_cam02"])
def test_multicam_tracks_the_balancing_subject_not_a_bystander(real_track, name: str) -> None:  # type: ignore[no-untyped-def]
    """The subject balances on the force plate in the middle of the frame; the
    bystanders stand at the left edge (cam01, hip x ≈ 0.05) or right (cam02, x ≈ 0.73)."""
    track = real_track(name)
    assert track.detected.all()
    hip = track.image[:, [idx("left_hip"), idx("right_hip")], :2].mean(axis=1)
    assert np.all((hip[:, 0] > 0.3) & (hip[:, 0] < 0.65)), hip[:, 0]
    assert np.abs(np.diff(hip, axis=0)).max() < 0.08  # no jump to another person


@pytest.mark.parametrize("name", ["treepose_frontal_mocaplab_markers_04", "control_quietstance_frontal_mocaplab_markers_01"])
def test_portrait_clips_come_out_upright(real_track, name: str) -> None:  # type: ignore[no-untyped-def]
    track = real_track(name)
    assert track.height > track.width
    ok = track.detected
    nose_y = track.image[ok, idx("nose"), 1]
    ankle_y = track.image[ok][:, [idx("left_ankle"), idx("right_ankle")], 1].max(axis=1)
    assert np.all(nose_y < ankle_y)


def test_rotation_metadata_copy_matches_the_upright_clip(tmp_path: Path) -> None:
    """A phone-style copy (pixels stored sideways + display rotation) tracks like the upright one."""
    clip = shared_clip("singlelegsquat_frontal_man_indoor_01")
    frames = [f.rgb[::2, ::2] for f in iter_frames(clip, end_s=2.0)]
    upright = write_video(tmp_path / "upright.mp4", frames, fps=25)
    sideways = write_video(tmp_path / "sideways.mp4", [np.ascontiguousarray(np.rot90(f, k=-1)) for f in frames], fps=25, rotation=90)
    a = track_video(upright)
    b = track_video(sideways)
    assert (b.width, b.height) == (a.width, a.height)
    both = a.detected & b.detected
    assert both.mean() > 0.95
    err = np.abs(a.image[both, :, :2] - b.image[both, :, :2])
    assert np.nanmedian(err) < 0.01
