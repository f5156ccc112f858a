"""The records database on a real SQLite file: CRUD, real deletion, crash safety, migrations, concurrency."""

from __future__ import annotations

import multiprocessing as mp
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assess.records import DatabaseUnreadable, PatientNotFound, RecordsError, SessionNotFound, Store, default_db_path
from assess.records import store as store_mod
from assess.records.schema import LATEST, Migration
from tests.test_records_support import PROJECT_ROOT, V1_SCHEMA, make_assessment


def raw(db: Path) -> bytes:
    """Every byte SQLite keeps for ``db``: the file and its WAL/SHM companions."""
    return b"".join(p.read_bytes() for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists())


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "records.sqlite3"


def test_default_path_env_and_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FOOTFIRST_DB", str(tmp_path / "x.sqlite3"))
    assert default_db_path() == tmp_path / "x.sqlite3"
    monkeypatch.delenv("FOOTFIRST_DB")
    import platformdirs

    assert default_db_path() == Path(platformdirs.user_data_dir("footfirst", appauthor=False)) / "records.sqlite3"


def test_create_read_update_delete(db: Path) -> None:
    store = Store(db)
    assert stat.S_IMODE(db.stat().st_mode) == 0o600 and stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST

    p = store.create_patient("P-0042", name="Jo Bloggs", birth_year=1970, sex="female", height_cm=168.0, notes="ACL rehab")
    auto = store.create_patient()
    assert auto.code.startswith("P-") and len(auto.code) == 8
    assert store.patient("p-0042") == p and store.patient(p.id) == p  # by ID (any case) or number
    assert [x.code for x in store.patients()] == sorted([p.code, auto.code])
    with pytest.raises(RecordsError, match="already exists"):
        store.create_patient("P-0042")
    with pytest.raises(RecordsError, match="rejected"):
        store.create_patient("P-BAD", sex="other")

    a = make_assessment("left", hold=12.0, fppa=14.0, both=True)
    s1 = store.save_session(p.id, a, recorded_at="2025-01-06", video_name="week0.mp4", video_path="/somewhere/week0.mp4")
    s2 = store.save_session(p.id, make_assessment("left", hold=25.0, fppa=4.0), eyes="closed", recorded_at="2025-02-03")
    assert [s.id for s in store.sessions(p.id)] == [s1.id, s2.id]
    assert (s1.test, s1.eyes, s1.model, s1.grade, s1.video_copy) == ("stance", "open", "full", "A", None)
    assert store.load_assessment(s1.id).to_json() == a.to_json()
    rows = {(r.session_id, r.key, r.side): r for r in store.metrics(p.id)}
    assert rows[(s1.id, "fppa", "left")].value == 14.0 and rows[(s1.id, "fppa", "right")].value == 15.0
    assert rows[(s1.id, "fppa", "diff")].value == pytest.approx(1.0)
    assert rows[(s1.id, "hold_time", "left")].unit == "s" and (s2.id, "fppa", "right") not in rows

    assert store.update_patient(p.id, notes="week 2", height_cm=169.0).notes == "week 2"
    assert store.update_session(s2.id, eyes="open", notes="retest").eyes == "open"
    with pytest.raises(PatientNotFound):
        store.update_patient(9999, notes="x")

    store.delete_session(s1.id)
    with pytest.raises(SessionNotFound):
        store.session(s1.id)
    assert count(db, "results") == 1 and count(db, "metrics") == len([r for r in store.metrics(p.id)])
    store.delete_patient(p.id)
    with pytest.raises(PatientNotFound):
        store.patient("P-0042")
    assert count(db, "sessions") == count(db, "results") == count(db, "metrics") == 0
    assert store.patients() == [auto]


