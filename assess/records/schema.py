"""The records schema as a list of migration steps, applied in order.

The database's ``PRAGMA user_version`` is the number of steps applied. A step
is SQL, or a function of the open connection (for data backfills); each runs
inside the one transaction that also sets ``user_version``, so an upgrade is
all or nothing. Never edit a released step: append a new one.

Version 1 (first release): patients, sessions, results (the full Assessment JSON).
Version 2: ``metrics``, the headline numbers per session and side, indexed for
trends, backfilled from the stored JSON.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

V1 = """
CREATE TABLE patients (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE COLLATE NOCASE,  -- pseudonymous ID shown everywhere
    name        TEXT,                           -- optional, never exported unless asked
    birth_year  INTEGER CHECK (birth_year IS NULL OR birth_year BETWEEN 1900 AND 2100),
    sex         TEXT CHECK (sex IS NULL OR sex IN ('female', 'male')),
    height_cm   REAL CHECK (height_cm IS NULL OR height_cm BETWEEN 50 AND 250),
    notes       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    patient_id   INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    recorded_at  TEXT NOT NULL,                 -- ISO date(-time) of the test
    created_at   TEXT NOT NULL,
    test         TEXT NOT NULL CHECK (test IN ('stance', 'squat')),
    eyes         TEXT NOT NULL CHECK (eyes IN ('open', 'closed')),
    video_name   TEXT NOT NULL DEFAULT '',
    video_path   TEXT,                          -- where the video was (referenced, not copied)
    video_copy   TEXT,                          -- file name under <data>/videos/ when a copy was asked for
    model        TEXT NOT NULL DEFAULT '',
    software     TEXT NOT NULL DEFAULT '',
    grade        TEXT,
    notes        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_patient ON sessions(patient_id, recorded_at);
CREATE TABLE results (
    session_id      INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    schema_version  INTEGER NOT NULL,
    assessment      TEXT NOT NULL               -- Assessment.to_json()
);
"""

V2 = """
CREATE TABLE metrics (
    session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,                  -- headline key, see assess.records.headline
    side        TEXT NOT NULL CHECK (side IN ('left', 'right', 'diff')),  -- 'diff' = |left - right|
    value       REAL,
    unit        TEXT NOT NULL,
    reliable    INTEGER NOT NULL,
    grade       TEXT NOT NULL,
    source      TEXT NOT NULL,                  -- Assessment summary metric it came from
    PRIMARY KEY (session_id, key, side)
);
CREATE INDEX metrics_key ON metrics(key, side);
"""


def _backfill_metrics(conn: sqlite3.Connection) -> None:
    from ..assessment import Assessment
    from .headline import headline_rows

    for session_id, test, text in conn.execute("SELECT s.id, s.test, r.assessment FROM sessions s JOIN results r ON r.session_id = s.id"):
        rows = headline_rows(Assessment.from_json(text), test=test)
        conn.executemany(
            "INSERT INTO metrics (session_id, key, side, value, unit, reliable, grade, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(session_id, r.key, r.side, r.value, r.unit, int(r.reliable), r.grade, r.source) for r in rows],
        )


@dataclass(frozen=True)
class Migration:
    """One step: ``sql`` (a script) then ``run`` (Python), inside the upgrade's transaction."""

    version: int
    description: str
    sql: str = ""
    run: Callable[[sqlite3.Connection], None] | None = None


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "patients, sessions, results (Assessment JSON)", V1),
    Migration(2, "headline metrics per session and side, backfilled", V2, _backfill_metrics),
)
LATEST = MIGRATIONS[-1].version
