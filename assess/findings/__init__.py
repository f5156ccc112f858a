"""Findings and exercise priorities: from an `Assessment` to a `Plan`.

``build_plan(assessment, age_band=..., sex=...)`` grades every measured value
against thresholds stored as data (``assess/data/thresholds.toml``, each with
its source), reasons about what the findings point at
(``assess/data/reasoning.toml``) and ranks exercises from the catalogue
(``assess/data/exercises.toml``). Every recommendation carries the findings and
numbers that produced it. A screening aid, never a diagnosis.

Modules: ``tables`` (typed records of the data files), ``detect``
(Assessment → findings), ``prioritise`` (findings → drivers → exercises),
``records`` (output types).
"""

from __future__ import annotations

from ..assessment import Assessment
from .detect import Context, detect_findings, not_assessed
from .prioritise import context_notes, prioritise
from .records import ContextNote, DriverScore, Evidence, Finding, Plan, PlanStatus, Recommendation
from .tables import load_catalogue, load_reasoning, load_thresholds, normalise_age_band, normalise_sex

EYES = ("open", "closed")


def _redo_plan(a: Assessment, ctx: Context, finding: Finding, lead: str) -> Plan:
    rs = load_reasoning()
    steps = rs.redo_steps
    plain = f"{lead} How to record the test again: " + " ".join(steps)
    return Plan(
        status="redo",
        mode=a.mode,
        age_band=ctx.age_band,
        sex=ctx.sex,
        eyes=ctx.eyes,
        findings=(finding,),
        drivers=(),
        recommendations=(),
        keep_doing=(),
        context=(),
        redo_steps=steps,
        plain=plain,
        clinical=f"{finding.clinical}. No recommendations; re-record per protocol ({rs.redo_source}).",
        disclaimer_plain=rs.disclaimer_plain,
        disclaimer_clinical=rs.disclaimer_clinical,
    )


def build_plan(
    assessment: Assessment,
    *,
    age_band: str | int | None = None,
    sex: str | None = None,
    eyes: str = "open",
) -> Plan:
    """Findings and a ranked, explained exercise plan for one Assessment.

    Parameters
    ----------
    assessment : the measured clip (:class:`assess.assessment.Assessment`).
    age_band : norm age band (``"18-39"``, ``"40-49"``, …, ``"80+"``; an en dash
        is accepted) or an age in years; default 18–39. Used for the
        single-leg stance norm (Springer 2007).
    sex : ``"female"``/``"male"`` (or f/m, woman/man) selects sex-specific
        knee-valgus ranges (Herrington); None uses a between-sexes heuristic.
    eyes : ``"open"`` (default) or ``"closed"``: the condition of the stance
        trial, for the norm.

    Returns
    -------
    Plan. ``status == "redo"`` with no recommendations when no single-leg
    stance was found or nothing could be assessed; ``"maintenance"`` when no
    finding reaches a threshold; ``"plan"`` otherwise.

    Raises
    ------
    ValueError : unknown age band, sex or eyes.
    """
    if eyes not in EYES:
        raise ValueError(f"eyes must be 'open' or 'closed', not {eyes!r}")
    hands = assessment.parameters.get("hands_on_hips", True)
    ctx = Context(
        mode=assessment.mode,
        age_band=normalise_age_band(age_band),
        sex=normalise_sex(sex),
        eyes=eyes,
        frontal_ok=assessment.view.frontal_plane_reliable,
        hands_on_hips=bool(hands),
    )
    what = "single-leg squat" if assessment.mode == "squat" else "single-leg stance"
    if assessment.no_stance is not None or not assessment.stances:
        reason = assessment.no_stance.message if assessment.no_stance else "No stance was found."
        f = not_assessed("no_stance", f"A {what}", "timing", None, None, (("no_single_leg_stance", reason),), source="Assessment.no_stance")
        f = _replace_text(
            f, plain=f"No {what} was found in this video, so nothing could be assessed. {reason}", clinical=f"No {what} detected ({reason})"
        )
        return _redo_plan(assessment, ctx, f, f"No {what} was found in this video, so there is nothing to assess yet.")
    if not assessment.quality.reliable or assessment.quality.grade == "D":
        reasons = tuple((r.code, r.message) for r in assessment.quality.reasons) or (("poor_data", "The video quality was too poor."),)
        f = not_assessed("poor_data", "This video", "quality", None, None, reasons, source="Assessment.quality")
        return _redo_plan(assessment, ctx, f, "The video could not be measured reliably, so nothing was assessed.")

    findings = detect_findings(assessment, ctx, load_thresholds())
    if not any(f.assessed for f in findings):
        f = not_assessed(
            "poor_data",
            "This video",
            "quality",
            None,
            None,
            (("nothing_assessable", "None of the measurements was reliable enough to use."),),
            source="Assessment",
        )
        plan = _redo_plan(assessment, ctx, f, "None of the measurements was reliable enough to use, so nothing was assessed.")
        return _replace_plan(plan, findings=(f, *findings))

    rs, cat = load_reasoning(), load_catalogue()
    drivers, recs, keep = prioritise(findings, rs, cat)
    flagged = any(f.flagged for f in findings)
    status: PlanStatus = "plan" if flagged else "maintenance"
    missing = [f for f in findings if not f.assessed]
    plain_parts = [] if flagged else [cat.maintenance_plain]
    plain_parts += [d.plain for d in drivers if d.plain and d.score > 0]
    plain_parts += [r.plain for r in recs] + [r.plain for r in keep]
    if missing:
        plain_parts.append(f"{len(missing)} item(s) could not be assessed (see the list); recording again as described may help.")
    clinical_parts = [] if flagged else [cat.maintenance_clinical]
    clinical_parts.append("Drivers: " + "; ".join(f"{d.name} {d.score:.2f}" for d in drivers if d.score > 0) if flagged else "")
    clinical_parts += [r.clinical for r in recs]
    if missing:
        clinical_parts.append("Not assessed: " + ", ".join(f.id for f in missing) + ".")
    return Plan(
        status=status,
        mode=assessment.mode,
        age_band=ctx.age_band,
        sex=ctx.sex,
        eyes=ctx.eyes,
        findings=findings,
        drivers=drivers,
        recommendations=recs,
        keep_doing=keep,
        context=context_notes(drivers, rs),
        redo_steps=rs.redo_steps if missing else (),
        plain=" ".join(p for p in plain_parts if p),
        clinical="\n".join(p for p in clinical_parts if p),
        disclaimer_plain=rs.disclaimer_plain,
        disclaimer_clinical=rs.disclaimer_clinical,
    )


def _replace_text(f: Finding, *, plain: str, clinical: str) -> Finding:
    from dataclasses import replace

    return replace(f, plain=plain, clinical=clinical)


def _replace_plan(p: Plan, **changes: object) -> Plan:
    from dataclasses import replace

    return replace(p, **changes)  # type: ignore[arg-type]


__all__ = [
    "ContextNote",
    "DriverScore",
    "Evidence",
    "Finding",
    "Plan",
    "Recommendation",
    "build_plan",
    "load_catalogue",
    "load_reasoning",
    "load_thresholds",
]