def test_deleted_data_is_not_left_in_the_file(db: Path) -> None:
    store = Store(db)
    keep = store.create_patient("P-KEEP")
    store.save_session(keep.id, make_assessment(marker="KEEPME-clip"))
    gone = store.create_patient("P-GONE", name="Zebedee Quux", notes="MARKER-NOTES-7f3a")
    s = store.save_session(gone.id, make_assessment(marker="MARKER-VIDEO-91be"), video_name="MARKER-NAME-c4d2.mp4")
    other = store.save_session(keep.id, make_assessment(marker="MARKER-SESSION-5e6f"))
    assert b"MARKER-SESSION-5e6f" in raw(db)

    store.delete_session(other.id)
    assert b"MARKER-SESSION-5e6f" not in raw(db)
    store.delete_patient(gone.id)
    data = raw(db)
    for marker in (b"Zebedee Quux", b"MARKER-NOTES-7f3a", b"MARKER-VIDEO-91be", b"MARKER-NAME-c4d2"):
        assert marker not in data, marker
    assert b"KEEPME-clip" in data and store.sessions(keep.id)[0].id != s.id


def test_video_copy_only_when_asked_and_deleted_with_the_session(db: Path, tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00fake video" * 100)
    store = Store(db)
    p = store.create_patient("P-V")
    ref = store.save_session(p.id, make_assessment(), video_path=video)
    assert ref.video_path == str(video.resolve()) and ref.video_copy is None and not (db.parent / "videos").exists()
    copied = store.save_session(p.id, make_assessment(), video_path=video, copy_video=True)
    path = store.video_copy_path(copied)
    assert path is not None and path.read_bytes() == video.read_bytes() and path.parent == db.parent / "videos"
    store.delete_session(copied.id)
    assert not path.exists() and video.exists()


SAVE_SCRIPT = textwrap.dedent(
    """
    import sys
    from assess.records import Store
    from tests.test_records_support import make_assessment
    store = Store(sys.argv[1])
    store.save_session(store.patient("P-1").id, make_assessment(marker="HALF-SAVED"), video_name="crash.mp4")
    """
)


@pytest.mark.parametrize("point", ["after_session_insert", "after_result_insert"])
def test_a_crash_mid_save_loses_nothing_and_leaves_no_half_session(db: Path, point: str) -> None:
    store = Store(db)
    p = store.create_patient("P-1")
    before = [store.save_session(p.id, make_assessment(hold=h)) for h in (10.0, 20.0)]
    env = {**os.environ, store_mod.CRASH_ENV: point, "PYTHONPATH": str(PROJECT_ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", SAVE_SCRIPT, str(db)], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == -9, proc.stderr  # SIGKILLed in the middle of the transaction

    after = Store(db)
    assert after.sessions(p.id) == store.sessions(p.id) and [s.id for s in after.sessions(p.id)] == [s.id for s in before]
    assert count(db, "sessions") == count(db, "results") == 2
    assert {r.session_id for r in after.metrics(p.id)} == {s.id for s in before}
    assert [after.load_assessment(s.id).summary_metric("stance_duration", "left").value for s in before] == [10.0, 20.0]  # type: ignore[union-attr]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    # and the next save works
    after.save_session(p.id, make_assessment(hold=30.0))
    assert len(after.sessions(p.id)) == 3


def test_migration_from_the_first_schema_keeps_data(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.executescript(V1_SCHEMA.read_text())
    store = Store(db)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    ana = store.patient("P-OLD1")
    assert (ana.name, ana.birth_year, ana.sex, ana.height_cm, ana.notes) == ("Ana Example", 1961, "female", 164.0, "knee OA, left")
    assert store.patient("P-OLD2").name is None
    sessions = store.sessions(ana.id)
    assert [(s.recorded_at, s.video_name, s.notes) for s in sessions] == [
        ("2024-03-01", "week0.mp4", "baseline"),
        ("2024-04-12", "week6.mp4", ""),
    ]
    assert store.load_assessment(sessions[0].id).summary_metric("fppa_image_p95", "left").value == 14.0  # type: ignore[union-attr]
    rows = {(r.session_id, r.key, r.side): r.value for r in store.metrics(ana.id)}  # backfilled from the JSON
    assert rows[(1, "fppa", "left")] == 14.0 and rows[(2, "fppa", "left")] == 4.0 and rows[(2, "hold_time", "right")] == 26.0
    assert rows[(1, "fppa", "diff")] == pytest.approx(1.0)
    # the migrated database takes new sessions
    store.save_session(ana.id, make_assessment(fppa=3.0), recorded_at="2024-05-20")
    assert len(store.sessions(ana.id)) == 3


def test_a_failing_migration_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "old.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.executescript(V1_SCHEMA.read_text())

    def boom(conn: sqlite3.Connection) -> None:
        raise RuntimeError("step failed")

    steps = store_mod.MIGRATIONS + (Migration(LATEST + 1, "fails", "CREATE TABLE extra (x);", boom),)
    monkeypatch.setattr(store_mod, "MIGRATIONS", steps)
    monkeypatch.setattr(store_mod, "LATEST", LATEST + 1)
    with pytest.raises(RuntimeError, match="step failed"):
        Store(db)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"patients", "sessions", "results"}


def test_newer_or_foreign_files_are_refused_with_a_clear_error(tmp_path: Path) -> None:
    newer = tmp_path / "newer.sqlite3"
    with sqlite3.connect(newer) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST + 5}")
    with pytest.raises(DatabaseUnreadable, match="newer Foot First"):
        Store(newer)
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("not a database at all\n" * 200)
    with pytest.raises(DatabaseUnreadable, match="not a readable"):
        Store(junk)
    with pytest.raises(DatabaseUnreadable, match="No records database"):
        Store(tmp_path / "missing.sqlite3", create=False)
    assert not (tmp_path / "missing.sqlite3").exists()
    with pytest.raises(DatabaseUnreadable, match="folder"):
        Store(tmp_path)


def _writer(db: str, tag: str, n: int, start: mp.synchronize.Event) -> None:  # type: ignore[name-defined]
    store = Store(db)
    pid = store.patient("P-SHARED").id
    start.wait(30)
    for i in range(n):
        store.save_session(pid, make_assessment(hold=float(i), marker=f"{tag}-{i}"), notes=tag)
        if i % 5 == 0:
            store.create_patient(f"{tag}-{i}")


def test_two_processes_writing_at_once_both_succeed(db: Path) -> None:
    Store(db).create_patient("P-SHARED")
    ctx = mp.get_context("spawn")
    start = ctx.Event()
    procs = [ctx.Process(target=_writer, args=(str(db), tag, 25, start)) for tag in ("A", "B")]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(180)
    assert [p.exitcode for p in procs] == [0, 0]
    store = Store(db)
    sessions = store.sessions(store.patient("P-SHARED").id)
    assert sorted(s.notes for s in sessions) == ["A"] * 25 + ["B"] * 25
    assert len(store.patients()) == 1 + 2 * 5
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


NO_LEAK_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from assess.records import Store
    from assess.records.export import export_history
    from tests.test_records_support import make_assessment
    out = Path(sys.argv[1])
    store = Store()  # $FOOTFIRST_DB
    p = store.create_patient("P-PRIV", name="Private Person")
    for h in (10.0, 20.0, 30.0):
        store.save_session(p.id, make_assessment(hold=h, fppa=40.0 - h, both=True))
    store.delete_session(store.sessions(p.id)[0].id)
    export_history(store, p, out / "history.csv")
    export_history(store, p, out / "progress.pdf")
    """
)


def test_nothing_is_written_outside_the_data_folder_and_the_chosen_exports(tmp_path: Path) -> None:
    home = tmp_path / "home"
    tmp = tmp_path / "tmp"
    out = tmp_path / "exports"
    for d in (home, tmp, out):
        d.mkdir()
    data = home / "records"
    env = {
        **os.environ,
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "FOOTFIRST_DB": str(data / "records.sqlite3"),
        "MPLCONFIGDIR": str(tmp_path / "mpl"),  # matplotlib's font cache: not patient data
        "PYTHONPATH": str(PROJECT_ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    proc = subprocess.run(
        [sys.executable, "-c", NO_LEAK_SCRIPT, str(out)], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=180
    )
    assert proc.returncode == 0, proc.stderr
    written = sorted(
        p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file() and not p.is_relative_to(tmp_path / "mpl")
    )
    assert written == ["exports/history.csv", "exports/progress.pdf", "home/records/records.sqlite3"]
