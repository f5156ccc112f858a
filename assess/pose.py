"""The MediaPipe adapter: the only module of Foot First that imports mediapipe.

It wraps the Tasks API ``PoseLandmarker`` (``mp.solutions`` is gone since
0.10.30): VIDEO mode for files and for live webcam frames (the caller passes
increasing timestamps), up to three people per frame, and a
:class:`~assess.subject.SubjectLock` that keeps the same person. Another
MediaPipe API break should only ever need changes in this file.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import dataclasses
import functools
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .camera import EXPOSURE_JOINTS, BackgroundMotion
from .errors import ModelError, NoPoseError
from .landmarks import N_LANDMARKS
from .models import DEFAULT_MODEL, require_model
from .subject import Box, SubjectLock, body_box
from .track import PoseTrack, SourceInfo, TrackBuffer
from .video import Frame

MAX_PEOPLE = 3

UNUSED_MEDIAPIPE_MODULES = frozenset(
    {
        "mediapipe.tasks.python.vision.drawing_utils",
        "mediapipe.tasks.python.vision.drawing_styles",
        "mediapipe.tasks.python.audio",
        "mediapipe.tasks.python.text",
        "mediapipe.tasks.python.retrieval",
        "mediapipe.tasks.python.decision",
    }
)
"""Modules and packages that ``import mediapipe`` loads although Foot First never uses
them, in every process that tracks (see :func:`import_mediapipe`): the drawing helpers
import ``matplotlib.pyplot`` (0.36 of the 0.46 s that importing mediapipe took), and the
audio, text, retrieval and decision tasks another 0.16 s of the remaining 0.2 s (the audio
tasks load ``sounddevice`` and its PortAudio library; measured with ``-X importtime``)."""


class _DeferredFinder(importlib.abc.MetaPathFinder):
    """Hands out :data:`UNUSED_MEDIAPIPE_MODULES` as lazy modules: loaded on first use, not at import."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in UNUSED_MEDIAPIPE_MODULES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec  # not a plain module file: let it load as usual
        spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


@functools.cache
def import_mediapipe() -> ModuleType:
    """``import mediapipe``, with its drawing helpers left unloaded until something uses them.

    The module objects are still there (the import system binds them as
    usual); a lazy module runs its code on the first attribute access, so
    code that does use them gets the real thing. Every mediapipe import in
    this module goes through here first.
    """
    finder = _DeferredFinder()
    sys.meta_path.insert(0, finder)
    try:
        import mediapipe
    finally:
        sys.meta_path.remove(finder)
    return mediapipe


def metadata_schemas() -> tuple[ModuleType, ModuleType]:
    """The TFLite and TFLite-metadata flatbuffer schemas that mediapipe ships."""
    import_mediapipe()
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
    box: Box | None = None
    """The subject's body box (normalised image units) when found."""


def mp_image(rgb: NDArray[np.uint8]) -> Any:
    """An RGB array as a MediaPipe image (MediaPipe copies the pixels in: ~0.15 ms a 720p frame)."""
    mp = import_mediapipe()
    return mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))


@functools.cache
def _blank_image() -> Any:
    """A small black MediaPipe image with nobody in it (built once)."""
    return mp_image(np.zeros((64, 64, 3), dtype=np.uint8))


def _empty(time_s: float, n_people: int = 0) -> FramePose:
    nan = np.full((N_LANDMARKS, 3), np.nan)
    return FramePose(time_s, False, nan, nan.copy(), np.zeros(N_LANDMARKS), n_people)


