"""What a chunk of the parallel path costs when two processes track at once, against bare loops.

Two processes each take one half of a 720p re-encode of the source clip, as
the analysis's two processes do on two cores, and start together. Every
round times, in turn:

* model on pre-decoded frames: the bare landmarker with the installed bundle
  (``speed.py``'s (b2) runs the model as published instead);
* decode + model: a plain loop over ``iter_frames`` (one thread) and the
  bare landmarker, with the heap held as the analysis holds it;
* chunk: ``assess.pipeline._run_chunk``, exactly as a worker runs it;
* chunk, no camera step: the same with ``BackgroundMotion.update`` stubbed out;
* chunk, no restarts: the same with the follower never restarting (so also
  without the finder's checks, which fall on restarts).

Each process decodes (for the first set-up) and loads its landmarker before
the common start. Its first frames (~0.2 s of warm-up) are timed, as in the
analysis (``speed.py``'s (b2) leaves them out). For each set-up the slower
process's seconds are printed, per round and their median; the difference
between two rows is what a step costs a chunk while both cores are busy.
The machine's speed drifts by 15 % within an hour, so the set-ups alternate
and each round starts one set-up later; here, differences under ~0.3 s are
within that noise. Start-up (imports, probing, the split) is not in these
figures: ``speed.py``'s (c) has it.

    python benchmarks/two_chunks.py [--seconds 30] [--rounds 3] [--setups SETUP ...]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from assess.video import probe  # noqa: E402
from benchmarks.speed import run_halves, source_copy  # noqa: E402

SETUPS = ("model on pre-decoded frames", "decode + model", "chunk", "chunk, no camera step", "chunk, no restarts")


def _half(path: str, setup: str, part: int, barrier: Any, out: Any) -> None:
    """Child: one set-up over its half of the video, timed from the common start."""
    from assess import pipeline, pose
    from assess.camera import BackgroundMotion
    from assess.video import iter_frames, probe

    if setup == "chunk, no camera step":
        BackgroundMotion.update = lambda self, *args, **kwargs: (0.0, 0.0)  # type: ignore[method-assign]
    elif setup == "chunk, no restarts":
        pose.RESTART_EVERY_S = math.inf
    mid = probe(path).duration_s / 2
    start, end = (0.0, mid) if part == 0 else (mid, None)
    pipeline.hold_freed_heap()
    frames = [(f.rgb, f.time_s) for f in iter_frames(path, start_s=start, end_s=end, threads=1)] if setup == SETUPS[0] else None
    with pose.PoseEstimator("full") as est:
        barrier.wait(timeout=600)
        t0 = time.perf_counter()
        if frames is not None:
            for rgb, t in frames:
                est.detect_raw(rgb, round(1000 * t))
        elif setup == "decode + model":
            for frame in iter_frames(path, start_s=start, end_s=end, threads=1):
                est.detect_raw(frame.rgb, round(1000 * frame.time_s))
        else:
            pipeline._run_chunk(path, pipeline._Chunk(part, start, end), 1, estimator=est)
        out[part] = time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the clip (two halves)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--setups", nargs="+", choices=SETUPS, default=list(SETUPS), metavar="SETUP", help="a subset of: " + "; ".join(SETUPS))
    args = parser.parse_args()
    with source_copy(height=720, seconds=args.seconds) as found:
        if found is None:
            print("no source clip found")
            return 1
        src, clip = found
        rounds = []
        for r in range(max(1, args.rounds)):  # each round starts one set-up later, so a drift favours none
            order = args.setups[r % len(args.setups) :] + args.setups[: r % len(args.setups)]
            rounds.append({setup: run_halves(_half, str(clip), setup) for setup in order})
        info = probe(clip)
        half_frames = round(info.duration_s * info.fps / 2)
    print(f"source: {src.name}, 720p, {args.seconds:g} s in two halves of ~{half_frames} frames, full model, two processes at once")
    print(f"{'seconds, slower process':<30}" + "".join(f"{'round ' + str(i + 1):>9}" for i in range(len(rounds))) + f"{'median':>9}{'vs chunk':>10}")
    chunk = statistics.median(r["chunk"] for r in rounds) if "chunk" in args.setups else math.nan
    for setup in args.setups:
        values = [r[setup] for r in rounds]
        median = statistics.median(values)
        print(f"{setup:<30}" + "".join(f"{v:9.2f}" for v in values) + f"{median:9.2f}{median - chunk:+10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
