"""Page logic without a browser (Streamlit AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture()
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("FOOTFIRST_DB", str(tmp_path / "records.sqlite3"))
    return AppTest.from_file(APP, default_timeout=60)


def test_start_page_explains_setup_privacy_and_disclaimer(app: AppTest) -> None:
    app.run()
    assert not app.exception
    text = " ".join(m.value for m in app.markdown)
    assert "2–4 m" in text and "Privacy" in text
    assert any("not a diagnosis" in i.value for i in app.info)
    assert app.sidebar.radio[0].options == ["Start", "Live self-test", "Upload a video", "Try a sample video", "Patients"]


def test_upload_page_states_limits_and_waits_for_a_file(app: AppTest) -> None:
    app.run()
    app.sidebar.radio[0].set_value("Upload a video").run()
    assert not app.exception
    assert any("500 MB" in c.value and "10 minutes" in c.value for c in app.caption)
    analyse = next(b for b in app.button if b.label == "Analyse")
    assert analyse.disabled


def test_sample_page_lists_the_bundled_clips(app: AppTest) -> None:
    app.run()
    app.sidebar.radio[0].set_value("Try a sample video").run()
    assert not app.exception
    options = [Path(str(o)).name for o in app.selectbox[0].options]
    assert "left_stance_novalgus.mp4" in " ".join(options) or any("left stance novalgus" in o for o in options)


def test_patients_page_starts_empty(app: AppTest) -> None:
    app.run()
    app.sidebar.radio[0].set_value("Patients").run()
    assert not app.exception
