"""Run an analysis for the app: private temp files, limits, progress, friendly errors.

Files on the server
-------------------
Each analysis gets its own private folder (``footfirst-*`` under the system
temp folder, mode 0700) holding an ``owner`` file (pid and start time of the
app process) and, while it runs, the uploaded video under a generated name.
The user's file name is only ever shown, never used as a path. The upload is
deleted as soon as the analysis ends, whatever the outcome; the folder itself
(with the annotated video the results page plays) lives as long as the
:class:`Result`: it is removed when a new analysis replaces it, when the
browser session ends (the Result is garbage-collected) and when the app exits.
Folders of an app process that was killed are removed at the next start
(:func:`clean_stale_dirs`). Exports are downloads: nothing else is written.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import tempfile
import time
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from ..errors import AssessError, ModelError, VideoError
from ..export import annotated_video
from ..models import DEFAULT_MODEL, require_model
from ..pipeline import analyze_video
from ..report import Report, Subject, make_report
from ..track import PoseTrack
from ..video import VIDEO_SUFFIXES, VideoInfo, probe

log = logging.getLogger("footfirst.app")

MAX_UPLOAD_MB = 500
"""Also ``server.maxUploadSize`` in .streamlit/config.toml; checked again on the bytes."""
MAX_DURATION_S = 10 * 60
MAX_SIDE_PX = 4096
"""Larger frames (beyond 4K) are refused: decoding them would take minutes and gigabytes."""
MAX_FRAMES = MAX_DURATION_S * 240
"""Ten minutes at 240 fps: more frames than this means a broken or hostile header."""
DIR_PREFIX = "footfirst-"
OWNER_FILE = "owner"
ORPHAN_AGE_S = 24 * 3600.0
"""A ``footfirst-*`` folder with no owner file is left alone until it is this old."""
MODEL_FIX = "In a terminal in the Foot First folder run `.venv/bin/assess models install` (or `make run`, which installs it), then reload this page."


@dataclass(frozen=True)
class Upload:
    """A file the browser sent: its bytes and the name the user gave it (for display only)."""

    name: str
    data: bytes


@dataclass
class Result:
    """What the results view shows for one analysed clip.

    The Result owns ``workdir``: the folder is deleted when the Result is
    garbage-collected (the browser session ended) or the interpreter exits.
    """

    report: Report
    track: PoseTrack
    annotated: Path | None
    workdir: Path | None
    """None for a live test: nothing of it is on disk."""

    def __post_init__(self) -> None:
        if self.workdir is not None:
            weakref.finalize(self, discard, self.workdir)


# ------------------------------------------------------------------ private folders
def _start_time(pid: int) -> str | None:
    """Start time of process ``pid`` in clock ticks since boot ("" where /proc is absent); None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        if Path("/proc/self/stat").exists():
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return ""
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]  # field 22, counted after "pid (comm)"


def private_dir() -> Path:
    """A fresh private folder for one analysis (0700), under the system temp folder, marked as this process's."""
    path = Path(tempfile.mkdtemp(prefix=DIR_PREFIX))
    try:
        (path / OWNER_FILE).write_text(f"{os.getpid()} {_start_time(os.getpid())}\n")
    except OSError as exc:
        discard(path)
        raise disk_error(exc, "Preparing a private folder for the video") from exc
    return path


def _owner_alive(folder: Path) -> bool | None:
    """Is the app process that made ``folder`` still running? None when the folder has no owner file."""
    try:
        pid_text, _, started = (folder / OWNER_FILE).read_text().strip().partition(" ")
        pid = int(pid_text)
    except (OSError, ValueError):
        return None
    now = _start_time(pid)
    return now is not None and (not now or not started or now == started)