FOLLOW_STEP_MS = 10_000
"""Timestamp step between a follower's calls (see :class:`_Follower`)."""
CHECK_EVERY_S = 2.0
"""The multi-person finder re-checks who is in view once in each such slot of video time (a live stream)."""
FILE_CHECK_EVERY_S = 4.0
"""The finder's slot for a video file (the estimator's own stream after :meth:`PoseEstimator.reset_subject`).
Each check costs a multi-person detection (~23 ms here: 4 % of a file's tracking at one every
2 s); between checks the subject lock still rejects a follower that jumps to someone else,
so a longer slot only delays noticing one that drifts onto an overlapping bystander. It is a
multiple of :data:`RESTART_EVERY_S`, so every check falls on a restart. Live sessions keep
:data:`CHECK_EVERY_S`: their set-up check tells a second person to leave the picture."""
RESTART_EVERY_S = 2.0
"""The follower starts afresh at each multiple of this video time past the stream's grid origin (see :class:`PoseEstimator`).

A restart costs a blank frame (~8 ms here) and one person detection (~8 ms more than a
tracked frame): about 0.25 ms a frame at 30 fps. The parallel path puts its first seam where
its processes finish together and starts the grid there; with three or more processes, a
finer grid would put the later seams closer to that point too
(:func:`assess.pipeline.track_video`). Restarting less often is not worth that quarter of a
millisecond: the landmarks then follow their own tracking history longer, and on the 60 fps
render (``benchmarks/synthetic/matrix.py``) every frame against every 2nd frame differed by
0.47° in mean stance FPPA with a 4-s grid and 0.48° with restarts only at seams, against
0.03° with this 2-s grid."""
AGREE_IOU = 0.5
"""A follower's person and the finder's subject are the same when their boxes overlap this much."""
REBUILD_AFTER_S = 1.0
"""A follower stuck on someone else is reset after this long (video time)."""


class _RunHere(concurrent.futures.Executor):
    """An executor that runs each call at once, on the calling thread."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


class _DirectCalls:
    """A landmarker's C functions, called on the calling thread, with results read as arrays.

    MediaPipe's Python API hands every call (two a frame) to a thread of its
    own and waits for it, which keeps a C library that is not thread-safe to
    one thread at a time. :class:`PoseEstimator` serialises its calls with a
    lock already, so the hand-off buys nothing here, and with two processes
    tracking at once it costs: 15 s of 720p took 6.9 instead of 7.2 s a
    process (three runs of two processes at once); alone it makes no
    measurable difference. The wrappers are MediaPipe's own (status codes
    still become exceptions); only the executor differs.

    MediaPipe's API also turns each result into Python objects, one per
    landmark (66 a person), that we would only turn back into arrays:
    :meth:`detect` reads the C result's landmark records straight into arrays
    instead (0.12 against 0.19 ms a frame with the boxes, measured over 300
    frames of 720p) and frees it as MediaPipe does.
    """

    def __init__(self, raw_lib: Any, module: ModuleType) -> None:
        here = _RunHere()
        calls = {signature.func_name: signature.create_python_wrapper(raw_lib, here) for signature in module._CTYPES_SIGNATURES}
        for name, call in calls.items():  # for MediaPipe's own methods (closing, and its result objects)
            setattr(self, name, call)
        try:  # where these are named otherwise, fail here rather than at the first frame
            self._detect_image: Callable[..., Any] = calls["MpPoseLandmarkerDetectImage"]
            self._detect_video: Callable[..., Any] = calls["MpPoseLandmarkerDetectForVideo"]
            self._close_result: Callable[..., Any] = calls["MpPoseLandmarkerCloseResult"]
        except KeyError as exc:
            raise AttributeError(str(exc)) from exc
        self._result_type = module.MpPoseLandmarkerResultC

    def detect(self, handle: Any, image: Any, timestamp_ms: int | None) -> Found:
        """Run the landmarker on an image (IMAGE mode; VIDEO mode with ``timestamp_ms``)."""
        result = self._result_type()
        if timestamp_ms is None:
            self._detect_image(handle, image._image_ptr, None, ctypes.byref(result))
        else:
            self._detect_video(handle, image._image_ptr, None, timestamp_ms, ctypes.byref(result))
        try:
            image_xyz, visibility = _landmark_arrays(result.pose_landmarks, result.pose_landmarks_count)
            world_xyz, _ = _landmark_arrays(result.pose_world_landmarks, result.pose_world_landmarks_count)
        finally:
            self._close_result(ctypes.byref(result))
        return Found(image_xyz, world_xyz, visibility)

    def close(self) -> None:
        """Nothing to shut down: unlike MediaPipe's dispatcher, this holds no thread."""


@functools.cache
def _record_dtype(c_type: type) -> np.dtype[Any]:
    """The numpy view of one of MediaPipe's C landmark records: x, y, z and visibility where it has one."""
    fields = ("x", "y", "z", "has_visibility", "visibility")
    return np.dtype(
        {
            "names": list(fields),
            "formats": ["<f4", "<f4", "<f4", "?", "<f4"],
            "offsets": [getattr(c_type, f).offset for f in fields],
            "itemsize": ctypes.sizeof(c_type),
        }
    )


