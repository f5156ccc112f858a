"""The MediaPipe adapter: the only module of Foot First that imports mediapipe.

It wraps the Tasks API ``PoseLandmarker`` (``mp.solutions`` is gone since
0.10.30): VIDEO mode for files and for live webcam frames (the caller passes
increasing timestamps), up to three people per frame, and a
:class:`~assess.subject.SubjectLock` that keeps the same person. Another
MediaPipe API break should only ever need changes in this file.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .errors import ModelError, NoPoseError
from .landmarks import N_LANDMARKS
from .models import DEFAULT_MODEL, require_model
from .subject import Box, SubjectLock, body_box
from .track import PoseTrack, SourceInfo, TrackBuffer
from .video import Frame

MAX_PEOPLE = 3


def metadata_schemas() -> tuple[ModuleType, ModuleType]:
    """The TFLite and TFLite-metadata flatbuffer schemas that mediapipe ships."""
    from mediapipe.tasks.metadata import metadata_schema_py_generated as meta_fb
    from mediapipe.tasks.metadata import schema_py_generated as tfl

    return tfl, meta_fb


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Hide the C++ log lines LiteRT prints while a graph starts (``FOOTFIRST_DEBUG=1`` shows them)."""
    if os.environ.get("FOOTFIRST_DEBUG"):
        yield
        return
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


@dataclass(frozen=True)
class FramePose:
    """The subject's landmarks in one frame (NaN and ``found=False`` if absent)."""

    time_s: float
    found: bool
    image: NDArray[np.float64]
    """``[33, 3]`` normalised image coordinates."""
    world: NDArray[np.float64]
    """``[33, 3]`` metres, hip-centred."""
    visibility: NDArray[np.float64]
    """``[33]`` in [0, 1]."""
    n_people: int
    """How many people the model found in this frame."""


def mp_image(rgb: NDArray[np.uint8]) -> Any:
    """Wrap an RGB array as a MediaPipe image (no copy when already contiguous)."""
    import mediapipe as mp

    return mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))


def _empty(time_s: float, n_people: int = 0) -> FramePose:
    nan = np.full((N_LANDMARKS, 3), np.nan)
    return FramePose(time_s, False, nan, nan.copy(), np.zeros(N_LANDMARKS), n_people)


