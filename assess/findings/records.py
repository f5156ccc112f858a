"""Output records of the findings stage: `Finding`, `Recommendation`, `Plan`.

Every record is frozen and turns into plain JSON with ``to_dict()``. Every
:class:`Recommendation` carries the :class:`Evidence` (finding ids, values,
units, thresholds, sources) that produced it, so a report can always answer
"why this exercise?".

Two wordings per record: ``plain`` (for the person at home) and ``clinical``
(concise, with numbers, norms and sources).
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from typing import Any, Literal

from ..assessment import Grade, Side
from .tables import Basis, Direction, Severity

Confidence = Literal["high", "moderate", "low"]
PlanStatus = Literal["plan", "maintenance", "redo"]
Role = Literal["priority", "maintenance", "keep_doing"]


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    return obj


class _ToDict:
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (tuples → lists, NaN → None)."""
        out: dict[str, Any] = _plain(self)
        return out


@dataclass(frozen=True)
class Finding(_ToDict):
    """One observation graded against a threshold, or an item that could not be assessed.

    Attributes
    ----------
    id : unique within a plan, ``"<code>.<side>"`` (or ``"<code>"`` when side-less).
    code : e.g. ``"knee_valgus_squat"``, ``"pelvic_drop"``, ``"asymmetry_hold"``,
        ``"no_stance"``, ``"poor_data"``.
    side : the stance leg the value was measured on (for asymmetry: the worse
        side); None for whole-clip items.
    assessed : False for a "could not assess" item; then ``severity``,
        ``value`` and ``confidence`` are None and ``reasons`` say why.
    severity : ``"none"``, ``"mild"``, ``"moderate"``, ``"marked"``.
    value, unit : the observed value (asymmetry: |left − right|).
    threshold : the cut above (below, for ``direction == "lower"``) which the
        finding is flagged (the mild cut), in ``unit``.
    cuts : all severity cuts, ``(("mild", x), ("moderate", y), ("marked", z))``.
    typical : a typical value for comparison (norm, control mean), if any.
    basis : ``"published"``, ``"secondary"``, ``"indicative"``, ``"heuristic"``.
    source : where the threshold comes from; ``cut_basis`` how the cuts were set.
    confidence : from the metric's quality grade (A high, B moderate, C low).
    grade : that grade.
    metric : the Assessment metric the value came from (None for derived values).
    label : a short phrase naming it, for back-references in sentences.
    details : further numbers behind the value, e.g. ``(("left", 14.0), ("right", 5.0))``.
    reasons : plain-language quality notes (why not assessed, or why confidence is lower).
    reason_codes : machine codes of ``reasons``.
    """

    id: str
    code: str
    title: str
    family: str
    side: Side | None
    assessed: bool
    severity: Severity | None
    value: float | None
    unit: str
    threshold: float | None
    direction: Direction
    cuts: tuple[tuple[str, float], ...]
    typical: float | None
    basis: Basis
    source: str
    cut_basis: str
    confidence: Confidence | None
    grade: Grade | None
    metric: str | None
    plain: str
    clinical: str
    label: str = ""
    details: tuple[tuple[str, float], ...] = ()
    reasons: tuple[str, ...] = ()
    reason_codes: tuple[str, ...] = ()

    @property
    def flagged(self) -> bool:
        """True for an assessed finding of at least mild severity."""
        return self.assessed and self.severity not in (None, "none")


@dataclass(frozen=True)
class Evidence(_ToDict):
    """One finding's part in a recommendation (for traceability).

    weight : the finding's contribution to the exercise's score.
    """

    finding_id: str
    code: str
    side: Side | None
    severity: Severity | None
    value: float | None
    unit: str
    threshold: float | None
    source: str
    weight: float


@dataclass(frozen=True)
class DriverScore(_ToDict):
    """How strongly the findings point at one driver (e.g. hip abductors)."""

    id: str
    name: str
    score: float
    finding_ids: tuple[str, ...]
    patterns: tuple[str, ...]
    plain: str
    clinical: str


@dataclass(frozen=True)
class ContextNote(_ToDict):
    """A condition associated with the measured pattern: context, never a diagnosis."""

    condition: str
    name: str
    drivers: tuple[str, ...]
    plain: str
    clinical: str
    source: str


@dataclass(frozen=True)
class Recommendation(_ToDict):
    """One exercise in the plan, with why it was chosen.

    Attributes
    ----------
    rank : 1, 2, 3 for the priority list; 0 for "keep doing" items.
    role : ``"priority"`` (chosen for findings), ``"maintenance"`` (nothing
        to fix: keep results where they are) or ``"keep_doing"``.
    sides : the legs to train first (empty when both / not sided).
    score : the prioritiser's score (sum of evidence weights).
    drivers : driver ids that call for it.
    evidence : the findings and numbers behind it (traceability).
    plain, clinical : the one-sentence reason in each wording.
    """

    rank: int
    role: Role
    exercise_id: str
    name: str
    group: str
    level: int
    sides: tuple[Side, ...]
    score: float
    drivers: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    plain: str
    clinical: str
    purpose: str
    cues: tuple[str, ...]
    dose: str
    progression: str
    regression: str
    safety: str

    @property
    def finding_ids(self) -> tuple[str, ...]:
        """Ids of the findings that produced this recommendation."""
        return tuple(e.finding_id for e in self.evidence)


@dataclass(frozen=True)
class Plan(_ToDict):
    """Findings and a ranked, explained exercise plan for one Assessment.

    Attributes
    ----------
    status : ``"plan"`` (findings to work on), ``"maintenance"`` (results in
        the typical range) or ``"redo"`` (nothing could be assessed: see
        ``redo_steps``; ``recommendations`` is empty).
    mode : the Assessment's mode; age_band, sex, eyes : what norms were used.
    findings : every finding, including "could not assess" items.
    drivers : driver scores, highest first.
    recommendations : the top 3, rank order.
    keep_doing : further items to keep up.
    context : associated conditions (never a diagnosis).
    redo_steps : how to record the test again (always for ``"redo"``; also when
        some items could not be assessed).
    plain, clinical : the whole plan in a few sentences.
    """

    status: PlanStatus
    mode: str
    age_band: str
    sex: str | None
    eyes: str
    findings: tuple[Finding, ...]
    drivers: tuple[DriverScore, ...]
    recommendations: tuple[Recommendation, ...]
    keep_doing: tuple[Recommendation, ...]
    context: tuple[ContextNote, ...]
    redo_steps: tuple[str, ...]
    plain: str
    clinical: str
    disclaimer_plain: str
    disclaimer_clinical: str

    @property
    def flagged(self) -> tuple[Finding, ...]:
        """Assessed findings of at least mild severity."""
        return tuple(f for f in self.findings if f.flagged)

    @property
    def not_assessed(self) -> tuple[Finding, ...]:
        """The "could not assess" items."""
        return tuple(f for f in self.findings if not f.assessed)

    def finding(self, finding_id: str) -> Finding | None:
        """The finding with ``finding_id``, or None."""
        return next((f for f in self.findings if f.id == finding_id), None)

    def to_json(self, *, indent: int | None = None) -> str:
        """JSON text (strict: no NaN literals)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False, ensure_ascii=False)


__all__ = ["Confidence", "ContextNote", "DriverScore", "Evidence", "Finding", "Plan", "PlanStatus", "Recommendation", "Role"]