def _landmark_arrays(people: Any, count: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``[P, 33, 3]`` coordinates and ``[P, 33]`` visibilities of a C result's landmark lists (one per person)."""
    if count == 0:
        return np.empty((0, N_LANDMARKS, 3)), np.empty((0, N_LANDMARKS))
    dtype = _record_dtype(people[0].landmarks._type_)
    records = np.stack([np.frombuffer(ctypes.string_at(people[i].landmarks, people[i].landmarks_count * dtype.itemsize), dtype) for i in range(count)])
    xyz = np.stack([records["x"], records["y"], records["z"]], axis=-1).astype(np.float64)
    return xyz, np.where(records["has_visibility"], records["visibility"], 0.0).astype(np.float64)


def _call_directly(landmarker: Any) -> bool:
    """Give a PoseLandmarker :class:`_DirectCalls`; False (and nothing changed) where this mediapipe is laid out otherwise."""
    try:
        module = importlib.import_module("mediapipe.tasks.python.vision.pose_landmarker")
        dispatcher = landmarker._lib
        direct = _DirectCalls(dispatcher._lib, module)
    except (AttributeError, ImportError, TypeError):
        return False
    if not hasattr(landmarker, "_handle"):
        return False
    landmarker._lib = direct
    dispatcher.close()
    return True


_graphs_started = 0
"""How many MediaPipe graphs this process has started (see :func:`graphs_started`)."""


def graphs_started() -> int:
    """How many MediaPipe graphs this process has started, closed ones included.

    A graph owns native threads and locks that a forked child would inherit
    in whatever state they were: the parallel path forks its workers only
    while this is 0 (see :func:`assess.pipeline.worker_start_method`).
    """
    return _graphs_started


def _landmarker(path: Path, mode: str, num_poses: int, min_confidence: float, *, direct: bool = True) -> Any:
    """A PoseLandmarker; ``direct``: its C functions are called on the calling thread (see :class:`_DirectCalls`)."""
    global _graphs_started
    import_mediapipe()
    _graphs_started += 1
    from mediapipe.tasks.python.core.base_options import BaseOptions
    from mediapipe.tasks.python.vision import PoseLandmarker, PoseLandmarkerOptions, RunningMode

    options = PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(path)),
        running_mode=RunningMode.VIDEO if mode == "video" else RunningMode.IMAGE,
        num_poses=num_poses,
        min_pose_detection_confidence=min_confidence,
        min_pose_presence_confidence=min_confidence,
        min_tracking_confidence=min_confidence,
    )
    with _native_stderr_silenced():
        landmarker = PoseLandmarker.create_from_options(options)
    if direct:
        _call_directly(landmarker)
    return landmarker


@dataclass(frozen=True)
class Found:
    """Everyone a landmarker found in one frame, as arrays (``P`` people, possibly 0)."""

    image: NDArray[np.float64]
    """``[P, 33, 3]`` normalised image coordinates."""
    world: NDArray[np.float64]
    """``[P, 33, 3]`` metres, hip-centred."""
    visibility: NDArray[np.float64]
    """``[P, 33]``; 0 where MediaPipe gives none."""

    def __len__(self) -> int:
        return len(self.image)

    @functools.cached_property
    def boxes(self) -> list[Box]:
        """Each person's body box."""
        return [body_box(i, v) for i, v in zip(self.image, self.visibility)]


def detect(landmarker: Any, image: Any, timestamp_ms: int | None = None) -> Found:
    """Run a landmarker from :func:`_landmarker` on a MediaPipe image (``timestamp_ms`` in VIDEO mode).

    Where MediaPipe's layout kept :class:`_DirectCalls` out, its own result
    objects are converted instead (one Python object per landmark: slower,
    same numbers).
    """
    lib = landmarker._lib
    if isinstance(lib, _DirectCalls):
        return lib.detect(landmarker._handle, image, timestamp_ms)
    result = landmarker.detect(image) if timestamp_ms is None else landmarker.detect_for_video(image, timestamp_ms)

    def arrays(people: Any) -> NDArray[np.float64]:
        return np.array([[(p.x, p.y, p.z) for p in person] for person in people or []], dtype=np.float64).reshape(-1, N_LANDMARKS, 3)

    vis = [[p.visibility if p.visibility is not None else 0.0 for p in person] for person in result.pose_landmarks or []]
    return Found(arrays(result.pose_landmarks), arrays(result.pose_world_landmarks), np.array(vis, dtype=np.float64).reshape(-1, N_LANDMARKS))


