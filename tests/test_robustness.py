"""The input matrix of issue #9: every kind of file a user may hand over, and what it gets.

Each input ends either in a result whose quality grade, stance leg or
no-stance message is right, or in one plain ``error:`` line with its exit
code: never a traceback, a hang or a wrong confident number.
``docs/robustness.md`` has the same matrix as a table; keep the two in step.

Inputs are made in a temporary folder, most of them from the committed CC0
renders in ``sample_videos/`` (a person in single-leg stance on the left leg
throughout, 640×480, 20 fps). Clips are kept to about 2 s because the pose
model costs ~25 ms a frame; the large cases (8K, 30 minutes) are generated
on the fly and deleted with the folder. The CLI runs in a subprocess for the
error rows and a few results (it is the user surface); the other results
call :func:`~assess.pipeline.analyze_video` in this process with one worker.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from assess.assessment import Assessment, StanceTrial
from assess.errors import NoPoseError, VideoError
from assess.pipeline import analyze_video
from assess.track import PoseTrack
from assess.video import check_usable, probe
from tests.conftest import SAMPLE_VIDEOS
from tests.media import gradient_frames, read_frames, write_audio_only, write_still, write_video
from tests.test_cli import assert_clean_failure, run_cli

Frames = list[NDArray[np.uint8]]
FPS = 20  # the renders' frame rate
STANCE = SAMPLE_VIDEOS / "left_stance_novalgus.mp4"
"""Left single-leg stance from the first frame to the last, frontal view, no valgus."""


@cache
def _sample(name: str, seconds: float) -> tuple[NDArray[np.uint8], ...]:
    frames = read_frames(SAMPLE_VIDEOS / f"{name}.mp4", end_s=seconds)
    for f in frames:
        f.setflags(write=False)
    return tuple(frames)


def stance_frames(seconds: float = 2.0) -> Frames:
    """The first ``seconds`` of the left-stance render (read-only frames)."""
    return list(_sample("left_stance_novalgus", seconds))


def analyse(path: Path, **kwargs: object) -> tuple[PoseTrack, Assessment]:
    """analyze_video in this process, one worker (no process pool for a 2-s clip)."""
    return analyze_video(path, workers=1, **kwargs)  # type: ignore[arg-type]


def reason_codes(assessment: Assessment) -> set[str]:
    return {r.code for r in assessment.quality.reasons}


def only_stance(assessment: Assessment) -> StanceTrial:
    assert assessment.no_stance is None, assessment.no_stance
    assert len(assessment.stances) == 1, [(s.side, s.lift_off_s, s.touch_down_s) for s in assessment.stances]
    return assessment.stances[0]


# ====================================================================== errors
# Each of these gets one plain line and its exit code from both commands.
def _empty(d: Path) -> Path:
    p = d / "empty.mp4"
    p.touch()
    return p


def _text(d: Path) -> Path:
    p = d / "notes.mp4"
    p.write_text("these are my notes, not a video\n" * 50)
    return p


def _random_bytes(d: Path) -> Path:
    p = d / "noise.mov"
    p.write_bytes(np.random.default_rng(9).integers(0, 256, 20_000, dtype=np.uint8).tobytes())
    return p


def _truncated_index_lost(d: Path) -> Path:
    """An MP4 whose index (moov, written last) was never saved: a recording cut off."""
    good = write_video(d / "good.mp4", gradient_frames(30), fps=30).read_bytes()
    p = d / "cut.mp4"
    p.write_bytes(good[: len(good) // 3])
    return p


def _audio(d: Path) -> Path:
    return write_audio_only(d / "voice.mp4")


def _one_pixel(d: Path) -> Path:
    return write_video(d / "tiny.avi", [np.zeros((1, 1, 3), np.uint8)] * 30, fps=10, codec="rawvideo")


def _png(d: Path) -> Path:
    return write_still(d / "photo.png", stance_frames(0.1)[0], kind=".png")


def _jpeg_renamed(d: Path) -> Path:
    return write_still(d / "photo.mp4", stance_frames(0.1)[0], kind=".jpg")


def _half_second(d: Path) -> Path:
    return write_video(d / "half.mp4", stance_frames(0.5), fps=FPS)


def _missing(d: Path) -> Path:
    return d / "does_not_exist.mp4"


ERROR_ROWS: list[tuple[str, Callable[[Path], Path], str, int]] = [
    ("empty", _empty, "is empty (0 bytes)", 3),
    ("text-as-mp4", _text, "is not a video file that can be read", 3),
    ("random-bytes-as-mov", _random_bytes, "is not a video file that can be read", 3),
    ("truncated-index-lost", _truncated_index_lost, "probably truncated", 3),
    ("audio-only", _audio, "has no video stream", 3),
    ("1x1", _one_pixel, "only 1×1 pixels", 3),
    ("still-png", _png, "still image (png), not a video", 3),
    ("still-jpeg-as-mp4", _jpeg_renamed, "still image (jpeg), not a video", 3),
    ("half-second", _half_second, "too short for a balance test", 3),
    ("missing", _missing, "No such file", 2),
]


@pytest.mark.parametrize("command", ["analyze", "track"])
@pytest.mark.parametrize(("make", "expect", "code"), [r[1:] for r in ERROR_ROWS], ids=[r[0] for r in ERROR_ROWS])
def test_bad_input_gets_one_plain_line(tmp_path: Path, command: str, make: Callable[[Path], Path], expect: str, code: int) -> None:
    out = tmp_path / ("out.json" if command == "analyze" else "out.npz")
    proc = run_cli(command, str(make(tmp_path)), "-o", str(out))
    assert_clean_failure(proc, expect)
    assert proc.returncode == code
    assert not out.exists()


@pytest.mark.parametrize(
    "make",
    [
        lambda d: write_video(d / "room.mp4", gradient_frames(30, 320, 240), fps=15),
        lambda d: write_video(d / "black.mp4", [np.zeros((480, 640, 3), np.uint8)] * 30, fps=FPS),
    ],
    ids=["nobody", "black"],
)
def test_nobody_in_view_gets_exit_4(tmp_path: Path, make: Callable[[Path], Path]) -> None:
    proc = run_cli("analyze", str(make(tmp_path)), "-o", str(tmp_path / "out.json"))
    assert_clean_failure(proc, "No person was found")
    assert proc.returncode == 4


def test_white_and_blown_out_video_find_nobody(tmp_path: Path) -> None:
    """Overexposed to white (or four times too bright): the same plain 'no person' error."""
    white = write_video(tmp_path / "white.mp4", [np.full((480, 640, 3), 255, np.uint8)] * 30, fps=FPS)
    blown = write_video(tmp_path / "blown.mp4", [np.clip(f.astype(np.int32) * 4, 0, 255).astype(np.uint8) for f in stance_frames(1.5)], fps=FPS)
    for path in (white, blown):
        with pytest.raises(NoPoseError, match="No person was found"):
            analyse(path)


def test_still_image_variants(tmp_path: Path) -> None:
    """JPEG with its own extension, PNG renamed .mov, a one-frame GIF: each is called a still image."""
    from PIL import Image

    frame = stance_frames(0.1)[0]
    jpg = write_still(tmp_path / "photo.jpg", frame, kind=".jpg")
    png_mov = write_still(tmp_path / "photo.mov", frame, kind=".png")
    gif = tmp_path / "photo.gif"
    Image.fromarray(frame).save(gif)
    for path in (jpg, png_mov, gif):
        with pytest.raises(VideoError, match="still image"):
            probe(path)


# ====================================================================== results
def test_rotated_portrait_phone_video(tmp_path: Path) -> None:
    """Portrait pixels stored sideways plus a display rotation, as phones write them."""
    upright = [np.ascontiguousarray(f[:, 184:456]) for f in stance_frames()]  # 272×480 portrait crop around the person
    stored = [np.ascontiguousarray(np.rot90(f, k=-1)) for f in upright]
    track, a = analyse(write_video(tmp_path / "portrait.mp4", stored, fps=FPS, rotation=90))
    assert (track.width, track.height) == (272, 480)
    assert track.source.rotation_deg == 90
    assert only_stance(a).side == "left"
    assert a.quality.grade in ("A", "B")


def test_5_fps(tmp_path: Path) -> None:
    """Every fourth frame of 4 s: analysed, with a note that the filter had to be softened."""
    track, a = analyse(write_video(tmp_path / "fps5.mp4", stance_frames(4.0)[::4], fps=5))
    assert track.fps == pytest.approx(5)
    assert only_stance(a).side == "left"
    assert "low_frame_rate" in reason_codes(a)
    assert a.quality.grade in ("B", "C")


def test_240_fps_is_analysed_at_a_stride(tmp_path: Path) -> None:
    """1.5 s at 240 fps (each render frame repeated 12 times): stride 4, analysed at 60 fps."""
    frames = [f for f in stance_frames(1.5) for _ in range(12)]
    track, a = analyse(write_video(tmp_path / "fps240.mp4", frames, fps=240, options={"preset": "ultrafast"}))
    assert track.source.stride == 4
    assert track.fps == pytest.approx(60)
    assert len(track) == pytest.approx(90, abs=1)
    assert only_stance(a).side == "left"
    assert a.quality.grade in ("A", "B")


def test_variable_frame_rate_keeps_true_times(tmp_path: Path) -> None:
    """Frame gaps between 33 and 83 ms (a phone under load): true timestamps, true stance length."""
    src = stance_frames(3.0)
    rng = np.random.default_rng(3)
    times = np.concatenate([[0.0], np.cumsum(rng.uniform(1 / 30, 1 / 12, 80))])
    times = times[times < 2.9]
    frames = [src[int(t * FPS)] for t in times]
    track, a = analyse(write_video(tmp_path / "vfr.mp4", frames, fps=FPS, times=times))
    np.testing.assert_allclose(track.times, times, atol=2e-3)
    stance = only_stance(a)
    assert stance.side == "left"
    assert stance.duration_s == pytest.approx(times[-1], abs=0.1)


def test_mirrored_selfie_needs_the_flag(tmp_path: Path) -> None:
    """A mirrored copy of a left stance reads "right" without --mirrored (nothing in the pixels
    says a video is mirrored: a known limit) and "left" with it."""
    clip = write_video(tmp_path / "selfie.mp4", [np.ascontiguousarray(f[:, ::-1]) for f in stance_frames()], fps=FPS)
    sides = {}
    for flag in ([], ["--mirrored"]):
        out = tmp_path / f"out{len(flag)}.json"
        proc = run_cli("analyze", str(clip), "-o", str(out), "-q", *flag)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
        a = Assessment.from_json(out.read_text())
        sides[bool(flag)] = [s.side for s in a.stances]
    assert sides == {False: ["right"], True: ["left"]}


@pytest.mark.parametrize("gain", [1 / 6, 2.0], ids=["underexposed", "overexposed"])
def test_under_and_overexposed_video(tmp_path: Path, gain: float) -> None:
    """A sixth of the light, or twice too much (highlights clipped): still the right leg, graded below A."""
    frames = [np.clip(f.astype(np.float32) * gain, 0, 255).astype(np.uint8) for f in stance_frames()]
    _, a = analyse(write_video(tmp_path / "exposure.mp4", frames, fps=FPS))
    assert only_stance(a).side == "left"
    assert a.quality.grade != "A"


def test_two_people_side_by_side(tmp_path: Path) -> None:
    """The left-stance man and the right-stance woman side by side: one subject, followed throughout."""
    other = list(_sample("right_stance_valgus15", 2.0))
    frames = [np.ascontiguousarray(np.concatenate([a[:, 160:480], b[:, 160:480]], axis=1)) for a, b in zip(stance_frames(), other)]
    track, a = analyse(write_video(tmp_path / "two.mp4", frames, fps=FPS))
    assert track.detection_rate == 1.0
    stance = only_stance(a)
    hip_x = np.nanmedian(track.image[:, [23, 24], 0], axis=1)  # the followed person's hips, normalised x
    on_left = bool(np.all(hip_x < 0.5))
    assert on_left or bool(np.all(hip_x > 0.5)), "the subject must not jump between the two people"
    assert stance.side == ("left" if on_left else "right")  # the man on the left stands on his left leg


def test_feet_cut_off(tmp_path: Path) -> None:
    """The picture ends at the shins (bottom quarter cropped), through the CLI: graded C or D with
    the reason that the body leaves the picture, and strict JSON (no NaN) for the numbers it lacks."""
    clip = write_video(tmp_path / "nofeet.mp4", [np.ascontiguousarray(f[:360]) for f in stance_frames()], fps=FPS)
    out = tmp_path / "out.json"
    proc = run_cli("analyze", str(clip), "-o", str(out), "-q")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    text = out.read_text()
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict JSON constant {c}"))
    a = Assessment.from_json(text)
    assert a.quality.grade in ("C", "D")
    assert "body_out_of_frame" in reason_codes(a)
    for stance in a.stances:
        assert stance.side == "left" and stance.quality.grade in ("C", "D")
    if not a.stances:
        assert a.no_stance is not None and "feet are hard to see" in a.no_stance.message
        assert a.no_stance.message in proc.stdout


def test_walking_in_and_out(tmp_path: Path) -> None:
    """Empty room for 0.5 s, the person for 2 s, empty again: the stance is found and marked as lost from view."""
    person = stance_frames(2.5)[10:50]
    empty = [np.full_like(person[0], 180)] * 10
    track, a = analyse(write_video(tmp_path / "walk.mp4", empty + person + empty, fps=FPS))
    assert track.detection_rate == pytest.approx(40 / 60, abs=0.05)
    stance = only_stance(a)
    assert stance.side == "left"
    assert stance.ended_by == "tracking_lost"
    assert stance.lift_off_s >= 0.45  # not before the person walks in at 0.5 s
    assert a.quality.grade in ("C", "D")


def test_camera_moving(tmp_path: Path) -> None:
    """A 480-px window panning 160 px across the frame in 2 s, the whole body always in view.

    The pan shows as side-to-side sway in the picture (tens of cm, against a
    true ~0.4 cm); the camera-motion estimate sees that the camera moved more
    than the person swayed: ML sway is graded D, not reliable, with the reason
    ``camera_moved``, and the clip as a whole is not graded A.
    """
    src = stance_frames()
    frames = [np.ascontiguousarray(f[:, x : x + 480]) for f, x in zip(src, np.linspace(0, 160, len(src)).round().astype(int))]
    track, a = analyse(write_video(tmp_path / "pan.mp4", frames, fps=FPS))
    assert track.detection_rate == 1.0
    stance = only_stance(a)
    assert stance.side == "left"
    assert a.quality.grade != "A"
    assert a.view.camera_motion is not None and a.view.camera_motion > 1.0
    sway = stance.metric("com_sway_ml_rms")
    assert sway is not None and sway.quality.grade == "D" and not sway.quality.reliable
    assert "camera_moved" in {r.code for r in sway.quality.reasons}


def test_side_view(tmp_path: Path) -> None:
    """Filmed from the side: frontal-plane numbers (knee FPPA, ML sway) are graded D and not reliable."""
    clip = write_video(tmp_path / "side.mp4", list(_sample("left_stance_side_view", 2.0)), fps=FPS)
    _, a = analyse(clip)
    assert a.view.view == "side" and not a.view.frontal_plane_reliable
    assert a.quality.grade in ("C", "D") and "side_view" in reason_codes(a)
    stance = only_stance(a)
    for name in ("fppa_image_mean", "com_sway_ml_rms"):
        m = stance.metric(name)
        assert m is not None and m.quality.grade == "D" and not m.quality.reliable, (name, m)


def test_corrupt_bytes_inside_the_video(tmp_path: Path) -> None:
    """4 KB of garbage written over the middle of the picture data: decoded around, analysed, no traceback."""
    data = bytearray(write_video(tmp_path / "good.mp4", stance_frames(), fps=FPS).read_bytes())
    mid = len(data) // 2
    data[mid : mid + 4096] = np.random.default_rng(5).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    bad = tmp_path / "corrupt.mp4"
    bad.write_bytes(bytes(data))
    track, a = analyse(bad)
    assert len(track) >= 20
    assert [s.side for s in a.stances] in ([], ["left"])


def test_truncated_recording_keeps_its_start_and_says_so(tmp_path: Path) -> None:
    """The render (index at the front) cut at 40% of its bytes (its first 17 KB are one key
    frame): the readable first seconds are analysed, and the CLI warns that the results
    cover only that part."""
    data = STANCE.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) * 2 // 5])
    out = tmp_path / "out.json"
    proc = run_cli("analyze", str(cut), "-o", str(out), "-q")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "warning: only the first" in proc.stderr and "10.0-s video could be decoded" in proc.stderr
    a = Assessment.from_json(out.read_text())
    assert 1.5 < a.source["duration_s"] < 4.0
    assert [s.side for s in a.stances] == ["left"]
    assert "video_cut_short" in reason_codes(a)  # the app shows the same, among the quality reasons


def test_badly_overexposed_video_says_so_instead_of_both_feet_down(tmp_path: Path) -> None:
    """Three times too much light: the pose model no longer sees the foot go up. The result must
    not claim that both feet stayed down: it names the exposure and grades the clip D."""
    frames = [np.clip(f.astype(np.float32) * 3.0, 0, 255).astype(np.uint8) for f in stance_frames()]
    _, a = analyse(write_video(tmp_path / "over3.mp4", frames, fps=FPS))
    assert "badly_exposed" in reason_codes(a)
    if not a.stances:
        assert a.quality.grade == "D" and a.no_stance is not None and "badly exposed" in a.no_stance.message


def test_a_lift_too_short_to_count_is_called_that() -> None:
    from assess.assessment import analyze_track
    from tests.synthetic import make_track

    a = analyze_track(make_track(duration_s=4.0, lift_off_s=1.0, touch_down_s=1.6))
    assert not a.stances and a.no_stance is not None
    assert "for only" in a.no_stance.message and "both feet" not in a.no_stance.message


@pytest.mark.slow
def test_8k_video(tmp_path: Path) -> None:
    """7680×4320 (generated on the fly, 7 frames at 5 fps, deleted after): analysed like any other.

    Each decoded frame is ~100 MB as RGB; frames are streamed one at a time
    (measured peak of the whole process ~1.1 GB). The app refuses more than
    4096 px a side; the CLI reads up to DCI 8K.
    """
    path = tmp_path / "8k.mp4"
    frames = []
    for f in stance_frames(1.4)[::4]:
        big = np.zeros((4320, 7680, 3), np.uint8)
        big[:, 960:6720] = np.repeat(np.repeat(f, 9, axis=0), 9, axis=1)  # 640×480 → 5760×4320, centred
        frames.append(big)
    write_video(path, frames, fps=5, options={"preset": "ultrafast"})
    del frames
    try:
        info = probe(path)
        assert (info.width, info.height) == (7680, 4320)
        check_usable(info)
        track, a = analyse(path)
        assert (track.width, track.height) == (7680, 4320)
        assert only_stance(a).side == "left"
    finally:
        path.unlink()


@pytest.mark.slow
def test_30_minute_video(tmp_path: Path) -> None:
    """30 minutes (64×64, 1 fps, generated on the fly): the CLI takes any length (memory is flat
    in length, see benchmarks/memory.py). --stride 60 keeps this test to 30 frames."""
    path = write_video(tmp_path / "long.mp4", gradient_frames(1, 64, 64) * 1800, fps=1)
    try:
        info = probe(path)
        assert info.duration_s == pytest.approx(1800, abs=1)
        check_usable(info)
        proc = run_cli("analyze", str(path), "--stride", "60", "-o", str(tmp_path / "out.json"))
        assert_clean_failure(proc, "No person was found in any of the 30 frames")
        assert proc.returncode == 4
    finally:
        path.unlink()


def test_half_second_is_refused_in_process(tmp_path: Path) -> None:
    """The app goes through the same check as the CLI (exit code 3 above)."""
    with pytest.raises(VideoError, match="too short for a balance test"):
        analyse(_half_second(tmp_path))
