"""The records database: patients, their test sessions and the results, in one SQLite file.

* Where: ``path`` given by the caller, else ``$FOOTFIRST_DB``, else
  ``<platformdirs user data dir>/footfirst/records.sqlite3``. The folder is
  created private (0700) and the file 0600; SQLite's ``-wal``/``-shm`` files sit
  next to it. Nothing else is written anywhere (temporary tables and VACUUM run
  in memory), except video copies, on request, in ``<data folder>/videos/``.
* How: one connection per operation (safe from any thread or process), WAL
  mode, a busy timeout, and every write in one ``BEGIN IMMEDIATE`` transaction,
  so a crash mid-save leaves the file as it was before the save.
* Deleting really deletes: ``secure_delete`` zeroes freed pages, and after a
  delete the file is vacuumed and the WAL truncated.
* Schema upgrades: :mod:`assess.records.schema` (``PRAGMA user_version``), run
  on open, in one transaction.
"""

from __future__ import annotations

import datetime as _dt
import os
import secrets
import shutil
import signal
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .. import __version__
from ..assessment import Assessment
from ..report import Report
from .errors import DatabaseUnreadable, PatientNotFound, RecordsError, SessionNotFound
from .headline import HeadlineValue, headline_rows
from .schema import LATEST, MIGRATIONS

ENV_DB = "FOOTFIRST_DB"
DB_FILENAME = "records.sqlite3"
BUSY_TIMEOUT_S = 15.0
DISK_FULL_BYTES = 1 << 20
"""An SQLite I/O error with less free space than this on the records' disk is reported as a full disk."""
CRASH_ENV = "FOOTFIRST_RECORDS_TEST_CRASH_AT"
"""Test hook: a save SIGKILLs its own process at the named point (``after_session_insert``,
``after_result_insert``), to prove a crash mid-save loses nothing. Unset in normal use."""

_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def default_db_path() -> Path:
    """``$FOOTFIRST_DB`` if set, else ``records.sqlite3`` in the user's data folder for "footfirst"."""
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("footfirst", appauthor=False)) / DB_FILENAME


def _now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


# ------------------------------------------------------------------ records
@dataclass(frozen=True)
class Patient:
    """A person being followed. ``code`` is the pseudonymous ID shown and exported; ``name`` is optional."""

    id: int
    code: str
    name: str | None
    birth_year: int | None
    sex: str | None
    height_cm: float | None
    notes: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Session:
    """One recorded test of a patient (the Assessment itself is loaded with :meth:`Store.load_assessment`).

    recorded_at : ISO date(-time) of the test. test : "stance"/"squat". eyes : "open"/"closed".
    video_path : where the video was when saved (a reference; the file may have moved).
    video_copy : file name under ``<data folder>/videos/`` when a copy was asked for.
    """

    id: int
    patient_id: int
    recorded_at: str
    created_at: str
    test: str
    eyes: str
    video_name: str
    video_path: str | None
    video_copy: str | None
    model: str
    software: str
    grade: str | None
    notes: str


@dataclass(frozen=True)
class MetricRow(HeadlineValue):
    """A stored headline number (see :mod:`assess.records.headline`) and the session it belongs to."""

    session_id: int


def _row(cls: type, row: sqlite3.Row) -> Any:
    return cls(**{f.name: row[f.name] for f in fields(cls)})


