"""The patient page in a real browser: two saved assessments of one patient, history, trend charts, export, delete.

Two real analyses of a sample clip are saved straight into the database the app
uses (``FOOTFIRST_DB`` of the Streamlit server), then the page is checked in
Chromium. Screenshot: tests/screenshots/patient_page.png.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from assess.assessment import Assessment
from assess.records import Store
from tests.browser import PROJECT_ROOT, browser_page, require_browser, screenshot, streamlit_server
from tests.test_records_support import real_assessments  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

def test_patient_page_shows_both_sessions_and_trends(tmp_path: Path, real_assessments: tuple[Assessment, Assessment]) -> None:  # noqa: F811
    from playwright.sync_api import expect

    require_browser()
    db = tmp_path / "data" / "records.sqlite3"
    store = Store(db)
    patient = store.create_patient("P-BROWSER", birth_year=1980, sex="male", height_cm=178.0)
    first, second = real_assessments
    s1 = store.save_session(patient.id, first, recorded_at="2025-01-06", video_name="week0-left.mp4")
    s2 = store.save_session(patient.id, second, recorded_at="2025-02-03", video_name="week4-left.mp4")

    with streamlit_server({"FOOTFIRST_DB": str(db)}) as url, browser_page() as page:
        page.goto(url)
        page.get_by_test_id("stSidebar").get_by_text("Patients", exact=True).click()
        page.get_by_role("heading", name="History").wait_for(timeout=60_000)
        main = page.get_by_test_id("stMain")
        history = main.get_by_test_id("stTable").first
        expect(history).to_contain_text("week0-left.mp4")
        expect(history).to_contain_text("week4-left.mp4")
        expect(history).to_contain_text("2025-01-06")
        expect(history).to_contain_text("2025-02-03")
        page.get_by_role("heading", name="Progress").wait_for()
        charts = main.locator("[data-testid=stImage] img")
        expect(charts.nth(3)).to_be_visible(timeout=60_000)  # hold time, sway, FPPA, pelvic drop (left leg)
        page.get_by_role("heading", name="Compare two sessions").wait_for()
        expect(main).to_contain_text("within measurement error")
        assert page.get_by_text("Traceback").count() == 0
        screenshot(page, "patient_page")

        with page.expect_download() as dl:
            page.get_by_role("button", name="History CSV").click()
        target = tmp_path / dl.value.suggested_filename
        dl.value.save_as(target)
        rows = list(csv.DictReader(target.open()))
        assert {r["session"] for r in rows} == {str(s1.id), str(s2.id)} and {r["patient"] for r in rows} == {"P-BROWSER"}

        # delete the first session, with confirmation
        page.get_by_text("Delete", exact=True).first.click()
        delete = page.get_by_role("button", name="Delete session")
        expect(delete).to_be_disabled()
        page.get_by_text(f"Yes, delete session #{s1.id} permanently").click()
        expect(delete).to_be_enabled()
        delete.click()
        expect(main.get_by_test_id("stTable").first).not_to_contain_text("week0-left.mp4", timeout=30_000)
    assert [s.id for s in store.sessions(patient.id)] == [s2.id]


def test_new_patient_analyse_and_save_from_the_sample_page(tmp_path: Path) -> None:
    """The wiring: create a patient before a test, analyse a sample, save it, find it on the patient page."""
    from playwright.sync_api import expect

    require_browser()
    if not (PROJECT_ROOT / "sample_videos" / "left_stance_novalgus.mp4").exists():
        pytest.skip("sample video left_stance_novalgus.mp4 not found")
    db = tmp_path / "data" / "records.sqlite3"
    with streamlit_server({"FOOTFIRST_DB": str(db)}) as url, browser_page() as page:
        page.goto(url)
        page.get_by_test_id("stSidebar").get_by_text("Try a sample video", exact=True).click()
        chooser = page.get_by_role("combobox", name="Patient", exact=True)
        expect(chooser).to_have_value("Anonymous self-test (not saved)", timeout=30_000)
        chooser.click()
        chooser.press("ArrowDown")  # open the list
        page.get_by_role("option", name="New patient…").click()
        page.get_by_label("Patient ID", exact=True).fill("P-NEW1")
        page.get_by_role("button", name="Create patient").click()
        expect(chooser).to_have_value("P-NEW1", timeout=30_000)  # the new patient is now the chosen one
        page.get_by_role("button", name="Analyse").click()
        page.get_by_role("heading", name="Results").wait_for(timeout=240_000)
        page.get_by_role("button", name="Save to P-NEW1's record").click()
        page.get_by_text("Saved to P-NEW1's record as session").wait_for(timeout=30_000)
        page.get_by_test_id("stSidebar").get_by_text("Patients", exact=True).click()
        expect(page.get_by_test_id("stMain").get_by_test_id("stTable").first).to_contain_text("left_stance_novalgus.mp4", timeout=30_000)
        assert page.get_by_text("Traceback").count() == 0
    store = Store(db)
    sessions = store.sessions(store.patient("P-NEW1").id)
    assert len(sessions) == 1 and sessions[0].video_name == "left_stance_novalgus.mp4"
    assert store.load_assessment(sessions[0].id).stances  # the full Assessment was stored
