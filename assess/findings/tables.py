"""Domain tables of the findings stage, loaded from TOML into typed records.

Three files in ``assess/data`` (each row carries its source):

* ``thresholds.toml`` — age-band norms, thresholds with severity cuts, and
  left-right asymmetry rules (:class:`Norm`, :class:`Threshold`,
  :class:`AsymmetryRule`).
* ``reasoning.toml`` — weights, drivers (what a group of findings points at),
  patterns, companions, associated conditions, redo steps, disclaimers
  (:class:`Reasoning`).
* ``exercises.toml`` — the exercise catalogue (:class:`Catalogue`).

Tables are read once and cached; they are immutable records.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

Severity = Literal["none", "mild", "moderate", "marked"]
Basis = Literal["published", "secondary", "indicative", "heuristic"]
Direction = Literal["higher", "lower"]

SEVERITIES: tuple[Severity, ...] = ("none", "mild", "moderate", "marked")
AGE_BANDS: tuple[str, ...] = ("18-39", "40-49", "50-59", "60-69", "70-79", "80+")
DEFAULT_AGE_BAND = "18-39"


@dataclass(frozen=True)
class Norm:
    """A normative value of a timed test for one age band (seconds)."""

    test: str
    eyes: str
    age_band: str
    seconds: float
    source: str


@dataclass(frozen=True)
class Threshold:
    """How one finding is read from the Assessment and graded.

    Attributes
    ----------
    code : finding code, e.g. ``"knee_valgus_squat"``; several rows may share a
        code and differ by ``unit`` / ``sex``.
    kind : ``"metric"``, ``"hold"`` or ``"events"`` (see thresholds.toml).
    modes : assessment modes the row applies to.
    metrics : accepted metric names, first found wins.
    unit : unit the cuts are in; a metric in another unit does not match the row.
    direction : ``"higher"`` (larger is worse) or ``"lower"``.
    mild, moderate, marked : severity cuts (strictly beyond = that severity);
        fractions of the norm when ``relative_to_norm``.
    typical : a typical value for the plain wording (e.g. control mean), if any.
    sex : ``"female"``/``"male"`` rows apply to that sex; None to any (or unknown).
    exclude_reasons : quality reason codes that make the metric unusable here.
    hands_on_hips : only assessed when the trial asked for hands on hips.
    basis, source, cut_basis : how far to trust it, the published figure, how
        the cuts were set.
    label, plain, plain_ok, clinical : wording templates (label: a short
        back-reference; plain_ok: the plain wording when nothing is flagged).
    """

    code: str
    title: str
    label: str
    family: str
    kind: str
    modes: tuple[str, ...]
    unit: str
    direction: Direction
    mild: float
    moderate: float
    marked: float
    basis: Basis
    source: str
    cut_basis: str
    plain: str
    plain_ok: str
    clinical: str
    metrics: tuple[str, ...] = ()
    aggregate: str = "median"
    relative_to_norm: bool = False
    typical: float | None = None
    sex: str | None = None
    exclude_reasons: tuple[str, ...] = ()
    hands_on_hips: bool = False

    def cuts(self, scale: float = 1.0) -> dict[Severity, float]:
        """Severity cuts, multiplied by ``scale`` (the norm, for relative rows)."""
        return {"mild": self.mild * scale, "moderate": self.moderate * scale, "marked": self.marked * scale}


@dataclass(frozen=True)
class AsymmetryRule:
    """Left vs right comparison of the values behind finding ``of``."""

    code: str
    of: str
    title: str
    label: str
    direction: Direction
    basis: Basis
    source: str
    plain: str
    clinical: str
    min_abs_diff: tuple[tuple[str, float], ...] = ()
    min_si_pct: float | None = None

    def abs_cut(self, unit: str) -> float | None:
        """The absolute-difference cut for ``unit``, or None."""
        return dict(self.min_abs_diff).get(unit)


@dataclass(frozen=True)
class Thresholds:
    """Everything in thresholds.toml."""

    norms: tuple[Norm, ...]
    thresholds: tuple[Threshold, ...]
    asymmetry: tuple[AsymmetryRule, ...]

    def norm(self, *, age_band: str, eyes: str = "open", test: str = "single_leg_stance") -> Norm | None:
        """The norm for ``age_band`` and ``eyes``, or None when none is stored."""
        return next((n for n in self.norms if n.test == test and n.eyes == eyes and n.age_band == age_band), None)

    def rows(self, code: str) -> tuple[Threshold, ...]:
        """All rows for finding ``code``, in file order."""
        return tuple(t for t in self.thresholds if t.code == code)

    @property
    def codes(self) -> tuple[str, ...]:
        """Finding codes, in file order, without repeats."""
        return tuple(dict.fromkeys(t.code for t in self.thresholds))


@dataclass(frozen=True)
class Driver:
    """What a group of findings points at (e.g. hip abductors)."""

    id: str
    name: str
    plain: str
    clinical: str
    source: str
    evidence: tuple[tuple[str, float], ...]
    conditions: tuple[str, ...] = ()

    def weight(self, code: str) -> float:
        """How much a finding with ``code`` counts toward this driver (0 when it does not)."""
        return dict(self.evidence).get(code, 0.0)


@dataclass(frozen=True)
class Pattern:
    """A combination of findings that strengthens one driver."""

    id: str
    all_of: tuple[tuple[str, ...], ...]
    same_side: bool
    driver: str
    factor: float
    plain: str
    clinical: str
    source: str


@dataclass(frozen=True)
class Companion:
    """An exercise kept in the plan whenever ``when_top`` leads."""

    when_top: str
    exercise: str
    plain: str
    clinical: str
    source: str


@dataclass(frozen=True)
class Condition:
    """A condition associated with a pattern: context only, never a diagnosis."""

    id: str
    name: str
    plain: str
    source: str


@dataclass(frozen=True)
class Reasoning:
    """Everything in reasoning.toml."""

    severity_weight: dict[str, float]
    confidence_weight: dict[str, float]
    basis_weight: dict[str, float]
    drivers: tuple[Driver, ...]
    patterns: tuple[Pattern, ...]
    companions: tuple[Companion, ...]
    conditions: dict[str, Condition]
    redo_steps: tuple[str, ...]
    redo_source: str
    disclaimer_plain: str
    disclaimer_clinical: str

    def driver(self, driver_id: str) -> Driver:
        """The driver called ``driver_id``."""
        return next(d for d in self.drivers if d.id == driver_id)


@dataclass(frozen=True)
class Exercise:
    """One catalogue entry."""

    id: str
    name: str
    short: str
    group: str
    level: int
    sided: bool
    targets: tuple[tuple[str, float], ...]
    purpose: str
    purpose_clinical: str
    cues: tuple[str, ...]
    dose: str
    progression: str
    regression: str
    safety: str

    def target(self, driver_id: str) -> float:
        """How much this exercise trains ``driver_id`` (0–1)."""
        return dict(self.targets).get(driver_id, 0.0)


@dataclass(frozen=True)
class Catalogue:
    """Everything in exercises.toml."""

    source: str
    exercises: tuple[Exercise, ...]
    maintenance: tuple[str, ...]
    maintenance_plain: str
    maintenance_clinical: str

    def get(self, exercise_id: str) -> Exercise:
        """The exercise called ``exercise_id``."""
        return next(e for e in self.exercises if e.id == exercise_id)


# ------------------------------------------------------------------ loading
def _read(name: str) -> dict[str, Any]:
    text = resources.files("assess").joinpath("data", name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def _threshold(row: dict[str, Any]) -> Threshold:
    r = dict(row)
    r["modes"] = tuple(r.get("modes", ()))
    r["metrics"] = tuple(r.get("metrics", ()))
    r["exclude_reasons"] = tuple(r.get("exclude_reasons", ()))
    return Threshold(**r)


def _asymmetry(row: dict[str, Any]) -> AsymmetryRule:
    r = dict(row)
    r["min_abs_diff"] = tuple(sorted(r.get("min_abs_diff", {}).items()))
    return AsymmetryRule(**r)


@lru_cache(maxsize=1)
def load_thresholds() -> Thresholds:
    """Norms, thresholds and asymmetry rules from ``assess/data/thresholds.toml``."""
    d = _read("thresholds.toml")
    return Thresholds(
        norms=tuple(Norm(**n) for n in d["norm"]),
        thresholds=tuple(_threshold(t) for t in d["threshold"]),
        asymmetry=tuple(_asymmetry(a) for a in d["asymmetry"]),
    )


@lru_cache(maxsize=1)
def load_reasoning() -> Reasoning:
    """Weights, drivers, patterns, companions, conditions from ``assess/data/reasoning.toml``."""
    d = _read("reasoning.toml")
    w = d["weights"]
    drivers = tuple(
        Driver(
            id=r["id"],
            name=r["name"],
            plain=r["plain"],
            clinical=r["clinical"],
            source=r["source"],
            evidence=tuple(r["evidence"].items()),
            conditions=tuple(r.get("conditions", ())),
        )
        for r in d["driver"]
    )
    patterns = tuple(
        Pattern(
            id=p["id"],
            all_of=tuple(tuple(g) for g in p["all_of"]),
            same_side=bool(p.get("same_side", False)),
            driver=p["driver"],
            factor=float(p["factor"]),
            plain=p["plain"],
            clinical=p["clinical"],
            source=p["source"],
        )
        for p in d.get("pattern", ())
    )
    return Reasoning(
        severity_weight=dict(w["severity"]),
        confidence_weight=dict(w["confidence"]),
        basis_weight=dict(w["basis"]),
        drivers=drivers,
        patterns=patterns,
        companions=tuple(Companion(**c) for c in d.get("companion", ())),
        conditions={k: Condition(id=k, **v) for k, v in d["conditions"].items()},
        redo_steps=tuple(d["redo"]["steps"]),
        redo_source=d["redo"]["source"],
        disclaimer_plain=d["disclaimer"]["plain"],
        disclaimer_clinical=d["disclaimer"]["clinical"],
    )


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """The exercise catalogue from ``assess/data/exercises.toml``."""
    d = _read("exercises.toml")
    exercises = tuple(Exercise(**(dict(e) | {"targets": tuple(e["targets"].items()), "cues": tuple(e["cues"])})) for e in d["exercise"])
    m = d["maintenance"]
    return Catalogue(d["source"], exercises, tuple(m["exercises"]), m["plain"], m["clinical"])


def normalise_age_band(age_band: str | int | None) -> str:
    """An age band of the norm table from a band (``"18–39"``, ``"80+"``) or an age in years.

    None gives the default band (18–39). Raises ValueError for anything else.
    """
    if age_band is None:
        return DEFAULT_AGE_BAND
    if isinstance(age_band, int) and not isinstance(age_band, bool):
        if age_band < 18:
            raise ValueError(f"no single-leg stance norm stored for age {age_band} (norms start at 18)")
        for band in AGE_BANDS[:-1]:
            lo, hi = (int(x) for x in band.split("-"))
            if lo <= age_band <= hi:
                return band
        return AGE_BANDS[-1]
    text = str(age_band).strip().replace("–", "-").replace("—", "-").replace(" ", "")
    if text in AGE_BANDS:
        return text
    raise ValueError(f"unknown age band {age_band!r}; expected one of {', '.join(AGE_BANDS)} or an age in years")


def normalise_sex(sex: str | None) -> str | None:
    """``"female"``, ``"male"`` or None from common spellings (f/m, woman/man)."""
    if sex is None:
        return None
    s = sex.strip().lower()
    if s in ("f", "female", "woman", "w"):
        return "female"
    if s in ("m", "male", "man"):
        return "male"
    raise ValueError(f"unknown sex {sex!r}; expected 'female', 'male' or None")


__all__ = [
    "AGE_BANDS",
    "AsymmetryRule",
    "Basis",
    "Catalogue",
    "Companion",
    "Condition",
    "DEFAULT_AGE_BAND",
    "Driver",
    "Exercise",
    "Norm",
    "Pattern",
    "Reasoning",
    "SEVERITIES",
    "Severity",
    "Threshold",
    "Thresholds",
    "load_catalogue",
    "load_reasoning",
    "load_thresholds",
    "normalise_age_band",
    "normalise_sex",
]
