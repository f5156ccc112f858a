"""A patient's history as CSV (one row per session, metric and leg) or as a PDF progress report.

Exports carry the pseudonymous patient ID; the name only when asked
(``include_name=True``). Files are written atomically to the path the user chose.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from matplotlib.figure import Figure

from ..errors import AssessError
from ..export import BrandedPdf
from .charts import figures
from .headline import BY_KEY
from .progress import SIDE_LABEL, Point, compare, conditions, fmt, history_table, trends, verdict_text
from .sdc import sdc_table
from .store import Patient, Store

CSV_COLUMNS = (
    "patient", "session", "recorded_at", "test", "eyes", "video", "model", "software", "grade",
    "metric", "side", "value", "unit", "reliable", "metric_grade", "source_metric", "change_from_first", "verdict",
)  # fmt: skip


def history_csv(store: Store, patient: Patient, *, include_name: bool = False) -> bytes:
    """Long-format CSV: one row per session × headline metric × leg, with the change from the first
    session of the same test and eyes condition and its verdict against the smallest detectable change."""
    sessions = store.sessions(patient.id)
    rows = store.metrics(patient.id)
    verdicts: dict[tuple[int, str, str], Point] = {}
    for test, eyes in conditions(sessions):
        for tr in trends(sessions, rows, test=test, eyes=eyes):
            for point in tr.points:
                verdicts[(point.session_id, tr.key, tr.side)] = point
    by_id = {s.id: s for s in sessions}
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(("patient_name",) + CSV_COLUMNS if include_name else CSV_COLUMNS)
    for r in rows:
        s = by_id[r.session_id]
        p = verdicts.get((r.session_id, r.key, r.side))
        cells = [
            patient.code, s.id, s.recorded_at, s.test, s.eyes, s.video_name, s.model, s.software, s.grade or "",
            r.key, r.side, "" if r.value is None else f"{r.value:.4f}", r.unit, int(r.reliable), r.grade, r.source,
            "" if p is None or p.change is None else f"{p.change:.4f}", "" if p is None else p.verdict,
        ]  # fmt: skip
        w.writerow([patient.name or "", *cells] if include_name else cells)
    return buf.getvalue().encode("utf-8")


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=130, bbox_inches="tight")
    return buf.getvalue()


def progress_pdf(store: Store, patient: Patient, *, include_name: bool = False) -> bytes:
    """PDF progress report: patient, session list, changes from the first session judged against
    the smallest detectable change, trend charts per metric and leg, and the SDC sources."""
    sessions = store.sessions(patient.id)
    rows = store.metrics(patient.id)
    pdf = BrandedPdf("Foot First — progress report", format="A4", orientation="landscape")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    w = pdf.epw

    def h(text: str, size: int = 12) -> None:
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", size)
        pdf.multi_cell(w, 7, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)

    def para(text: str, size: int = 9) -> None:
        pdf.set_font("DejaVu", "", size)
        pdf.multi_cell(w, 4.6, text, new_x="LMARGIN", new_y="NEXT")

    def table(header: list[str], body: list[list[str]], widths: list[float], size: int = 7) -> None:
        pdf.set_font("DejaVu", "B", size)
        for text, cw in zip(header, widths, strict=True):
            pdf.cell(cw, 5, text[:40], border="B")
        pdf.ln()
        pdf.set_font("DejaVu", "", size)
        for cells in body:
            for text, cw in zip(cells, widths, strict=True):
                pdf.cell(cw, 4.6, text[: max(4, int(cw / 1.45))])
            pdf.ln()

    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(0, 9, "Single-leg balance: progress over time", new_x="LMARGIN", new_y="NEXT")
    who = f"Patient ID: {patient.code}" + (f"    Name: {patient.name}" if include_name and patient.name else "")
    para(
        f"{who}    Birth year: {patient.birth_year or '—'}    Sex: {patient.sex or '—'}    "
        f"Height: {f'{patient.height_cm:.0f} cm' if patient.height_cm else '—'}    Sessions: {len(sessions)}"
    )
    pdf.disclaimer()

    h("Sessions")
    header, body = history_table(sessions, rows)
    fixed = [8, 26, 13, 11, 11, 40]
    rest = (w - sum(fixed)) / (len(header) - len(fixed))
    table(header, body, fixed + [rest] * (len(header) - len(fixed)), size=6)
    para("Values in brackets were measured with low confidence (unreliable).", 7)

    for test, eyes in conditions(sessions):
        group = [s for s in sessions if (s.test, s.eyes) == (test, eyes)]
        trs = trends(sessions, rows, test=test, eyes=eyes)
        h(f"Change from the first session — {test}, eyes {eyes} ({len(group)} session(s))")
        if len(group) >= 2:
            first, last = group[0], group[-1]
            cmp_rows = [
                [BY_KEY[c.key].label, SIDE_LABEL[c.side], fmt(c.a, c.unit, reliable=c.a_reliable), fmt(c.b, c.unit, reliable=c.b_reliable),
                 "—" if c.change is None else f"{c.change:+.1f}", verdict_text(c.verdict)]
                for c in compare(first, last, rows)
            ]  # fmt: skip
            para(f"First {first.recorded_at[:10]} (session {first.id}) vs latest {last.recorded_at[:10]} (session {last.id}):", 8)
            table(["Measure", "Leg", "First", "Latest", "Change", "Verdict"], cmp_rows, [60, 42, 26, 26, 20, w - 174], size=7)
        else:
            para("Only one session in this condition: no change to show yet.", 8)
        figs = figures(trs)
        for i, (_, fig) in enumerate(figs):
            if i % 2 == 0 and pdf.get_y() > pdf.h - 95:
                pdf.add_page()
            x = pdf.l_margin if i % 2 == 0 else pdf.l_margin + w / 2
            y = pdf.get_y()
            pdf.image(io.BytesIO(_png(fig)), x=x, y=y, w=w / 2 - 2)
            if i % 2 == 1 or i == len(figs) - 1:
                pdf.set_y(y + (w / 2 - 2) * 3.0 / 6.4 + 2)

    h("How change is judged")
    for s in sdc_table().values():
        label = BY_KEY[s.key].label
        if s.value is not None:
            para(f"• {label}: smallest detectable change {s.value:g} {s.unit} ({s.kind}) — {s.source}. {s.note}", 8)
        else:
            para(f"• {label}: {s.note}", 8)
    para(
        "A change smaller than the smallest detectable change is within measurement error and is not progress. "
        "Only sessions of the same test and eyes condition are compared; left–right differences are not judged.",
        8,
    )
    return bytes(pdf.output())


def export_history(store: Store, patient: Patient, path: str | Path, *, include_name: bool = False) -> Path:
    """Write ``patient``'s history to ``path``: CSV for ``.csv``, PDF for ``.pdf`` (atomic write)."""
    from ..files import write_atomic

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = history_csv(store, patient, include_name=include_name)
    elif suffix == ".pdf":
        data = progress_pdf(store, patient, include_name=include_name)
    else:
        raise AssessError(f"Cannot export to “{path.name}”: the name must end in .csv or .pdf.")
    if not path.parent.is_dir():
        raise AssessError(f"The folder {path.parent} does not exist.", hint="Create it or choose another output path.")
    return write_atomic(path, data)
