"""The CLI: one plain line and a non-zero exit for every bad input, never a traceback.

The bad-input matrix (empty, corrupt, audio only, still image, too short, ...)
for both ``assess track`` and ``assess analyze`` is in test_robustness.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assess import cli
from assess.track import PoseTrack
from tests.media import gradient_frames, write_video
from tests.test_track import make_track


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


def test_corrupt_model(tmp_path: Path) -> None:
    (tmp_path / "pose_landmarker_full.task").write_bytes(b"garbage" * 100)
    clip = write_video(tmp_path / "room.mp4", gradient_frames(30, 320, 240), fps=15)
    proc = run_cli("track", str(clip), "-o", str(tmp_path / "o.npz"), env={"FOOTFIRST_MODELS_DIR": str(tmp_path)})
    assert_clean_failure(proc, "assess models install")
    assert proc.returncode == 5


def test_bad_flag_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli("track", "x.mp4", "-o", "o.npz", "--stride", "0")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


@pytest.mark.parametrize("command", ["track", "analyze"])
def test_mirrored_flag_reaches_the_pipeline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    """--mirrored is passed on as mirror=True (without it, False); the real effect is in test_robustness.py."""
    import assess.pipeline as pipeline
    from assess.assessment import analyze_track

    seen: list[bool] = []

    def fake_track(path: Path, **kwargs: object) -> PoseTrack:
        seen.append(bool(kwargs["mirror"]))
        return make_track(50)

    def fake_analyze(path: Path, **kwargs: object):  # type: ignore[no-untyped-def]
        track = fake_track(path, **kwargs)
        return track, analyze_track(track)

    monkeypatch.setattr(pipeline, "track_video", fake_track)
    monkeypatch.setattr(pipeline, "analyze_video", fake_analyze)
    out = str(tmp_path / ("o.npz" if command == "track" else "o.json"))
    for flags in ([], ["--mirrored"]):
        assert cli.main([command, "clip.mp4", "-o", out, "-q", *flags]) == 0
    assert seen == [False, True]


@pytest.mark.parametrize("command", ["track", "analyze"])
def test_mirrored_flag_is_explained(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    assert "selfie/front-camera" in capsys.readouterr().out


def test_cut_short_decoding_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    """A track that ends well before the length the container announced gets a warning line."""
    import dataclasses

    track = make_track(50)  # 2 s at 25 fps
    cli._warn_if_cut_short(dataclasses.replace(track, source=dataclasses.replace(track.source, duration_s=2.0)))
    assert capsys.readouterr().err == ""
    cli._warn_if_cut_short(dataclasses.replace(track, source=dataclasses.replace(track.source, duration_s=10.0)))
    assert "only the first 2.0 s of this 10.0-s video could be decoded" in capsys.readouterr().err
