"""Read a video file as a stream of upright RGB frames with true timestamps.

PyAV (FFmpeg) decodes whatever the user's phone or camera wrote. Frames are
yielded one at a time, so memory stays flat however long the video is.
Rotation metadata (phones record portrait video as landscape pixels plus a
display matrix) is applied, so every frame comes out the way it is meant to
be seen.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import VideoReformatter
from numpy.typing import NDArray

from .errors import InputNotFound, VideoError

MIN_SIDE_PX = 64
"""Frames smaller than this on either side cannot show a body well enough to track."""
MAX_PIXELS = 8192 * 4320
"""Largest frame accepted (DCI 8K). One decoded 8K frame is ~100 MB as RGB; beyond
this, memory per frame grows with no gain for a pose model that sees 256 px."""
MIN_DURATION_S = 1.0
"""Shortest video worth analysing: a single-leg stance is counted from 1 s on
(:attr:`assess.metrics.analysis.Params.min_stance_s`)."""
MAX_BAD_PACKETS = 30
"""Packets in a row that the decoder may reject before a file is given up as damaged."""
DECODE_MEMORY_BUDGET = 512 * 2**20
"""Bytes the frames in flight in the decoder's threads may take. Each frame
thread holds about 3 bytes a pixel (measured: ~90 MB a thread at 8K), so
FFmpeg's automatic count (cores + 1) would cost 1.5 GB at 8K on a 16-core
machine; up to 4K the budget allows more threads than such a machine has."""
IMAGE_FORMATS = ("image2", "image2pipe")
"""FFmpeg demuxers for still pictures (besides every ``*_pipe`` one: png_pipe, jpeg_pipe, ...)."""

VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".avi", ".webm", ".mkv")


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about its video stream (upright sizes)."""

    path: Path
    width: int
    height: int
    fps: float
    duration_s: float
    n_frames: int
    rotation_deg: int
    codec: str

    def stride_for(self, max_fps: float) -> int:
        """Smallest stride that brings the frame rate to at most ``max_fps``."""
        if max_fps <= 0 or self.fps <= max_fps:
            return 1
        return int(math.ceil(self.fps / max_fps - 1e-6))


@dataclass(frozen=True)
class Frame:
    """One decoded, upright frame."""

    index: int
    """Index among the decoded frames of the file (before stride)."""
    time_s: float
    """Presentation time in seconds from the start of the stream."""
    rgb: NDArray[np.uint8]
    """Pixels, ``[height, width, 3]``, RGB, C-contiguous."""


def _rotation_of(frame: av.VideoFrame) -> int:
    """Counter-clockwise rotation (0/90/180/270) needed to show the frame upright."""
    try:
        angle = float(frame.rotation)
    except (AttributeError, ValueError, TypeError):
        return 0
    return int(round(angle / 90.0)) % 4 * 90


def _open(path: Path) -> av.container.InputContainer:
    if not path.exists():
        raise InputNotFound(f"No such file: {path}.", hint="Check the path and try again.")
    if not path.is_file():
        raise InputNotFound(f"{path} is not a file.", hint="Give the path of a video file.")
    if path.stat().st_size == 0:
        raise VideoError(f"{path.name} is empty (0 bytes).", hint="Record or export the video again.")
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        if _starts_like_mp4(path):
            raise VideoError(
                f"{path.name} starts like an MP4/MOV video but cannot be read ({_short(exc)}): it is probably truncated (a recording cut off before it was saved) or damaged.",
                hint="Export or copy it again from the phone or camera.",
            ) from exc
        raise VideoError(
            f"{path.name} is not a video file that can be read ({_short(exc)}).",
            hint="Use an MP4, MOV, AVI, WebM or MKV video from a phone or camera.",
        ) from exc
    if _is_image_format(container.format.name):
        ctx = container.streams.video[0].codec_context if container.streams.video else None
        codec = ctx.name if ctx is not None else "picture"
        container.close()
        raise VideoError(
            f"{path.name} is a still image ({'jpeg' if codec == 'mjpeg' else codec}), not a video.",
            hint="A balance test needs a video of several seconds; record one with the phone's or webcam's video mode.",
        )
    if not container.streams.video:
        container.close()
        kinds = ", ".join(sorted({s.type for s in container.streams})) or "nothing"
        raise VideoError(f"{path.name} has no video stream (it contains {kinds}).", hint="Choose a file with a video picture, not only sound.")
    if container.streams.video[0].codec_context is None:
        container.close()
        raise VideoError(
            f"{path.name} has a video stream in a format that cannot be decoded (unknown or damaged codec data).",
            hint="Export the video again as MP4 (H.264) from the phone or camera.",
        )
    return container


