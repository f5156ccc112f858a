"""Where a tracked frame's time goes, on one core: what the analysis adds to decoding and the model.

Tracks a time chunk of a 720p re-encode of the source clip in this process,
as one worker of the parallel path does (``assess.pipeline._run_chunk``, one
decoder and OpenCV thread, the heap held), with its steps timed:

* decode + RGB: the frames' generator, between model calls;
* MediaPipe's copy of the frame into its image (``assess.pose.mp_image``);
* model: the landmarkers' C calls (the follower's, the finder's checks and the
  blank frames of restarts; how many of each is printed too);
* Python around the model calls: the rest of ``PoseEstimator.process``;
* camera step: ``BackgroundMotion.update``;
* the rest: the loop, the track buffer, progress.

Each round is followed by decoding the same frames alone, so the two are
measured minutes apart at most (the machine's speed drifts by 15 % within
an hour). Medians over the rounds are printed, in ms a frame.

    python benchmarks/per_frame.py [--seconds 15] [--height 720] [--rounds 3]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from assess import pipeline, pose  # noqa: E402
from assess.camera import BackgroundMotion  # noqa: E402
from benchmarks.speed import source_copy, time_decode  # noqa: E402


@contextlib.contextmanager
def timed(owner: Any, name: str, into: dict[str, float], key: str) -> Iterator[None]:
    """Add the time spent in ``owner.name`` to ``into[key]`` while the block runs."""
    original = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            into[key] += time.perf_counter() - t0

    setattr(owner, name, wrapper)
    try:
        yield
    finally:
        setattr(owner, name, original)


@contextlib.contextmanager
def decoding_timed(into: dict[str, float]) -> Iterator[None]:
    """While the block runs, the analysis's frames come from a generator whose time goes to ``into["decode"]``."""
    original = pipeline.iter_frames

    def frames(*args: Any, **kwargs: Any) -> Iterator[Any]:
        source = original(*args, **kwargs)
        while True:
            t0 = time.perf_counter()
            frame = next(source, None)
            into["decode"] += time.perf_counter() - t0
            if frame is None:
                return
            yield frame

    pipeline.iter_frames = frames  # type: ignore[assignment]
    try:
        yield
    finally:
        pipeline.iter_frames = original


def track_round(clip: Path, seconds: float) -> tuple[dict[str, float], dict[str, int]]:
    """One tracked chunk: seconds per step (``total`` included) and the estimator's counts."""
    spent: dict[str, float] = defaultdict(float)
    with contextlib.ExitStack() as stack:
        est = stack.enter_context(pose.PoseEstimator("full"))
        stack.enter_context(timed(pose._DirectCalls, "detect", spent, "model"))
        stack.enter_context(timed(pose, "mp_image", spent, "copy"))
        stack.enter_context(timed(pose.PoseEstimator, "process", spent, "process"))
        stack.enter_context(timed(BackgroundMotion, "update", spent, "camera"))
        stack.enter_context(decoding_timed(spent))
        pipeline.hold_freed_heap()
        t0 = time.perf_counter()
        pipeline._run_chunk(str(clip), pipeline._Chunk(0, 0.0, seconds), 1, estimator=est)
        spent["total"] = time.perf_counter() - t0
        counts = dict(est.stats)
    return spent, counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="length of the chunk tracked")
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with source_copy(height=args.height, seconds=args.seconds) as found:
        if found is None:
            print("no source clip found")
            return 1
        src, clip = found
        rows: list[dict[str, float]] = []
        for _ in range(max(1, args.rounds)):
            spent, counts = track_round(clip, args.seconds)
            n = counts["frames"]
            model_py = spent["process"] - spent["model"] - spent["copy"]
            rest = spent["total"] - spent["process"] - spent["camera"] - spent["decode"]
            alone, _ = time_decode(clip, args.seconds)
            row = {
                "decode + RGB": spent["decode"],
                "  the same, alone": alone,
                "copy into MediaPipe": spent["copy"],
                "model (C calls, read)": spent["model"],
                "Python around the model": model_py,
                "camera step": spent["camera"],
                "the rest": rest,
                "total": spent["total"],
            }
            rows.append({k: 1000 * v / n for k, v in row.items()})
    print(f"source: {src.name}, {args.height}p, first {args.seconds:g} s ({n} frames), full model, one process")
    print(f"model calls per chunk: finder {counts['finder']}, restarts {counts['restarts']}, rebuilds {counts['rebuilds']}")
    print(f"{'ms a frame':<26}" + "".join(f"{'round ' + str(i + 1):>9}" for i in range(len(rows))) + f"{'median':>9}")
    for key in rows[0]:
        values = [r[key] for r in rows]
        print(f"{key:<26}" + "".join(f"{v:9.3f}" for v in values) + f"{statistics.median(values):9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
