"""Speed and memory of the analysis, measured against the pose model's own cost.

For each test clip (a source clip re-encoded at 480p, 720p and 1080p, the
same 10 s each), in one run:

(a) decoding alone (``assess.video.iter_frames``);
(b) the bare PoseLandmarker on pre-decoded frames, one process;
(c) the full ``assess analyze`` command (decode, track, metrics, JSON), as a
    child process with its wall time, CPU time and peak RSS.

It prints frames per second, the real-time factor (video seconds per wall
second) and the ratio (c) / ((a) + (b)): below 1 means the analysis beats
doing decode and inference one after the other on one core. Then the live
path: frames per second through the webcam session's frame handler at
640×480, without a browser.

    python benchmarks/speed.py [--seconds 10] [--heights 480 720 1080]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import cv2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from assess.models import available_models  # noqa: E402
from assess.pose import PoseEstimator  # noqa: E402
from assess.video import iter_frames, probe  # noqa: E402
from benchmarks._common import first_clip, run_measured  # noqa: E402

SOURCES = (
    "singlelegstance_legswing_frontal_woman_studio_01.mp4",
    "treepose_frontal_woman_studio_01.mp4",
    "left_stance_novalgus.mp4",
)


def reencode(src: Path, dest: Path, *, height: int, seconds: float) -> Path:
    """``seconds`` of ``src`` scaled to ``height`` (16:9 kept from the source), H.264, same fps."""
    info = probe(src)
    out = av.open(str(dest), "w")
    stream = out.add_stream("libx264", rate=Fraction(info.fps).limit_denominator(1001))
    width = int(round(info.width * height / info.height / 2)) * 2
    stream.width, stream.height = width, height
    stream.pix_fmt = "yuv420p"
    stream.options = {"crf": "23", "preset": "veryfast"}
    frames = [cv2.resize(f.rgb, (width, height), interpolation=cv2.INTER_AREA) for f in iter_frames(src, end_s=seconds)]
    target = int(seconds * info.fps)
    while len(frames) < target:  # loop a short source
        frames += frames[: target - len(frames)]
    for img in frames:
        for p in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
            out.mux(p)
    for p in stream.encode():
        out.mux(p)
    out.close()
    return dest


def time_decode(path: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    n = sum(1 for _ in iter_frames(path))
    return time.perf_counter() - t0, n


def time_bare_model(path: Path, model: str) -> float:
    frames = [f.rgb for f in iter_frames(path)]
    fps = probe(path).fps
    with PoseEstimator(model) as est:
        t0 = time.perf_counter()
        for i, rgb in enumerate(frames):
            est.detect_raw(rgb, 1000 + int(i * 1000 / fps))
        return time.perf_counter() - t0


def live_fps(model: str, src: Path, n: int = 150) -> tuple[float, float]:
    """Frames per second (and mean ms per frame) through LiveSession.process at 640×480."""
    from assess.live import LiveSession

    frames = [cv2.resize(f.rgb, (640, 480)) for f in iter_frames(src, end_s=6.0)]
    with PoseEstimator(model) as est:
        session = LiveSession(est)
        for f in frames[:10]:
            session.process(f)  # warm-up
        t0 = time.perf_counter()
        for i in range(n):
            session.process(frames[i % len(frames)])
        dt = time.perf_counter() - t0
    return n / dt, 1000 * dt / n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--heights", type=int, nargs="+", default=[480, 720, 1080])
    parser.add_argument("--models", nargs="+", default=["lite", "full", "heavy"])
    args = parser.parse_args()
    src = first_clip(*SOURCES)
    if src is None:
        print("no source clip found")
        return 1
    models = [m for m in args.models if m in available_models()]
    skipped = [m for m in args.models if m not in models]
    print(f"source: {src.name}; {os.cpu_count()} cores; models: {', '.join(models)}" + (f" (not installed: {', '.join(skipped)})" if skipped else ""))
    print(f"{'clip':>7} {'model':>5} | {'(a) decode':>10} {'(b) model':>10} {'(a)+(b)':>8} | {'(c) analyze':>11} {'cpu':>6} {'RSS MB':>7} {'all MB':>7} {'fps':>6} {'x RT':>5} | {'c/(a+b)':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for h in args.heights:
            clip = reencode(src, Path(tmp) / f"{h}p.mp4", height=h, seconds=args.seconds)
            dur = probe(clip).duration_s or args.seconds
            for model in models:
                # (c) first: a child forked from a parent holding decoded frames would count them in its peak RSS.
                run = run_measured([sys.executable, "-m", "assess", "analyze", str(clip), "--model", model, "-o", str(Path(tmp) / "a.json"), "-q"])
                c = run.wall_s
                a, n = time_decode(clip)
                b = time_bare_model(clip, model)
                print(
                    f"{h:>6}p {model:>5} | {a:9.2f}s {b:9.2f}s {a + b:7.2f}s | {c:10.2f}s {run.cpu_s:5.1f}s {run.peak_rss_mb:7.0f} {run.peak_total_rss_mb:7.0f} {n / c:6.1f} {dur / c:5.2f} | {c / (a + b):7.2f}",
                    flush=True,
                )
        for model in models:
            fps, ms = live_fps(model, src)
            print(f"live path 640x480, model {model}: {fps:.1f} frames/s ({ms:.1f} ms per frame, no browser)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
