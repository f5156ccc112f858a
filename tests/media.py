"""Small generated media files for tests (no real footage needed)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import av
import numpy as np
from numpy.typing import NDArray


def write_video(
    path: Path,
    frames: Iterable[NDArray[np.uint8]],
    *,
    fps: float = 25.0,
    rotation: int = 0,
    times: Iterable[float] | None = None,
    codec: str = "libx264",
    options: dict[str, str] | None = None,
) -> Path:
    """Encode RGB frames (all the same size) into ``path``.

    ``rotation`` sets display-matrix metadata (counter-clockwise degrees
    needed to show the frame upright, FFmpeg's convention). ``times`` gives
    each frame's presentation time in seconds (for variable frame rates).
    ``options`` are encoder options, e.g. ``{"preset": "ultrafast"}`` for huge frames.
    """
    frames = list(frames)
    h, w = frames[0].shape[:2]
    container = av.open(str(path), mode="w")
    from fractions import Fraction

    stream = container.add_stream(codec, rate=Fraction(fps).limit_denominator(1001), options=options or {})
    assert isinstance(stream, av.VideoStream), codec
    stream.width, stream.height = w, h
    stream.pix_fmt = "yuv420p"
    if times is not None:
        # The 90 kHz MPEG clock: with 1/1000 x264 hands back a bad final packet and the mp4 muxer refuses it.
        stream.time_base = Fraction(1, 90000)
        stream.codec_context.time_base = Fraction(1, 90000)
    if rotation:
        stream.set_display_rotation(rotation)
    ts = list(times) if times is not None else None
    for i, img in enumerate(frames):
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
        if ts is not None:
            frame.pts = int(round(ts[i] * 90000))
            frame.time_base = stream.time_base
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return path


def gradient_frames(n: int, w: int = 160, h: int = 120) -> list[NDArray[np.uint8]]:
    """``n`` frames of a moving gradient (nobody in view)."""
    yy, xx = np.mgrid[0:h, 0:w]
    return [np.stack([(xx + 4 * i) % 256, yy % 256, np.full_like(xx, 80)], axis=2).astype(np.uint8) for i in range(n)]


def write_audio_only(path: Path, seconds: float = 1.0) -> Path:
    """An AAC audio file with no video stream."""
    container = av.open(str(path), mode="w")
    stream = container.add_stream("aac", rate=44100)
    n = int(44100 * seconds)
    samples = (np.sin(np.arange(n) / 20.0) * 0.2).astype(np.float32)[None, :]
    frame_len = 1024
    for i in range(0, n, frame_len):
        chunk = samples[:, i : i + frame_len]
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
        frame.sample_rate = 44100
        frame.pts = i
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return path


def write_y4m(path: Path, frames: Iterable[NDArray[np.uint8]], *, fps: int = 20) -> Path:
    """Write RGB frames as a Y4M (YUV 4:2:0) file, the format Chromium's fake camera reads."""
    import cv2

    frames = list(frames)
    h, w = frames[0].shape[:2]
    with path.open("wb") as fh:
        fh.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for rgb in frames:
            fh.write(b"FRAME\n")
            fh.write(cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YUV_I420).tobytes())
    return path


def read_frames(path: Path, *, end_s: float | None = None) -> list[NDArray[np.uint8]]:
    """Decode a video's frames as RGB arrays (up to ``end_s`` seconds), straight with PyAV."""
    out: list[NDArray[np.uint8]] = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            if end_s is not None and frame.time is not None and frame.time >= end_s:
                break
            out.append(np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8))
    return out


def write_still(path: Path, rgb: NDArray[np.uint8], *, kind: str = ".png") -> Path:
    """Write one RGB picture as a PNG or JPEG (``kind``), whatever ``path``'s own extension says."""
    import cv2

    ok, data = cv2.imencode(kind, cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2BGR))
    assert ok, kind
    path.write_bytes(data.tobytes())
    return path
