"""The app in a real browser (Debian's Chromium, Playwright): upload, results, downloads, errors.

Skipped with the install hint when Chromium is absent; `.ci/run` installs it.
Screenshots go to tests/screenshots/.
"""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pytest

from tests.browser import browser_page, goto_page, require_browser, screenshot, streamlit_server, upload
from tests.conftest import SAMPLE_VIDEOS, SHARED_VIDEOS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def stance_clip() -> Path:
    for path in sorted(SAMPLE_VIDEOS.glob("*stance*left*.mp4")) + sorted(SAMPLE_VIDEOS.glob("*.mp4")):
        return path
    shared = SHARED_VIDEOS / "singlelegstance_legswing_frontal_woman_studio_01.mp4"
    if shared.exists():
        return shared
    pytest.skip("no sample video to upload")


@pytest.fixture(scope="module")
def app_url():  # type: ignore[no-untyped-def]
    require_browser()
    with streamlit_server() as url:
        yield url


def test_upload_shows_results_and_valid_downloads(app_url: str, tmp_path: Path) -> None:
    clip = stance_clip()
    with browser_page() as page:
        goto_page(page, app_url, "Upload a video")
        upload(page, clip)
        page.get_by_role("button", name="Analyse").click()
        page.get_by_role("heading", name="Results").wait_for(timeout=240_000)
        page.get_by_text("Data quality").first.wait_for()
        page.get_by_role("heading", name="What to train first").wait_for()
        page.get_by_role("heading", name="Take it away").wait_for()
        page.set_viewport_size({"width": 1400, "height": 3000})  # the page scrolls inside a container: make it all visible
        page.get_by_role("heading", name="Plots").wait_for()
        time.sleep(1.0)
        shot = screenshot(page, "results")
        page.get_by_role("heading", name="Plots").wait_for()
        assert page.locator("[data-testid=stImage] img").count() >= 2
        assert shot.stat().st_size > 10_000

        files = {}
        for label in ("PDF report", "JSON", "CSV per frame", "CSV per trial"):
            with page.expect_download() as dl:
                page.get_by_role("button", name=label).click()
            target = tmp_path / dl.value.suggested_filename
            dl.value.save_as(target)
            files[label] = target
    pdf = files["PDF report"].read_bytes()
    assert pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-1024:]
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 1 and "Single-leg balance assessment" in reader.pages[0].extract_text()
    doc = json.loads(files["JSON"].read_text())
    assert doc["assessment"]["schema_version"] == 1 and "plan" in doc
    with files["CSV per frame"].open() as fh:
        header = next(csv.reader(fh))
    assert {"time_s", "left_knee_x", "right_ankle_y"} <= set(header)
    with files["CSV per trial"].open() as fh:
        rows = list(csv.DictReader(fh))
    assert rows and {"metric", "value", "unit", "grade"} <= set(rows[0])


def test_text_file_named_mp4_gives_a_friendly_error_and_the_app_still_works(app_url: str, tmp_path: Path) -> None:
    fake = tmp_path / "holiday.mp4"
    fake.write_text("this is not a video\n" * 100)
    with browser_page() as page:
        goto_page(page, app_url, "Upload a video")
        upload(page, fake)
        page.get_by_role("button", name="Analyse").click()
        alert = page.get_by_text("not a video file that can be read", exact=False)
        alert.wait_for(timeout=60_000)
        assert page.get_by_text("Traceback").count() == 0
        screenshot(page, "bad_upload")
        # the app keeps working: another page renders
        page.get_by_test_id("stSidebar").get_by_text("Start", exact=True).click()
        page.get_by_text("Privacy", exact=False).first.wait_for()