class PoseEstimator:
    """A PoseLandmarker that follows one subject.

    Parameters
    ----------
    model : "lite", "full" or "heavy" (must be installed), or a path to a
        ``.task`` file.
    max_people : how many people the model looks for per frame.
    min_confidence : detection/presence/tracking confidence for MediaPipe.

    Notes
    -----
    A MediaPipe landmarker is not thread-safe; calls to :meth:`process` are
    serialised with a lock, so one estimator may be shared (e.g. by the app's
    sessions), and each call must pass a timestamp larger than the last one.
    """

    def __init__(self, model: str | Path = DEFAULT_MODEL, *, max_people: int = MAX_PEOPLE, min_confidence: float = 0.5, num_threads: int | None = None) -> None:
        from mediapipe.tasks.python.core.base_options import BaseOptions
        from mediapipe.tasks.python.vision import PoseLandmarker, PoseLandmarkerOptions, RunningMode

        path = Path(model) if isinstance(model, Path) or str(model).endswith(".task") else require_model(str(model))
        if not path.exists():
            raise ModelError(f"Pose model file not found: {path}.", hint="Run `assess models install`.")
        self.model_name = path.stem.replace("pose_landmarker_", "")
        self.model_path = path
        options = PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(path)),
            running_mode=RunningMode.VIDEO,
            num_poses=max_people,
            min_pose_detection_confidence=min_confidence,
            min_pose_presence_confidence=min_confidence,
            min_tracking_confidence=min_confidence,
        )
        try:
            with _native_stderr_silenced():
                self._landmarker = PoseLandmarker.create_from_options(options)
                # The first inference prints more start-up lines; run it here.
                self._landmarker.detect_for_video(mp_image(np.zeros((64, 64, 3), dtype=np.uint8)), 0)
        except Exception as exc:  # mediapipe raises RuntimeError/ValueError with C++ status text
            raise ModelError(
                f"The pose model {path.name} could not be loaded ({str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__}).",
                hint="It may be corrupt: delete it and run `assess models install`.",
            ) from exc
        self._lock = threading.Lock()
        self._subject = SubjectLock()
        self._last_ms = 0
        self._calls = 0

    def reset_subject(self, *, initial: Box | None = None, initial_time_s: float | None = None) -> None:
        """Forget the current subject (e.g. when a new live test starts), or start from a known box."""
        self._subject = SubjectLock(initial=initial, initial_time_s=initial_time_s)

    def process(self, rgb: NDArray[np.uint8], time_s: float, *, subject: SubjectLock | None = None) -> FramePose:
        """Find the subject in one upright RGB frame (``[H, W, 3]`` uint8).

        ``subject`` lets several users share one estimator, each with their own
        subject lock (the live app); by default the estimator's own is used.
        """
        lock = subject if subject is not None else self._subject
        with self._lock:
            ms = int(round(time_s * 1000))
            if ms <= self._last_ms:
                ms = self._last_ms + 1  # MediaPipe needs strictly increasing timestamps
            self._last_ms = ms
            if self._calls < 5:  # MediaPipe logs a few lines on the first frames with a person
                with _native_stderr_silenced():
                    result = self._landmarker.detect_for_video(mp_image(rgb), ms)
            else:
                result = self._landmarker.detect_for_video(mp_image(rgb), ms)
            self._calls += 1
            people = result.pose_landmarks or []
            if not people:
                lock.choose(time_s, [])
                return _empty(time_s)
            img = [np.array([(p.x, p.y, p.z) for p in person], dtype=np.float64) for person in people]
            vis = [np.array([p.visibility if p.visibility is not None else 0.0 for p in person], dtype=np.float64) for person in people]
            pick = lock.choose(time_s, [body_box(i, v) for i, v in zip(img, vis)])
            if pick is None:
                return _empty(time_s, len(people))
            world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks[pick]], dtype=np.float64)
            return FramePose(time_s, True, img[pick], world, vis[pick], len(people))

    def detect_raw(self, rgb: NDArray[np.uint8], timestamp_ms: int) -> int:
        """Run the bare landmarker on a frame and return how many people it found.

        For benchmarks: the model's own cost, without our subject lock or copies.
        """
        with self._lock:
            result = self._landmarker.detect_for_video(mp_image(rgb), timestamp_ms)
            return len(result.pose_landmarks or [])

    def close(self) -> None:
        """Release the MediaPipe graph (its shutdown log lines are hidden too)."""
        with self._lock, _native_stderr_silenced():
            self._landmarker.close()

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def verify_model(path: Path) -> None:
    """Load a ``.task`` file and run it on one frame; raise :class:`ModelError` if it fails."""
    try:
        est = PoseEstimator(path, max_people=1)
    except ModelError:
        raise
    try:
        est.process(np.zeros((256, 256, 3), dtype=np.uint8), 0.0)
    except Exception as exc:
        raise ModelError(f"The pose model {path.name} loads but fails on a frame ({exc}).", hint="Delete it and run `assess models install`.") from exc
    finally:
        est.close()


def track_frames(
    frames: Iterable[Frame],
    *,
    estimator: PoseEstimator,
    width: int,
    height: int,
    fps: float,
    source: SourceInfo,
    progress: Callable[[Frame], None] | None = None,
) -> PoseTrack:
    """Run the estimator over frames and build a :class:`PoseTrack`.

    Raises
    ------
    NoPoseError
        When nobody was found in any frame.
    """
    buf = TrackBuffer()
    for frame in frames:
        fp = estimator.process(frame.rgb, frame.time_s)
        buf.add(fp.time_s, fp.image, fp.world, fp.visibility, fp.found)
        if progress is not None:
            progress(frame)
    times, image, world, vis, found = buf.arrays()
    if not len(times):
        raise NoPoseError("The video has no frames to analyse.", hint="Check the file or the chosen time range.")
    if not found.any():
        raise NoPoseError(
            f"No person was found in any of the {len(times)} frames.",
            hint="Film the whole body, head to feet, 2–4 m from the camera, in good light.",
        )
    return PoseTrack(times=times, image=image, world=world, visibility=vis, detected=found, fps=fps, width=width, height=height, source=source)
