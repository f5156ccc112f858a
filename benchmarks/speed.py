"""Speed and memory of the analysis, measured against the pose model's own cost.

For each test clip (a source clip re-encoded at 480p, 720p and 1080p; 10 s
and 30 s), in one run:

(a) decoding alone (``assess.video.iter_frames``, one decoder thread: the
    baseline is decode and inference one after the other on one core);
(b) the bare PoseLandmarker on pre-decoded frames, one process: MediaPipe's
    cheapest set-up for a video (VIDEO mode, one person: the detector runs
    only when the person is lost), and (b') its default set-up (IMAGE mode:
    detector and landmarks on every frame); both through MediaPipe's Python
    API as it ships (the analysis calls the same C functions without its
    per-call thread hand-off, see ``assess.pose._DirectCalls``), and with the
    full model as published, its segmentation branch included (built from
    the mediapipe wheel into a temporary folder);
(b*) (b) with the model bundle the analysis uses, whose segmentation branch
    is cut (``assess.models.without_segmentation``: the same landmarks for
    about two thirds of the inference);
(b2) (b)'s frames split in two halves, run by two bare processes at once
    (the slower one's wall time): what two busy cores of this machine give;
(c) the full ``assess analyze`` command (decode, track, metrics, JSON), as a
    child process with its wall time, CPU time and peak RSS.

It prints frames per second, the real-time factor (video seconds per wall
second) and the ratios (c) / ((a) + (b)), (c) / ((a) + (b*)) and
(c) / ((a) + (b')): below 1 means the analysis beats doing decode and
inference one after the other on one core (goal ≤ 0.6). The (b*) ratio
leaves out what the cut model saves and so shows what the analysis costs on
top of its own model. b2/b is 0.5 on two free cores; whatever it is here is
the floor of (c) / ((a) + (b)) before any start-up cost of the analysis.
For models other than full, or where the mediapipe wheel cannot be had,
there is no published bundle to build: (b) is then the installed one.
Then, in the same run:

* parallel vs single pass: stance FPPA and sway of the stitched (chunked,
  several processes) analysis against one process (goal: 0.5°, 2%);
* stride: a 60 fps clip analysed at every frame and at every 2nd frame
  (goal: 0.3°, 3%), from ``benchmarks/synthetic/matrix.py``'s 60 fps render
  when it is there, and from the 60 fps re-encode otherwise;
* the live path: frames per second through the webcam session's frame
  handler at 640×480, without a browser.

    python benchmarks/speed.py [--seconds 10 30] [--heights 480 720 1080] [--repeat 3] [--clips FILE ...]

Timings on a shared 2-core VM vary by 10–20 % from minute to minute, so with
``--repeat N`` each measurement (a), (b), (b'), (b2), (c) is taken N times,
interleaved, and the medians are printed, with the median of the per-round
ratios. ``--clips`` measures given video files as they are (no re-encoding).
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from assess.models import available_models  # noqa: E402
from assess.pose import PoseEstimator  # noqa: E402
from assess.video import iter_frames, probe  # noqa: E402
from benchmarks._common import first_clip, run_measured  # noqa: E402

STRIDE_CLIP = Path(os.environ.get("FOOTFIRST_CACHE", Path.home() / ".cache" / "footfirst")) / "matrix" / "m175_front3m_v10_wobbly_60fps.mp4"
"""A 60 fps render with real 60 fps motion (``benchmarks/synthetic/matrix.py``)."""
SOURCES = (
    "singlelegstance_legswing_frontal_woman_studio_01.mp4",
    "treepose_frontal_woman_studio_01.mp4",
    "left_stance_novalgus.mp4",
)


def reencode(src: Path, dest: Path, *, height: int, seconds: float, fps: float | None = None) -> Path:
    """``seconds`` of ``src`` scaled to ``height`` (aspect kept), H.264, at the source's fps or ``fps``.

    A higher ``fps`` than the source's repeats frames: only a stand-in for real high-frame-rate motion.
    """
    info = probe(src)
    out = av.open(str(dest), "w")
    rate = Fraction(fps or info.fps).limit_denominator(1001)
    stream = out.add_stream("libx264", rate=rate)
    width = int(round(info.width * height / info.height / 2)) * 2
    stream.width, stream.height = width, height
    stream.pix_fmt = "yuv420p"
    stream.options = {"crf": "23", "preset": "veryfast"}
    frames = [np.asarray(cv2.resize(f.rgb, (width, height), interpolation=cv2.INTER_AREA), dtype=np.uint8) for f in iter_frames(src, end_s=seconds)]
    if fps:
        frames = [frames[min(len(frames) - 1, int(i * info.fps / fps))] for i in range(int(len(frames) * fps / info.fps))]
    target = int(seconds * float(rate))
    while len(frames) < target:  # loop a short source
        frames += frames[: target - len(frames)]
    for img in frames:
        for p in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
            out.mux(p)
    for p in stream.encode():
        out.mux(p)
    out.close()
    return dest


@contextlib.contextmanager
def source_copy(*, height: int, seconds: float) -> Iterator[tuple[Path, Path] | None]:
    """The first of :data:`SOURCES` found and its :func:`reencode` into a temporary folder, ``(source, copy)``; None when none is found."""
    src = first_clip(*SOURCES)
    if src is None:
        yield None
        return
    with tempfile.TemporaryDirectory() as tmp:
        yield src, reencode(src, Path(tmp) / "clip.mp4", height=height, seconds=seconds)


def time_decode(path: Path, end_s: float | None = None) -> tuple[float, int]:
    """Seconds to decode ``path`` (to ``end_s``) to RGB frames on one thread, and how many frames."""
    t0 = time.perf_counter()
    n = sum(1 for _ in iter_frames(path, end_s=end_s, threads=1))
    return time.perf_counter() - t0, n


def _time_landmarker(frames: list[Any], fps: float, model: str | Path, *, every_frame: bool = False, ready: Any = None) -> float:
    """Seconds for the bare landmarker over ``frames``, timed after it is loaded (and after ``ready()`` returns)."""
    with PoseEstimator(model) as est:
        est.detect_raw(frames[0], 0, every_frame=every_frame)  # load the landmarker before timing
        if ready is not None:
            ready()
        t0 = time.perf_counter()
        for i, rgb in enumerate(frames):
            est.detect_raw(rgb, 1000 + int(i * 1000 / fps), every_frame=every_frame)
        return time.perf_counter() - t0


def time_bare_models(path: Path, model: str | Path, ours: str | Path) -> tuple[float, float, float]:
    """(b), (b') and (b*): the bare landmarker in VIDEO and in IMAGE mode, and ``ours`` in VIDEO mode, over the same decoded frames (decoded once)."""
    frames = [f.rgb for f in iter_frames(path)]
    fps = probe(path).fps
    return _time_landmarker(frames, fps, model), _time_landmarker(frames, fps, model, every_frame=True), _time_landmarker(frames, fps, ours)


def published_model(model: str, folder: Path) -> Path | str:
    """The full model as published (segmentation branch included) built into ``folder``; ``model`` itself when there is none to build."""
    from assess.errors import ModelError
    from assess.models import build_full_from_wheel

    if model != "full":
        return model
    try:
        return build_full_from_wheel(folder / "published_full.task", keep_segmentation=True)
    except ModelError as exc:
        print(f"(b) uses the installed full model: the published one could not be built ({exc})")
        return model


def _bare_half(path: str, model: str | Path, part: int, barrier: Any, out: Any) -> None:
    """Child of :func:`time_bare_pair`: the bare model on its half of the video, timed from a common start."""
    info = probe(path)
    mid = info.duration_s / 2
    frames = iter_frames(path, end_s=mid) if part == 0 else iter_frames(path, start_s=mid)
    out[part] = _time_landmarker([f.rgb for f in frames], info.fps, model, ready=lambda: barrier.wait(timeout=600))


def time_bare_pair(path: Path, model: str | Path) -> float:
    """(b2): (b)'s work split in two halves, run by two processes at once; the slower one's wall time.

    On two free cores this is half of (b). What it is here says how much two
    busy cores of this machine give: the floor of (c) / ((a) + (b)) is about
    (b2) / (b), before any start-up or scheduling costs of the analysis.
    """
    return run_halves(_bare_half, str(path), model)


def run_halves(target: Callable[..., None], *args: Any) -> float:
    """Run ``target(*args, part, barrier, out)`` for parts 0 and 1 in two fresh processes at once; the larger of the ``out[part]`` they set.

    Each child times its own half from ``barrier.wait()`` and writes the
    seconds into ``out[part]``.
    """
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    out = ctx.Array("d", 2, lock=False)
    procs = [ctx.Process(target=target, args=(*args, part, barrier, out)) for part in (0, 1)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    if any(p.exitcode != 0 for p in procs):
        raise RuntimeError(f"a child process running {target.__name__} failed")
    return max(out[:])


def measure(clip: Path, model: str, report: Path, published: str | Path) -> dict[str, float]:
    """One round of (c), (a), (b), (b'), (b*), (b2) on ``clip``: seconds, and (c)'s CPU and memory; ``published`` is (b)'s model."""
    # (c) first: a child forked from a parent holding decoded frames would count them in its peak RSS.
    run = run_measured([sys.executable, "-m", "assess", "analyze", str(clip), "--model", model, "-o", str(report), "-q"])
    a, n = time_decode(clip)
    b, b_img, b_ours = time_bare_models(clip, published, model)  # its frames are freed before (b2)'s children decode theirs
    return {
        "c": run.wall_s,
        "cpu": run.cpu_s,
        "rss": run.peak_rss_mb,
        "all": run.peak_total_rss_mb,
        "a": a,
        "n": n,
        "b": b,
        "b_img": b_img,
        "b_ours": b_ours,
        "b2": time_bare_pair(clip, published),
    }


def compare(a: object, b: object) -> str:
    """Differences between two assessments of the same clip: stance FPPA (deg) and COM sway (%)."""
    out = []
    for s1, s2 in zip(a.stances, b.stances):  # type: ignore[attr-defined]
        parts = [f"{s1.side} stance"]
        f1, f2 = s1.metric("fppa_image_mean"), s2.metric("fppa_image_mean")
        if f1 is not None and f2 is not None and f1.value is not None and f2.value is not None:
            parts.append(f"FPPA {f1.value:+.2f} vs {f2.value:+.2f} (Δ {f2.value - f1.value:+.2f}°)")
        for name in ("com_sway_ml_rms", "com_sway_ml_path"):
            m1, m2 = s1.metric(name), s2.metric(name)
            if m1 is not None and m2 is not None and m1.value and m2.value is not None:
                parts.append(f"{name.replace('com_sway_', '')} {m1.value:.2f} vs {m2.value:.2f} {m1.unit} (Δ {100 * (m2.value / m1.value - 1):+.1f}%)")
        out.append(", ".join(parts))
    if len(a.stances) != len(b.stances):  # type: ignore[attr-defined]
        out.append(f"stances found differ: {len(a.stances)} vs {len(b.stances)}")  # type: ignore[attr-defined]
    return "; ".join(out) or "no stance found in either"


def live_fps(model: str, src: Path, n: int = 150) -> tuple[float, float]:
    """Frames per second (and mean ms per frame) through LiveSession.process at 640×480."""
    from assess.live import LiveSession

    frames = [np.asarray(cv2.resize(f.rgb, (640, 480)), dtype=np.uint8) for f in iter_frames(src, end_s=6.0)]
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
    from assess.pipeline import analyze_video

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, nargs="+", default=[10.0, 30.0])
    parser.add_argument("--heights", type=int, nargs="+", default=[480, 720, 1080])
    parser.add_argument("--models", nargs="+", default=["lite", "full", "heavy"])
    parser.add_argument("--repeat", type=int, default=1, help="rounds per measurement; medians are printed")
    parser.add_argument("--clips", type=Path, nargs="*", default=[], help="also measure these files as they are")
    parser.add_argument("--no-extras", action="store_true", help="skip the parallel, stride and live comparisons")
    args = parser.parse_args()
    src = first_clip(*SOURCES)
    if src is None:
        print("no source clip found")
        return 1
    models = [m for m in args.models if m in available_models()]
    skipped = [m for m in args.models if m not in models]
    print(f"source: {src.name}; {os.cpu_count()} cores; models: {', '.join(models)}" + (f" (not installed: {', '.join(skipped)})" if skipped else ""))
    b_img_head, ratio_img_head = "(b') image", "c/(a+b')"
    print(
        f"{'clip':>11} {'model':>5} | {'(a) decode':>10} {'(b) model':>10} {b_img_head:>11} {'(b*) ours':>10} {'(b2) 2 at once':>14} | "
        f"{'(c) analyze':>11} {'cpu':>6} {'RSS MB':>7} {'all MB':>7} {'fps':>6} {'x RT':>5} | {'c/(a+b)':>7} {'c/(a+b*)':>8} {ratio_img_head:>9} {'b2/b':>5}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        published = {m: published_model(m, Path(tmp)) for m in models}
        longest = None
        todo: list[tuple[str, Path]] = []
        for seconds in args.seconds:
            for h in args.heights:
                clip = reencode(src, Path(tmp) / f"{h}p_{seconds:g}s.mp4", height=h, seconds=seconds)
                if h == 720:
                    longest = clip
                todo.append((f"{h:>5}p {seconds:>3g}s", clip))
        for path in args.clips:
            info = probe(path)
            todo.append((f"{path.stem[:11]:>11}", path))
            print(f"{path.stem[:11]} = {path.name}: {info.width}x{info.height}, {info.fps:g} fps, {info.duration_s:.1f} s")
        for label, clip in todo:
            dur = probe(clip).duration_s
            for model in models:
                rounds = [measure(clip, model, Path(tmp) / "a.json", published[model]) for _ in range(max(1, args.repeat))]
                a, b, b_img, b_ours, b2, c = (statistics.median(r[k] for r in rounds) for k in ("a", "b", "b_img", "b_ours", "b2", "c"))
                cpu, rss, total = (statistics.median(r[k] for r in rounds) for k in ("cpu", "rss", "all"))
                n = rounds[0]["n"]
                r1 = statistics.median(r["c"] / (r["a"] + r["b"]) for r in rounds)
                r2 = statistics.median(r["c"] / (r["a"] + r["b_img"]) for r in rounds)
                r_ours = statistics.median(r["c"] / (r["a"] + r["b_ours"]) for r in rounds)
                r3 = statistics.median(r["b2"] / r["b"] for r in rounds)
                spread = f"  (c) {min(r['c'] for r in rounds):.2f}–{max(r['c'] for r in rounds):.2f}s over {len(rounds)} rounds" if len(rounds) > 1 else ""
                print(
                    f"{label} {model:>5} | {a:9.2f}s {b:9.2f}s {b_img:10.2f}s {b_ours:9.2f}s {b2:13.2f}s | "
                    f"{c:10.2f}s {cpu:5.1f}s {rss:7.0f} {total:7.0f} {n / c:6.1f} {dur / c:5.2f} | {r1:7.2f} {r_ours:8.2f} {r2:9.2f} {r3:5.2f}{spread}",
                    flush=True,
                )
        if args.no_extras:
            return 0
        if longest is not None:
            single = analyze_video(longest, workers=1)[1]
            stitched = analyze_video(longest)[1]
            print(f"parallel vs single pass ({longest.name}): {compare(single, stitched)}")
        hi = STRIDE_CLIP if STRIDE_CLIP.exists() else None
        if hi is None:
            hi = reencode(src, Path(tmp) / "60fps.mp4", height=720, seconds=10.0, fps=60.0)
        full_rate = analyze_video(hi, stride=1, workers=1)[1]
        strided = analyze_video(hi, stride=2, workers=1)[1]
        print(f"stride 2 vs every frame ({hi.name}, {probe(hi).fps:g} fps): {compare(full_rate, strided)}")
    for model in models:
        fps, ms = live_fps(model, src)
        print(f"live path 640x480, model {model}: {fps:.1f} frames/s ({ms:.1f} ms per frame, no browser)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
