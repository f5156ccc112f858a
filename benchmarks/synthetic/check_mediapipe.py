#!/usr/bin/env python3
"""Check rendered clips against bare MediaPipe PoseLandmarker (VIDEO mode).

Usage (project venv: mediapipe, PyAV, numpy)::

    .venv/bin/python benchmarks/synthetic/check_mediapipe.py sample_videos/*.mp4 \\
        [--model models/pose_landmarker_full.task] [--json out.json]

For each ``<clip>.mp4`` with its ``<clip>.truth.csv`` it reports:

* detection rate (frames with a pose / all frames),
* median and 95th-percentile pixel distance between MediaPipe's and the
  truth's knee (left and right), hip and ankle positions,
* the stance-knee FPPA from MediaPipe's hip/knee/ankle vs the true image FPPA
  (mean bias, degrees; only meaningful for near-frontal cameras),
* the SD of the ML position of MediaPipe's hip midpoint vs the SD of the true
  hip midpoint, in pixels (a sway proxy that needs no scale).

MediaPipe's "left" landmarks are the subject's left, like the truth's ``l_``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kinematics import fppa_2d  # noqa: E402

MP = {"l_shoulder": 11, "r_shoulder": 12, "l_hip": 23, "r_hip": 24, "l_knee": 25, "r_knee": 26, "l_ankle": 27, "r_ankle": 28, "l_heel": 29, "r_heel": 30, "l_toe": 31, "r_toe": 32}


def read_truth(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def run_mediapipe(mp4: Path, model: Path) -> tuple[list[np.ndarray | None], int, int]:
    """Per frame, (33, 2) landmark pixels or None; plus image width/height.

    Goes through the project's MediaPipe adapter (``assess.pose``, one person,
    no filtering), so mediapipe stays imported in one module only.
    """
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from assess.pipeline import track_video
    from assess.pose import PoseEstimator

    with PoseEstimator(model, max_people=1) as est:
        track = track_video(mp4, estimator=est)
    px = track.pixels()
    out: list[np.ndarray | None] = [px[i] if track.detected[i] else None for i in range(len(track))]
    return out, track.width, track.height


def check_clip(mp4: Path, model: Path) -> dict[str, float | str | int]:
    truth = read_truth(mp4.with_suffix("").with_suffix(".truth.csv") if mp4.name.endswith(".mp4") else mp4)
    det, _, _ = run_mediapipe(mp4, model)
    n = min(len(det), len(truth))
    ok = [k for k in range(n) if det[k] is not None]
    res: dict[str, float | str | int] = {"clip": mp4.stem, "frames": n, "detected": len(ok), "detection_rate": len(ok) / max(n, 1)}
    if not ok:
        return res
    for name in ("l_knee", "r_knee", "l_hip", "r_hip", "l_ankle", "r_ankle"):
        e = np.array([math.hypot(det[k][MP[name], 0] - float(truth[k][name + "_u"]), det[k][MP[name], 1] - float(truth[k][name + "_v"])) for k in ok])  # type: ignore[index]
        res[f"{name}_err_px_median"] = float(np.median(e))
        res[f"{name}_err_px_p95"] = float(np.percentile(e, 95))
        d = np.array([[det[k][MP[name], 0] - float(truth[k][name + "_u"]), det[k][MP[name], 1] - float(truth[k][name + "_v"])] for k in ok])  # type: ignore[index]
        res[f"{name}_mean_du_px"], res[f"{name}_mean_dv_px"] = (float(x) for x in d.mean(axis=0))
    st = "l_" if truth[0]["stance_leg"] == "left" else "r_"
    fr = "r_" if st == "l_" else "l_"
    f_mp, f_true = [], []
    for k in ok:
        pose = det[k]
        assert pose is not None  # ``ok`` holds only frames with a detection
        f_mp.append(fppa_2d(pose[MP[st + "hip"]], pose[MP[st + "knee"]], pose[MP[st + "ankle"]], pose[MP[fr + "hip"]]))
        f_true.append(float(truth[k]["fppa_deg"]))
    diff = np.array(f_mp) - np.array(f_true)
    res["fppa_true_mean_deg"] = float(np.mean(f_true))
    res["fppa_mp_mean_deg"] = float(np.mean(f_mp))
    res["fppa_bias_deg"] = float(np.mean(diff))
    res["fppa_err_sd_deg"] = float(np.std(diff))
    single = [k for k in ok if truth[k]["phase"] == "single"]
    if len(single) > 10:
        mp_mid = np.array([0.5 * (det[k][23, 0] + det[k][24, 0]) for k in single])  # type: ignore[index]
        tr_mid = np.array([0.5 * (float(truth[k]["l_hip_u"]) + float(truth[k]["r_hip_u"])) for k in single])
        res["hip_mid_u_sd_px_mp"] = float(np.std(mp_mid))
        res["hip_mid_u_sd_px_true"] = float(np.std(tr_mid))
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("clips", nargs="+", type=Path)
    ap.add_argument("--model", type=Path, default=Path(__file__).resolve().parents[2] / "models" / "pose_landmarker_full.task")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    results = []
    for clip in args.clips:
        r = check_clip(clip, args.model)
        results.append(r)
        keys = ["detection_rate", "l_knee_mean_du_px", "l_knee_mean_dv_px", "r_knee_mean_du_px", "r_knee_mean_dv_px", "l_ankle_mean_du_px", "l_ankle_mean_dv_px", "r_ankle_mean_du_px", "r_ankle_mean_dv_px", "l_knee_err_px_median", "r_knee_err_px_median", "l_knee_err_px_p95", "r_knee_err_px_p95", "l_hip_err_px_median", "r_hip_err_px_median", "l_ankle_err_px_median", "r_ankle_err_px_median", "fppa_true_mean_deg", "fppa_mp_mean_deg", "fppa_bias_deg", "hip_mid_u_sd_px_mp", "hip_mid_u_sd_px_true"]
        print(r["clip"], " ".join(f"{k}={r[k]:.2f}" for k in keys if k in r), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
