"""Patients in the app: choose one before a test, save results to their record, and the patient page.

Entry points for ``app.py``:

* :func:`pick_patient` — before an analysis: an existing patient, a new one, or
  anonymous (nothing saved). Returns the patient's id or None.
* :func:`with_patient` — the test form's :class:`Subject` with blanks filled
  from the patient's record (height for cm, sex and age band for norms).
* :func:`save_result` — after an analysis: a "Save to record" button.
* :func:`patient_page` — history, trends with the smallest detectable change,
  comparison of two sessions, exports, editing and deleting.

The database is :class:`assess.records.Store` at ``$FOOTFIRST_DB`` or the user's
data folder; every call opens its own connection.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import streamlit as st

from ..records import Patient, RecordsError, Session, Store, save_report
from ..records import export as rexport
from ..records.charts import figures
from ..records.progress import SIDE_LABEL, compare, condition, conditions, fmt, history_table, trends, verdict_text
from ..records.sdc import sdc_table
from ..report import Report, Subject
from .analysis import show_error

ANONYMOUS = -1
NEW = -2
CURRENT = "ff_patient_id"
"""Session-state key of the patient chosen last (shared by the pages)."""

AGE_BANDS = ((18, 39, "18-39"), (40, 49, "40-49"), (50, 59, "50-59"), (60, 69, "60-69"), (70, 79, "70-79"), (80, 200, "80+"))


def _store() -> Store | None:
    try:
        return Store()
    except RecordsError as exc:
        show_error(exc.message, exc.hint)
        return None


def _label(p: Patient) -> str:
    return f"{p.code} — {p.name}" if p.name else p.code


def current_patient_id() -> int | None:
    """The patient chosen last with :func:`pick_patient` in this browser session, or None."""
    pid = st.session_state.get(CURRENT)
    return int(pid) if pid is not None else None


def pick_patient(*, key: str = "pick") -> int | None:
    """Choose who is being tested: a patient (id returned), a new patient, or anonymous (None, nothing saved)."""
    store = _store()
    if store is None:
        return None
    patients = {p.id: p for p in store.patients()}
    options = [ANONYMOUS, *patients, NEW]
    widget = f"{key}_patient"
    if st.session_state.get(widget) not in options or f"{key}_pending" in st.session_state:
        # before the widget exists: follow the patient chosen elsewhere, or the one just created
        pending = st.session_state.pop(f"{key}_pending", None) or current_patient_id()
        st.session_state[widget] = pending if pending in patients else ANONYMOUS
    names = {ANONYMOUS: "Anonymous self-test (not saved)", NEW: "➕ New patient…"}
    choice = st.selectbox(
        "Patient",
        options,
        key=widget,
        format_func=lambda i: names.get(i) or _label(patients[i]),
        help="Results of a patient can be saved to their record and followed over time, on this computer only.",
    )
    if choice == NEW:
        created = _new_patient_form(store, key=key)
        if created is not None:
            st.session_state[CURRENT] = created.id
            st.session_state[f"{key}_pending"] = created.id
            st.rerun()
        return None
    st.session_state[CURRENT] = None if choice == ANONYMOUS else choice
    return None if choice == ANONYMOUS else int(choice)


SEXES = ("not given", "female", "male")


def _details_inputs(key: str, p: Patient | None = None) -> tuple[str, dict[str, Any]]:
    """The patient-details inputs (prefilled from ``p``): the ID as typed, and the other fields as the store takes them."""
    c1, c2, c3, c4, c5 = st.columns(5)
    code = c1.text_input("Patient ID", value=p.code if p else "", placeholder="generated if empty", key=f"{key}_code")
    name = c2.text_input("Name (optional)", value=(p.name or "") if p else "", key=f"{key}_name")
    year = c3.number_input(
        "Birth year (optional)", min_value=0, max_value=_dt.date.today().year, value=(p.birth_year or 0) if p else 0, step=1, key=f"{key}_year"
    )
    sex = c4.selectbox("Sex", SEXES, index=SEXES.index(p.sex) if p and p.sex in SEXES else 0, key=f"{key}_sex")
    height = c5.number_input("Height cm (optional)", min_value=0, max_value=250, value=int(p.height_cm or 0) if p else 0, step=1, key=f"{key}_height")
    notes = st.text_area("Notes", value=p.notes if p else "", key=f"{key}_notes", height=68)
    return code, {
        "name": name.strip() or None,
        "birth_year": int(year) if year >= 1900 else None,
        "sex": None if sex == "not given" else sex,
        "height_cm": float(height) if height >= 50 else None,
        "notes": notes,
    }


def _new_patient_form(store: Store, *, key: str) -> Patient | None:
    with st.form(f"{key}_new_patient"):
        st.markdown("**New patient** — use a pseudonymous ID; the name is optional and stays on this computer.")
        code, details = _details_inputs(f"{key}_new")
        if not st.form_submit_button("Create patient", type="primary"):
            return None
    try:
        return store.create_patient(code.strip() or None, **details)
    except RecordsError as exc:
        show_error(exc.message, exc.hint)
        return None


def patient_subject(patient_id: int | None) -> Subject | None:
    """The patient's details for the analysis and the norms (age band from the birth year), or None."""
    store = _store() if patient_id is not None else None
    if store is None or patient_id is None:
        return None
    try:
        p = store.patient(patient_id)
    except RecordsError:
        return None
    band = None
    if p.birth_year:
        age = _dt.date.today().year - p.birth_year
        band = next((b for lo, hi, b in AGE_BANDS if lo <= age <= hi), None)
    return Subject(label=p.code, age_band=band, sex=p.sex, height_cm=p.height_cm, notes=p.notes)


