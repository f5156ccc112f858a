"""`Report`: the one object the app's pages and every exporter take.

It bundles the measured :class:`~assess.assessment.Assessment`, the
:class:`~assess.findings.records.Plan` built from it, who and what was tested,
and when. Build it with :func:`make_report`.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from typing import Any

from . import __version__
from .assessment import Assessment
from .findings import build_plan
from .findings.records import Plan

DISCLAIMER = (
    "Foot First is a screening and progress-tracking aid, not a diagnosis. Single-camera joint angles carry errors "
    "of several degrees (frontal knee angle: smallest detectable change about 8° between sessions). Compare results "
    "with the person's own earlier results and discuss them with a physiotherapist."
)


@dataclass(frozen=True)
class Subject:
    """Who was tested (all optional; a self-test may stay anonymous)."""

    label: str = ""
    age_band: str | None = None
    sex: str | None = None
    height_cm: float | None = None
    notes: str = ""


@dataclass(frozen=True)
class Report:
    """Everything a results page or an export shows."""

    assessment: Assessment
    plan: Plan
    subject: Subject = field(default_factory=Subject)
    video_name: str = ""
    created: str = ""
    software: str = f"Foot First {__version__}"
    eyes: str = "open"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: the full Assessment, the plan, and the context."""
        return {
            "software": self.software,
            "created": self.created,
            "video": self.video_name,
            "subject": {
                "label": self.subject.label,
                "age_band": self.subject.age_band,
                "sex": self.subject.sex,
                "height_cm": self.subject.height_cm,
                "notes": self.subject.notes,
            },
            "eyes": self.eyes,
            "disclaimer": DISCLAIMER,
            "assessment": self.assessment.to_dict(),
            "plan": self.plan.to_dict(),
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """Strict JSON text (no NaN)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False, ensure_ascii=False)


def make_report(assessment: Assessment, *, subject: Subject | None = None, video_name: str = "", eyes: str = "open") -> Report:
    """Build the plan for ``assessment`` and wrap both in a :class:`Report`."""
    subject = subject or Subject()
    plan = build_plan(assessment, age_band=subject.age_band, sex=subject.sex, eyes=eyes)
    created = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    return Report(assessment=assessment, plan=plan, subject=subject, video_name=video_name, created=created, eyes=eyes)
