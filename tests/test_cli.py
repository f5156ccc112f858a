"""The CLI: one plain line and a non-zero exit for every bad input, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.media import gradient_frames, write_audio_only, write_video


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assess", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def assert_clean_failure(proc: subprocess.CompletedProcess[str], expect: str) -> None:
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and expect in lines[0], lines[0]


def _empty(d: Path) -> Path:
    p = d / "empty.mp4"
    p.touch()
    return p


def _text(d: Path) -> Path:
    p = d / "notes.mp4"
    p.write_text("hello\n" * 100)
    return p


def _truncated(d: Path) -> Path:
    good = write_video(d / "good.mp4", gradient_frames(30), fps=30).read_bytes()
    p = d / "cut.mp4"
    p.write_bytes(good[: len(good) // 3])
    return p


def _audio(d: Path) -> Path:
    return write_audio_only(d / "voice.mp4")


def _tiny(d: Path) -> Path:
    return write_video(d / "tiny.avi", [np.zeros((1, 1, 3), np.uint8)] * 3, fps=10, codec="rawvideo")


def _nobody(d: Path) -> Path:
    return write_video(d / "room.mp4", gradient_frames(15, 320, 240), fps=15)


def _missing(d: Path) -> Path:
    return d / "does_not_exist.mp4"


@pytest.mark.parametrize(
    ("make", "expect", "code"),
    [
        (_empty, "empty", 3),
        (_text, "not a video", 3),
        (_truncated, "", 3),
        (_audio, "no video stream", 3),
        (_tiny, "pixels", 3),
        (_nobody, "No person was found", 4),
        (_missing, "No such file", 2),
    ],
    ids=["empty", "text-as-mp4", "truncated", "audio-only", "1x1", "nobody", "missing"],
)
def test_track_bad_input(tmp_path: Path, make, expect: str, code: int) -> None:  # type: ignore[no-untyped-def]
    proc = run_cli("track", str(make(tmp_path)), "-o", str(tmp_path / "out.npz"))
    assert_clean_failure(proc, expect)
    assert proc.returncode == code
    assert not (tmp_path / "out.npz").exists()


def test_corrupt_model(tmp_path: Path) -> None:
    (tmp_path / "pose_landmarker_full.task").write_bytes(b"garbage" * 100)
    clip = write_video(tmp_path / "room.mp4", gradient_frames(5, 320, 240), fps=15)
    proc = run_cli("track", str(clip), "-o", str(tmp_path / "o.npz"), env={"FOOTFIRST_MODELS_DIR": str(tmp_path)})
    assert_clean_failure(proc, "assess models install")
    assert proc.returncode == 5


def test_bad_flag_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli("track", "x.mp4", "-o", "o.npz", "--stride", "0")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
