"""From a video file to a `PoseTrack` (and, with the metrics, to an assessment).

This is the glue the CLI and the app share: probe and check the video, run
the pose estimator over its frames, build the track.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .models import DEFAULT_MODEL
from .pose import PoseEstimator, track_frames
from .track import PoseTrack, SourceInfo
from .video import Frame, VideoInfo, check_usable, iter_frames, probe

Progress = Callable[[float], None]
"""Called with the fraction of the video done, 0 … 1."""


def track_video(
    path: str | Path,
    *,
    model: str | Path = DEFAULT_MODEL,
    stride: int = 1,
    estimator: PoseEstimator | None = None,
    progress: Progress | None = None,
) -> PoseTrack:
    """Track the subject through a video file.

    Parameters
    ----------
    path : the video.
    model : pose model name or ``.task`` path (ignored when ``estimator`` is given).
    stride : analyse every ``stride``-th frame.
    estimator : an existing estimator to reuse (its subject lock is reset).
    progress : callback with the fraction done.

    Raises
    ------
    InputNotFound, VideoError, ModelError, NoPoseError
        Each with a message for the user.
    """
    info = probe(path)
    check_usable(info)
    own = estimator is None
    est = PoseEstimator(model) if estimator is None else estimator
    est.reset_subject()
    duration = max(info.duration_s, 1e-6)

    def on_frame(frame: Frame) -> None:
        if progress is not None:
            progress(min(1.0, frame.time_s / duration))

    try:
        track = track_frames(
            iter_frames(info.path, stride=stride),
            estimator=est,
            width=info.width,
            height=info.height,
            fps=info.fps / stride,
            source=_source(info, est, stride),
            progress=on_frame,
        )
    finally:
        if own:
            est.close()
    if progress is not None:
        progress(1.0)
    return track


def _source(info: VideoInfo, est: PoseEstimator, stride: int) -> SourceInfo:
    return SourceInfo(
        path=str(info.path),
        model=est.model_name,
        rotation_deg=info.rotation_deg,
        stride=stride,
        duration_s=info.duration_s,
        extra={"codec": info.codec, "source_fps": info.fps},
    )
