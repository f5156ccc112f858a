"""Video reading: timestamps, rotation, stride, and clear errors for bad files."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import av
import numpy as np
import pytest

from assess.errors import InputNotFound, VideoError
from assess.video import MAX_PIXELS, MIN_DURATION_S, check_usable, decoder_threads, iter_frames, probe
from tests.media import gradient_frames, write_audio_only, write_still, write_video


def test_constant_rate_timestamps(tmp_path: Path) -> None:
    path = write_video(tmp_path / "cfr.mp4", gradient_frames(20), fps=25)
    info = probe(path)
    assert (info.width, info.height) == (160, 120)
    assert info.fps == pytest.approx(25)
    times = [f.time_s for f in iter_frames(path)]
    assert len(times) == 20
    np.testing.assert_allclose(np.diff(times), 0.04, atol=1e-3)


def test_variable_frame_rate_keeps_true_times(tmp_path: Path) -> None:
    want = [0.0, 0.04, 0.10, 0.13, 0.25, 0.26, 0.40]
    path = write_video(tmp_path / "vfr.mkv", gradient_frames(len(want)), fps=25, times=want)
    got = [f.time_s for f in iter_frames(path)]
    np.testing.assert_allclose(got, want, atol=2e-3)


def test_stride_keeps_every_nth_frame(tmp_path: Path) -> None:
    path = write_video(tmp_path / "hfr.mp4", gradient_frames(24), fps=120)
    frames = list(iter_frames(path, stride=4))
    assert [f.index for f in frames] == [0, 4, 8, 12, 16, 20]
    np.testing.assert_allclose(np.diff([f.time_s for f in frames]), 4 / 120, atol=1e-3)
    assert probe(path).stride_for(30) == 4


def test_rotation_metadata_gives_upright_frames(tmp_path: Path) -> None:
    upright = np.zeros((120, 80, 3), np.uint8)  # portrait, red band at the top
    upright[:20, :, 0] = 255
    stored = np.ascontiguousarray(np.rot90(upright, k=-1))  # as a phone stores it: landscape pixels
    path = write_video(tmp_path / "phone.mp4", [stored] * 3, fps=30, rotation=90)
    info = probe(path)
    assert info.rotation_deg == 90
    assert (info.width, info.height) == (80, 120)
    frame = next(iter_frames(path))
    assert frame.rgb.shape == (120, 80, 3)
    assert frame.rgb[:15, :, 0].mean() > 200 and frame.rgb[-15:, :, 0].mean() < 50


def test_memory_is_streamed(tmp_path: Path) -> None:
    path = write_video(tmp_path / "long.mp4", gradient_frames(60), fps=30)
    it = iter_frames(path)
    first = next(it)
    assert first.index == 0  # a generator: nothing beyond the current frame is held
    assert sum(1 for _ in it) == 59


def test_missing_path() -> None:
    with pytest.raises(InputNotFound, match="No such file"):
        probe("/nonexistent/clip.mp4")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    path.touch()
    with pytest.raises(VideoError, match="empty"):
        probe(path)


def test_text_named_mp4(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("these are my notes, not a video\n" * 50)
    with pytest.raises(VideoError, match="not a video"):
        probe(path)


def test_truncated_mp4(tmp_path: Path) -> None:
    good = write_video(tmp_path / "good.mp4", gradient_frames(30), fps=30)
    data = good.read_bytes()
    bad = tmp_path / "truncated.mp4"
    bad.write_bytes(data[: len(data) // 3])
    with pytest.raises(VideoError):
        probe(bad)
        list(iter_frames(bad))


def test_audio_only(tmp_path: Path) -> None:
    path = write_audio_only(tmp_path / "voice.m4a")
    with pytest.raises(VideoError, match="no video stream"):
        probe(path)


def test_tiny_video_is_refused(tmp_path: Path) -> None:
    path = write_video(tmp_path / "tiny.avi", [np.zeros((1, 1, 3), np.uint8)] * 3, fps=10, codec="rawvideo")
    info = probe(path)
    assert (info.width, info.height) == (1, 1)
    with pytest.raises(VideoError, match="pixels"):
        check_usable(info)


@pytest.mark.parametrize(("name", "kind", "codec"), [("photo.png", ".png", "png"), ("photo.jpg", ".jpg", "jpeg"), ("photo.mp4", ".jpg", "jpeg"), ("photo.mov", ".png", "png")])
def test_still_image_is_named_as_such(tmp_path: Path, name: str, kind: str, codec: str) -> None:
    """A PNG or JPEG, with its own extension or renamed to a video one, is refused as a picture, not analysed as one frame."""
    path = write_still(tmp_path / name, gradient_frames(1, 160, 120)[0], kind=kind)
    with pytest.raises(VideoError, match=rf"still image \({codec}\), not a video"):
        probe(path)
    with pytest.raises(VideoError, match="still image"):
        next(iter_frames(path))


def test_one_frame_video_is_a_still_image(tmp_path: Path) -> None:
    path = write_video(tmp_path / "one.mp4", gradient_frames(1), fps=25)
    with pytest.raises(VideoError, match="single frame: it is a still image"):
        probe(path)


def test_too_short_is_refused_with_the_reason(tmp_path: Path) -> None:
    info = probe(write_video(tmp_path / "half.mp4", gradient_frames(10), fps=20))
    assert info.duration_s == pytest.approx(0.5, abs=0.05)
    with pytest.raises(VideoError, match=r"only 0\.5 s long: too short for a balance test"):
        check_usable(info)
    check_usable(dataclasses.replace(info, duration_s=0.0))  # unknown length: let through, the analysis decides
    check_usable(dataclasses.replace(info, duration_s=MIN_DURATION_S))


def test_beyond_8k_is_refused_8k_is_not(tmp_path: Path) -> None:
    info = probe(write_video(tmp_path / "ok.mp4", gradient_frames(30), fps=20))
    check_usable(dataclasses.replace(info, width=8192, height=4320))
    with pytest.raises(VideoError, match="larger than the 8K"):
        check_usable(dataclasses.replace(info, width=8192, height=4321))
    assert 8192 * 4320 == MAX_PIXELS


def test_decoder_threads_are_capped_only_for_huge_frames() -> None:
    """FFmpeg's own count (cores + 1) up to 4K; at 8K few enough threads to keep the frames in flight near 512 MB."""
    assert decoder_threads(1920 * 1080, 16) is None
    assert decoder_threads(3840 * 2160, 16) is None
    assert decoder_threads(7680 * 4320, 2) is None
    assert decoder_threads(7680 * 4320, 16) == 5
    assert decoder_threads(0, 16) is None


def test_one_thread_decodes_the_same_pixels() -> None:
    # The parallel path decodes and converts to RGB on one thread per process; the frames must not change.
    clip = Path(__file__).resolve().parents[1] / "sample_videos" / "right_stance_valgus15.mp4"
    auto = iter_frames(clip, end_s=0.5)
    one = iter_frames(clip, end_s=0.5, threads=1)
    pairs = list(zip(auto, one, strict=True))
    assert len(pairs) >= 5
    for a, b in pairs:
        assert a.time_s == b.time_s
        np.testing.assert_array_equal(a.rgb, b.rgb)


def test_frames_have_the_pixels_of_pyav_own_conversion() -> None:
    # iter_frames keeps one converter for the whole video; each frame must still read as PyAV's
    # per-frame conversion gives it.
    clip = Path(__file__).resolve().parents[1] / "sample_videos" / "right_stance_valgus15.mp4"
    with av.open(str(clip)) as container:
        reference = [f.to_ndarray(format="rgb24") for _, f in zip(range(8), container.decode(video=0))]
    ours = [f.rgb for _, f in zip(range(8), iter_frames(clip))]
    assert len(ours) == len(reference) == 8
    for a, b in zip(ours, reference):
        np.testing.assert_array_equal(a, b)
