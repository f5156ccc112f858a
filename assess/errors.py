"""Errors that carry a message meant for a person, not a traceback.

Every error the user can cause (a bad file, a missing model) is raised as an
:class:`AssessError` subclass whose ``str()`` says what is wrong and what to do.
The CLI prints that line and exits with ``exit_code``; the app shows it.
"""

from __future__ import annotations


class AssessError(Exception):
    """Base class: a problem with a plain-language message and a fix."""

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message if hint is None else f"{message} {hint}")


class InputNotFound(AssessError):
    """The given path does not exist or is not a file."""

    exit_code = 2


class VideoError(AssessError):
    """The file is not a video we can decode (empty, corrupt, audio only, ...)."""

    exit_code = 3


class NoPoseError(AssessError):
    """The video decodes, but no person was found in it."""

    exit_code = 4


class ModelError(AssessError):
    """The pose model is missing, corrupt or cannot be loaded."""

    exit_code = 5


class TrackFileError(AssessError):
    """A saved track file cannot be read."""

    exit_code = 6


class AnalysisError(AssessError):
    """A track could be read but a measurement cannot be made from it."""

    exit_code = 7
