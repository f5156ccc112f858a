"""The headline numbers kept per session and leg for trends, taken from an `Assessment`.

Each :class:`Headline` names the Assessment summary metric(s) it reads, per test
type (knee FPPA is the stance 95th percentile in a stance test, and the angle at
the deepest point of the squat, mean over repetitions, in a squat test). The
first source metric present wins. ``diff`` rows hold |left − right| when both
legs were tested in the same clip (the asymmetry trend).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast

from ..assessment import Assessment, Side

Test = Literal["stance", "squat"]
Better = Literal["higher", "lower", "closer_to_zero"]


@dataclass(frozen=True)
class Headline:
    """One trend metric.

    key : stable key stored in the ``metrics`` table.
    label : plain-language name; short : column heading.
    sources : Assessment summary metric names to read, per test type, in order of preference.
    better : which direction is improvement (``closer_to_zero``: |value| falling).
    """

    key: str
    label: str
    short: str
    sources: dict[str, tuple[str, ...]]
    better: Better


HEADLINES: tuple[Headline, ...] = (
    Headline("hold_time", "Hold time", "hold", {"stance": ("stance_duration",), "squat": ("stance_duration",)}, "higher"),
    Headline(
        "sway_ml_velocity",
        "Sway velocity, side to side",
        "sway ML",
        {"stance": ("com_sway_ml_velocity",), "squat": ("com_sway_ml_velocity",)},
        "lower",
    ),
    Headline(
        "fppa",
        "Knee inward angle (FPPA)",
        "FPPA",
        {"stance": ("fppa_image_p95",), "squat": ("fppa_image_at_depth_rep_mean", "fppa_image_at_depth_mean")},
        "closer_to_zero",
    ),
    Headline(
        "pelvic_drop", "Pelvic drop", "pelvic drop", {"stance": ("pelvic_drop_height_p95",), "squat": ("pelvic_drop_height_p95",)}, "lower"
    ),
)
BY_KEY = {h.key: h for h in HEADLINES}
SIDES = ("left", "right")


@dataclass(frozen=True)
class HeadlineValue:
    """One stored number: ``side`` is ``"left"``/``"right"`` (stance leg) or ``"diff"`` (|left − right|)."""

    key: str
    side: str
    value: float | None
    unit: str
    reliable: bool
    grade: str
    source: str


def headline_rows(assessment: Assessment, *, test: Test | str) -> tuple[HeadlineValue, ...]:
    """The headline values of ``assessment`` for a ``test`` ("stance"/"squat"), per leg plus left–right differences.

    A leg that was not tested has no row; a metric that could not be computed
    has a row with ``value=None`` (so "not measurable" differs from "not tested").
    """
    out: list[HeadlineValue] = []
    for h in HEADLINES:
        found = {}
        for side in SIDES:
            m = next((m for name in h.sources.get(test, ()) if (m := assessment.summary_metric(name, cast(Side, side))) is not None), None)
            if m is None:
                continue
            found[side] = m
            out.append(HeadlineValue(h.key, side, m.value, m.unit, m.quality.reliable and m.value is not None, m.quality.grade, m.name))
        left, right = found.get("left"), found.get("right")
        if left is not None and right is not None and left.value is not None and right.value is not None and left.unit == right.unit:
            worse = max(left.quality.grade, right.quality.grade)  # "A" < "D"
            out.append(
                HeadlineValue(
                    h.key,
                    "diff",
                    abs(left.value - right.value),
                    left.unit,
                    left.quality.reliable and right.quality.reliable,
                    worse,
                    left.name,
                )
            )
    return tuple(out)
