"""Golden test (OpenCap style): the whole pipeline on committed renders vs their ground truth.

The sample videos in ``sample_videos/`` are rendered with known motion
(``benchmarks/synthetic``); their ``.truth.csv`` gives per-frame truth. The
tolerances below are what the pipeline meets today with a margin, not the
project's goals (FPPA ≤ 2°, sway RMS ≤ 10%, touch-down ≤ 0.1 s; see
``benchmarks/accuracy.py``). They catch regressions:

* stance leg: must be right;
* FPPA (image, stance mean): within 3.5° of the true image FPPA — MediaPipe
  reads valgus ~3° low (it places the hip joint differently; published
  single-camera studies report a −5° bias);
* COM sway ML RMS: within 40% of the true COM sway in the same window —
  MediaPipe's frame-to-frame jitter adds to the small (≈0.5 cm) true sway;
* touch-down time: within 0.25 s;
* side view: FPPA must be graded unreliable.
"""

from __future__ import annotations

import csv
import json
from functools import cache

import numpy as np
import pytest

from assess.assessment import Assessment
from assess.pipeline import analyze_video
from tests.conftest import SAMPLE_VIDEOS

pytestmark = pytest.mark.slow


@cache
def run(name: str, mode: str = "stance") -> tuple[Assessment, dict[str, np.ndarray], dict]:  # type: ignore[type-arg]
    clip = SAMPLE_VIDEOS / f"{name}.mp4"
    params = json.loads((SAMPLE_VIDEOS / f"{name}.json").read_text())
    _, assessment = analyze_video(clip, mode=mode, height_cm=100 * params["params"]["body"]["height_m"], workers=1)
    with (SAMPLE_VIDEOS / f"{name}.truth.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    truth = {k: np.array([float(r[k]) if r[k] not in ("", None) else np.nan for r in rows]) for k in ("time_s", "fppa_deg", "com_ml_cm")}
    return assessment, truth, params


def window(truth: dict[str, np.ndarray], t0: float, t1: float, key: str) -> np.ndarray:
    t = truth["time_s"]
    return truth[key][(t >= t0) & (t <= t1)]


@pytest.mark.parametrize(("name", "leg"), [("left_stance_novalgus", "left"), ("right_stance_valgus15", "right")])
def test_stance_fppa_and_sway_against_truth(name: str, leg: str) -> None:
    a, truth, _ = run(name)
    assert [s.side for s in a.stances] == [leg]
    s = a.stances[0]
    fppa = s.metric("fppa_image_mean")
    assert fppa is not None and fppa.value is not None and fppa.quality.reliable
    true_fppa = float(np.nanmean(window(truth, s.lift_off_s, s.touch_down_s, "fppa_deg")))
    assert abs(fppa.value - true_fppa) <= 3.5, (fppa.value, true_fppa)
    rms = s.metric("com_sway_ml_rms")
    assert rms is not None and rms.value is not None and rms.unit == "cm"
    ml = window(truth, s.lift_off_s, s.touch_down_s, "com_ml_cm")
    true_rms = float(np.sqrt(np.nanmean((ml - np.nanmean(ml)) ** 2)))
    assert abs(rms.value - true_rms) <= 0.4 * true_rms, (rms.value, true_rms)


def test_touch_down_time() -> None:
    a, _, params = run("left_stance_touchdown")
    events = {e["name"]: e["time_s"] for e in params["events"]}
    assert [s.side for s in a.stances] == ["left"]
    s = a.stances[0]
    assert s.ended_by == "touch_down"
    assert abs(s.touch_down_s - events["touch_down"]) <= 0.25
    assert abs(s.lift_off_s - events["lift_off"]) <= 0.25


def test_squat_reps_and_valgus_at_depth() -> None:
    a, _, params = run("right_squat_valgus", "squat")
    bottoms = [e["time_s"] for e in params["events"] if e["name"] == "squat_bottom"]
    reps = a.reps
    assert len(reps) == len(bottoms) and all(r.side == "right" for r in reps)
    for rep, t in zip(reps, bottoms):
        assert abs(rep.deepest_s - t) <= 0.3
        at_depth = next(m for m in rep.metrics if m.name == "fppa_image_at_depth")
        # MediaPipe reads the valgus at depth 3-5 degrees low on these renders (benchmarks/accuracy.py).
        assert at_depth.value is not None and abs(at_depth.value - params["params"]["motion"]["squat_valgus_bottom_deg"]) <= 5.5


def test_side_view_gives_no_confident_fppa() -> None:
    a, _, _ = run("left_stance_side_view")
    assert a.view.view == "side"
    for s in a.stances:
        m = s.metric("fppa_image_mean")
        assert m is None or m.value is None or not m.quality.reliable
