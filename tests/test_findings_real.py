"""Plans from real clips (skipped when the clips in ../shared/videos are absent).

* ``singlelegsquat_valgus_goodbad_frontal_man_05``: a man doing single-leg squats,
  some with the knee collapsing inward. The plan must put hip or knee-control
  work in the top 3, and every priority must cite a flagged finding.
* ``control_quietstance_frontal_mocaplab_markers_01``: quiet two-leg stance. The
  plan must say that no single-leg stance was found and recommend nothing.
"""

from __future__ import annotations

import pytest

from assess.assessment import analyze_track
from assess.findings import build_plan

pytestmark = [pytest.mark.real_video, pytest.mark.slow]

HIP_OR_KNEE = {"side_lying_hip_abduction", "clamshell_side_plank", "lateral_band_walk", "sl_squat_knee_cue"}


def test_valgus_squat_clip_puts_hip_or_knee_work_in_the_top_3(real_track) -> None:  # type: ignore[no-untyped-def]
    a = analyze_track(real_track("singlelegsquat_valgus_goodbad_frontal_man_05"), mode="squat")
    plan = build_plan(a, sex="male")
    assert plan.status == "plan", plan.plain
    ids = {r.exercise_id for r in plan.recommendations}
    assert ids & HIP_OR_KNEE, (ids, plan.clinical)
    assert any(f.code == "knee_valgus_squat" and f.flagged for f in plan.findings), plan.clinical
    for r in plan.recommendations:
        if r.role == "priority":
            assert r.evidence and all(plan.finding(e.finding_id).flagged for e in r.evidence)  # type: ignore[union-attr]


def test_quiet_stance_control_says_no_single_leg_stance(real_track) -> None:  # type: ignore[no-untyped-def]
    a = analyze_track(real_track("control_quietstance_frontal_mocaplab_markers_01"), mode="stance")
    plan = build_plan(a)
    assert plan.status == "redo"
    assert "No single-leg stance was found" in plan.plain
    assert plan.recommendations == () and plan.keep_doing == ()
