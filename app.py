"""Foot First — Streamlit front end.

Run with ``make run`` (or ``streamlit run app.py``). Pages: start, live
self-test (webcam), upload a video, try a sample video; all lead to the same
results view.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from assess.report import DISCLAIMER, Subject
from assess.ui import results
from assess.ui.analysis import (
    MAX_DURATION_S,
    MAX_SIDE_PX,
    MAX_UPLOAD_MB,
    Result,
    Upload,
    clean_at_start,
    discard,
    model_problem,
    run_analysis,
    show_error,
    show_model_problem,
)
from assess.ui.patients import current_patient_id, patient_page, pick_patient, save_result, with_patient

SAMPLES = Path(__file__).resolve().parent / "sample_videos"
AGE_BANDS = ("18-39", "40-49", "50-59", "60-69", "70-79", "80+")

st.set_page_config(page_title="Foot First", page_icon="🦶", layout="wide")


def subject_form(prefix: str) -> tuple[Subject, str, str, bool]:
    """Optional details for norms, and the test type (who it is comes from the patient picker)."""
    c1, c2, c3, c4 = st.columns(4)
    mode = c1.radio("Test", ("stance", "squat"), format_func=lambda m: "Single-leg stance" if m == "stance" else "Single-leg squat", key=f"{prefix}_mode")
    height = c2.number_input("Height (cm, optional)", min_value=0, max_value=250, value=0, step=1, key=f"{prefix}_height")
    age = c3.selectbox("Age band", AGE_BANDS, key=f"{prefix}_age")
    sex = c4.selectbox("Sex (for knee norms)", ("not given", "female", "male"), key=f"{prefix}_sex")
    c5, c6 = st.columns(2)
    eyes = "closed" if c5.checkbox("Eyes closed", key=f"{prefix}_eyes") else "open"
    hands = c6.checkbox("Hands on hips in this test", value=True, key=f"{prefix}_hands")
    subject = Subject(age_band=age, sex=None if sex == "not given" else sex, height_cm=float(height) if height >= 50 else None)
    return subject, mode, eyes, hands


def start_page() -> None:
    st.title("Foot First 🦶 single-leg balance check")
    st.markdown(
        "Stand on one leg in front of a camera. Foot First measures how much you **sway**, whether your **knee moves inward** "
        "(valgus), how your **pelvis and trunk** compensate and how steady your **foot and ankle** are — then says which "
        "exercises to do first: foot, calf, balance or hip work.\n\n"
        "**Set-up:** whole body in view head to feet · 2–4 m from the camera · camera at hip height, facing you · good light · "
        "fitted clothes · barefoot.\n\n"
        "**Privacy:** everything runs on this computer. No video leaves it unless you export it."
    )
    st.info(DISCLAIMER)
    st.markdown("Choose in the sidebar: **Live self-test** (webcam), **Upload a video** (e.g. a clinician's phone recording), or **Try a sample video**.")


def upload_page(*, model_ok: bool) -> Result | None:
    st.header("Upload a video")
    st.caption(f"MP4, MOV, AVI, WebM or MKV from a phone or camera; up to {MAX_UPLOAD_MB} MB, {MAX_DURATION_S // 60} minutes and {MAX_SIDE_PX} pixels a side (4K). The file is analysed on this computer and deleted afterwards.")
    file = st.file_uploader("Video of the test", type=["mp4", "mov", "avi", "webm", "mkv", "m4v"], key="upload_file")
    mirror = st.checkbox(
        "Mirrored (selfie / front camera) video",
        key="up_mirror",
        help="Tick this for a video filmed with the front camera of a phone that saved it mirrored: otherwise left and right are swapped.",
    )
    patient_id = pick_patient(key="up")
    subject, mode, eyes, hands = subject_form("up")
    subject = with_patient(subject, patient_id)
    if st.button("Analyse", type="primary", disabled=file is None or not model_ok, key="upload_go") and file is not None:
        return run_analysis(Upload(file.name, file.getvalue()), mode=mode, subject=subject, eyes=eyes, hands_on_hips=hands, display_name=file.name, mirror=mirror)
    return None


def sample_page(*, model_ok: bool) -> Result | None:
    st.header("Try a sample video")
    clips = sorted(SAMPLES.glob("*.mp4"))
    if not clips:
        st.warning("No sample videos found in sample_videos/.")
        return None
    clip = st.selectbox("Sample", clips, format_func=lambda p: p.stem.replace("_", " "), key="sample_clip")
    st.video(str(clip))
    patient_id = pick_patient(key="sample")
    subject, mode, eyes, hands = subject_form("sample")
    subject = with_patient(subject, patient_id)
    if "squat" in clip.stem and mode == "stance":
        st.caption("Tip: this sample is a single-leg squat set: choose “Single-leg squat”.")
    if st.button("Analyse", type="primary", disabled=not model_ok, key="sample_go"):
        return run_analysis(clip, mode=mode, subject=subject, eyes=eyes, hands_on_hips=hands, display_name=clip.name)
    return None


def main() -> None:
    clean_at_start()
    with st.sidebar:
        st.markdown("## Foot First")
        page = st.radio("Go to", ("Start", "Live self-test", "Upload a video", "Try a sample video", "Patients"), key="page")
        clinical = st.toggle("Clinician wording", value=False, key="clinical")
    new: Result | None = None
    problem = model_problem() if page != "Patients" else None
    if problem is not None:
        show_model_problem(problem)
    if page == "Start":
        start_page()
    elif page == "Live self-test":
        from assess.ui.live_page import live_page

        if problem is None:
            new = live_page(subject=Subject(), clinical=clinical)
    elif page == "Upload a video":
        new = upload_page(model_ok=problem is None)
    elif page == "Patients":
        patient_page()
    else:
        new = sample_page(model_ok=problem is None)
    if new is not None:
        old = st.session_state.get("result")
        if old is not None:
            discard(old.workdir)
        st.session_state["result"] = new
        st.session_state["result_page"] = page
        st.session_state["result_patient"] = current_patient_id()
    result = st.session_state.get("result")
    if result is not None and page != "Start" and st.session_state.get("result_page") == page:
        try:
            results.show(result, clinical=clinical)
            save_result(result.report, st.session_state.get("result_patient"))
        except Exception as exc:  # never a traceback in the page
            show_error(f"The results could not be shown ({type(exc).__name__}).", "Run the analysis again.")


main()
