"""Run an analysis for the app: private temp files, progress, friendly errors."""

from __future__ import annotations

import logging
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from ..errors import AssessError, VideoError
from ..export import annotated_video
from ..pipeline import analyze_video
from ..report import Report, Subject, make_report
from ..track import PoseTrack
from ..video import VIDEO_SUFFIXES, probe

log = logging.getLogger("footfirst.app")

MAX_UPLOAD_MB = 500
MAX_DURATION_S = 10 * 60


@dataclass
class Result:
    """What the results view shows for one analysed clip."""

    report: Report
    track: PoseTrack
    annotated: Path | None
    workdir: Path


def private_dir() -> Path:
    """A fresh private folder for one analysis (0700), under the system temp dir."""
    return Path(tempfile.mkdtemp(prefix="footfirst-"))


def save_upload(data: bytes, original_name: str, workdir: Path) -> Path:
    """Store uploaded bytes under a generated name; only the suffix of the user's name is kept."""
    suffix = Path(original_name).suffix.lower()
    if suffix not in VIDEO_SUFFIXES:
        raise VideoError(f"“{original_name}” is not a video type we read ({suffix or 'no extension'}).", hint="Upload an MP4, MOV, AVI, WebM or MKV file.")
    if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
        raise VideoError(f"The file is larger than {MAX_UPLOAD_MB} MB.", hint="Trim the video to the test itself, or export it at a lower resolution.")
    path = workdir / f"upload-{uuid.uuid4().hex}{suffix}"
    path.write_bytes(data)
    return path


def run_analysis(video: Path, *, mode: str, subject: Subject, eyes: str, hands_on_hips: bool, display_name: str, workdir: Path) -> Result | None:
    """Analyse ``video`` with a progress bar; show a friendly error and return None on failure."""
    bar = st.progress(0.0, text="Checking the video …")
    try:
        info = probe(video)
        if info.duration_s > MAX_DURATION_S:
            raise VideoError(f"The video is {info.duration_s / 60:.0f} minutes long; the limit is {MAX_DURATION_S // 60} minutes.", hint="Trim it to the test itself.")
        track, assessment = analyze_video(
            video,
            mode=mode,
            height_cm=subject.height_cm,
            hands_on_hips=hands_on_hips,
            progress=lambda f: bar.progress(min(0.8, 0.8 * f), text=f"Tracking the pose … {100 * f:.0f}%"),
        )
        bar.progress(0.82, text="Building the exercise plan …")
        report = make_report(assessment, subject=subject, video_name=display_name, eyes=eyes)
        bar.progress(0.85, text="Drawing the annotated video …")
        annotated = workdir / "annotated.mp4"
        annotated_video(video, track, assessment, annotated, progress=lambda f: bar.progress(0.85 + 0.15 * f, text="Drawing the annotated video …"))
        bar.empty()
        return Result(report, track, annotated, workdir)
    except AssessError as exc:
        bar.empty()
        show_error(exc.message, exc.hint)
    except Exception as exc:  # the app must keep working for the next try
        log.exception("analysis failed")
        bar.empty()
        show_error(f"Something went wrong while analysing this video ({type(exc).__name__}).", "Try another recording; if it keeps happening, report it with the video's format and length.")
    return None


def show_error(message: str, hint: str | None = None) -> None:
    """A friendly error box: what happened, and what to do."""
    st.error(f"**{message}**" + (f"\n\n{hint}" if hint else ""), icon="⚠️")


def discard(workdir: Path | None) -> None:
    """Delete a result's private folder (uploads and generated files)."""
    if workdir is not None:
        shutil.rmtree(workdir, ignore_errors=True)
