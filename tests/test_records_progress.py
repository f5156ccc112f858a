"""Trends, verdicts against the smallest detectable change, comparisons, charts and exports."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from assess.records import Store
from assess.records.charts import figures
from assess.records.export import export_history, history_csv, progress_pdf
from assess.records.headline import HEADLINES, headline_rows
from assess.records.progress import compare, history_table, trends
from assess.records.sdc import judge, sdc_for, sdc_table
from tests.test_records_support import make_assessment


def test_sdc_table_is_data_with_sources() -> None:
    table = sdc_table()
    assert set(table) == {h.key for h in HEADLINES}
    fppa = table["fppa"]
    assert (fppa.kind, fppa.value, fppa.unit) == ("published", 8.0, "deg") and "Munro" in fppa.source
    for key in ("hold_time", "sway_ml_velocity", "pelvic_drop"):
        assert table[key].kind == "none" and table[key].value is None and "No " in table[key].note
    assert sdc_for("fppa", "deg", "diff").value is None  # left-right differences: no SDC
    assert sdc_for("fppa", "rad").value is None  # another unit: the published value does not apply


@pytest.mark.parametrize(
    ("key", "before", "after", "reliable", "verdict"),
    [
        ("fppa", 14.0, 9.0, True, "within_error"),  # 5° < 8°: not progress
        ("fppa", 14.0, 4.0, True, "better"),
        ("fppa", 4.0, 13.0, True, "worse"),
        ("fppa", 5.0, -5.0, True, "within_error"),  # same size of angle, other way
        ("fppa", 14.0, 4.0, False, "unreliable"),
        ("hold_time", 10.0, 40.0, True, "not_judged"),  # no published SDC: never called progress
        ("sway_ml_velocity", 4.0, 1.0, True, "not_judged"),
        ("fppa", None, 4.0, True, "missing"),
    ],
)
def test_judge(key: str, before: float | None, after: float | None, reliable: bool, verdict: str) -> None:
    assert judge(key, before, after, unit="deg" if key == "fppa" else "s", reliable=reliable) == verdict


def test_headline_rows_per_test_type_and_leg() -> None:
    stance = {(r.key, r.side): r for r in headline_rows(make_assessment("right", fppa=9.0), test="stance")}
    assert stance[("fppa", "right")].source == "fppa_image_p95" and ("fppa", "left") not in stance and ("fppa", "diff") not in stance
    squat = {(r.key, r.side): r for r in headline_rows(make_assessment("left", mode="squat", fppa=12.0, both=True), test="squat")}
    assert squat[("fppa", "left")].source == "fppa_image_at_depth_rep_mean" and squat[("fppa", "left")].value == 12.0
    assert squat[("fppa", "diff")].value == pytest.approx(1.0) and squat[("hold_time", "diff")].unit == "s"


@pytest.fixture()
def followed(tmp_path: Path) -> tuple[Store, int]:
    """A patient with three stance sessions (FPPA 14° → 10° → 4° on the left) and one eyes-closed session."""
    store = Store(tmp_path / "r.sqlite3")
    p = store.create_patient("P-7", name="Secret Name", birth_year=1985, sex="male", height_cm=180.0)
    for day, fppa, hold in (("2025-01-06", 14.0, 12.0), ("2025-01-20", 10.0, 20.0), ("2025-02-03", 4.0, 30.0)):
        store.save_session(p.id, make_assessment("left", fppa=fppa, hold=hold, both=True), recorded_at=day, video_name=f"{day}.mp4")
    store.save_session(p.id, make_assessment("left", fppa=20.0), eyes="closed", recorded_at="2025-02-03")
    return store, p.id


def test_trends_compare_like_with_like(followed: tuple[Store, int]) -> None:
    store, pid = followed
    sessions, rows = store.sessions(pid), store.metrics(pid)
    by = {(t.key, t.side): t for t in trends(sessions, rows, test="stance", eyes="open")}
    fppa = by[("fppa", "left")]
    assert [p.value for p in fppa.points] == [14.0, 10.0, 4.0]  # the eyes-closed 20° is not in it
    assert [p.verdict for p in fppa.points] == ["baseline", "within_error", "better"]
    assert fppa.sdc.value == 8.0
    assert [p.verdict for p in by[("hold_time", "left")].points] == ["baseline", "not_judged", "not_judged"]
    assert by[("fppa", "diff")].sdc.value is None
    closed = trends(sessions, rows, test="stance", eyes="closed")
    assert {(t.key, t.side) for t in closed} == {(h.key, "left") for h in HEADLINES}


def test_compare_two_sessions(followed: tuple[Store, int]) -> None:
    store, pid = followed
    s = store.sessions(pid)
    rows = store.metrics(pid)
    c = {(x.key, x.side): x for x in compare(s[0], s[2], rows)}
    assert c[("fppa", "left")].change == pytest.approx(-10.0) and c[("fppa", "left")].verdict == "better"
    assert c[("hold_time", "left")].verdict == "not_judged"
    mixed = {(x.key, x.side): x for x in compare(s[0], s[3], rows)}  # eyes open vs eyes closed
    assert mixed[("fppa", "left")].verdict == "not_judged"


def test_unit_changes_are_left_out_of_a_trend(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.sqlite3")
    p = store.create_patient("P-U")
    store.save_session(p.id, make_assessment(unit="bh", pelvic=0.01), recorded_at="2025-01-01")
    store.save_session(p.id, make_assessment(unit="cm", pelvic=1.5), recorded_at="2025-01-08")
    tr = {(t.key, t.side): t for t in trends(store.sessions(p.id), store.metrics(p.id), test="stance", eyes="open")}
    assert tr[("pelvic_drop", "left")].unit == "cm" and tr[("pelvic_drop", "left")].left_out == 1
    assert [p.value for p in tr[("pelvic_drop", "left")].points] == [1.5]


def test_history_table_and_charts(followed: tuple[Store, int]) -> None:
    store, pid = followed
    header, rows = history_table(store.sessions(pid), store.metrics(pid))
    assert header[:6] == ["#", "date", "test", "eyes", "grade", "video"] and len(rows) == 4
    assert rows[0][header.index("FPPA L")] == "14.0°" and rows[0][header.index("hold R")] == "13.0 s"
    figs = figures(trends(store.sessions(pid), store.metrics(pid), test="stance", eyes="open"))
    titles = [t for t, _ in figs]
    assert len(figs) == 8 and any("FPPA" in t and "difference" not in t for t in titles)
    fppa_fig = next(f for t, f in figs if t.startswith("Knee inward angle (FPPA) (stance"))
    ax = fppa_fig.axes[0]
    assert len(ax.patches) == 2  # one SDC band per leg
    assert "smallest detectable change (Munro" in ax.get_xlabel()
    hold_fig = next(f for t, f in figs if t.startswith("Hold time (stance"))
    assert len(hold_fig.axes[0].patches) == 0 and "no published" in hold_fig.axes[0].get_xlabel()


def test_csv_export(followed: tuple[Store, int]) -> None:
    store, pid = followed
    p = store.patient(pid)
    rows = list(csv.DictReader(io.StringIO(history_csv(store, p).decode())))
    assert "patient_name" not in rows[0] and {r["patient"] for r in rows} == {"P-7"}
    fppa = [r for r in rows if r["metric"] == "fppa" and r["side"] == "left" and r["eyes"] == "open"]
    assert [(float(r["value"]), r["verdict"]) for r in fppa] == [(14.0, "baseline"), (10.0, "within_error"), (4.0, "better")]
    named = list(csv.DictReader(io.StringIO(history_csv(store, p, include_name=True).decode())))
    assert named[0]["patient_name"] == "Secret Name"


def test_pdf_export(followed: tuple[Store, int], tmp_path: Path) -> None:
    from pypdf import PdfReader

    store, pid = followed
    p = store.patient(pid)
    out = export_history(store, p, tmp_path / "progress.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "P-7" in text and "Secret Name" not in text
    assert "smallest detectable change" in text and "Munro" in text and "within measurement error" in text
    assert "Secret Name" in PdfReader(io.BytesIO(progress_pdf(store, p, include_name=True))).pages[0].extract_text()