# ------------------------------------------------------------------ connection
def _crash_point(name: str) -> None:
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _split_sql(script: str) -> Iterator[str]:
    """Statements of a script (``executescript`` would commit our transaction)."""
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            yield buf
            buf = ""
    if buf.strip():
        yield buf


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to the latest schema, all steps in one transaction; returns the version now."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > LATEST:
        raise DatabaseUnreadable(
            f"The records database was written by a newer Foot First (schema {version}, this version knows {LATEST}).",
            hint="Update Foot First.",
        )
    if version == LATEST:
        return version
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated meanwhile
        for step in MIGRATIONS:
            if step.version <= version:
                continue
            for statement in _split_sql(step.sql):
                conn.execute(statement)
            if step.run is not None:
                step.run(conn)
            conn.execute(f"PRAGMA user_version = {int(step.version)}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return LATEST


class Store:
    """The records database at ``path`` (default: :func:`default_db_path`).

    Every method opens its own connection, so one ``Store`` may be shared by
    threads (Streamlit sessions) and several processes may use the same file.
    ``create=False`` refuses to create a missing database (for read-only tools).
    """

    def __init__(self, path: str | Path | None = None, *, create: bool = True) -> None:
        self.path = Path(path).expanduser() if path is not None else default_db_path()
        self.create = create
        with self._connect():
            pass  # create / migrate / check now, so a bad file fails here with a clear message

    @property
    def data_dir(self) -> Path:
        """The folder of the database; video copies go to its ``videos/`` sub-folder."""
        return self.path.parent

    # -------------------------------------------------------------- plumbing
    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if not self.path.exists():
            if not self.create:
                raise DatabaseUnreadable(
                    f"No records database at {self.path}.", hint="Save an assessment first, or give the right --db path."
                )
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:
                pass
            except OSError as exc:
                raise DatabaseUnreadable(f"Cannot create the records database at {self.path}: {exc.strerror or exc}.") from exc
        elif self.path.is_dir():
            raise DatabaseUnreadable(f"{self.path} is a folder, not a records database.")
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise DatabaseUnreadable(f"Cannot open the records database {self.path} ({exc}).") from exc
        conn.row_factory = sqlite3.Row
        try:
            try:
                conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute("PRAGMA secure_delete = ON")
                conn.execute("PRAGMA temp_store = MEMORY")
                migrate(conn)
            except sqlite3.DatabaseError as exc:
                self._raise_if_disk_full(exc)
                raise DatabaseUnreadable(f"{self.path} is not a readable Foot First records database ({exc}).") from exc
            try:
                yield conn
            except sqlite3.OperationalError as exc:
                self._raise_if_disk_full(exc)
                if "locked" in str(exc) or "busy" in str(exc):
                    raise DatabaseUnreadable(
                        f"The records database {self.path} stayed busy for {BUSY_TIMEOUT_S:.0f} s.", hint="Try again."
                    ) from exc
                raise
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.IntegrityError):
                    raise
                raise DatabaseUnreadable(f"The records database {self.path} cannot be read ({exc}).") from exc
        finally:
            conn.close()

    def _raise_if_disk_full(self, exc: sqlite3.Error) -> None:
        """Turn SQLite's "disk full" (or an I/O error on a disk with almost no space left) into a plain message."""
        code = getattr(exc, "sqlite_errorcode", None)
        full = code == sqlite3.SQLITE_FULL
        if not full and code is not None and code & 0xFF == sqlite3.SQLITE_IOERR:
            try:
                full = shutil.disk_usage(self.path.parent).free < DISK_FULL_BYTES
            except OSError:
                full = False
        if full:
            raise RecordsError(
                f"The disk holding the records ({self.path.parent}) is full: nothing was saved.",
                hint="Free some disk space and try again; the records saved before are unchanged.",
            ) from exc

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A connection inside ``BEGIN IMMEDIATE`` … ``COMMIT`` (ROLLBACK on any error)."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:  # SQLite may have rolled back already (disk full, I/O error)
                    conn.execute("ROLLBACK")
                raise

    def compact(self) -> None:
        """Rebuild the file and empty the WAL, so nothing deleted is left in either."""
        with self._connect() as conn:
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # -------------------------------------------------------------- patients
    def create_patient(
        self,
        code: str | None = None,
        *,
        name: str | None = None,
        birth_year: int | None = None,
        sex: str | None = None,
        height_cm: float | None = None,
        notes: str = "",
    ) -> Patient:
        """Add a patient. ``code`` is the pseudonymous ID (generated, like ``P-7K3Q9D``, when not given)."""
        now = _now()
        for _ in range(20):
            c = _clean_code(code) if code else "P-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))
            try:
                with self._write() as conn:
                    cur = conn.execute(
                        "INSERT INTO patients (code, name, birth_year, sex, height_cm, notes, created_at, updated_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (c, name or None, birth_year, sex, height_cm, notes, now, now),
                    )
                    pid = int(cur.lastrowid or 0)
                return self.patient(pid)
            except sqlite3.IntegrityError as exc:
                if "UNIQUE" not in str(exc):
                    raise RecordsError(
                        f"Patient details rejected ({exc}).", hint="Birth year 1900–2100, sex female/male, height 50–250 cm."
                    ) from exc
                if code:
                    raise RecordsError(f"A patient with ID “{c}” already exists.", hint="Choose another ID or open that patient.") from exc
        raise RecordsError("Could not generate a unique patient ID.")

    def patient(self, ref: int | str) -> Patient:
        """The patient with database id ``ref`` (int) or pseudonymous ID ``ref`` (str); :class:`PatientNotFound` if none."""
        with self._connect() as conn:
            if isinstance(ref, int):
                row = conn.execute("SELECT * FROM patients WHERE id = ?", (ref,)).fetchone()
            else:
                row = conn.execute("SELECT * FROM patients WHERE code = ? COLLATE NOCASE", (ref.strip(),)).fetchone()
        if row is None:
            raise PatientNotFound(f"No patient “{ref}” in {self.path}.", hint="`assess history` lists the patients.")
        return _row(Patient, row)  # type: ignore[no-any-return]

    def patients(self) -> list[Patient]:
        """All patients, by ID."""
        with self._connect() as conn:
            return [_row(Patient, r) for r in conn.execute("SELECT * FROM patients ORDER BY code COLLATE NOCASE")]

    def update_patient(self, patient_id: int, **changes: Any) -> Patient:
        """Change some of ``code``, ``name``, ``birth_year``, ``sex``, ``height_cm``, ``notes``."""
        allowed = {"code", "name", "birth_year", "sex", "height_cm", "notes"}
        bad = set(changes) - allowed
        if bad:
            raise ValueError(f"unknown patient fields: {sorted(bad)}")
        if "code" in changes:
            changes["code"] = _clean_code(changes["code"])
        if not changes:
            return self.patient(patient_id)
        cols = ", ".join(f"{k} = ?" for k in changes)
        try:
            with self._write() as conn:
                cur = conn.execute(f"UPDATE patients SET {cols}, updated_at = ? WHERE id = ?", (*changes.values(), _now(), patient_id))
                if cur.rowcount == 0:
                    raise PatientNotFound(f"No patient with number {patient_id}.")
        except sqlite3.IntegrityError as exc:
            raise RecordsError(
                f"Patient details rejected ({exc}).", hint="IDs are unique; birth year 1900–2100, height 50–250 cm."
            ) from exc
        return self.patient(patient_id)

    def delete_patient(self, patient_id: int) -> None:
        """Delete a patient with all their sessions, results and video copies, and compact the file."""
        with self._write() as conn:
            copies = [
                r[0] for r in conn.execute("SELECT video_copy FROM sessions WHERE patient_id = ? AND video_copy IS NOT NULL", (patient_id,))
            ]
            if conn.execute("DELETE FROM patients WHERE id = ?", (patient_id,)).rowcount == 0:
                raise PatientNotFound(f"No patient with number {patient_id}.")
        self._remove_copies(copies)
        self.compact()

    # -------------------------------------------------------------- sessions
    def save_session(
        self,
        patient_id: int,
        assessment: Assessment,
        *,
        eyes: str = "open",
        recorded_at: str | None = None,
        video_name: str = "",
        video_path: str | Path | None = None,
        copy_video: bool = False,
        software: str = f"Foot First {__version__}",
        notes: str = "",
    ) -> Session:
        """Store one assessment of a patient: the session, the full Assessment JSON and its headline numbers.

        All rows go in one transaction. The video is referenced by ``video_path``
        (not copied) unless ``copy_video`` is True: then it is copied into
        ``<data folder>/videos/`` first, and removed again if the save fails.
        The test type is ``assessment.mode``; the model comes from ``assessment.source``.
        """
        test = assessment.mode
        text = assessment.to_json()
        rows = headline_rows(assessment, test=test)
        copy_name = self._copy_video(Path(video_path)) if copy_video and video_path is not None else None
        try:
            with self._write() as conn:
                if conn.execute("SELECT 1 FROM patients WHERE id = ?", (patient_id,)).fetchone() is None:
                    raise PatientNotFound(f"No patient with number {patient_id}.")
                cur = conn.execute(
                    "INSERT INTO sessions (patient_id, recorded_at, created_at, test, eyes, video_name, video_path, video_copy,"
                    " model, software, grade, notes)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        patient_id,
                        recorded_at or _now(),
                        _now(),
                        test,
                        eyes,
                        video_name or (Path(video_path).name if video_path else ""),
                        str(Path(video_path).resolve()) if video_path else None,
                        copy_name,
                        str(assessment.source.get("model", "")),
                        software,
                        assessment.quality.grade,
                        notes,
                    ),
                )
                sid = int(cur.lastrowid or 0)
                _crash_point("after_session_insert")
                conn.execute(
                    "INSERT INTO results (session_id, schema_version, assessment) VALUES (?, ?, ?)", (sid, assessment.schema_version, text)
                )
                _crash_point("after_result_insert")
                conn.executemany(
                    "INSERT INTO metrics (session_id, key, side, value, unit, reliable, grade, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(sid, r.key, r.side, r.value, r.unit, int(r.reliable), r.grade, r.source) for r in rows],
                )
        except BaseException:
            self._remove_copies([copy_name] if copy_name else [])
            raise
        return self.session(sid)

    def session(self, session_id: int) -> Session:
        """One session; :class:`SessionNotFound` if none."""
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise SessionNotFound(f"No session {session_id}.")
        return _row(Session, row)  # type: ignore[no-any-return]

    def sessions(self, patient_id: int) -> list[Session]:
        """A patient's sessions, oldest first."""
        with self._connect() as conn:
            rows = conn.execute("SELECT * FROM sessions WHERE patient_id = ? ORDER BY recorded_at, id", (patient_id,)).fetchall()
        return [_row(Session, r) for r in rows]

    def metrics(self, patient_id: int) -> list[MetricRow]:
        """The headline numbers of all of a patient's sessions."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT m.* FROM metrics m JOIN sessions s ON s.id = m.session_id"
                " WHERE s.patient_id = ? ORDER BY s.recorded_at, s.id, m.key, m.side",
                (patient_id,),
            ).fetchall()
        return [
            MetricRow(key=r["key"], side=r["side"], value=r["value"], unit=r["unit"], reliable=bool(r["reliable"]), grade=r["grade"], source=r["source"], session_id=r["session_id"])
            for r in rows
        ]

    def load_assessment(self, session_id: int) -> Assessment:
        """The full Assessment stored with a session."""
        with self._connect() as conn:
            row = conn.execute("SELECT assessment FROM results WHERE session_id = ?", (session_id,)).fetchone()
        if row is None:
            raise SessionNotFound(f"No session {session_id}.")
        return Assessment.from_json(row[0])

    def update_session(
        self, session_id: int, *, recorded_at: str | None = None, eyes: str | None = None, notes: str | None = None
    ) -> Session:
        """Correct a session's date, eyes condition or notes."""
        changes = {k: v for k, v in (("recorded_at", recorded_at), ("eyes", eyes), ("notes", notes)) if v is not None}
        if changes:
            try:
                with self._write() as conn:
                    cols = ", ".join(f"{k} = ?" for k in changes)
                    if conn.execute(f"UPDATE sessions SET {cols} WHERE id = ?", (*changes.values(), session_id)).rowcount == 0:
                        raise SessionNotFound(f"No session {session_id}.")
            except sqlite3.IntegrityError as exc:
                raise RecordsError(f"Session details rejected ({exc}).") from exc
        return self.session(session_id)

    def delete_session(self, session_id: int) -> None:
        """Delete a session with its results and video copy, and compact the file."""
        with self._write() as conn:
            row = conn.execute("SELECT video_copy FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if row is None:
                raise SessionNotFound(f"No session {session_id}.")
            conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        self._remove_copies([row[0]] if row[0] else [])
        self.compact()

    def video_copy_path(self, session: Session) -> Path | None:
        """Where the session's video copy is, if one was made."""
        return self.data_dir / "videos" / session.video_copy if session.video_copy else None

    # -------------------------------------------------------------- videos
    def _copy_video(self, source: Path) -> str:
        if not source.is_file():
            raise RecordsError(f"The video {source} cannot be copied: it is not a file.")
        folder = self.data_dir / "videos"
        folder.mkdir(mode=0o700, exist_ok=True)
        name = f"{uuid.uuid4().hex}{source.suffix.lower()}"
        tmp = folder / f".{name}.part"
        try:
            shutil.copyfile(source, tmp)
            os.chmod(tmp, 0o600)
            os.replace(tmp, folder / name)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return name

    def _remove_copies(self, names: list[str]) -> None:
        for name in names:
            (self.data_dir / "videos" / Path(name).name).unlink(missing_ok=True)


def _clean_code(code: str) -> str:
    c = " ".join(str(code).split())
    if not 1 <= len(c) <= 40:
        raise RecordsError(
            "A patient ID must be 1 to 40 characters.", hint="Use a pseudonymous code such as P-0042, not the person's name."
        )
    return c


def save_report(
    store: Store,
    report: Report,
    patient_id: int,
    *,
    video_path: str | Path | None = None,
    copy_video: bool = False,
    recorded_at: str | None = None,
    notes: str = "",
) -> Session:
    """Store a :class:`~assess.report.Report`'s assessment as a session of ``patient_id``.

    The eyes condition, video name, software and date come from the report
    (``recorded_at`` overrides the date, e.g. when the video was filmed earlier).
    """
    return store.save_session(
        patient_id,
        report.assessment,
        eyes=report.eyes,
        recorded_at=recorded_at or report.created or None,
        video_name=report.video_name,
        video_path=video_path,
        copy_video=copy_video,
        software=report.software,
        notes=notes,
    )
