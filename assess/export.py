"""Exports of a `Report`: JSON, CSV (per frame and per trial), PDF, annotated MP4.

Every exporter returns bytes (or writes to a path the caller chose), and file
writes go through a temporary file that replaces the target only when it is
complete, so a full disk never leaves half a file behind.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import cast

import av
import cv2
import matplotlib
import numpy as np
from fpdf import FPDF
from numpy.typing import NDArray

from . import plots
from .assessment import Assessment, Metric
from .landmarks import side_idx
from .overlay import draw_skeleton
from .report import DISCLAIMER, Report
from .track import PoseTrack
from .video import iter_frames

_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
"""DejaVu fonts ship with matplotlib: Unicode (°, –, ≥) without a system font."""


# ------------------------------------------------------------------ CSV
def frames_csv(track: PoseTrack, assessment: Assessment) -> bytes:
    """Per-frame CSV: landmarks (named columns, as :meth:`PoseTrack.to_csv`) plus every per-frame series.

    Series columns are named like ``fppa_image.left`` with their unit in the
    header (``fppa_image.left [deg]``); frames outside a series are empty.
    """
    buf = io.StringIO()
    with tempfile.TemporaryDirectory() as tmp:
        track.to_csv(Path(tmp) / "t.csv")
        rows = (Path(tmp) / "t.csv").read_text().splitlines()
    names = sorted(assessment.series)
    cols: list[np.ndarray] = []
    for name in names:
        s = assessment.series[name]
        col = np.full(len(track), np.nan)
        # series share the track's time base; match by nearest time
        j = np.clip(np.searchsorted(s.times, track.times), 0, max(len(s.times) - 1, 0))
        if len(s.times):
            close = np.abs(s.times[j] - track.times) < 0.5 / max(track.fps, 1.0)
            col[close] = s.values[j[close]]
        cols.append(col)
    writer = csv.writer(buf)
    writer.writerow(rows[0].split(",") + [f"{n} [{assessment.series[n].unit}]" for n in names])
    for i, line in enumerate(rows[1:]):
        writer.writerow(line.split(",") + ["" if not np.isfinite(c[i]) else f"{c[i]:.4f}" for c in cols])
    return buf.getvalue().encode("utf-8")


def trials_csv(assessment: Assessment) -> bytes:
    """Per-trial CSV: one row per metric of each stance (and the summary rows)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["scope", "stance", "side", "lift_off_s", "touch_down_s", "metric", "value", "unit", "grade", "reliable", "description"])

    def row(scope: str, stance: str, side: str | None, t0: str, t1: str, m: Metric) -> None:
        value = "" if m.value is None else f"{m.value:.4f}"
        writer.writerow([scope, stance, side or "", t0, t1, m.name, value, m.unit, m.quality.grade, m.quality.reliable, m.description])

    for s in assessment.stances:
        for m in s.metrics:
            row("stance", str(s.index + 1), s.side, f"{s.lift_off_s:.3f}", f"{s.touch_down_s:.3f}", m)
    for m in assessment.summary:
        row("summary", "", m.side, "", "", m)
    return buf.getvalue().encode("utf-8")


