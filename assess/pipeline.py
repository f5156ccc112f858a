"""From a video file to a `PoseTrack` (and, with the metrics, to an assessment).

This is the glue the CLI and the app share: probe and check the video, run
the pose estimator over its frames, build the track.

Speed: the pose model runs on one core, so a plain loop leaves the other
cores idle. For files longer than a few seconds, :func:`track_video` splits
the video into as many time chunks as there are workers: this process tracks
the first chunk while worker processes, each with its own landmarker, track
the others (decoding and inference overlap across processes). Workers are
forked where that is safe (the command line) and spawned elsewhere (see
:func:`worker_start_method`). The first chunk is shorter by what this process
spends starting up beyond a worker, so all finish together. Seams fall where
the pose follower restarts anyway (every ``RESTART_EVERY_S`` of video time),
so each chunk tracks exactly as a single pass would, with no overlap to
settle. The restart grid of a video starts at its first seam: that seam
falls where the processes finish together (or just after a keyframe, where
the worker's seek wastes no decoding, when one is near), and any other seams
on the grid through it. A pass with fewer processes, or one, uses the same
grid, so all give the same landmarks. At each seam the subject of the later
chunk's first frames is checked against the earlier chunk's last frames, and
a chunk that picked someone else is tracked again, seeded with the earlier
subject.
``benchmarks/speed.py`` measures all this against the bare model.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import multiprocessing as mp
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import cv2
import numpy as np
from numpy.typing import NDArray

from .assessment import Assessment, analyze_track
from .landmarks import idx
from .models import DEFAULT_MODEL
from .pose import RESTART_EVERY_S, PoseEstimator, graphs_started, record_frames, track_frames
from .subject import Box, body_box
from .track import PoseTrack, SourceInfo
from .video import Frame, VideoInfo, check_usable, iter_frames, keyframe_times, probe

Progress = Callable[[float], None]
"""Called with the fraction of the video done, 0 … 1."""

PIPELINE_VERSION = 9
"""Bumped whenever tracking output changes (caches of tracks key on it)."""
MAX_ANALYSIS_FPS = 60.0
"""High-frame-rate video (120–240 fps) is analysed at a stride that brings it to at most this rate."""
MODEL_MAX_SIDE = 1920
"""Frames larger than this (longer side, pixels) are shrunk before the pose model: it sees
256-px crops anyway, and an 8K frame would cost ~100 MB per copy."""
MAIN_LAG_FRAMES = {"fork": 40, "spawn": 25}
"""How many frames a worker has tracked when this process tracks its first, by how the workers start
(:func:`worker_start_method`): meanwhile this process imports the metrics (scipy.signal, 1.0–1.7 s
of one core here) and loads its landmarker, while a forked worker only loads its landmarker and a
spawned one imports everything first. Counted in frames because start-up and tracking both scale
with the machine's speed: 40 and 25 frames measured here (three runs each: 1.4–1.8 and 1.0–1.3 s
at 35–41 ms a frame), 21 on an earlier, twice as fast machine for spawn. This process's first
chunk is shorter by half of that, so both finish together."""
MIN_CHUNK_S = 4.0
"""Chunks shorter than this are not worth a process start (~1 s)."""
DECODE_SHARE = 0.07
"""Decoding a frame only to reach a seam costs about this share of tracking one (720p, one thread:
~1.6 ms, with no conversion to RGB, against ~23 ms; measured here). A chunk that starts ``w`` seconds
after the keyframe before it decodes ``w`` seconds for nothing, which costs about as much as
tracking ``DECODE_SHARE * w`` seconds."""
SEAM_FRAMES = 3
"""Frames on each side of a seam whose hip midpoints are compared (see :func:`_same_subject`)."""
SEAM_MAX_HIP_SHIFT = 0.05
"""Hip-midpoint distance (normalised image units) allowed between the two sides of a seam."""
SEAM_MAX_GAP_S = 1.0
"""Detections further apart than this across a seam are not compared (nobody was in view there)."""


HEAP_HOLD_BYTES = 32 * 1024 * 1024
"""Freed C heap memory kept for reuse once tracking has started (see :func:`hold_freed_heap`)."""
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)


@functools.cache
def _glibc() -> Any:
    """glibc's allocator functions (``mallopt``, ``malloc_trim``), or None where the C library is another."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def hold_freed_heap() -> None:
    """From now on, keep up to :data:`HEAP_HOLD_BYTES` of freed C heap for reuse instead of returning it at once (glibc's ``mallopt``).

    Tracking a frame allocates and frees a few frame-sized buffers (decoder,
    RGB copy, MediaPipe's image and tensors). With glibc's defaults the heap's
    free top is handed back to the system after most frames and taken again
    on the next, and every page taken again is a page fault that zeroes it.
    Measured here, 12 s of 720p in one process: 101 000–199 000 faults while
    tracking (6.0–6.2 s), held 32 000–34 000, most of them the landmarker's
    start (5.4–6.2 s; three runs each); the command on a 30-s clip, five
    alternating runs: 235 000–487 000 faults against 137 000–140 000, and
    9.9 against 9.0 s on average. Buffers up to this size also come from the
    heap rather than from a mapping of their own (the same churn).

    The setting is the whole process's, and it stays. glibc adapts its
    thresholds to the buffers a program frees (up to 32 MB, keeping up to
    twice that) until the program sets one, and never again after: setting
    its starting 128 KiB back once tracking ended left a long-running app
    worse off than glibc's own adjustment. Measured in one process after a
    tracking had ended: the live path at 640×480 ran at 52 instead of 61–65
    frames/s (0.55 million page faults over 150 frames against 0.05–0.07
    million), and decoding a 720p frame took 2.1 instead of 1.4 ms (676 faults
    a frame); held, both run as fast as with glibc's adjustment. What is free
    after an analysis goes back with :func:`release_heap`. Called at the start
    of every tracking (a setting costs microseconds); a no-op where the C
    library is not glibc.
    """
    libc = _glibc()
    if libc is not None:
        libc.mallopt(_M_MMAP_THRESHOLD, HEAP_HOLD_BYTES)
        libc.mallopt(_M_TRIM_THRESHOLD, HEAP_HOLD_BYTES)


