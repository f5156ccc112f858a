"""Clinician records: patients, their test sessions and progress over time, in a local SQLite file.

* :mod:`.store` — the database (:class:`Store`, :class:`Patient`, :class:`Session`);
* :mod:`.schema` — migrations (``PRAGMA user_version``);
* :mod:`.headline` — which Assessment numbers are kept per session and leg;
* :mod:`.sdc` — smallest detectable change per metric (data with sources) and verdicts;
* :mod:`.progress` — trends, comparisons, history tables (pure);
* :mod:`.charts`, :mod:`.export` — trend figures, CSV and PDF exports;
* :mod:`.cli` — ``assess history`` / ``assess export``.

Patient data stays on this computer: only the database folder and the export
paths the user chooses are written.
"""

from .errors import DatabaseUnreadable, PatientNotFound, RecordsError, SessionNotFound
from .store import MetricRow, Patient, Session, Store, default_db_path, save_report

__all__ = [
    "DatabaseUnreadable",
    "MetricRow",
    "Patient",
    "PatientNotFound",
    "RecordsError",
    "Session",
    "SessionNotFound",
    "Store",
    "default_db_path",
    "save_report",
]