# ------------------------------------------------------------------ PDF
class BrandedPdf(FPDF):
    """A4 PDF with DejaVu fonts (Unicode), a running title and the screening-aid footer."""

    def __init__(self, title: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.running_title = title
        self.add_font("DejaVu", "", str(_FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(_FONT_DIR / "DejaVuSans-Bold.ttf"))

    def header(self) -> None:
        self.set_font("DejaVu", "B", 9)
        self.set_text_color(90, 90, 90)
        self.cell(0, 6, self.running_title, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)

    def disclaimer(self) -> None:
        """The screening-aid statement, small and in dark red, across the page."""
        self.set_font("DejaVu", "", 8)
        self.set_text_color(150, 30, 30)
        self.multi_cell(self.epw, 4, DISCLAIMER, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 7)
        self.set_text_color(120, 120, 120)
        self.cell(0, 5, f"Screening aid, not a diagnosis · page {self.page_no()}", align="C")


def _fmt(m: Metric | None) -> str:
    if m is None or m.value is None:
        return "—"
    unit = {"deg": "°", "cm2": " cm²", "count": ""}.get(m.unit, f" {m.unit}")
    text = f"{m.value:.1f}{unit}"
    return text if m.quality.reliable else f"({text}, unreliable)"


HEADLINE = (
    ("stance_duration", "Hold time"),
    ("com_sway_ml_velocity", "Sway velocity, side to side"),
    ("com_sway_ml_rms", "Sway RMS, side to side"),
    ("fppa_image_p95", "Knee inward angle (FPPA), 95th pct"),
    ("fppa_image_at_depth_mean", "Knee FPPA at squat depth"),
    ("pelvic_drop_p95", "Pelvic drop, 95th pct"),
    ("trunk_lean_p95", "Trunk lean to stance side, 95th pct"),
)


def pdf_report(report: Report) -> bytes:
    """A clinic-ready PDF: subject, results with quality, plots, the plan with reasons and sources, method notes."""
    a, plan = report.assessment, report.plan
    pdf = BrandedPdf("Foot First — single-leg balance report", format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    w = pdf.epw

    def h(text: str) -> None:
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", 12)
        pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)

    def para(text: str, size: int = 9) -> None:
        pdf.set_font("DejaVu", "", size)
        pdf.multi_cell(w, 4.6, text, new_x="LMARGIN", new_y="NEXT")

    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(0, 9, "Single-leg balance assessment", new_x="LMARGIN", new_y="NEXT")
    s = report.subject
    para(
        f"Patient / ID: {s.label or '—'}    Age band: {s.age_band or '—'}    Sex: {s.sex or '—'}    "
        f"Height: {f'{s.height_cm:.0f} cm' if s.height_cm else '—'}\n"
        f"Test: {'single-leg squat' if a.mode == 'squat' else 'single-leg stance'}, eyes {report.eyes}    "
        f"Video: {report.video_name or '—'}    Date: {report.created or '—'}    {report.software}"
    )
    pdf.disclaimer()

    h(f"Results (data quality {a.quality.grade})")
    if a.no_stance is not None:
        para(a.no_stance.message)
    else:
        pdf.set_font("DejaVu", "B", 8)
        col = (w * 0.46, w * 0.27, w * 0.27)
        for text, cw in zip(("Measure", "Left leg stance", "Right leg stance"), col):
            pdf.cell(cw, 5, text, border="B")
        pdf.ln()
        pdf.set_font("DejaVu", "", 8)
        for name, label in HEADLINE:
            left, right = a.summary_metric(name, "left"), a.summary_metric(name, "right")
            if left is None and right is None:
                continue
            pdf.cell(col[0], 5, label)
            pdf.cell(col[1], 5, _fmt(left))
            pdf.cell(col[2], 5, _fmt(right))
            pdf.ln()
    for r in a.quality.reasons:
        para(f"• {r.message}", 8)

    h("What to train first")
    for rec in plan.recommendations:
        pdf.set_font("DejaVu", "B", 9)
        pdf.multi_cell(w, 5, f"{rec.rank}. {rec.name} — {rec.dose}", new_x="LMARGIN", new_y="NEXT")
        para(rec.clinical, 8)
    if plan.keep_doing:
        para("Keep doing: " + ", ".join(r.name for r in plan.keep_doing), 8)
    for step in plan.redo_steps:
        para(f"• {step}", 8)

    if a.stances:
        pdf.add_page()
        h("Plots")
        pdf.image(io.BytesIO(plots.to_png(plots.timeline(a))), w=w)
        pdf.image(io.BytesIO(plots.to_png(plots.side_bars(a))), w=w * 0.9)
        first = a.stances[0]
        pdf.image(io.BytesIO(plots.to_png(plots.stabilogram(a, first))), w=w * 0.45)

    h("Findings")
    for f in plan.findings:
        para(f"• {f.clinical}", 8)
    h("Method and quality")
    para(
        f"Pose: MediaPipe PoseLandmarker ({a.source.get('model', '?')} model) on {a.source.get('n_frames', '?')} frames at "
        f"{a.source.get('fps', 0):.0f} fps; pose found in {100 * a.source.get('detection_rate', 0):.0f}% of frames. "
        f"Camera view: {a.view.view}. Scale: {a.scale.method} ({a.scale.note}). Landmarks low-pass filtered "
        f"(4th-order Butterworth, {a.parameters.get('cutoff_hz_used', 6)} Hz, zero phase). FPPA = angle between the "
        "thigh (hip→knee) and shank (knee→ankle) lines in the image, + = knee medial. Sway of the centre of mass "
        "(segment-mass model) and the pelvis; AP sway from a frontal camera is low-confidence. Norms and thresholds, "
        "with sources, are listed with each finding.",
        8,
    )
    return bytes(pdf.output())


# ------------------------------------------------------------ annotated video
def _fppa_at(assessment: Assessment, side: str, t: float) -> float | None:
    s = assessment.series.get(f"fppa_image.{side}")
    if s is None or not len(s.times):
        return None
    j = int(np.clip(np.searchsorted(s.times, t), 0, len(s.times) - 1))
    v = s.values[j]
    return float(v) if np.isfinite(v) else None


def annotated_video(
    video: str | Path,
    track: PoseTrack,
    assessment: Assessment,
    out: str | Path,
    *,
    max_width: int = 960,
    progress: Callable[[float], None] | None = None,
) -> Path:
    """Write an H.264 MP4 (browser-playable) of the analysed frames with the skeleton,
    the stance knee's FPPA drawn at the knee, the stance window and balance events."""
    out = Path(out)
    stride = max(1, track.source.stride)
    tmp = out.with_name(f".{out.name}.part.mp4")
    container = av.open(str(tmp), mode="w")
    try:
        scale = min(1.0, max_width / track.width)
        w = int(round(track.width * scale / 2)) * 2
        hgt = int(round(track.height * scale / 2)) * 2
        stream = container.add_stream("libx264", rate=Fraction(track.fps).limit_denominator(1001))
        stream.width, stream.height = w, hgt
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "26", "preset": "veryfast", "movflags": "+faststart"}
        events = [(e.time_s, e.kind) for s in assessment.stances for e in s.events]
        j = 0
        for frame in iter_frames(video, stride=stride):
            while j + 1 < len(track) and track.times[j] < frame.time_s - 1e-6:
                j += 1
            img = cast(NDArray[np.uint8], cv2.resize(frame.rgb, (w, hgt), interpolation=cv2.INTER_AREA)) if scale < 1 else frame.rgb
            if abs(track.times[j] - frame.time_s) < 0.5 / track.fps:
                img = draw_skeleton(img, track.image[j], track.visibility[j])
                img = _draw_stance(img, assessment, track, j, frame.time_s, events)
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")):
                container.mux(packet)
            if progress is not None and track.duration_s > 0:
                progress(min(1.0, frame.time_s / track.duration_s))
        for packet in stream.encode():
            container.mux(packet)
        container.close()  # writes the index (moov): a full disk may fail here too
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(Exception):
            container.close()
        tmp.unlink(missing_ok=True)
        raise
    return out


def _draw_stance(img: np.ndarray, a: Assessment, track: PoseTrack, j: int, t: float, events: list[tuple[float, str]]) -> np.ndarray:
    h, w = img.shape[:2]
    stance = next((s for s in a.stances if s.lift_off_s <= t <= s.touch_down_s), None)
    font = cv2.FONT_HERSHEY_SIMPLEX
    size = max(0.5, h / 900)
    if stance is not None:
        cv2.putText(img, f"{stance.side} leg stance  {t - stance.lift_off_s:4.1f} s", (12, int(30 * size * 1.6)), font, size, (255, 255, 255), 2, cv2.LINE_AA)
        fppa = _fppa_at(a, stance.side, t)
        knee = track.image[j, side_idx(stance.side, "knee"), :2] * np.array([w, h])
        if fppa is not None and np.all(np.isfinite(knee)):
            colour = (80, 220, 80) if abs(fppa) < 10 else (255, 200, 0) if abs(fppa) < 15 else (255, 60, 60)
            cv2.putText(img, f"FPPA {fppa:+.0f} deg", (int(knee[0]) + 12, int(knee[1])), font, size, colour, 2, cv2.LINE_AA)
    recent = [k for (te, k) in events if 0 <= t - te < 1.0]
    if recent:
        cv2.putText(img, plots.EVENT_LABELS.get(recent[-1], recent[-1]), (12, h - 20), font, size, (255, 60, 60), 2, cv2.LINE_AA)
    return img
