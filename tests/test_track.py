"""PoseTrack: validation, save/load and CSV export."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from assess.errors import TrackFileError
from assess.landmarks import LANDMARK_NAMES
from assess.track import PoseTrack, SourceInfo


def make_track(n: int = 10) -> PoseTrack:
    rng = np.random.default_rng(0)
    detected = np.ones(n, bool)
    detected[3] = False
    return PoseTrack(
        times=np.arange(n) / 25.0,
        image=rng.random((n, 33, 3)),
        world=rng.normal(size=(n, 33, 3)),
        visibility=rng.random((n, 33)),
        detected=detected,
        fps=25.0,
        width=640,
        height=480,
        source=SourceInfo(path="clip.mp4", model="full"),
    )


def test_undetected_frames_hold_nan() -> None:
    t = make_track()
    assert np.isnan(t.image[3]).all() and np.isnan(t.world[3]).all()
    assert (t.visibility[3] == 0).all()
    assert t.detection_rate == pytest.approx(0.9)
    assert not t.image.flags.writeable


def test_validation() -> None:
    t = make_track()
    with pytest.raises(ValueError, match="image has shape"):
        PoseTrack(t.times, t.image[:, :10], t.world, t.visibility, t.detected, 25.0, 640, 480)
    with pytest.raises(ValueError, match="strictly increasing"):
        PoseTrack(t.times[::-1], t.image, t.world, t.visibility, t.detected, 25.0, 640, 480)


def test_save_load_roundtrip(tmp_path: Path) -> None:
    t = make_track()
    back = PoseTrack.load(t.save(tmp_path / "t.npz"))
    np.testing.assert_allclose(back.image, t.image, atol=1e-6)
    np.testing.assert_array_equal(back.detected, t.detected)
    assert back.source.model == "full" and back.width == 640


def test_load_garbage(tmp_path: Path) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a track")
    with pytest.raises(TrackFileError, match="not a readable"):
        PoseTrack.load(bad)
    with pytest.raises(TrackFileError, match="not found"):
        PoseTrack.load(tmp_path / "missing.npz")


def test_csv_has_named_columns(tmp_path: Path) -> None:
    t = make_track(5)
    path = t.to_csv(tmp_path / "t.csv")
    with path.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 5
    assert {"time_s", "left_knee_x", "right_ankle_visibility", "left_hip_wz"} <= set(rows[0])
    assert len(rows[0]) == 2 + 33 * 4 + 33 * 3
    assert float(rows[1]["left_knee_y"]) == pytest.approx(t.image[1, LANDMARK_NAMES.index("left_knee"), 1], abs=1e-5)
    assert rows[3]["left_knee_x"] == ""  # undetected frame: empty, not a number
