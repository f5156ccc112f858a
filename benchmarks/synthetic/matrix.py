"""The accuracy matrix: render (once) the clips `benchmarks/accuracy.py` measures.

Issue "Ground truth" asks for at least 2 bodies x 2 camera set-ups x valgus
0/10/20 deg x 2 sway levels, plus side views. This script defines that
matrix and renders whatever of it is missing into a folder outside git
(default ``~/.cache/footfirst/matrix``; about 1 s per frame on these
machines, ~40 min for the whole matrix on one core):

    python3 benchmarks/synthetic/matrix.py [--out DIR] [--list] [--only NAME ...]
    python benchmarks/accuracy.py --clips ~/.cache/footfirst/matrix

Clips are short (6 s at 15 fps) to keep rendering affordable; the stance
leg alternates so both legs are measured. One extra clip is rendered at
60 fps for the stride check of issue "Speed" (``benchmarks/stride.py``).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from render import check_tools, ensure_assets, render_clip  # noqa: E402

DEFAULT_OUT = Path(os.environ.get("FOOTFIRST_CACHE", Path.home() / ".cache" / "footfirst")) / "matrix"

BODIES: dict[str, dict[str, Any]] = {
    "m175": {"sex": "male", "height_m": 1.75, "build": "average", "skin_tone": "medium", "bottoms": "shorts", "shirt_rgb": [0.05, 0.18, 0.45]},
    "f162": {"sex": "female", "height_m": 1.62, "build": "slim", "skin_tone": "light", "bottoms": "leggings", "shirt_rgb": [0.45, 0.08, 0.10], "sleeves": "long"},
}
CAMERAS: dict[str, dict[str, Any]] = {
    # a tripod at hip height, straight on
    "front3m": {"distance_m": 3.0, "height_m": 0.95, "yaw_deg": 0.0, "focal_mm": 35.0},
    # a phone held a little high, nearer, 15 deg off to the side, wider lens
    "yaw15": {"distance_m": 2.6, "height_m": 1.25, "target_height_m": 0.95, "yaw_deg": 15.0, "focal_mm": 28.0},
}
SWAY: dict[str, dict[str, Any]] = {
    "calm": {"sway_ml_amp_cm": 0.6, "sway_ml_noise_cm": 0.5, "sway_ap_amp_cm": 0.5, "sway_ap_noise_cm": 0.5},
    "wobbly": {"sway_ml_amp_cm": 1.6, "sway_ml_noise_cm": 1.2, "sway_ap_amp_cm": 1.2, "sway_ap_noise_cm": 1.0, "sway_ml_freq_hz": 0.4},
}
VALGUS = (0.0, 10.0, 20.0)
FPS = 15.0
DURATION_S = 6.0


def matrix() -> dict[str, dict[str, Any]]:
    """Every clip of the matrix: name -> partial parameters for ``render.py``."""
    clips: dict[str, dict[str, Any]] = {}
    for i, (body, cam, valgus, sway) in enumerate(itertools.product(BODIES, CAMERAS, VALGUS, SWAY)):
        clips[f"{body}_{cam}_v{valgus:g}_{sway}"] = {
            "body": BODIES[body],
            "camera": {**CAMERAS[cam], "fps": FPS},
            "motion": {"stance_leg": "left" if i % 2 == 0 else "right", "duration_s": DURATION_S, "seed": i, "valgus_deg": valgus, **SWAY[sway]},
        }
    for body, leg in (("m175", "right"), ("f162", "left")):
        clips[f"{body}_yaw60_v10_calm"] = {
            "body": BODIES[body],
            "camera": {**CAMERAS["front3m"], "yaw_deg": 60.0, "fps": FPS},
            "motion": {"stance_leg": leg, "duration_s": DURATION_S, "seed": 50, "valgus_deg": 10.0, **SWAY["calm"]},
        }
    clips["m175_front3m_v10_wobbly_60fps"] = {
        "body": BODIES["m175"],
        "camera": {**CAMERAS["front3m"], "fps": 60.0},
        "motion": {"stance_leg": "left", "duration_s": 5.0, "seed": 60, "valgus_deg": 10.0, **SWAY["wobbly"]},
    }
    return clips


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--list", action="store_true", help="print the clip names and exit")
    parser.add_argument("--only", nargs="*", default=None, help="render only these clips")
    args = parser.parse_args()
    clips = matrix()
    if args.list:
        print("\n".join(clips))
        return 0
    check_tools()
    assets = ensure_assets()
    todo = [n for n in (args.only or clips) if not all((args.out / f"{n}{ext}").exists() for ext in (".mp4", ".truth.csv", ".json"))]
    print(f"{len(clips)} clips in the matrix, {len(todo)} to render into {args.out}", flush=True)
    for name in todo:
        render_clip({**clips[name], "name": name}, args.out, assets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
