"""Left–right asymmetry of per-side summary metrics."""

from __future__ import annotations

from ..assessment import Asymmetry, Metric


def symmetry_index(left: float, right: float, *, eps: float = 1e-9) -> float | None:
    """Symmetry index in percent: ``100 · (L − R) / (0.5 · (|L| + |R|))``.

    Positive when left is larger; 0 = symmetric; ±200 = one side zero.
    None when both are ~0.
    """
    den = 0.5 * (abs(left) + abs(right))
    return None if den < eps else 100.0 * (left - right) / den


def asymmetries(summary: tuple[Metric, ...]) -> tuple[Asymmetry, ...]:
    """One :class:`Asymmetry` per metric name present with a value on both sides."""
    by = {(m.name, m.side): m for m in summary if m.value is not None and m.side is not None}
    out = []
    for (name, side), left in sorted(by.items()):
        if side != "left" or (name, "right") not in by:
            continue
        right = by[(name, "right")]
        lv, rv = float(left.value), float(right.value)  # type: ignore[arg-type]
        out.append(Asymmetry(name, left.unit, lv, rv, abs(lv - rv), symmetry_index(lv, rv)))
    return tuple(out)