def clean_stale_dirs(root: Path | None = None) -> list[Path]:
    """Remove the ``footfirst-*`` folders of app processes that no longer run; return what was removed.

    Only folders of this user are touched. A folder whose owner process still
    runs (this one or another app) is kept; one with no owner file is removed
    only after :data:`ORPHAN_AGE_S`.
    """
    root = Path(root) if root is not None else Path(tempfile.gettempdir())
    removed = []
    for folder in sorted(root.glob(f"{DIR_PREFIX}*")):
        try:
            info = folder.lstat()
        except OSError:
            continue
        if folder.is_symlink() or not folder.is_dir() or info.st_uid != os.getuid():
            continue
        alive = _owner_alive(folder)
        if alive or (alive is None and time.time() - info.st_mtime < ORPHAN_AGE_S):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


@st.cache_resource(show_spinner=False)
def clean_at_start() -> list[Path]:
    """:func:`clean_stale_dirs` once per app process (the first page view)."""
    removed = clean_stale_dirs()
    if removed:
        log.info("removed %d temp folder(s) left by an app that was stopped: %s", len(removed), ", ".join(p.name for p in removed))
    return removed


def discard(workdir: Path | None) -> None:
    """Delete a result's private folder (uploads and generated files)."""
    if workdir is not None:
        shutil.rmtree(workdir, ignore_errors=True)