class _Follower:
    """A one-person VIDEO-mode landmarker that tracks one stream's subject.

    In VIDEO mode MediaPipe runs its person detector only when it has lost
    the person and otherwise takes the region from the last frame's
    landmarks: ~17 ms a frame instead of ~35 ms for detection on every frame
    (full model, this machine). VIDEO mode also smooths landmarks with a
    velocity-adaptive one-euro filter, which lags the truth by 3–4 frames
    (measured on the rendered samples: 150 ms at 20 fps, and path length
    60% short). That filter works in time: we space the follower's calls
    :data:`FOLLOW_STEP_MS` apart whatever the real frame times are, which
    makes its smoothing factor ≈ 1 (no smoothing, no lag) while the region
    tracking, which does not depend on time, works as before. Our own
    zero-phase filter (:mod:`assess.metrics.clean`) does the smoothing.
    """

    def __init__(self, path: Path, min_confidence: float) -> None:
        self._landmarker = _landmarker(path, "video", 1, min_confidence)
        self._calls = 0
        self.created_s: float | None = None

    def detect(self, image: Any) -> Found:
        self._calls += 1
        return detect(self._landmarker, image, self._calls * FOLLOW_STEP_MS)

    def reset(self) -> None:
        """Forget the tracked person, as a new follower would (but ~13 ms instead of ~65–120 ms to build one).

        A blank frame makes MediaPipe lose the person, which clears its region
        and smoothing state: the next frame runs the person detector afresh.
        Measured on 180 frames with three resets: the landmarks equal those of
        newly built followers exactly.
        """
        self.detect(_blank_image())

    def close(self) -> None:
        with _native_stderr_silenced():
            self._landmarker.close()


class _Stream:
    """Per-stream state kept beside a subject lock: its follower and the last check.

    It must not refer to the lock (the lock is the weak key it hangs on).
    """

    def __init__(self, origin_s: float = 0.0, check_every_s: float = CHECK_EVERY_S) -> None:
        self.origin_s = origin_s
        """Where the restart grid and the finder's check slots start (video time)."""
        self.check_every_s = check_every_s
        self.follower: _Follower | None = None
        self.segment = -1
        self.check_slot = -1
        self.n_people = 0
        self.rebuild_at_s: float | None = None

    def close(self) -> None:
        if self.follower is not None:
            self.follower.close()
            self.follower = None


