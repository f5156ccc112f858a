"""Smallest detectable change (SDC) per headline metric, and the verdict on a change.

The values are data (``sdc.toml``, each with its source). A metric without a
published SDC gets ``kind == "none"``: its changes are reported but never
called progress or decline.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Literal

import tomllib

from .headline import BY_KEY

Kind = Literal["published", "heuristic", "none"]
Verdict = Literal["baseline", "better", "worse", "within_error", "not_judged", "unreliable", "missing"]

VERDICT_TEXT: dict[str, str] = {
    "baseline": "baseline (first session)",
    "better": "better (beyond measurement error)",
    "worse": "worse (beyond measurement error)",
    "within_error": "no real change (within measurement error)",
    "not_judged": "not judged (no published SDC)",
    "unreliable": "not judged (unreliable measurement)",
    "missing": "—",
}


@dataclass(frozen=True)
class Sdc:
    """The smallest detectable change of one headline metric.

    value : in ``unit`` (None when ``kind == "none"``).
    source : citation (empty for "none"); note : what it applies to, in plain words.
    """

    key: str
    kind: Kind
    value: float | None = None
    unit: str = ""
    source: str = ""
    note: str = ""

    @property
    def label(self) -> str:
        """Legend text for a band, e.g. "±8° smallest detectable change (Munro …)"."""
        if self.value is None:
            return "no published smallest detectable change"
        unit = "°" if self.unit == "deg" else f" {self.unit}"
        prefix = "heuristic, " if self.kind == "heuristic" else ""
        return f"±{self.value:g}{unit} smallest detectable change ({prefix}{self.source.split(':')[0]})"


@functools.cache
def sdc_table() -> dict[str, Sdc]:
    """All SDC records by headline key (from ``sdc.toml``)."""
    text = resources.files(__package__).joinpath("sdc.toml").read_text(encoding="utf-8")
    table = {d["key"]: Sdc(**d) for d in tomllib.loads(text)["sdc"]}
    unknown = set(table) - set(BY_KEY)
    if unknown:
        raise ValueError(f"sdc.toml names unknown headline keys: {sorted(unknown)}")
    return table


def sdc_for(key: str, unit: str, side: str = "left") -> Sdc:
    """The SDC that applies to ``key`` measured in ``unit`` (``"none"`` if units differ or for left–right differences)."""
    s = sdc_table().get(key)
    if s is None or side == "diff" or s.value is None or s.unit != unit:
        return Sdc(
            key, "none", note=s.note if s is not None and side != "diff" else "No published smallest detectable change for this measure."
        )
    return s


def judge(key: str, before: float | None, after: float | None, *, unit: str, reliable: bool = True, side: str = "left") -> Verdict:
    """Verdict on a change from ``before`` to ``after`` (same metric, same unit).

    ``within_error`` when |after − before| < SDC; ``better``/``worse`` beyond it, by the
    metric's direction (FPPA: |angle| falling is better); ``not_judged`` without a
    published SDC; ``unreliable`` when either measurement was flagged unreliable.
    """
    if before is None or after is None:
        return "missing"
    if not reliable:
        return "unreliable"
    s = sdc_for(key, unit, side)
    if s.value is None:
        return "not_judged"
    better = "lower" if side == "diff" else BY_KEY[key].better
    if better == "closer_to_zero":  # judge the size of the angle: +5° → −5° is no improvement
        before, after, better = abs(before), abs(after), "lower"
    if abs(after - before) < s.value:
        return "within_error"
    improved = after < before if better == "lower" else after > before
    return "better" if improved else "worse"