def with_patient(subject: Subject, patient_id: int | None) -> Subject:
    """``subject`` from the test form with blanks filled from the patient's record (ID as label, height, sex, age band)."""
    record = patient_subject(patient_id)
    if record is None:
        return subject
    return Subject(
        label=subject.label or record.label,
        age_band=record.age_band or subject.age_band,
        sex=subject.sex or record.sex,
        height_cm=subject.height_cm or record.height_cm,
        notes=subject.notes or record.notes,
    )


def save_result(
    report: Report, patient_id: int | None, *, video_path: str | None = None, allow_copy: bool = False, key: str = "save"
) -> int | None:
    """Offer to save ``report`` to ``patient_id``'s record; returns the session id once saved.

    Nothing is shown for an anonymous test (``patient_id`` None). The same report
    is saved at most once per browser session. ``allow_copy`` offers to keep a
    copy of the video at ``video_path`` in the records folder (otherwise only its
    name and path are noted).
    """
    if patient_id is None:
        return None
    saved: dict[str, int] = st.session_state.setdefault("ff_saved_reports", {})
    token = f"{patient_id}|{report.created}|{report.video_name}|{id(report.assessment)}"
    store = _store()
    if store is None:
        return None
    try:
        patient = store.patient(patient_id)
    except RecordsError as exc:
        show_error(exc.message, exc.hint)
        return None
    st.subheader("Patient record")
    if token in saved:
        st.success(f"Saved to {patient.code}'s record as session {saved[token]}. See the Patients page for progress.")
        return saved[token]
    c1, c2 = st.columns(2)
    day = c1.date_input("Date of the test", value=_dt.date.today(), key=f"{key}_date")
    notes = c2.text_input("Session notes (optional)", key=f"{key}_notes")
    copy = st.checkbox("Also keep a copy of the video in the records folder", key=f"{key}_copy") if allow_copy and video_path else False
    if st.button(f"Save to {patient.code}'s record", type="primary", key=f"{key}_go"):
        recorded = report.created if day == _dt.date.today() else day.isoformat()
        try:
            session = save_report(store, report, patient_id, video_path=video_path, copy_video=copy, recorded_at=recorded, notes=notes)
        except RecordsError as exc:
            show_error(exc.message, exc.hint)
            return None
        saved[token] = session.id
        st.rerun()
    return None