class PoseEstimator:
    """MediaPipe's PoseLandmarker, following one subject per stream.

    Parameters
    ----------
    model : "lite", "full" or "heavy" (must be installed), or a path to a
        ``.task`` file.
    max_people : how many people the finder looks for in a frame.
    min_confidence : detection/presence/tracking confidence for MediaPipe.

    Notes
    -----
    Two landmarkers work together. A *finder* (IMAGE mode, up to
    ``max_people``) sees everyone in a frame; it picks the subject at the
    start (:class:`~assess.subject.SubjectLock`), re-checks every
    :data:`FILE_CHECK_EVERY_S` of a file (:data:`CHECK_EVERY_S` live), and
    takes over whenever the follower loses the
    subject. A *follower* (VIDEO mode, one person, see :class:`_Follower`)
    tracks the subject frame to frame at half the finder's cost. A follower
    that drifts onto someone else (a bystander stepping in front) is noticed
    by the box check and reset; until then the finder serves every frame,
    so a swap costs speed, never the wrong person.

    MediaPipe's tracking takes each frame's crop from the last frame's
    landmarks, so its output depends on the whole history: the same frame
    reads a few pixels differently depending on where tracking began. To make
    results independent of where a stream starts (a time chunk of a file
    analysed in another process, a trimmed clip), the follower starts afresh
    at every multiple of :data:`RESTART_EVERY_S` of video time and the finder
    checks at fixed slots; two streams over the same frames then agree from
    the first restart they share (a restart costs ~30 ms of model time every 2 s).
    The grid starts at 0 unless :meth:`reset_subject` moves its origin (the
    parallel path does, so that a seam can fall exactly where its processes
    finish together).

    Each stream (a video, a live session) has its own subject lock and
    follower: pass ``subject=`` to :meth:`process` to keep several streams
    apart in one estimator. Calls are serialised with a lock (a MediaPipe
    landmarker is not thread-safe), so one estimator may be shared by the
    app's sessions.
    """

    def __init__(self, model: str | Path = DEFAULT_MODEL, *, max_people: int = MAX_PEOPLE, min_confidence: float = 0.5) -> None:
        path = Path(model) if isinstance(model, Path) or str(model).endswith(".task") else require_model(str(model))
        if not path.exists():
            raise ModelError(f"Pose model file not found: {path}.", hint="Run `assess models install`.")
        self.model_name = path.stem.replace("pose_landmarker_", "")
        self.model_path = path
        self._min_confidence = min_confidence
        try:
            self._finder = _landmarker(path, "image", max_people, min_confidence)
            with _native_stderr_silenced():  # the first inference prints more start-up lines; run it here
                detect(self._finder, mp_image(np.zeros((64, 64, 3), dtype=np.uint8)))
        except Exception as exc:  # mediapipe raises RuntimeError/ValueError with C++ status text
            first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
            raise ModelError(f"The pose model {path.name} could not be loaded ({first}).", hint="It may be corrupt: delete it and run `assess models install`.") from exc
        self._lock = threading.Lock()
        self._streams: weakref.WeakKeyDictionary[SubjectLock, _Stream] = weakref.WeakKeyDictionary()
        self._subject = SubjectLock()
        self._origin_s = 0.0
        self._check_every_s = CHECK_EVERY_S
        self._raw: dict[str, Any] = {}
        self._quiet_calls = 5  # MediaPipe logs a few lines on the first frames with a person
        self.stats = {"frames": 0, "finder": 0, "restarts": 0, "rebuilds": 0}

    def reset_subject(self, *, initial: Box | None = None, initial_time_s: float | None = None, grid_origin_s: float = 0.0) -> None:
        """Forget the current subject (e.g. when a new video starts), or start from a known box.

        ``grid_origin_s``: the video time from which the restart grid and the
        finder's check slots of the estimator's own stream are counted. That
        stream is then a file's: the finder checks every :data:`FILE_CHECK_EVERY_S`.
        """
        with self._lock:
            old = self._streams.pop(self._subject, None)
            if old is not None:
                old.close()
            self._subject = SubjectLock(initial=initial, initial_time_s=initial_time_s)
            self._origin_s = grid_origin_s
            self._check_every_s = FILE_CHECK_EVERY_S

    def release(self, subject: SubjectLock) -> None:
        """Free the follower of a stream that has ended (it is also freed when ``subject`` is garbage)."""
        with self._lock:
            stream = self._streams.pop(subject, None)
            if stream is not None:
                stream.close()

    def _stream(self, lock: SubjectLock) -> _Stream:
        stream = self._streams.get(lock)
        if stream is None:
            stream = self._streams[lock] = _Stream(self._origin_s, self._check_every_s) if lock is self._subject else _Stream()
            weakref.finalize(lock, stream.close)
        return stream

    def process(self, rgb: NDArray[np.uint8], time_s: float, *, subject: SubjectLock | None = None) -> FramePose:
        """Find the subject in one upright RGB frame (``[H, W, 3]`` uint8).

        ``time_s`` must increase within a stream. ``subject`` keeps several
        streams apart (the live app's sessions); by default the estimator's
        own stream is used.
        """
        with self._lock:
            lock = subject if subject is not None else self._subject
            stream = self._stream(lock)
            if self._quiet_calls > 0:
                self._quiet_calls -= 1
                with _native_stderr_silenced():
                    return self._process(lock, stream, rgb, time_s)
            return self._process(lock, stream, rgb, time_s)

    def _process(self, lock: SubjectLock, stream: _Stream, rgb: NDArray[np.uint8], time_s: float) -> FramePose:
        self.stats["frames"] += 1
        image = mp_image(rgb)
        segment = int(np.floor((time_s - stream.origin_s) / RESTART_EVERY_S))
        if stream.follower is None:
            stream.follower = _Follower(self.model_path, self._min_confidence)
            stream.segment = segment
        elif segment != stream.segment or (stream.rebuild_at_s is not None and time_s >= stream.rebuild_at_s):
            stream.follower.reset()
            self.stats["rebuilds" if segment == stream.segment else "restarts"] += 1
            stream.segment = segment
            stream.rebuild_at_s = None
        followed: Found | None = None
        if stream.rebuild_at_s is None:  # the follower is not known to be on someone else
            followed = stream.follower.detect(image) or None  # None: it found nobody

        slot = int(np.floor((time_s - stream.origin_s) / stream.check_every_s))
        due = lock.box is None or slot != stream.check_slot
        if followed is not None and not due:
            if lock.choose(time_s, followed.boxes) == 0:
                return _pose(time_s, followed, 0, stream.n_people)

        # The finder: at the start, once a check slot, and whenever the follower has lost the subject.
        self.stats["finder"] += 1
        everyone = detect(self._finder, image)
        stream.check_slot = slot
        stream.n_people = len(everyone)
        pick = lock.choose(time_s, everyone.boxes)
        if pick is None:
            return _empty(time_s, len(everyone))
        if followed is not None and followed.boxes[0].iou(everyone.boxes[pick]) >= AGREE_IOU:
            return _pose(time_s, followed, 0, len(everyone))  # keep the follower's series
        if followed is not None and stream.rebuild_at_s is None:
            # The follower is on someone else: use the finder until a new follower is due.
            stream.rebuild_at_s = time_s + REBUILD_AFTER_S
        return _pose(time_s, everyone, pick, len(everyone))

    def detect_raw(self, rgb: NDArray[np.uint8], timestamp_ms: int, *, every_frame: bool = False) -> int:
        """Run a bare one-person landmarker on a frame; return how many people it found.

        For benchmarks: the model's own cost, without our subject handling or
        copies, through MediaPipe's Python API as it ships (no
        :class:`_DirectCalls`). By default MediaPipe's cheapest set-up for
        video (VIDEO mode: the detector runs only when the person is lost; its
        smoothing on);
        ``every_frame`` runs the PoseLandmarker's defaults (IMAGE mode:
        detector and landmarks on every frame).
        """
        with self._lock:
            key = "image" if every_frame else "video"
            if key not in self._raw:
                self._raw[key] = _landmarker(self.model_path, key, 1, self._min_confidence, direct=False)
            lm = self._raw[key]
            result = lm.detect(mp_image(rgb)) if every_frame else lm.detect_for_video(mp_image(rgb), timestamp_ms)
            return len(result.pose_landmarks or [])

    def close(self) -> None:
        """Release the MediaPipe graphs (their shutdown log lines are hidden too)."""
        with self._lock:
            for stream in list(self._streams.values()):
                stream.close()
            self._streams.clear()
            with _native_stderr_silenced():
                self._finder.close()
                for lm in self._raw.values():
                    lm.close()

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _pose(time_s: float, found: Found, person: int, n_people: int) -> FramePose:
    return FramePose(time_s, True, found.image[person], found.world[person], found.visibility[person], n_people, found.boxes[person])


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


