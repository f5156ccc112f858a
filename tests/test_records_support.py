"""Helpers for the records tests (no tests here): hand-built Assessments and real ones from a sample clip."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from assess.assessment import Assessment, CameraView, Metric, Quality, ScaleInfo

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAMPLE = PROJECT_ROOT / "sample_videos" / "left_stance_novalgus.mp4"
V1_SCHEMA = Path(__file__).with_name("test_records_v1_schema.sql")


def make_assessment(
    side: str = "left",
    *,
    hold: float = 20.0,
    sway: float = 2.0,
    fppa: float = 5.0,
    pelvic: float = 1.0,
    mode: str = "stance",
    unit: str = "cm",
    reliable: bool = True,
    both: bool = False,
    marker: str = "",
) -> Assessment:
    """An Assessment with just the summary metrics the records keep (values are what you pass).

    ``both`` adds the other leg with values +1 (so |left − right| = 1); ``marker``
    goes into ``source["path"]`` (to look for it in the raw database file).
    """
    q = Quality("A" if reliable else "D", reliable)
    fppa_name = "fppa_image_p95" if mode == "stance" else "fppa_image_at_depth_rep_mean"
    summary = []
    for i, s in enumerate([side, "right" if side == "left" else "left"] if both else [side]):
        summary += [
            Metric("stance_duration", hold + i, "s", s, "timing", q),  # type: ignore[arg-type]
            Metric("com_sway_ml_velocity", sway + i, f"{unit}/s", s, "sway", q),  # type: ignore[arg-type]
            Metric(fppa_name, fppa + i, "deg", s, "knee", q),  # type: ignore[arg-type]
            Metric("pelvic_drop_height_p95", pelvic + i, unit, s, "pelvis", q),  # type: ignore[arg-type]
        ]
    return Assessment(
        mode=mode,  # type: ignore[arg-type]
        source={"path": f"/videos/{marker or 'clip'}.mp4", "model": "full", "fps": 30.0},
        parameters={},
        scale=ScaleInfo("body_height", unit, 900.0, 0.2, 175.0),
        view=CameraView("frontal", 0.8, 0.6, 0.1, True),
        quality=q,
        summary=tuple(summary),
    )


@pytest.fixture(scope="session")
def real_assessments(request: pytest.FixtureRequest) -> tuple[Assessment, Assessment]:
    """Two real analyses of the left-stance sample clip (every frame, and every 2nd frame), cached as JSON."""
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE.name} not found in sample_videos/")
    from assess.models import model_path
    from assess.pipeline import PIPELINE_VERSION, analyze_video

    if not model_path("full").exists():
        pytest.skip("pose model not installed: `assess models install`")
    cache = Path(request.config.cache.mkdir("records"))
    tag = hashlib.sha256(f"{SAMPLE.stat().st_size}-v{PIPELINE_VERSION}".encode()).hexdigest()[:10]
    out = []
    for stride in (1, 2):
        path = cache / f"left-s{stride}-{tag}.json"
        if not path.exists():
            _, a = analyze_video(SAMPLE, mode="stance", height_cm=178.0, stride=stride)
            path.write_text(a.to_json())
        out.append(Assessment.from_json(path.read_text()))
    return out[0], out[1]
