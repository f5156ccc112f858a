"""Page logic without a browser (Streamlit AppTest)."""

from __future__ import annotations

import tempfile
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
    assert any("500 MB" in c.value and "10 minutes" in c.value and "4096 pixels" in c.value for c in app.caption)
    assert app.checkbox(key="up_mirror").label == "Mirrored (selfie / front camera) video"
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


def test_a_mirrored_upload_is_read_with_its_sides_swapped_and_only_the_result_folder_stays(
    app: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The upload page's "Mirrored" box reaches the pipeline: a right-leg stance clip, read as a
    mirror image, is a left-leg stance. The upload itself is gone once the results show."""
    clip = Path(APP).parent / "sample_videos" / "right_stance_valgus15.mp4"
    if not clip.exists():
        pytest.skip(f"{clip.name} not found in sample_videos/")
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    app.run()
    app.sidebar.radio[0].set_value("Upload a video").run()
    app.checkbox(key="up_mirror").check()
    app.file_uploader(key="upload_file").set_value((clip.name, clip.read_bytes(), "video/mp4"))
    app.run()
    next(b for b in app.button if b.label == "Analyse").click().run(timeout=240)
    assert not app.exception and not app.error, [e.value for e in app.error]
    result = app.session_state["result"]
    assert [s.side for s in result.report.assessment.stances] == ["left"]
    assert result.track.source.extra.get("mirrored") is True
    assert any(c.value.startswith(f"Video: {clip.name}") for c in app.caption)
    folders = list(temp.glob("footfirst-*"))
    assert len(folders) == 1 and sorted(p.name for p in folders[0].iterdir()) == ["annotated.mp4", "owner"]
