"""Camera motion: the background's shift is measured, and a moving camera (not a moving object) degrades sway."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assess.camera import BackgroundMotion
from assess.pipeline import analyze_video
from assess.subject import Box
from assess.video import iter_frames
from tests.media import write_video

SAMPLE = Path(__file__).resolve().parents[1] / "sample_videos" / "left_stance_novalgus.mp4"


def textured(h: int = 240, w: int = 320, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 255, (h // 8, w // 8, 3), dtype=np.uint8)
    return np.kron(base, np.ones((8, 8, 1), dtype=np.uint8))  # blocky: corners to track


def test_known_shift_is_recovered_and_the_subject_is_ignored() -> None:
    scene = textured(480, 800)
    bm = BackgroundMotion()
    person = Box(0.4, 0.1, 0.6, 0.9)
    shifts = []
    for i in range(6):
        frame = np.ascontiguousarray(scene[:, 8 * i : 8 * i + 640])  # the view pans right 8 px a frame
        frame[48:432, 256:384] = (i * 40) % 255  # a "person" changing inside the box
        shifts.append(bm.update(frame, person))
    assert shifts[0] == (0.0, 0.0)
    for dx, dy in shifts[1:]:
        assert dx * 640 == pytest.approx(-8.0, abs=0.5) and abs(dy * 480) < 0.5


def test_flat_picture_gives_no_estimate() -> None:
    bm = BackgroundMotion()
    flat = np.full((120, 160, 3), 128, np.uint8)
    bm.update(flat, None)
    assert all(np.isnan(bm.update(flat, None)))


def test_a_background_with_little_texture_is_searched_once_per_refresh_not_every_frame() -> None:
    from assess.camera import REDETECT_EVERY

    bm = BackgroundMotion()
    searches = []
    find = bm._find

    def counted(grey: np.ndarray, box: Box | None) -> np.ndarray | None:
        searches.append(1)
        return find(grey, box)

    bm._find = counted  # type: ignore[method-assign]
    wall = np.full((240, 320, 3), 128, np.uint8)
    wall[100:110, 40:50] = 255  # one bright patch: four corners, fewer than an estimate needs
    shifts = [bm.update(wall, None) for _ in range(4 * REDETECT_EVERY)]
    assert all(np.isnan(s).all() for s in shifts[1:])
    assert len(searches) <= 1 + 4  # the first frame, then once every REDETECT_EVERY frames


def test_panning_camera_degrades_sway_and_a_still_one_does_not(tmp_path: Path) -> None:
    frames = [f.rgb for f in iter_frames(SAMPLE, end_s=6.0)]
    h, w = frames[0].shape[:2]
    pad = 24
    panned = []
    for i, img in enumerate(frames):  # a hand-held camera swaying ±20 px at 0.5 Hz
        x = pad + int(round(20 * np.sin(2 * np.pi * 0.5 * i / 20.0)))
        panned.append(np.ascontiguousarray(img[pad : h - pad, x : x + w - 2 * pad]))
    moving = write_video(tmp_path / "moving.mp4", panned, fps=20)
    still = write_video(tmp_path / "still.mp4", [np.ascontiguousarray(f[pad : h - pad, pad : w - pad]) for f in frames], fps=20)

    _, a_still = analyze_video(still, workers=1)
    _, a_moving = analyze_video(moving, workers=1)
    assert a_still.view.camera_motion is not None and a_still.view.camera_motion < 1.0
    assert a_moving.view.camera_motion is not None and a_moving.view.camera_motion > 8.0
    for a, moved in ((a_still, False), (a_moving, True)):
        assert [s.side for s in a.stances] == ["left"]
        m = a.stances[0].metric("com_sway_ml_rms")
        assert m is not None
        has = any(r.code == "camera_moved" for r in m.quality.reasons)
        assert has == moved
        if moved:
            assert m.quality.grade == "D" and not m.quality.reliable


def test_an_object_moving_in_a_still_picture_is_not_read_as_the_camera(tmp_path: Path) -> None:
    # A still camera; a textured patch beside the person slides ±25 px at 0.5 Hz (as an animated banner
    # or a shadow over a plain backdrop does). The background's measured motion follows the patch, but the person's
    # image does not move with it, so it is not the camera's: sway keeps its grade.
    frames = [f.rgb for f in iter_frames(SAMPLE, end_s=6.0)]
    rng = np.random.default_rng(1)
    patch = np.kron(rng.integers(0, 255, (12, 12, 3), dtype=np.uint8), np.ones((10, 10, 1), dtype=np.uint8))
    shadowed = []
    for i, img in enumerate(frames):
        img = img.copy()
        x = 40 + int(round(25 * np.sin(2 * np.pi * 0.5 * i / 20.0)))
        img[60:180, x : x + 120] = patch
        shadowed.append(img)
    _, a = analyze_video(write_video(tmp_path / "shadow.mp4", shadowed, fps=20), workers=1)
    assert a.view.camera_motion is not None and a.view.camera_motion > 8.0  # the patch's motion was measured
    m = a.stances[0].metric("com_sway_ml_rms")
    assert m is not None
    assert "camera_moved" not in {r.code for r in m.quality.reasons}