def default_workers() -> int:
    """Worker processes for file analysis: the cores this process may use, at most 4."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n = os.cpu_count() or 1
    return max(1, min(4, n))


def track_video(
    path: str | Path,
    *,
    model: str | Path = DEFAULT_MODEL,
    stride: int = 1,
    workers: int | None = None,
    estimator: PoseEstimator | None = None,
    progress: Progress | None = None,
    mirror: bool = False,
) -> PoseTrack:
    """Track the subject through a video file.

    Parameters
    ----------
    path : the video.
    model : pose model name or ``.task`` path (ignored when ``estimator`` is given).
    stride : analyse every ``stride``-th frame (for 60–240 fps video).
    workers : processes to use; ``None`` = :func:`default_workers`, 1 = this
        process only. An ``estimator`` implies 1.
    estimator : an existing estimator to reuse (its subject lock is reset).
    progress : callback with the fraction done.
    mirror : the video is a mirrored selfie recording; frames are flipped
        back before tracking so left and right are the person's own.

    Raises
    ------
    InputNotFound, VideoError, ModelError, NoPoseError
        Each with a message for the user.
    """
    info = probe(path)
    check_usable(info)
    hold_freed_heap()
    n_workers = 1 if estimator is not None else (workers or default_workers())
    # The plan this machine makes with all its cores and forked workers places the restart grid;
    # any other plan keeps that grid, so its landmarks are the same.
    keyframes = keyframe_times(info.path) if info.duration_s >= 2 * MIN_CHUNK_S else None
    chunks = _plan(info, stride, default_workers(), keyframes)
    origin = chunks[0].origin_s
    method = worker_start_method()
    if n_workers != default_workers() or method != "fork":
        chunks = _plan(info, stride, n_workers, keyframes, origin_s=origin, method=method)
    if len(chunks) >= 2:
        try:
            return _track_parallel(info, chunks, model=model, stride=stride, progress=progress, mirror=mirror, method=method)
        except BrokenProcessPool:
            pass  # worker processes could not start here (e.g. no importable __main__): one process it is

    own = estimator is None
    est = PoseEstimator(model) if estimator is None else estimator
    est.reset_subject(grid_origin_s=origin)
    duration = max(info.duration_s, 1e-6)

    def on_frame(frame: Frame) -> None:
        if progress is not None:
            progress(min(1.0, frame.time_s / duration))

    try:
        track = track_frames(
            _model_sized(iter_frames(info.path, stride=stride, mirror=mirror)),
            estimator=est,
            width=info.width,
            height=info.height,
            fps=info.fps / stride,
            source=_source(info, est.model_name, stride, mirrored=mirror, grid_origin_s=round(origin, 6)),
            progress=on_frame,
        )
    finally:
        if own:
            est.close()
            release_heap()
    if progress is not None:
        progress(1.0)
    return track


@contextlib.contextmanager
def opencv_threads(n: int) -> Iterator[None]:
    """Limit OpenCV's own thread pool to ``n`` threads for a while (a chunk of the parallel path: 1).

    When every core already tracks a chunk, OpenCV's parallel loops in the
    camera step (:mod:`assess.camera`) find no idle core: their threads only
    wait for each other and add hand-offs. Measured on a 30-s 720p clip, four
    alternating runs each: the whole analysis took 17.1 instead of 18.3 s of
    CPU (9.45 instead of 9.99 s wall).
    """
    before = cv2.getNumThreads()
    cv2.setNumThreads(n)
    try:
        yield
    finally:
        cv2.setNumThreads(before)


def worker_start_method() -> str:
    """How the parallel path starts its worker processes: ``"fork"`` where that is safe, else ``"spawn"``.

    A forked worker shares this process's imported modules (numpy, OpenCV,
    PyAV, mediapipe: ~0.8 s of one core here, a quarter of the analysis's
    start-up) and starts tracking that much sooner. Forking copies only the
    calling thread, so it is done only on Linux, in a process with no other
    Python thread and no MediaPipe graph started yet (a graph runs native
    threads that may hold locks): the command line's analysis is such a
    process. The app (server threads, a live landmarker) and other callers
    spawn fresh interpreters. The native threads that numpy's OpenBLAS and
    OpenCV start at import are idle workers that both libraries restart in a
    forked child.
    """
    safe = sys.platform.startswith("linux") and threading.active_count() == 1 and graphs_started() == 0
    return "fork" if safe else "spawn"


def release_heap() -> None:
    """Hand freed heap memory back to the system (glibc's ``malloc_trim``; a no-op elsewhere).

    A closed landmarker frees its buffers, but the C heap keeps the pages, so
    the analysis that follows would add its own peak on top of tracking's.
    """
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


def import_metrics() -> None:
    """Import the metrics modules (and scipy.signal) now rather than at the first analysis."""
    from .metrics import analysis  # noqa: F401


def _model_sized(frames: Iterator[Frame]) -> Iterator[Frame]:
    """Frames with the longer side at most :data:`MODEL_MAX_SIDE` (landmarks are normalised, so nothing else changes)."""
    for frame in frames:
        h, w = frame.rgb.shape[:2]
        scale = MODEL_MAX_SIDE / max(h, w)
        if scale < 1.0:
            small = cast(NDArray[np.uint8], cv2.resize(frame.rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA))
            frame = Frame(frame.index, frame.time_s, small)
        yield frame


def _source(info: VideoInfo, model_name: str, stride: int, **extra: Any) -> SourceInfo:
    return SourceInfo(
        path=str(info.path),
        model=model_name,
        rotation_deg=info.rotation_deg,
        stride=stride,
        duration_s=info.duration_s,
        extra={"codec": info.codec, "source_fps": info.fps, **extra},
    )


# ------------------------------------------------------------ parallel path
@dataclass(frozen=True)
class _Chunk:
    index: int
    start_s: float
    end_s: float | None  # None: to the end of the video
    origin_s: float = 0.0
    """The origin of the plan's restart grid (see :meth:`PoseEstimator.reset_subject`)."""


@dataclass
class _ChunkResult:
    times: NDArray[np.float64]
    image: NDArray[np.float64]
    world: NDArray[np.float64]
    visibility: NDArray[np.float64]
    detected: NDArray[np.bool_]
    shift: NDArray[np.float64]
    clipped_fraction: float
    model_name: str
    wall: tuple[float, float] = (0.0, 0.0)
    """When the chunk started and finished tracking (``time.time()``, comparable across processes)."""


_WORKER: dict[str, Any] = {}
"""Per-process state of a worker: its landmarker (loaded once) and progress slots."""


def _init_worker(model: str, slots: Any) -> None:
    if not os.environ.get("FOOTFIRST_DEBUG"):
        # Workers report errors through their futures; MediaPipe's C++ log lines would only clutter the terminal.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    hold_freed_heap()  # forked: already held; spawned: not yet
    _WORKER["estimator"] = PoseEstimator(model)
    _WORKER["slots"] = slots
    # A worker's results have left through the pool's queue before it is told to exit, and it holds
    # no file open: skip Python's teardown (unloading mediapipe and numpy, ~0.15 s) that the
    # parent would otherwise wait for. Registered last, this handler runs first at exit. Only in
    # a child process: run anywhere else it would end that process with status 0 at its exit.
    if mp.parent_process() is not None:
        atexit.register(os._exit, 0)


def _run_chunk(
    path: str,
    chunk: _Chunk,
    stride: int,
    seed: tuple[Box, float] | None = None,
    estimator: PoseEstimator | None = None,
    mirror: bool = False,
    report: Callable[[float], None] | None = None,
) -> _ChunkResult:
    started = time.time()
    est: PoseEstimator = estimator or _WORKER["estimator"]
    est.reset_subject(initial=seed[0] if seed else None, initial_time_s=seed[1] if seed else None, grid_origin_s=chunk.origin_s)
    if report is None and estimator is None:
        slots = _WORKER["slots"]

        def report(done: float) -> None:
            slots[chunk.index] = done

    span = max((chunk.end_s or 0.0) - chunk.start_s, 1e-6)

    def on_frame(frame: Frame) -> None:
        if report is not None and chunk.end_s is not None:
            report(min(1.0, (frame.time_s - chunk.start_s) / span))

    frames = _model_sized(iter_frames(path, stride=stride, start_s=chunk.start_s, end_s=chunk.end_s, mirror=mirror, threads=1))
    with opencv_threads(1):
        buf, camera = record_frames(frames, est, on_frame)
    if report is not None:
        report(1.0)
    times, image, world, vis, found = buf.arrays()
    return _ChunkResult(
        times=times.copy(),
        image=image.copy(),
        world=world.copy(),
        visibility=vis.copy(),
        detected=found.copy(),
        shift=buf.shifts().copy(),
        clipped_fraction=camera.clipped_fraction,
        model_name=est.model_name,
        wall=(started, time.time()),
    )


def _plan(
    info: VideoInfo, stride: int, n_workers: int, keyframes: NDArray[np.float64] | None, origin_s: float | None = None, method: str = "fork"
) -> list[_Chunk]:
    """Time chunks of a video for ``n_workers`` processes started by ``method`` (one chunk: a single pass; see :func:`_plan_chunks`)."""
    n_chunks = min(n_workers, int(info.duration_s // MIN_CHUNK_S)) if info.duration_s > 0 else 1
    if n_chunks < 2:
        return [_Chunk(0, 0.0, None, origin_s or 0.0)]
    # This process starts tracking later than the workers (it loads the metrics meanwhile):
    # its first chunk is shorter by the video they cover in that time.
    head_start = -MAIN_LAG_FRAMES[method] * stride / max(info.fps, 1.0)  # in seconds of video
    frame_s = stride / info.fps if info.fps > 0 else 0.0
    return _plan_chunks(info.duration_s, n_chunks, head_start_s=head_start, keyframes=keyframes, origin_s=origin_s, frame_s=frame_s)


def _plan_chunks(
    duration_s: float,
    n: int,
    head_start_s: float = 0.0,
    grid_s: float = RESTART_EVERY_S,
    keyframes: NDArray[np.float64] | None = None,
    origin_s: float | None = None,
    frame_s: float = 0.0,
) -> list[_Chunk]:
    """Split ``[0, duration_s]`` in at most ``n`` chunks; the first is ``head_start_s`` longer than the others.

    The head start (negative: the first chunk is shorter) is capped at an
    equal share either way. Seams fall where the pose follower restarts
    anyway, so a chunk tracks exactly as a single pass would (see
    :class:`~assess.pose.PoseEstimator`): on a grid of ``grid_s`` through
    ``origin_s``. With no origin given, the first seam places the grid: it
    falls where both sides finish together, between two frames ``frame_s``
    apart, or just after a keyframe when one is so near that the decoding it
    saves outweighs the imbalance (see :func:`_seam_cost`; ``keyframes``
    unknown: no waste counted). Each later seam takes the grid point near its
    split that costs least in the same terms. Chunks that snapping would leave
    empty are merged. Every chunk carries the grid's origin (0 when nothing is
    split).
    """
    head = min(max(head_start_s, -0.5 * duration_s / n), duration_s / n)
    rest = (duration_s - head) / n
    edges = [0.0]
    origin = origin_s
    for ideal in head + rest * np.arange(1, n):
        if grid_s <= 0:
            seam = float(ideal)
        elif origin is None:
            seam = _free_seam(float(ideal), grid_s, keyframes, frame_s)
        else:
            seam = _best_seam(float(ideal), grid_s, keyframes, origin)
        if edges[-1] < seam < duration_s:
            edges.append(seam)
            if origin is None and grid_s > 0:
                origin = seam % grid_s
    edges.append(duration_s)
    last = len(edges) - 2
    return [_Chunk(i, edges[i], None if i == last else edges[i + 1], origin or 0.0) for i in range(last + 1)]


def _waste(g: float, keyframes: NDArray[np.float64] | None) -> float:
    """Seconds decoded for nothing by a chunk starting at ``g`` (from the keyframe before it; 0 when keyframes are unknown)."""
    if keyframes is None or not len(keyframes):
        return 0.0
    before = keyframes[keyframes <= g + 1e-6]
    return g - float(before.max()) if len(before) else g


def _seam_cost(g: float, ideal_s: float, keyframes: NDArray[np.float64] | None) -> float:
    """How much later the slower side of a seam at ``g`` finishes than both would at ``ideal_s``, in seconds of video tracked.

    The chunk before it tracks ``g - ideal_s`` more; the chunk after it
    tracks that much less but first decodes its waste (see :data:`DECODE_SHARE`).
    """
    return max(g - ideal_s, ideal_s - g + DECODE_SHARE * _waste(g, keyframes))


def _free_seam(ideal_s: float, grid_s: float, keyframes: NDArray[np.float64] | None, frame_s: float) -> float:
    """The first seam: where both sides finish together counting the later one's wasted decoding (midway
    between two frames), or just after a keyframe less than ``grid_s`` away if that costs less."""
    balanced = ideal_s
    for _ in range(2):  # the waste grows with the seam, by DECODE_SHARE / 2 a second: two steps settle it
        balanced = ideal_s + 0.5 * DECODE_SHARE * _waste(balanced, keyframes)
    if frame_s > 0:
        balanced = float((np.floor(balanced / frame_s) + 0.5) * frame_s)
    after_key = [float(k) + 0.5 * frame_s for k in (keyframes if keyframes is not None else ()) if 0 < k and abs(k - ideal_s) < grid_s]
    return float(min([balanced, *after_key], key=lambda g: _seam_cost(g, ideal_s, keyframes)))


def _best_seam(ideal_s: float, grid_s: float, keyframes: NDArray[np.float64] | None, origin_s: float = 0.0) -> float:
    """The point of the grid through ``origin_s`` near ``ideal_s`` where a seam costs least (see :func:`_seam_cost`)."""
    k = int(np.floor((ideal_s - origin_s) / grid_s))
    candidates = [g for g in (origin_s + grid_s * np.arange(k - 1, k + 3)) if g > 0]
    if not candidates:
        return origin_s + grid_s
    return float(min(candidates, key=lambda g: _seam_cost(float(g), ideal_s, keyframes)))


def _hip_mid(image: NDArray[np.float64]) -> NDArray[np.float64]:
    # Not metrics.body.midpoint: importing the metrics would load scipy.signal (~0.8 s) in every worker.
    return 0.5 * (image[:, idx("left_hip"), :2] + image[:, idx("right_hip"), :2])


def _same_subject(prev: _ChunkResult, cur: _ChunkResult) -> bool:
    """Do two neighbouring chunks follow the same person across their seam?

    Compares the hip midpoint over the last :data:`SEAM_FRAMES` detections
    before the seam with the first ones after it: a person cannot move
    :data:`SEAM_MAX_HIP_SHIFT` of the frame in a tenth of a second.
    """
    a = np.flatnonzero(prev.detected)[-SEAM_FRAMES:]
    b = np.flatnonzero(cur.detected)[:SEAM_FRAMES]
    if not len(a) or not len(b) or cur.times[b[0]] - prev.times[a[-1]] > SEAM_MAX_GAP_S:
        return True  # nobody in view at the seam: nothing to compare
    pa = np.nanmedian(_hip_mid(prev.image[a]), axis=0)
    pb = np.nanmedian(_hip_mid(cur.image[b]), axis=0)
    d = float(np.linalg.norm(pa - pb))
    return not np.isfinite(d) or d <= SEAM_MAX_HIP_SHIFT


def _last_box(res: _ChunkResult) -> tuple[Box, float] | None:
    found = np.flatnonzero(res.detected)
    if found.size == 0:
        return None
    i = int(found[-1])
    return body_box(res.image[i], res.visibility[i]), float(res.times[i])


def _track_parallel(
    info: VideoInfo, chunks: list[_Chunk], *, model: str | Path, stride: int, progress: Progress | None, method: str, mirror: bool = False
) -> PoseTrack:
    from .errors import NoPoseError

    n_chunks = len(chunks)
    began = time.time()
    ctx = mp.get_context(method)
    slots = ctx.Array("d", n_chunks, lock=False)
    with ProcessPoolExecutor(max_workers=n_chunks - 1, mp_context=ctx, initializer=_init_worker, initargs=(str(model), slots)) as pool:
        futures = [pool.submit(_run_chunk, str(info.path), c, stride, None, None, mirror) for c in chunks[1:]]

        def report(done: float) -> None:
            slots[0] = done
            if progress is not None:
                progress(0.99 * float(np.mean(slots[:])))

        # While the workers start (imports, model), load what the metrics need (scipy.signal
        # alone takes ~1.2 s of one core), so the analysis after tracking does not wait for it.
        import_metrics()

        try:
            with PoseEstimator(model) as est:
                first = _run_chunk(str(info.path), chunks[0], stride, estimator=est, mirror=mirror, report=report)
        except BaseException:
            for f in futures:
                f.cancel()
            raise
        release_heap()
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.25, return_when=FIRST_EXCEPTION)
            if any(f.exception() is not None for f in done):
                for f in pending:
                    f.cancel()
                next(f for f in done if f.exception() is not None).result()  # re-raise the worker's error
            if progress is not None:
                progress(0.99 * float(np.mean(slots[:])))
        results = [first] + [f.result() for f in futures]

    reseeded = 0
    for i in range(1, len(chunks)):
        if not _same_subject(results[i - 1], results[i]):
            seed = _last_box(results[i - 1])
            with PoseEstimator(model) as est:
                results[i] = _run_chunk(str(info.path), chunks[i], stride, seed=seed, estimator=est, mirror=mirror)
            reseeded += 1

    parts = [(r.times, r.image, r.world, r.visibility, r.detected, r.shift) for r in results]
    times = np.concatenate([p[0] for p in parts])
    order = np.flatnonzero(np.diff(times, prepend=-np.inf) > 0)  # guard against a repeated seam frame
    detected = np.concatenate([p[4] for p in parts])[order]
    if len(order) == 0:
        raise NoPoseError("The video has no frames to analyse.", hint="Check the file.")
    if not detected.any():
        raise NoPoseError(f"No person was found in any of the {len(order)} frames.", hint="Film the whole body, head to feet, 2–4 m from the camera, in good light.")
    if progress is not None:
        progress(1.0)
    return PoseTrack(
        times=times[order],
        image=np.concatenate([p[1] for p in parts])[order],
        world=np.concatenate([p[2] for p in parts])[order],
        visibility=np.concatenate([p[3] for p in parts])[order],
        detected=detected,
        fps=info.fps / stride,
        width=info.width,
        height=info.height,
        source=_source(
            info,
            results[0].model_name,
            stride,
            chunks=n_chunks,
            workers_started_by=method,
            seams_s=[round(c.start_s, 3) for c in chunks[1:]],
            grid_origin_s=round(chunks[0].origin_s, 6),
            chunk_wall_s=[[round(r.wall[0] - began, 2), round(r.wall[1] - began, 2)] for r in results],
            reseeded_chunks=reseeded,
            mirrored=mirror,
            clipped_fraction=round(float(np.mean([r.clipped_fraction for r in results])), 4),
        ),
        background_shift=np.concatenate([p[5] for p in parts])[order],
    )


def analyze_video(
    path: str | Path,
    *,
    mode: str = "stance",
    height_cm: float | None = None,
    hands_on_hips: bool = True,
    model: str | Path = DEFAULT_MODEL,
    stride: int | None = None,
    workers: int | None = None,
    estimator: PoseEstimator | None = None,
    progress: Progress | None = None,
    mirror: bool = False,
) -> tuple[PoseTrack, Assessment]:
    """Track a video and measure it: the CLI's and the app's one call.

    ``stride=None`` picks one from the frame rate (:data:`MAX_ANALYSIS_FPS`).
    Returns the track (for overlays and CSV) and the :class:`Assessment`.
    """
    if stride is None:
        stride = probe(path).stride_for(MAX_ANALYSIS_FPS)
    track = track_video(path, model=model, stride=stride, workers=workers, estimator=estimator, progress=progress, mirror=mirror)
    assessment = analyze_track(track, mode=mode, height_cm=height_cm, hands_on_hips=hands_on_hips)  # type: ignore[arg-type]
    return track, assessment