def record_frames(
    frames: Iterable[Frame], estimator: PoseEstimator, progress: Callable[[Frame], None] | None = None
) -> tuple[TrackBuffer, BackgroundMotion]:
    """Run the estimator over frames: the subject's landmarks, and the background's motion and exposure."""
    buf = TrackBuffer()
    camera = BackgroundMotion()
    for frame in frames:
        fp = estimator.process(frame.rgb, frame.time_s)
        shift = camera.update(frame.rgb, fp.box, fp.image[EXPOSURE_JOINTS, :2] if fp.found else None)
        buf.add(fp.time_s, fp.image, fp.world, fp.visibility, fp.found, shift)
        if progress is not None:
            progress(frame)
    return buf, camera


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
    buf, camera = record_frames(frames, estimator, progress)
    times, image, world, vis, found = buf.arrays()
    if not len(times):
        raise NoPoseError("The video has no frames to analyse.", hint="Check the file or the chosen time range.")
    if not found.any():
        raise NoPoseError(
            f"No person was found in any of the {len(times)} frames.",
            hint="Film the whole body, head to feet, 2–4 m from the camera, in good light.",
        )
    source = dataclasses.replace(source, extra={**source.extra, "clipped_fraction": round(camera.clipped_fraction, 4)})
    return PoseTrack(times=times, image=image, world=world, visibility=vis, detected=found, fps=fps, width=width, height=height, source=source, background_shift=buf.shifts())