# ------------------------------------------------------------------ patient page
def patient_page() -> None:
    """The patient page: choose a patient, then history, trends, comparison, exports, edit and delete."""
    st.header("Patients")
    st.caption(
        "Records stay on this computer. Only like is compared with like (same test, same eyes condition), and a change "
        "smaller than the smallest detectable change is shown as “within measurement error”, not as progress."
    )
    store = _store()
    if store is None:
        return
    st.caption(f"Records file: `{store.path}`")
    patients = store.patients()
    if not patients:
        st.info("No patients yet. Choose “New patient…” when you analyse a video, or create one here.")
        created = _new_patient_form(store, key="pp")
        if created is not None:
            st.session_state[CURRENT] = created.id
            st.rerun()
        return
    ids = [p.id for p in patients]
    by_id = {p.id: p for p in patients}
    if st.session_state.get("pp_patient") not in ids:
        current = current_patient_id()
        st.session_state["pp_patient"] = current if current in ids else ids[0]
    pid = st.selectbox("Patient", ids, format_func=lambda i: _label(by_id[i]), key="pp_patient")
    st.session_state[CURRENT] = pid
    patient = by_id[pid]
    try:
        _patient_view(store, patient)
    except RecordsError as exc:
        show_error(exc.message, exc.hint)


def _patient_view(store: Store, patient: Patient) -> None:
    sessions = store.sessions(patient.id)
    rows = store.metrics(patient.id)
    facts = [
        patient.code if not patient.name else f"{patient.code} · {patient.name}",
        f"born {patient.birth_year or '—'}",
        patient.sex or "sex not given",
        f"{patient.height_cm:.0f} cm" if patient.height_cm else "height not given",
        f"{len(sessions)} session(s)",
    ]
    st.markdown(f"**{facts[0]}** · " + " · ".join(facts[1:]))
    if patient.notes:
        st.caption(patient.notes)
    _edit_patient(store, patient)
    if not sessions:
        st.info("No sessions saved for this patient yet.")
    else:
        st.subheader("History")
        header, body = history_table(sessions, rows)
        st.table({h: [r[i] for r in body] for i, h in enumerate(header)})
        st.caption("Values in brackets were measured with low confidence (unreliable).")
        _trends(sessions, rows)
        _compare(sessions, rows)
    _exports(store, patient, bool(sessions))
    _delete(store, patient, sessions)


def _edit_patient(store: Store, p: Patient) -> None:
    with st.expander("Edit patient details"):
        with st.form("pp_edit"):
            code, details = _details_inputs("pp_edit", p)
            if st.form_submit_button("Save details"):
                try:
                    store.update_patient(p.id, code=code, **details)
                except RecordsError as exc:
                    show_error(exc.message, exc.hint)
                    return
                st.rerun()


def _trends(sessions: list[Session], rows: list) -> None:  # type: ignore[type-arg]
    st.subheader("Progress")
    groups = conditions(sessions)
    test, eyes = (
        st.selectbox("Test and condition", groups, format_func=lambda g: f"{g[0]}, eyes {g[1]}", key="pp_condition")
        if len(groups) > 1
        else groups[0]
    )
    trs = trends(sessions, rows, test=test, eyes=eyes)
    n = sum(1 for s in sessions if (s.test, s.eyes) == (test, eyes))
    if n < 2:
        st.info(f"One session of {test}, eyes {eyes} so far: a trend needs two.")
    figs = figures(trs)
    cols = st.columns(2)
    for i, (_, fig) in enumerate(figs):
        with cols[i % 2]:
            st.pyplot(fig, clear_figure=False)
    latest = {}
    for tr in trs:
        p = tr.points[-1] if len(tr.points) > 1 else None
        if p is not None:
            latest[f"{tr.label}, {SIDE_LABEL[tr.side]}"] = f"{'—' if p.change is None else f'{p.change:+.1f}'} → {verdict_text(p.verdict)}"
    if latest:
        st.markdown("**Latest session against the first:**\n" + "\n".join(f"- {k}: {v}" for k, v in latest.items()))
    with st.expander("How change is judged (smallest detectable change, sources)"):
        for s in sdc_table().values():
            st.markdown(f"- **{s.key}**: " + (f"±{s.value:g} {s.unit}, {s.kind} — {s.source}. {s.note}" if s.value is not None else s.note))


