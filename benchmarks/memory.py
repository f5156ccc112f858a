"""Peak memory of `assess track` on a 10-second versus a 10-minute video.

The long video is the short one looped (made here, deleted afterwards), so
both have the same content per frame; frames are streamed, so the peak RSS
should not grow with length. Prints both figures and their ratio.

    python benchmarks/memory.py [--fps 15] [--minutes 10]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from assess.video import iter_frames  # noqa: E402
from benchmarks._common import first_clip, run_measured  # noqa: E402


def make_looped(src: Path, dest: Path, *, seconds: float, fps: float, width: int) -> Path:
    """Write ``seconds`` of ``src`` (looped, resampled to ``fps``, scaled to ``width``) as H.264."""
    frames = []
    step = 1.0 / fps
    next_t = 0.0
    for f in iter_frames(src, end_s=10.0):
        if f.time_s + 1e-9 >= next_t:
            h = int(round(f.rgb.shape[0] * width / f.rgb.shape[1] / 2) * 2)
            import cv2

            frames.append(np.asarray(cv2.resize(f.rgb, (width, h), interpolation=cv2.INTER_AREA), dtype=np.uint8))
            next_t += step
    out = av.open(str(dest), "w")
    stream = out.add_stream("libx264", rate=Fraction(fps).limit_denominator(1000))
    stream.width, stream.height = frames[0].shape[1], frames[0].shape[0]
    stream.pix_fmt = "yuv420p"
    stream.options = {"preset": "ultrafast", "crf": "30"}
    n = int(round(seconds * fps))
    for i in range(n):
        for packet in stream.encode(av.VideoFrame.from_ndarray(frames[i % len(frames)], format="rgb24")):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)
    out.close()
    return dest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fps", type=float, default=15.0, help="frame rate of the test videos")
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the long video")
    parser.add_argument("--width", type=int, default=1280, help="frame width of the test videos")
    args = parser.parse_args()
    src = first_clip("singlelegstance_legswing_frontal_woman_studio_01.mp4", "treepose_frontal_woman_studio_01.mp4", "stance_left.mp4")
    if src is None:
        print("no source clip found (../shared/videos or sample_videos)")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        short = make_looped(src, Path(tmp) / "short.mp4", seconds=10, fps=args.fps, width=args.width)
        long = make_looped(src, Path(tmp) / "long.mp4", seconds=60 * args.minutes, fps=args.fps, width=args.width)
        results = {}
        for label, clip in (("10 s", short), (f"{args.minutes:g} min", long)):
            run = run_measured([sys.executable, "-m", "assess", "track", str(clip), "-o", str(Path(tmp) / "t.npz"), "-q"])
            results[label] = run
            print(f"{label:>8}: wall {run.wall_s:7.1f} s  cpu {run.cpu_s:7.1f} s  peak RSS {run.peak_rss_mb:7.1f} MB (all processes {run.peak_total_rss_mb:7.1f} MB)  exit {run.returncode}", flush=True)
    a, b = results.values()
    print(f"source {src.name}, {args.width} px wide, {args.fps:g} fps")
    print(f"peak RSS ratio long/short: {b.peak_rss_mb / a.peak_rss_mb:.3f} (goal <= 1.2)")
    return 0 if np.isfinite(b.peak_rss_mb) else 1


if __name__ == "__main__":
    sys.exit(main())
