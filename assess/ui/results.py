"""The results view: headline with traffic lights, the plan, plots, video, downloads."""

from __future__ import annotations

import streamlit as st

from .. import export, plots
from ..assessment import Metric
from ..findings.records import Finding, Plan
from ..report import DISCLAIMER
from .analysis import Result

LIGHT = {None: ":gray[○]", "none": ":green[●]", "mild": ":orange[●]", "moderate": ":orange[◆]", "marked": ":red[●]"}
"""Traffic lights as coloured text (emoji need a colour-emoji font, which many PCs lack)."""
HEADLINE = (
    ("stance_duration", "Hold time", ("hold_time",)),
    ("com_sway_ml_velocity", "Sway (side to side)", ("sway_velocity", "sway_area", "sway")),
    ("fppa_image_p95", "Knee inward angle in stance", ("knee_valgus_stance",)),
    ("fppa_image_at_depth_rep_mean", "Knee inward angle at squat depth", ("knee_valgus_squat",)),
    ("pelvic_drop_height_p95", "Pelvic drop", ("pelvic_drop",)),
    ("trunk_lean_p95", "Trunk lean over the standing leg", ("trunk_lean",)),
)


def _finding_for(plan: Plan, codes: tuple[str, ...], side: str) -> Finding | None:
    return next((f for f in plan.findings if f.side == side and any(f.code.startswith(c) for c in codes)), None)


def _value(m: Metric | None) -> str:
    if m is None or m.value is None:
        return "—"
    unit = {"deg": "°", "cm2": " cm²", "count": "", "s": " s"}.get(m.unit, f" {m.unit}")
    return f"{m.value:.1f}{unit}"


def headline(result: Result) -> None:
    """Per-leg headline numbers coloured by the findings' severity, and the quality grade."""
    a, plan = result.report.assessment, result.report.plan
    grade_colour = {"A": "green", "B": "green", "C": "orange", "D": "red"}[a.quality.grade]
    st.markdown(f"**Data quality: :{grade_colour}[grade {a.quality.grade}]** · camera view: {a.view.view} · lengths in {a.scale.unit} ({a.scale.method})")
    for r in a.quality.reasons:
        st.caption(f"• {r.message}")
    if a.no_stance is not None:
        st.warning(a.no_stance.message)
        return
    rows = []
    for name, label, codes in HEADLINE:
        left, right = a.summary_metric(name, "left"), a.summary_metric(name, "right")
        if left is None and right is None:
            continue
        cells = []
        for side, m in (("left", left), ("right", right)):
            f = _finding_for(plan, codes, side)
            light = LIGHT.get(f.severity if f is not None and f.assessed else None, LIGHT[None])
            text = _value(m)
            if m is not None and not m.quality.reliable:
                text += " (unreliable)"
            cells.append(f"{light} {text}")
        rows.append(f"| {label} | {cells[0]} | {cells[1]} |")
    st.markdown("| | Standing on left leg | Standing on right leg |\n|---|---|---|\n" + "\n".join(rows))
    st.caption(
        f"{LIGHT['none']} typical · {LIGHT['mild']} mild · {LIGHT['moderate']} moderate · {LIGHT['marked']} marked · "
        f"{LIGHT[None]} no threshold or not assessed. Norms and sources are in the PDF report and under “Findings”."
    )
    if a.asymmetry:
        big = sorted(a.asymmetry, key=lambda x: abs(x.symmetry_index_pct or 0.0), reverse=True)[:3]
        st.caption("Largest left–right differences: " + "; ".join(f"{x.name} {x.left:.1f} vs {x.right:.1f} {x.unit}" for x in big))


def plan_view(plan: Plan, *, clinical: bool) -> None:
    """The ranked exercise plan with the reason for each choice."""
    st.subheader("What to train first")
    if plan.status == "redo":
        st.info(plan.clinical if clinical else plan.plain)
        for step in plan.redo_steps:
            st.markdown(f"- {step}")
        return
    for rec in plan.recommendations:
        with st.expander(f"**{rec.rank}. {rec.name}** — {rec.dose}", expanded=rec.rank == 1):
            st.write(rec.clinical if clinical else rec.plain)
            st.markdown(f"*Targets:* {rec.purpose}")
            st.markdown("*How:* " + " ".join(rec.cues))
            st.markdown(f"*Progression:* {rec.progression}  \n*Easier:* {rec.regression}  \n*Safety:* {rec.safety}")
    if plan.keep_doing:
        st.markdown("**Keep doing:** " + ", ".join(r.name for r in plan.keep_doing))
    if plan.context:
        st.caption("Often associated with these patterns (context, not a diagnosis): " + ", ".join(c.name for c in plan.context))


def findings_view(plan: Plan) -> None:
    """Every finding with its number, threshold and source."""
    with st.expander("Findings, thresholds and sources"):
        for f in plan.findings:
            st.markdown(f"- {LIGHT.get(f.severity if f.assessed else None, LIGHT[None])} {f.clinical}")


def plots_view(result: Result) -> None:
    a = result.report.assessment
    if not a.stances:
        return
    st.subheader("Plots")
    st.pyplot(plots.timeline(a), clear_figure=True)
    cols = st.columns(min(3, len(a.stances) + 1))
    with cols[0]:
        st.pyplot(plots.side_bars(a), clear_figure=True)
    for col, stance in zip(cols[1:], a.stances[:2]):
        with col:
            st.pyplot(plots.stabilogram(a, stance), clear_figure=True)


def downloads(result: Result) -> None:
    st.subheader("Take it away")
    report = result.report
    stem = (report.video_name.rsplit(".", 1)[0] or "assessment").replace(" ", "_")
    c1, c2, c3, c4, c5 = st.columns(5)
    c1.download_button("PDF report", export.pdf_report(report), f"{stem}-report.pdf", "application/pdf", key="dl_pdf")
    c2.download_button("JSON", report.to_json().encode(), f"{stem}-assessment.json", "application/json", key="dl_json")
    c3.download_button("CSV per frame", export.frames_csv(result.track, report.assessment), f"{stem}-frames.csv", "text/csv", key="dl_frames")
    c4.download_button("CSV per trial", export.trials_csv(report.assessment), f"{stem}-trials.csv", "text/csv", key="dl_trials")
    if result.annotated is not None and result.annotated.exists():
        c5.download_button("Annotated MP4", result.annotated.read_bytes(), f"{stem}-annotated.mp4", "video/mp4", key="dl_mp4")


def show(result: Result, *, clinical: bool) -> None:
    """The whole results page."""
    st.header("Results")
    st.caption(f"Video: {result.report.video_name or 'unnamed'} · analysed {result.report.created[:16].replace('T', ' ')}")
    st.caption(DISCLAIMER)
    headline(result)
    plan_view(result.report.plan, clinical=clinical)
    findings_view(result.report.plan)
    if result.annotated is not None and result.annotated.exists():
        st.subheader("Annotated video")
        st.video(str(result.annotated))
    plots_view(result)
    downloads(result)
