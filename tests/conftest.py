"""Shared fixtures: the real clips in ../shared/videos and their tracks (tracked once, cached)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from assess.track import PoseTrack

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_VIDEOS = PROJECT_ROOT.parent / "shared" / "videos"
SAMPLE_VIDEOS = PROJECT_ROOT / "sample_videos"


def shared_clip(name: str) -> Path:
    """Path of a real clip, or skip the test (with the reason) when it is absent."""
    path = SHARED_VIDEOS / f"{name}.mp4"
    if not path.exists():
        pytest.skip(f"real clip {name}.mp4 not found in {SHARED_VIDEOS} (those clips are not part of the project)")
    return path


@pytest.fixture(scope="session")
def real_track(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """``real_track(name)`` → the PoseTrack of a shared clip, tracked with the full model once.

    Tracks are cached in pytest's cache folder keyed by clip and model checksum,
    so later runs (and other test modules) reuse them.
    """
    from assess.models import model_path, sha256_of
    from assess.pipeline import PIPELINE_VERSION, track_video

    cache_dir = Path(request.config.cache.mkdir("tracks"))
    model = model_path("full")
    model_tag = sha256_of(model)[:10] if model.exists() else "none"
    memo: dict[str, PoseTrack] = {}

    def get(name: str, *, stride: int = 1) -> PoseTrack:
        key = f"{name}-s{stride}"
        if key in memo:
            return memo[key]
        clip = shared_clip(name)
        tag = hashlib.sha256(f"{clip.stat().st_size}-{model_tag}-{stride}-v{PIPELINE_VERSION}".encode()).hexdigest()[:10]
        cached = cache_dir / f"{key}-{tag}.npz"
        if cached.exists():
            track = PoseTrack.load(cached)
        else:
            track = track_video(clip, stride=stride)
            track.save(cached)
        memo[key] = track
        return track

    return get
