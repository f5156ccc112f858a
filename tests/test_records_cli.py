"""`assess history` and `assess export`: tables, files, and one-line errors (no traceback)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from assess import cli
from assess.records import Store
from tests.test_records_support import make_assessment


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "records.sqlite3"
    store = Store(path)
    p = store.create_patient("P-12", name="Not Printed")
    store.save_session(p.id, make_assessment(fppa=14.0, hold=12.0), recorded_at="2025-01-06", video_name="w0.mp4")
    store.save_session(p.id, make_assessment(fppa=4.0, hold=30.0, reliable=False), recorded_at="2025-02-03", video_name="w4.mp4")
    return path


def test_history_lists_patients_and_sessions(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["history", "--db", str(db)]) == 0
    assert "P-12" in capsys.readouterr().out
    assert cli.main(["history", "--db", str(db), "--patient", "p-12"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Patient P-12: 2 session(s)" and "FPPA L" in out[1]
    assert out[2].split()[:2] == ["1", "2025-01-06"] and "14.0°" in out[2] and "(4.0°)" in out[3]
    assert "Not Printed" not in "\n".join(out)


def test_history_uses_footfirst_db(db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FOOTFIRST_DB", str(db))
    assert cli.main(["history", "--patient", "P-12"]) == 0
    assert "2 session(s)" in capsys.readouterr().out


def test_export_csv_and_pdf_by_suffix(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export", "--db", str(db), "--patient", "P-12", "-o", str(tmp_path / "h.csv")]) == 0
    rows = list(csv.DictReader((tmp_path / "h.csv").open()))
    assert {r["session"] for r in rows} == {"1", "2"}
    assert cli.main(["export", "--db", str(db), "--patient", "P-12", "-o", str(tmp_path / "h.pdf")]) == 0
    assert (tmp_path / "h.pdf").read_bytes().startswith(b"%PDF")
    assert "h.pdf" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["history", "--patient", "P-404"], 10, "No patient “P-404”"),
        (["export", "--patient", "P-404", "-o", "OUT/x.csv"], 10, "No patient “P-404”"),
        (["export", "--patient", "P-12", "-o", "OUT/x.docx"], 1, "must end in .csv or .pdf"),
        (["export", "--patient", "P-12", "-o", "OUT/missing/x.csv"], 1, "does not exist"),
    ],
)
def test_clean_errors(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], code: int, message: str) -> None:
    args = [a.replace("OUT", str(tmp_path)) for a in args]
    assert cli.main([*args, "--db", str(db)]) == code
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("kind", ["junk", "missing", "folder"])
def test_unreadable_database_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    path = {"junk": tmp_path / "junk.db", "missing": tmp_path / "nope.db", "folder": tmp_path}[kind]
    if kind == "junk":
        path.write_bytes(b"hello, not SQLite" * 100)
    assert cli.main(["history", "--patient", "P-1", "--db", str(path)]) == 9
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert not (tmp_path / "nope.db").exists()  # reading never creates a database