def _session_label(s: Session) -> str:
    return f"#{s.id} · {s.recorded_at[:10]} · {condition(s)} · {s.video_name or 'no video name'}"


def _compare(sessions: list[Session], rows: list) -> None:  # type: ignore[type-arg]
    if len(sessions) < 2:
        return
    st.subheader("Compare two sessions")
    by = {s.id: s for s in sessions}
    ids = [s.id for s in sessions]
    c1, c2 = st.columns(2)
    a = c1.selectbox("Earlier session", ids, index=0, format_func=lambda i: _session_label(by[i]), key="pp_cmp_a")
    b = c2.selectbox("Later session", ids, index=len(ids) - 1, format_func=lambda i: _session_label(by[i]), key="pp_cmp_b")
    sa, sb = by[a], by[b]
    if (sa.test, sa.eyes) != (sb.test, sb.eyes):
        st.warning("These sessions are different tests or eyes conditions: the numbers are shown but not compared.")
    table = [
        {
            "Measure": c.label,
            "Leg": SIDE_LABEL[c.side],
            f"#{sa.id} {sa.recorded_at[:10]}": fmt(c.a, c.unit, reliable=c.a_reliable),
            f"#{sb.id} {sb.recorded_at[:10]}": fmt(c.b, c.unit, reliable=c.b_reliable),
            "Change": "—" if c.change is None else f"{c.change:+.1f}",
            "Verdict": verdict_text(c.verdict),
        }
        for c in compare(sa, sb, rows)
    ]
    if table:
        st.table({k: [r[k] for r in table] for k in table[0]})


def _exports(store: Store, patient: Patient, any_sessions: bool) -> None:
    st.subheader("Export")
    if not any_sessions:
        st.caption("Nothing to export yet.")
        return
    include_name = (
        st.checkbox("Include the name in exports (otherwise the pseudonymous ID only)", key="pp_include_name") if patient.name else False
    )
    c1, c2 = st.columns(2)
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in patient.code)
    c1.download_button(
        "History CSV", rexport.history_csv(store, patient, include_name=include_name), f"{stem}-history.csv", "text/csv", key="pp_dl_csv"
    )
    c2.download_button(
        "Progress report PDF",
        rexport.progress_pdf(store, patient, include_name=include_name),
        f"{stem}-progress.pdf",
        "application/pdf",
        key="pp_dl_pdf",
    )


def _delete(store: Store, patient: Patient, sessions: list[Session]) -> None:
    with st.expander("Delete"):
        if sessions:
            by = {s.id: s for s in sessions}
            sid = st.selectbox("Session", list(by), format_func=lambda i: _session_label(by[i]), key="pp_del_session")
            sure = st.checkbox(f"Yes, delete session #{sid} permanently", key="pp_del_session_sure")
            if st.button("Delete session", disabled=not sure, key="pp_del_session_go"):
                store.delete_session(sid)
                st.session_state.pop("pp_del_session_sure", None)
                st.rerun()
            st.divider()
        typed = st.text_input(f"To delete {patient.code} and all their sessions, type the patient ID", key="pp_del_patient_code")
        if st.button("Delete patient", disabled=typed.strip() != patient.code, key="pp_del_patient_go"):
            store.delete_patient(patient.id)
            st.session_state[CURRENT] = None
            st.session_state.pop("pp_del_patient_code", None)
            st.rerun()
        st.caption("Deleting removes the rows and wipes them from the file (secure delete, then the file is compacted).")
