"""The Assessment record: JSON round trip, no NaN literals, lookups."""

from __future__ import annotations

import json

import numpy as np

from assess.assessment import (
    Assessment,
    Asymmetry,
    BalanceEvent,
    CameraView,
    Metric,
    Quality,
    Reason,
    ScaleInfo,
    Series,
    SquatRep,
    StanceTrial,
)


def _example() -> Assessment:
    q = Quality(grade="C", reliable=False, usable_fraction=0.5, reasons=(Reason("side_view", "Side view."),))
    m = Metric("fppa_image_peak", 12.5, "deg", side="left", family="knee", quality=q, series="fppa_image.left")
    missing = Metric("com_sway_ap_rms", None, "cm", side="left", family="sway", quality=q)
    rep = SquatRep(0, "left", 1.0, 1.5, 2.0, 10.0, metrics=(m,))
    st = StanceTrial(0, "left", 0.5, 3.0, 2.5, "touch_down", 2.5, events=(BalanceEvent("hands_off_hips", 1.2, None, "x"),),
                     metrics=(m, missing), reps=(rep,))
    series = {"fppa_image.left": Series("fppa_image.left", "deg", np.array([0.0, 0.1]), np.array([1.0, np.nan]))}
    return Assessment(
        mode="squat",
        source={"path": "x.mp4", "fps": 30.0},
        parameters={"cutoff_hz": 6.0},
        scale=ScaleInfo("relative", "bh", 500.0),
        view=CameraView("frontal", 0.8, 0.6, 0.1, True),
        quality=Quality(),
        stances=(st,),
        summary=(m,),
        asymmetry=(Asymmetry("fppa_image_peak", "deg", 1.0, 2.0, 1.0, -66.7),),
        series=series,
    )


def test_json_round_trip_keeps_every_field() -> None:
    a = _example()
    text = a.to_json()
    assert "NaN" not in text
    b = Assessment.from_json(text)
    assert b.stances == a.stances
    assert b.summary == a.summary and b.scale == a.scale and b.view == a.view
    s = b.series["fppa_image.left"]
    assert s.values[0] == 1.0 and np.isnan(s.values[1])
    assert json.loads(b.to_json()) == json.loads(text)


def test_lookups() -> None:
    a = _example()
    assert a.summary_metric("fppa_image_peak", "left") is not None
    assert a.summary_metric("fppa_image_peak", "right") is None
    assert a.stances[0].metric("com_sway_ap_rms").value is None  # type: ignore[union-attr]
    assert len(a.reps) == 1 and a.stances_on("right") == ()