# ------------------------------------------------------------------ checks
def disk_error(exc: OSError, doing: str) -> AssessError:
    """A user-facing error for a failed file operation on the server (a full disk above all)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return AssessError(f"{doing} failed: the disk is full. Nothing was kept.", hint=f"Free some disk space (the temporary folder is {tempfile.gettempdir()}) and try again.")
    return AssessError(f"{doing} failed ({exc.strerror or exc}).", hint="Try again; if it keeps happening, check the disk and the temporary folder's permissions.")


def save_upload(upload: Upload, workdir: Path) -> Path:
    """Store uploaded bytes under a generated name; only the suffix of the user's name is kept."""
    suffix = Path(upload.name).suffix.lower()
    if suffix not in VIDEO_SUFFIXES:
        raise VideoError(f"“{upload.name}” is not a video type we read ({suffix or 'no extension'}).", hint="Upload an MP4, MOV, AVI, WebM or MKV file.")
    if len(upload.data) > MAX_UPLOAD_MB * 1024 * 1024:
        raise VideoError(f"The file is larger than {MAX_UPLOAD_MB} MB.", hint="Trim the video to the test itself, or export it at a lower resolution.")
    path = workdir / f"upload-{uuid.uuid4().hex}{suffix}"
    try:
        if shutil.disk_usage(workdir).free < len(upload.data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        path.write_bytes(upload.data)
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise disk_error(exc, "Storing the upload") from exc
    return path


def _demuxed_duration(path: Path) -> float:
    """Length of the first video stream from its packets' times, for files whose header has none (browser WebM)."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        times = [float(p.pts * stream.time_base) for p in container.demux(stream) if p.pts is not None and stream.time_base is not None]
    return max(times) - min(times) if times else 0.0


def check_limits(info: VideoInfo) -> None:
    """Refuse a video longer than :data:`MAX_DURATION_S`, with more than :data:`MAX_FRAMES` or frames beyond :data:`MAX_SIDE_PX`."""
    duration = info.duration_s if info.duration_s > 0 else _demuxed_duration(info.path)
    if duration > MAX_DURATION_S:
        raise VideoError(f"The video is {duration / 60:.0f} minutes long; the limit is {MAX_DURATION_S // 60} minutes.", hint="Trim it to the test itself.")
    if max(info.width, info.height) > MAX_SIDE_PX:
        raise VideoError(f"The video is {info.width}×{info.height} pixels; the limit is {MAX_SIDE_PX} px on each side.", hint="Export it at 1080p or 4K.")
    if info.n_frames > MAX_FRAMES:
        raise VideoError(f"The video says it has {info.n_frames} frames; the limit is {MAX_FRAMES}.", hint="Export it again at a normal frame rate (up to 240 fps).")


def model_problem(name: str = DEFAULT_MODEL) -> ModelError | None:
    """Why the pose model cannot be used (missing, or fails to load and run), or None when it works.

    The load test runs once per file version (path, size, modification time), so
    a model installed while the app runs is picked up on the next page view.
    """
    try:
        path = require_model(name)
        info = path.stat()
    except ModelError as exc:
        return exc
    except OSError as exc:
        return ModelError(f"The pose model {name} cannot be read ({exc.strerror or exc}).")
    return _load_test(str(path), info.st_size, info.st_mtime_ns)


@st.cache_resource(show_spinner="Checking the pose model …")
def _load_test(path: str, size: int, mtime_ns: int) -> ModelError | None:
    from ..pose import verify_model

    try:
        verify_model(Path(path))
    except ModelError as exc:
        return exc
    return None


def show_model_problem(problem: ModelError) -> None:
    """The model error with the one fix that works from a terminal."""
    show_error(f"The pose model cannot be used, so no video can be analysed. {problem.message}", MODEL_FIX)


# ------------------------------------------------------------------ the analysis
def _stage(bar: Any, start: float, span: float, label: str) -> Callable[[float], None]:
    """A progress callback that maps a stage's fraction 0…1 onto ``start … start + span`` of the bar."""

    def update(fraction: float) -> None:
        fraction = min(1.0, max(0.0, fraction))
        bar.progress(start + span * fraction, text=label.format(pct=100 * fraction))

    return update


def run_analysis(
    video: Path | Upload,
    *,
    mode: str,
    subject: Subject,
    eyes: str,
    hands_on_hips: bool,
    display_name: str,
    mirror: bool = False,
) -> Result | None:
    """Analyse a file (or an upload, stored privately first) with a progress bar.

    Shows a friendly error and returns None on failure. The upload is deleted
    when this returns, whatever happened; the private folder too unless a
    :class:`Result` now owns it (also when Streamlit stops the script midway
    because the user clicked something).

    ``mirror`` : the video is a mirrored selfie recording (sides are swapped back).
    """
    workdir: Path | None = None
    stored: Path | None = None
    result: Result | None = None
    bar = st.progress(0.0, text="Checking the video …")
    try:
        workdir = private_dir()
        if isinstance(video, Upload):
            video = stored = save_upload(video, workdir)
        check_limits(probe(video))
        track, assessment = analyze_video(
            video,
            mode=mode,
            height_cm=subject.height_cm,
            hands_on_hips=hands_on_hips,
            mirror=mirror,
            progress=_stage(bar, 0.0, 0.8, "Tracking the pose … {pct:.0f}%"),
        )
        bar.progress(0.82, text="Building the exercise plan …")
        report = make_report(assessment, subject=subject, video_name=display_name, eyes=eyes)
        bar.progress(0.85, text="Drawing the annotated video …")
        annotated = workdir / "annotated.mp4"
        try:
            annotated_video(video, track, assessment, annotated, progress=_stage(bar, 0.85, 0.15, "Drawing the annotated video …"))
        except OSError as exc:
            raise disk_error(exc, "Drawing the annotated video") from exc
        result = Result(report, track, annotated, workdir)
    except AssessError as exc:
        show_error(exc.message, exc.hint)
    except OSError as exc:
        error = disk_error(exc, "Analysing the video")
        show_error(error.message, error.hint)
    except Exception as exc:  # the app must keep working for the next try
        log.exception("analysis failed")
        show_error(f"Something went wrong while analysing this video ({type(exc).__name__}).", "Try another recording; if it keeps happening, report it with the video's format and length.")
    finally:
        if stored is not None:
            stored.unlink(missing_ok=True)  # the upload is never kept
        if result is None:
            discard(workdir)
        bar.empty()  # last: on a rerun request any st call may raise again
    return result


def show_error(message: str, hint: str | None = None) -> None:
    """A friendly error box: what happened, and what to do."""
    st.error(f"**{message}**" + (f"\n\n{hint}" if hint else ""), icon="⚠️")
