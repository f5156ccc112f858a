"""The plan: for each pattern the expected exercises come first, every choice is traceable."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from assess.assessment import Assessment, Quality, Reason
from assess.findings import Plan, build_plan, load_catalogue

from .test_findings_builders import metric, squat_assessment, stance_assessment

HIP = {"side_lying_hip_abduction", "clamshell_side_plank", "lateral_band_walk"}
FOOT = {"short_foot", "calf_raise"}
KNEE = {"sl_squat_knee_cue"}
BALANCE = {"sl_balance_progressions", "sl_balance_swing"}


@dataclass(frozen=True)
class Case:
    """One pattern: the Assessment, and what the plan must show."""

    name: str
    assessment: Assessment
    status: str
    first: set[str]  # the rank-1 exercise is one of these
    in_top3: tuple[set[str], ...] = ()  # each set: some exercise of it is in the top 3
    not_first: set[str] = frozenset()  # type: ignore[assignment]
    keep_doing: set[str] = frozenset()  # type: ignore[assignment]
    sex: str | None = None


CASES = [
    Case(
        "foot-dominant: ankle wobble, sway, stance valgus",
        stance_assessment(left={"wobble": 1.3, "ml": 4.5, "fppa": 12.0}, right={"wobble": 0.3}),
        "plan",
        first=FOOT,
        in_top3=(FOOT, FOOT | BALANCE),
        not_first=HIP,
    ),
    Case(
        "hip-dominant: pelvic drop and trunk lean with stance valgus",
        stance_assessment(right={"drop_deg": 9.0, "drop_cm": 2.6, "lean": 13.0, "fppa": 12.0}, left={}),
        "plan",
        first=HIP,
        in_top3=(HIP,),
        keep_doing={"short_foot"},  # "even with a hip issue, don't neglect the foot"
    ),
    Case(
        "squat, women: right knee 18°, pelvis drops on the left",
        squat_assessment(right={"fppa": 18.0, "drop_deg": 9.0, "drop_cm": 2.6}, left={"fppa": 8.0}),
        "plan",
        first=HIP,
        in_top3=(HIP, KNEE),
        keep_doing={"short_foot"},
        sex="female",
    ),
    Case(
        "mixed: hip and foot signs on the same leg",
        stance_assessment(left={"drop_deg": 9.0, "drop_cm": 2.6, "lean": 10.0, "fppa": 16.0, "wobble": 1.0, "ml": 5.0}, right={}),
        "plan",
        first=HIP | FOOT | KNEE,
        in_top3=(HIP, FOOT),
    ),
    Case(
        "balance: short hold with errors, nothing else",
        stance_assessment(left={"hold": 12.0, "events": ("stance_foot_shift", "free_foot_touchdown")}, right={"hold": 15.0}),
        "plan",
        first=BALANCE,
        in_top3=(BALANCE,),
        not_first=HIP,
    ),
    Case(
        "normal: maintenance, no invented problems",
        stance_assessment(left={}, right={}),
        "maintenance",
        first={"sl_balance_progressions"},
        in_top3=({"calf_raise"}, {"sl_squat_knee_cue"}),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_expected_exercises_come_first(case: Case) -> None:
    plan = build_plan(case.assessment, sex=case.sex)
    ids = [r.exercise_id for r in plan.recommendations]
    assert plan.status == case.status, plan.plain
    assert len(ids) == 3 and len({r.group for r in plan.recommendations}) == 3
    assert ids[0] in case.first, ids
    assert ids[0] not in case.not_first
    for want in case.in_top3:
        assert want & set(ids), (want, ids)
    assert case.keep_doing <= {r.exercise_id for r in plan.keep_doing}
    assert plan.keep_doing, "always some keep-doing items"
    assert [r.rank for r in plan.recommendations] == [1, 2, 3]


@pytest.mark.parametrize("case", [c for c in CASES if c.status == "plan"], ids=lambda c: c.name)
def test_every_recommendation_is_traceable_to_findings_and_numbers(case: Case) -> None:
    plan = build_plan(case.assessment, sex=case.sex)
    for r in plan.recommendations:
        if r.role != "priority":
            continue
        assert r.evidence and r.score > 0
        for e in r.evidence:
            f = plan.finding(e.finding_id)
            assert f is not None and f.flagged, e
            assert (e.value, e.unit, e.threshold, e.severity, e.source) == (f.value, f.unit, f.threshold, f.severity, f.source)
        assert sum(e.weight for e in r.evidence) == pytest.approx(r.score, abs=0.01)
    first = plan.recommendations[0]
    top = plan.finding(first.evidence[0].finding_id)
    assert top is not None and top.value is not None
    assert f"{top.value:.0f}" in first.plain or f"{top.value:.1f}" in first.plain  # the sentence quotes the number


def test_the_issue_example_sentence() -> None:
    """Right knee 14° in the squat (women typical 8°) and pelvis dropping on the left → hip work first."""
    a = squat_assessment(right={"fppa": 14.0, "drop_cm": 2.6, "drop_deg": 9.0}, left={"fppa": 7.0})
    plan = build_plan(a, sex="female")
    first = plan.recommendations[0]
    assert first.exercise_id in HIP and first.sides[0] == "right"
    assert "right knee moved inward 14°" in first.plain and "typical for women: about 8°" in first.plain
    assert "pelvis dropped" in first.plain and "on the left side" in first.plain
    assert ": start with hip abductor work" in first.plain
    assert {"knee_valgus_squat.right", "pelvic_drop.right"} <= set(first.finding_ids)
    assert "Herrington" in first.clinical


def test_marked_hip_signs_start_with_the_easiest_hip_variant() -> None:
    marked = build_plan(stance_assessment(left={"drop_deg": 14.0, "drop_cm": 4.5, "lean": 17.0}))
    mild = build_plan(stance_assessment(left={"drop_deg": 6.0, "drop_cm": 2.2, "lean": 9.0}))
    hip = [r for r in marked.recommendations if r.group == "hip_abductors"][0]
    assert hip.exercise_id == "side_lying_hip_abduction"
    assert [r for r in mild.recommendations if r.group == "hip_abductors"][0].exercise_id == "lateral_band_walk"


def test_normal_results_give_a_maintenance_plan_tied_to_the_measurements() -> None:
    plan = build_plan(stance_assessment(left={}, right={}))
    assert plan.status == "maintenance" and not plan.flagged
    assert [r.role for r in plan.recommendations] == ["maintenance"] * 3
    assert list(load_catalogue().maintenance[:3]) == [r.exercise_id for r in plan.recommendations]
    assert plan.context == ()
    tied = [r for r in plan.recommendations if r.evidence]
    assert tied, "maintenance items cite the normal results they keep"
    for r in tied:
        assert all(plan.finding(e.finding_id).severity == "none" for e in r.evidence)  # type: ignore[union-attr]


def test_no_stance_says_so_and_recommends_only_how_to_redo() -> None:
    a = stance_assessment(no_stance=Reason("no_single_leg_stance", "No single-leg stance was found: both feet stayed down."))
    plan = build_plan(a)
    assert plan.status == "redo"
    assert plan.recommendations == () and plan.keep_doing == () and plan.drivers == ()
    assert "No single-leg stance was found" in plan.plain
    assert plan.redo_steps and any("camera" in s for s in plan.redo_steps)
    assert [f.code for f in plan.findings] == ["no_stance"] and not plan.findings[0].assessed


def test_squat_mode_without_reps_says_no_single_leg_squat() -> None:
    a = squat_assessment(no_stance=Reason("no_single_leg_stance", "No single-leg squat repetition was found."))
    assert "No single-leg squat was found" in build_plan(a).plain


def test_poor_whole_clip_quality_gives_redo() -> None:
    bad = Quality("D", False, 0.2, (Reason("body_out_of_frame", "The whole body is in the picture in only 20% of frames."),))
    plan = build_plan(stance_assessment(left={"hold": 5.0}, overall=bad))
    assert plan.status == "redo" and plan.recommendations == ()
    assert plan.findings[0].code == "poor_data" and "20% of frames" in plan.findings[0].plain


def test_all_metrics_unreliable_gives_redo_and_no_findings_with_values() -> None:
    a = stance_assessment(left={"grade": "D", "hold": 5.0, "wobble": 2.0})
    plan = build_plan(a)
    assert plan.status == "redo" and plan.recommendations == ()
    assert all(f.value is None and f.severity is None for f in plan.findings)
    assert len(plan.not_assessed) == len(plan.findings) > 1


def test_partly_unreliable_data_plans_on_what_is_reliable_and_lists_the_rest() -> None:
    a = stance_assessment(left={"drop_deg": 9.0, "drop_cm": 2.6, "lean": 13.0})
    summary = tuple(metric(m.name, m.value, "left", grade="D") if m.family in ("pelvis", "trunk") else m for m in a.summary)
    plan = build_plan(Assessment(**{**a.__dict__, "summary": summary}))
    assert plan.status == "maintenance"  # the hip signs were not reliable: no hip plan from them
    assert {"pelvic_drop.left", "trunk_lean.left"} <= {f.id for f in plan.not_assessed}
    assert not any(r.group == "hip_abductors" for r in plan.recommendations)
    assert plan.redo_steps and "could not be assessed" in plan.plain


def test_context_conditions_are_never_a_diagnosis() -> None:
    plan = build_plan(squat_assessment(right={"fppa": 20.0, "drop_cm": 3.5, "drop_deg": 10.0}), sex="female")
    names = {c.condition for c in plan.context}
    assert {"patellofemoral_pain", "gluteal_tendinopathy"} <= names
    for c in plan.context:
        assert "not a diagnosis" in c.plain and "not diagnostic" in c.clinical
    assert "diagnos" in plan.disclaimer_plain


def test_plan_is_json() -> None:
    plan = build_plan(squat_assessment(right={"fppa": 18.0, "drop_cm": 2.6}, left={"fppa": 5.0}), sex="female")
    d = json.loads(plan.to_json())
    assert d["status"] == "plan" and d["recommendations"][0]["evidence"][0]["finding_id"]
    assert {"code", "severity", "side", "value", "unit", "threshold", "source", "confidence", "plain", "clinical"} <= set(d["findings"][0])
    assert isinstance(plan, Plan)
