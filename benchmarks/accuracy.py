"""Accuracy against ground truth: the pipeline on rendered clips with known motion.

For each rendered clip (the committed ``sample_videos/`` by default, or every
``*.mp4`` with a ``.truth.csv`` and ``.json`` beside it in ``--clips DIR``,
e.g. a matrix made with ``benchmarks/synthetic/render.py``) it prints, per
stance found:

* detection rate and whether the stance leg is right;
* FPPA error per frame inside the stance (mean, SD, max |error|), for the
  pipeline (cleaned, filtered) and for bare MediaPipe (raw landmarks);
* COM sway ML RMS and path-length error (cm and %) against the true COM, and
  for bare MediaPipe the raw mid-hip;
* lag of the measured sway behind the truth (cross-correlation, ms);
* lift-off / touch-down time error where the clip has those events.

    python benchmarks/accuracy.py [--clips DIR]

Goals (issue "Ground truth"): FPPA MAE ≤ 2° at yaw ≤ 15°, sway RMS error ≤ 10%,
path length ≤ 15%, stance leg 100% right, touch-down within 0.1 s, side views
graded unreliable for FPPA.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from assess.landmarks import side_idx  # noqa: E402
from assess.metrics.knee import signed_knee_angle  # noqa: E402
from assess.pipeline import analyze_video  # noqa: E402
from benchmarks._common import SAMPLE_VIDEOS  # noqa: E402


def load_truth(clip: Path) -> tuple[dict[str, np.ndarray], dict]:  # type: ignore[type-arg]
    with clip.with_suffix(".truth.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    keys = ("time_s", "fppa_deg", "com_ml_cm")
    truth = {k: np.array([float(r[k]) if r[k] else np.nan for r in rows]) for k in keys}
    truth["stance_leg"] = np.array([r["stance_leg"] for r in rows])
    return truth, json.loads(clip.with_suffix(".json").read_text())


def at(times: np.ndarray, t_query: np.ndarray, values: np.ndarray) -> np.ndarray:
    j = np.clip(np.searchsorted(times, t_query), 0, len(times) - 1)
    return values[j]


def lag_ms(measured: np.ndarray, true: np.ndarray, fps: float, max_lag: int = 10) -> float:
    ok = np.isfinite(measured) & np.isfinite(true)
    m, t = measured[ok] - measured[ok].mean(), true[ok] - true[ok].mean()
    if len(m) < 3 * max_lag:
        return float("nan")
    best = max(range(-max_lag, max_lag + 1), key=lambda k: float(np.dot(m[max(k, 0) : len(m) + min(k, 0)], t[max(-k, 0) : len(t) - max(k, 0)])))
    return 1000.0 * best / fps


def sway_stats(x: np.ndarray) -> tuple[float, float]:
    x = x[np.isfinite(x)]
    return float(np.sqrt(np.mean((x - x.mean()) ** 2))), float(np.abs(np.diff(x)).sum())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=Path, default=SAMPLE_VIDEOS)
    args = parser.parse_args()
    clips = sorted(p for p in args.clips.glob("*.mp4") if p.with_suffix(".truth.csv").exists())
    if not clips:
        print(f"no rendered clips with truth in {args.clips}")
        return 1
    head = f"{'clip':<24} {'leg':>5} {'det':>5} | {'FPPA err mean/SD/max (pipeline)':>31} {'(bare MP)':>19} | {'sway RMS cm (err%)':>20} {'path (err%)':>14} {'bare RMS err%':>13} {'lag ms':>6} | events"
    print(head)
    print("-" * len(head))
    rows: list[dict[str, float | str | bool]] = []
    for clip in clips:
        truth, params = load_truth(clip)
        motion = params["params"]["motion"]
        mode = "squat" if motion.get("mode") == "squat" else "stance"
        height = 100 * params["params"]["body"]["height_m"]
        track, a = analyze_video(clip, mode=mode, height_cm=height, workers=1)
        true_leg = motion["stance_leg"]
        yaw = params["params"]["camera"].get("yaw_deg", 0.0)
        if not a.stances:
            print(f"{clip.stem:<24} {'none':>5} {track.detection_rate:5.0%} | no stance found ({a.no_stance.message if a.no_stance else ''})")
            rows.append({"clip": clip.stem, "yaw": yaw, "leg_ok": False})
            continue
        for s in a.stances:
            window = (truth["time_s"] >= s.lift_off_s) & (truth["time_s"] <= s.touch_down_s) & (truth["stance_leg"] == s.side)
            if window.sum() < 3:
                print(f"{clip.stem[:24]:<24} {'BAD' + s.side[0]:>5} {track.detection_rate:5.0%} | a {s.side} stance at {s.lift_off_s:.1f}-{s.touch_down_s:.1f} s that the truth does not have")
                rows.append({"clip": clip.stem, "yaw": yaw, "leg_ok": False})
                continue
            tt = truth["time_s"][window]
            fp = a.series.get(f"fppa_image.{s.side}")
            err = at(fp.times, tt, fp.values) - truth["fppa_deg"][window] if fp is not None else np.array([np.nan])
            # bare MediaPipe: raw pixel landmarks, no cleaning or filtering
            px = track.pixels()
            i = np.clip(np.searchsorted(track.times, tt), 0, len(track) - 1)
            other = "right" if s.side == "left" else "left"
            medial = np.sign(px[i, side_idx(other, "hip"), 0] - px[i, side_idx(s.side, "hip"), 0])[:, None] * np.array([1.0, 0.0])
            bare = signed_knee_angle(px[i, side_idx(s.side, "hip")], px[i, side_idx(s.side, "knee")], px[i, side_idx(s.side, "ankle")], medial)
            berr = bare - truth["fppa_deg"][window]
            ml = a.series.get(f"com_ml.{s.side}")
            meas = at(ml.times, tt, ml.values) if ml is not None else np.full(len(tt), np.nan)
            true_ml = truth["com_ml_cm"][window]
            rms_m, path_m = sway_stats(meas)
            rms_t, path_t = sway_stats(true_ml)
            cm_per_px = a.scale.cm_per_px or float("nan")
            hip_mid = 0.5 * (px[i, side_idx("left", "hip"), 0] + px[i, side_idx("right", "hip"), 0]) * cm_per_px
            rms_b, _ = sway_stats(hip_mid)
            lag = lag_ms(meas, true_ml, track.fps)
            ev = {e["name"]: e["time_s"] for e in params.get("events", []) if e["name"] in ("lift_off", "touch_down")}
            ev_txt = []
            if "lift_off" in ev:
                ev_txt.append(f"lift-off {s.lift_off_s - ev['lift_off']:+.2f} s")
            if "touch_down" in ev:
                ev_txt.append(f"touch-down {s.touch_down_s - ev['touch_down']:+.2f} s")
            fppa_m = s.metric("fppa_image_mean")
            if fppa_m is not None and not fppa_m.quality.reliable:
                ev_txt.append("FPPA graded unreliable")
            rows.append(
                {
                    "clip": clip.stem,
                    "yaw": yaw,
                    "valgus": float(motion.get("valgus_deg", 0.0)),
                    "leg_ok": s.side == true_leg,
                    "fppa_mean_err": float(np.nanmean(err)),
                    "fppa_abs_err": float(np.nanmean(np.abs(err))),
                    "bare_abs_err": float(np.nanmean(np.abs(berr))),
                    "rms_err_pct": 100 * (rms_m / rms_t - 1),
                    "pelvis_rms_err_pct": 100 * (pel.value / rms_t - 1) if (pel := s.metric("pelvis_sway_ml_rms")) is not None and pel.value else float("nan"),
                    "path_err_pct": 100 * (path_m / path_t - 1),
                    "fppa_unreliable": fppa_m is not None and not fppa_m.quality.reliable,
                    "td_err": s.touch_down_s - ev["touch_down"] if "touch_down" in ev else float("nan"),
                }
            )
            print(
                f"{clip.stem[:24]:<24} {('ok ' if s.side == true_leg else 'BAD') + s.side[0]:>5} {track.detection_rate:5.0%} | "
                f"{np.nanmean(err):+6.2f} / {np.nanstd(err):4.2f} / {np.nanmax(np.abs(err)):5.2f}° {f'(yaw {yaw:g})':>10} "
                f"{np.nanmean(berr):+6.2f} / {np.nanmax(np.abs(berr)):5.2f}° | "
                f"{rms_m:5.2f} vs {rms_t:4.2f} ({100 * (rms_m / rms_t - 1):+4.0f}%) {path_m:5.1f}/{path_t:4.1f} ({100 * (path_m / path_t - 1):+4.0f}%) "
                f"{100 * (rms_b / rms_t - 1):+12.0f}% {lag:6.0f} | {', '.join(ev_txt)}",
                flush=True,
            )
    summarise(rows)
    return 0


def summarise(rows: list[dict]) -> None:  # type: ignore[type-arg]
    """The goals of issue "Ground truth", over all clips measured."""
    front = [r for r in rows if float(r["yaw"]) <= 15 and "fppa_abs_err" in r]
    side = [r for r in rows if float(r["yaw"]) >= 60]
    print()
    if front:
        mae = np.mean([r["fppa_abs_err"] for r in front])
        print(f"FPPA MAE at yaw <= 15 deg: {mae:.2f} deg over {len(front)} stances (goal <= 2; bare MediaPipe {np.mean([r['bare_abs_err'] for r in front]):.2f})")
        for v in sorted({r["valgus"] for r in front}):
            sel = [r for r in front if r["valgus"] == v]
            print(f"  true valgus {v:4.1f} deg: mean error {np.mean([r['fppa_mean_err'] for r in sel]):+.2f}, MAE {np.mean([r['fppa_abs_err'] for r in sel]):.2f} ({len(sel)} stances)")
        rms = [abs(r["rms_err_pct"]) for r in front if np.isfinite(r["rms_err_pct"])]
        path = [abs(r["path_err_pct"]) for r in front if np.isfinite(r["path_err_pct"])]
        pel = [abs(r["pelvis_rms_err_pct"]) for r in front if np.isfinite(r["pelvis_rms_err_pct"])]
        print(f"COM sway RMS |error|: mean {np.mean(rms):.0f}%, max {np.max(rms):.0f}% (goal <= 10%); path |error|: mean {np.mean(path):.0f}%, max {np.max(path):.0f}% (goal <= 15%)")
        if pel:
            print(f"pelvis-midpoint sway RMS against the true COM: |error| mean {np.mean(pel):.0f}%, max {np.max(pel):.0f}%")
    print(f"stance leg right: {sum(bool(r['leg_ok']) for r in rows)}/{len(rows)} (goal all)")
    td = [abs(r["td_err"]) for r in rows if np.isfinite(r.get("td_err", float("nan")))]
    if td:
        print(f"touch-down |error|: max {max(td):.2f} s (goal <= 0.1 s)")
    if side:
        print(f"side views (yaw >= 60) with FPPA graded unreliable: {sum(bool(r.get('fppa_unreliable')) for r in side)}/{len(side)} (goal all)")


if __name__ == "__main__":
    sys.exit(main())
