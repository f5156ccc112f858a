"""Command line: ``assess models install``, ``assess track`` (and more as they land).

Every user-caused problem ends with one plain line on stderr and a non-zero
exit code (see :mod:`assess.errors`), never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from . import __version__
from .errors import AssessError
from .files import write_atomic

if TYPE_CHECKING:
    from .track import PoseTrack

EXIT_USAGE = 64


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _progress_bar(label: str, enabled: bool):  # type: ignore[no-untyped-def]
    """A tqdm bar on stderr driven by fractions 0…1, or a no-op."""
    from tqdm import tqdm

    # No monitor thread: the bar is updated often enough without it, and a second thread
    # would keep the analysis from forking its worker (see pipeline.worker_start_method).
    tqdm.monitor_interval = 0
    bar = tqdm(total=100, desc=label, unit="%", disable=not enabled, leave=False, file=sys.stderr,
               bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}")

    def update(fraction: float) -> None:
        target = int(round(fraction * 100))
        if target > bar.n:
            bar.update(target - bar.n)

    return bar, update


def cmd_models_install(args: argparse.Namespace) -> int:
    from .models import install_all

    statuses = install_all(allow_download=not args.offline, log=lambda m: print(m, file=sys.stderr))
    for s in statuses:
        print(f"{'ok ' if s.ok else '-- '} {s.name:5s} {s.message}")
    full = next(s for s in statuses if s.name == "full")
    if not full.ok:
        print("error: the default pose model (full) could not be installed; see above.", file=sys.stderr)
        return 5
    return 0


def cmd_models_list(args: argparse.Namespace) -> int:
    from .models import MODEL_NAMES, model_path

    for name in MODEL_NAMES:
        path = model_path(name)
        print(f"{name:5s} {'installed' if path.exists() else 'missing  '} {path}")
    return 0


def cmd_track(args: argparse.Namespace) -> int:
    from .pipeline import track_video

    bar, update = _progress_bar("tracking", not args.quiet and sys.stderr.isatty())
    try:
        track = track_video(args.video, model=args.model, stride=args.stride, progress=update, mirror=args.mirrored)
    finally:
        bar.close()
    _warn_if_cut_short(track)
    out = track.save(args.output)
    msg = f"{out}: {len(track)} frames, {track.duration_s:.1f} s, pose found in {100 * track.detection_rate:.0f}% of frames (model {track.source.model})"
    if args.csv:
        track.to_csv(args.csv)
        msg += f"; CSV {args.csv}"
    print(msg)
    return 0


def _height(text: str) -> float:
    value = float(text)
    if not 50 <= value <= 250:
        raise argparse.ArgumentTypeError("give the body height in cm, between 50 and 250")
    return value


def cmd_analyze(args: argparse.Namespace) -> int:
    from .pipeline import analyze_video

    bar, update = _progress_bar("analysing", not args.quiet and sys.stderr.isatty())
    try:
        track, assessment = analyze_video(
            args.video,
            mode=args.mode,
            height_cm=args.height_cm,
            hands_on_hips=not args.free_arms,
            model=args.model,
            stride=args.stride,
            progress=update,
            mirror=args.mirrored,
        )
    finally:
        bar.close()
    _warn_if_cut_short(track)
    text = assessment.to_json(indent=2)
    if args.output:
        write_atomic(args.output, text.encode("utf-8"))
    else:
        print(text)
    if args.track:
        track.save(args.track)
    if args.output:
        print(_summary_line(assessment, args.output))
    return 0


def _warn_if_cut_short(track: PoseTrack) -> None:
    """Say so on stderr when decoding stopped well before the end the container announced."""
    from .metrics.quality import cut_short

    reason = cut_short(track)
    if reason is not None:
        print(f"warning: {reason.message[0].lower()}{reason.message[1:]}", file=sys.stderr)


def _summary_line(assessment, out: Path) -> str:  # type: ignore[no-untyped-def]
    if assessment.no_stance is not None:
        return f"{out}: {assessment.no_stance.message}"
    sides = ", ".join(f"{s.side} {s.duration_s:.1f} s" for s in assessment.stances)
    return f"{out}: {len(assessment.stances)} stance(s) ({sides}); data quality {assessment.quality.grade}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assess", description="Foot First: camera-based single-leg balance assessment.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    models = sub.add_parser("models", help="install or list the pose models")
    msub = models.add_subparsers(dest="models_command", required=True)
    inst = msub.add_parser("install", help="install the pose models into models/")
    inst.add_argument("--offline", action="store_true", help="skip the official download; build 'full' from PyPI's mediapipe 0.10.21 wheel")
    inst.set_defaults(func=cmd_models_install)
    lst = msub.add_parser("list", help="show which models are installed")
    lst.set_defaults(func=cmd_models_list)

    tr = sub.add_parser("track", help="track one person's pose through a video")
    tr.add_argument("video", type=Path, help="video file (mp4, mov, avi, webm, mkv)")
    tr.add_argument("-o", "--output", type=Path, required=True, help="track file to write (.npz)")
    tr.add_argument("--csv", type=Path, default=None, help="also write per-frame landmarks as CSV")
    tr.add_argument("--model", type=str, default="full", choices=("lite", "full", "heavy"), help="pose model (default: full)")
    tr.add_argument("--stride", type=_positive_int, default=1, help="analyse every N-th frame (for 60-240 fps video)")
    tr.add_argument("--mirrored", action="store_true", help="the video is a selfie/front-camera recording that shows the person as in a mirror (left and right swapped)")
    tr.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    tr.set_defaults(func=cmd_track)

    an = sub.add_parser("analyze", help="measure balance from a video and write the assessment as JSON")
    an.add_argument("video", type=Path, help="video file (mp4, mov, avi, webm, mkv)")
    an.add_argument("-o", "--output", type=Path, default=None, help="JSON file to write (default: print to stdout)")
    an.add_argument("--mode", choices=("stance", "squat"), default="stance", help="single-leg stance (default) or single-leg squat")
    an.add_argument("--height-cm", type=_height, default=None, help="body height in cm, for results in cm")
    an.add_argument("--free-arms", action="store_true", help="the trial did not ask for hands on hips")
    an.add_argument("--model", type=str, default="full", choices=("lite", "full", "heavy"), help="pose model (default: full)")
    an.add_argument("--stride", type=_positive_int, default=None, help="analyse every N-th frame (default: chosen from the frame rate)")
    an.add_argument("--track", type=Path, default=None, help="also save the pose track (.npz)")
    an.add_argument("--mirrored", action="store_true", help="the video is a selfie/front-camera recording that shows the person as in a mirror (left and right swapped)")
    an.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    an.set_defaults(func=cmd_analyze)

    from .records.cli import register as register_records

    register_records(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except AssessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        # e.g. an output folder that does not exist, or a full disk
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}.", file=sys.stderr)
        return 74


def run() -> NoReturn:
    """The ``assess`` command (and ``python -m assess``): :func:`main`, then a quick exit.

    By now the command has closed what it wrote (reports via
    :func:`~assess.files.write_atomic`, the records database after each
    operation). ``gc.freeze()`` spares the interpreter's last full garbage
    collection over the ~100 000 objects numpy, scipy and mediapipe leave
    behind: exit takes ~0.05 s instead of 0.2–0.27 s. Unlike ``os._exit``,
    atexit handlers still run and streams are flushed; only reference cycles
    among the frozen objects are left for the system to reclaim.
    """
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
