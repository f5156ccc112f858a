"""Errors of the records store, as :class:`assess.errors.AssessError` subclasses (one plain line each)."""

from __future__ import annotations

from ..errors import AssessError


class RecordsError(AssessError):
    """A problem with the patient records."""

    exit_code = 8


class DatabaseUnreadable(RecordsError):
    """The records file is missing, not a database, damaged, locked too long, or from a newer version."""

    exit_code = 9


class PatientNotFound(RecordsError):
    """No patient with that ID."""

    exit_code = 10


class SessionNotFound(RecordsError):
    """No session with that number."""

    exit_code = 10