def _starts_like_mp4(path: Path) -> bool:
    """Does the file begin with an ISO-BMFF ``ftyp`` box (MP4, MOV, M4V, 3GP)?"""
    try:
        with path.open("rb") as fh:
            return fh.read(8)[4:8] == b"ftyp"
    except OSError:
        return False


def _decode(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> Iterator[av.VideoFrame]:
    """Decode ``stream``, stepping over packets the decoder rejects.

    A damaged stretch inside a file (a few bad packets) costs those frames,
    not the rest of the video. After :data:`MAX_BAD_PACKETS` rejections in a
    row the decoder's error is raised; so is any error reading the container.
    """
    bad = 0
    for packet in container.demux(stream):
        try:
            frames = packet.decode()
        except (av.error.FFmpegError, ValueError):
            bad += 1
            if bad >= MAX_BAD_PACKETS:
                raise
            continue
        bad = 0
        yield from frames


def decoder_threads(pixels: int, cores: int) -> int | None:
    """Decoder threads for frames of ``pixels`` on ``cores`` cores: None for FFmpeg's
    automatic choice, or a smaller count that keeps to :data:`DECODE_MEMORY_BUDGET`."""
    if pixels <= 0:
        return None
    cap = max(1, DECODE_MEMORY_BUDGET // (3 * pixels))
    return cap if cap < cores + 1 else None


def _threaded(stream: av.video.stream.VideoStream, threads: int | None = None) -> None:
    """Let FFmpeg decode on several threads, within the memory budget (or on exactly ``threads``)."""
    ctx = stream.codec_context
    if threads is not None:
        ctx.thread_count = threads
        return
    stream.thread_type = "AUTO"
    n = decoder_threads((ctx.width or 0) * (ctx.height or 0), os.cpu_count() or 1)
    if n is not None:
        ctx.thread_count = n


def _undecodable(path: Path, exc: BaseException) -> VideoError:
    return VideoError(f"{path.name} could not be decoded ({_short(exc)}).", hint="The file may be damaged; export or copy it again.")


def _is_image_format(name: str | None) -> bool:
    """True for FFmpeg's still-picture demuxers (the name may list aliases: "a,b")."""
    return any(n in IMAGE_FORMATS or n.endswith("_pipe") for n in (name or "").split(","))


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def _stream_origin(stream: av.video.stream.VideoStream) -> float:
    """Time of the stream's first frame in seconds (some files start at 3 s, not 0)."""
    if stream.start_time is not None and stream.time_base is not None:
        return float(stream.start_time * stream.time_base)
    return 0.0


def probe(path: str | Path) -> VideoInfo:
    """Read the header and the first two frames of a video (one frame alone is a still image).

    Raises
    ------
    InputNotFound, VideoError
        With a message that says what is wrong and what to do.
    """
    path = Path(path)
    container = _open(path)
    try:
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.base_rate or stream.guessed_rate
        fps = float(rate) if rate else 0.0
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / 1_000_000
        else:
            duration = 0.0
        if not (math.isfinite(duration) and duration > 0):
            duration = 0.0  # unknown (or a damaged header's nonsense)
        frames = _decode(container, stream)
        try:
            first = next(frames)
        except StopIteration:
            raise VideoError(f"{path.name} contains no decodable video frames.", hint="The file may be truncated; export or copy it again.") from None
        except (av.error.FFmpegError, ValueError) as exc:
            raise _undecodable(path, exc) from exc
        try:
            single = next(frames, None) is None
        except (av.error.FFmpegError, ValueError):
            single = False  # a damaged second frame: a broken video, not a picture
        if single:
            raise VideoError(
                f"{path.name} holds a single frame: it is a still image, not a video.",
                hint="A balance test needs a video of several seconds. If this should be a video, it may be truncated; export or copy it again.",
            )
        rot = _rotation_of(first)
        w, h = first.width, first.height
        if rot in (90, 270):
            w, h = h, w
        if fps <= 0 or not math.isfinite(fps):
            fps = 30.0
        n_frames = int(stream.frames) if stream.frames else int(round(duration * fps))
        return VideoInfo(path=path, width=w, height=h, fps=fps, duration_s=duration, n_frames=n_frames, rotation_deg=rot, codec=stream.codec_context.name)
    finally:
        container.close()


def keyframe_times(path: str | Path) -> NDArray[np.float64]:
    """Times (seconds from the first frame, sorted) of the video's keyframes, read from the packets without decoding.

    Decoding can start only at a keyframe, so a reader that starts at ``t``
    decodes from the keyframe before ``t``: the parallel path puts its seams
    where that costs little. An empty array when the packets say nothing
    (a damaged file): the seam planner then counts no waste.
    """
    try:
        container = _open(Path(path))
    except (InputNotFound, VideoError):
        return np.zeros(0)
    times = []
    try:
        stream = container.streams.video[0]
        origin, base = _stream_origin(stream), stream.time_base
        for packet in container.demux(stream):
            if packet.is_keyframe and packet.pts is not None and base is not None:
                times.append(float(packet.pts * base) - origin)
    except (av.error.FFmpegError, ValueError):
        pass  # a damaged tail: the keyframes before it still count
    finally:
        container.close()
    return np.unique(np.asarray(times, dtype=np.float64))


def check_usable(info: VideoInfo) -> None:
    """Raise :class:`VideoError` for a video too small, too large or too short to analyse.

    Too short means a known duration under :data:`MIN_DURATION_S`; a file
    whose container gives no duration is let through.
    """
    if min(info.width, info.height) < MIN_SIDE_PX:
        raise VideoError(
            f"{info.path.name} is only {info.width}×{info.height} pixels; at least {MIN_SIDE_PX} px on each side is needed to see a body.",
            hint="Record at 480p or more.",
        )
    if info.width * info.height > MAX_PIXELS:
        raise VideoError(
            f"{info.path.name} is {info.width}×{info.height} pixels, larger than the 8K (8192×4320) this tool reads.",
            hint="Export it at 4K or less; 720p or 1080p is plenty for a balance test.",
        )
    if 0 < info.duration_s < MIN_DURATION_S:
        raise VideoError(
            f"{info.path.name} is only {info.duration_s:.1f} s long: too short for a balance test (a stance counts from {MIN_DURATION_S:.0f} s on).",
            hint="Record the whole test: standing on one leg for 10–30 s.",
        )


def iter_frames(
    path: str | Path, *, stride: int = 1, start_s: float = 0.0, end_s: float | None = None, mirror: bool = False, threads: int | None = None
) -> Iterator[Frame]:
    """Yield upright RGB frames with their timestamps, one at a time.

    Parameters
    ----------
    path : video file.
    stride : keep every ``stride``-th decoded frame (for 60–240 fps video).
    start_s, end_s : only frames with ``start_s <= time < end_s`` (seconds);
        decoding seeks to the keyframe before ``start_s``.
    mirror : flip each frame left-right, to undo a mirrored "selfie"
        recording (the pose model names the sides of a mirrored body wrongly,
        and nothing in the pixels says a video was mirrored).
    threads : threads for decoding and for the conversion to RGB; None lets
        FFmpeg choose (within the memory budget). Parallel analysis passes 1:
        its processes already fill the cores, and one thread each costs the
        least. The conversion matters most: FFmpeg's automatic threads for it
        left each of two tracking processes waiting ~12 % of its time (15 s of
        720p video: 7.0–8.6 s against 6.0–6.7 s with one thread, three runs
        of two processes at once), and the pixels are the same.

    Notes
    -----
    Timestamps are the stream's presentation times counted from the stream's
    first frame, so variable-frame-rate
    phone videos keep their true timing. A frame whose time does not increase
    over the previous one is dropped. Packets the decoder rejects are
    stepped over (their frames are missing, the times say so). Decoding stops
    quietly at a truncated or damaged tail after at least one frame; a file
    that yields no frame raises :class:`VideoError`.
    """
    if stride < 1:
        raise ValueError("stride must be >= 1")
    path = Path(path)
    container = _open(path)
    try:
        stream = container.streams.video[0]
        _threaded(stream, threads)
        origin = _stream_origin(stream)
        rate = stream.average_rate or stream.guessed_rate
        fps = float(rate) if rate else 30.0
        decoder = _decode(container, stream)
        pending: list[av.VideoFrame] = []
        if start_s > 0:
            try:
                container.seek(int((origin + start_s) * 1_000_000), any_frame=False, backward=True)
                decoder = _decode(container, stream)
                first = next(decoder, None)
            except (av.error.FFmpegError, ValueError):
                first = None  # a damaged index or packet at the seek target
            if first is None or first.time is None or first.time - origin > start_s + 1e-3:
                # Some files seek past the target (or fail to seek); decode from the start instead.
                container.close()
                container = _open(path)
                stream = container.streams.video[0]
                _threaded(stream, threads)
                decoder = _decode(container, stream)
            else:
                pending.append(first)
        # One converter for the whole video: ``frame.to_ndarray(format=...)`` builds a new one (and sets
        # up FFmpeg's scaler afresh) for every frame, ~0.1 ms of the ~0.45 ms a 720p conversion takes.
        to_rgb = VideoReformatter()
        last_t = -math.inf
        n_decoded = 0
        n_yielded = 0
        while True:
            try:
                frame = pending.pop() if pending else next(decoder)
            except StopIteration:
                break
            except (av.error.FFmpegError, ValueError) as exc:
                if n_yielded:
                    break  # a damaged tail: keep what decoded
                raise _undecodable(path, exc) from exc
            t = float(frame.time) - origin if frame.time is not None else n_decoded / fps
            if t <= last_t:
                continue
            last_t = t
            # Frame number in the file: counted when decoding from the start,
            # derived from the time after a seek.
            index = n_decoded if start_s <= 0 else int(round(t * fps))
            n_decoded += 1
            if t < start_s - 1e-6:
                continue
            if end_s is not None and t >= end_s:
                break
            if index % stride:
                continue
            try:
                rgb: NDArray[np.uint8] = np.asarray(to_rgb.reformat(frame, format="rgb24", threads=threads).to_ndarray(), dtype=np.uint8)
            except (av.error.FFmpegError, ValueError) as exc:  # a damaged frame with no usable picture format
                if n_yielded:
                    break
                raise _undecodable(path, exc) from exc
            k = _rotation_of(frame) // 90
            if k:
                rgb = np.rot90(rgb, k=k)
            if mirror:
                rgb = rgb[:, ::-1]
            if k or mirror:
                rgb = np.ascontiguousarray(rgb)
            n_yielded += 1
            yield Frame(index=index, time_s=t, rgb=rgb)
        if n_yielded == 0 and start_s == 0 and end_s is None:
            raise VideoError(f"{path.name} contains no decodable video frames.", hint="The file may be truncated; export or copy it again.")
    finally:
        container.close()
