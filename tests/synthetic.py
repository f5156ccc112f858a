"""Synthetic `PoseTrack`s with answers you can work out by hand.

A 1.70 m person stands facing the camera (the subject's left on the image's
right) and is projected orthographically at ``px_per_m`` pixels per metre.
Motions are functions of time in seconds (or constants), so the same person
can be sampled at any frame rate:

* ``sway_ml(t)``, ``sway_ap(t)``: metres, translate everything except the
  stance foot (positive = toward the subject's left / forward);
* a free foot lifted by ``raise_m`` between ``lift_off_s`` and ``touch_down_s``
  (linear ramps of ``ramp_s``); its knee rises by half as much;
* ``fppa_deg``: the stance knee moved medially so the hip→knee and knee→ankle
  lines meet at that angle (hip straight above ankle);
* ``pelvic_drop_deg``: the free-side hip lowered so the hip line tilts by that
  angle; ``trunk_lean_deg``: the upper body rotated toward the stance side;
* ``squat_depth(t)``: metres the upper body (hips and above) is lowered;
* ``free_leg_ml(t)``: metres the free foot swings outward (its knee half as far);
* ``view="side"``: the body turned 90° (the camera sees its right side).

Image: x = cx + X · px_per_m, y = floor_y − height · px_per_m. World
landmarks follow MediaPipe: metres, hip-centred, x right, y down, z away.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from assess.landmarks import INDEX, N_LANDMARKS
from assess.track import PoseTrack, SourceInfo

Motion = Callable[[np.ndarray], np.ndarray] | float

# (ML toward subject's left, height above floor, forward toward camera), metres
_TEMPLATE: dict[str, tuple[float, float, float]] = {
    "nose": (0.0, 1.60, 0.10),
    "eye_inner": (0.015, 1.63, 0.09),
    "eye": (0.03, 1.63, 0.08),
    "eye_outer": (0.045, 1.63, 0.07),
    "ear": (0.075, 1.60, 0.0),
    "mouth": (0.025, 1.55, 0.09),
    "shoulder": (0.19, 1.42, 0.0),
    "elbow": (0.28, 1.15, -0.02),
    "wrist": (0.17, 0.95, 0.0),
    "pinky": (0.16, 0.92, 0.02),
    "index": (0.16, 0.91, 0.03),
    "thumb": (0.16, 0.93, 0.04),
    "hip": (0.10, 0.92, 0.0),
    "knee": (0.10, 0.50, 0.0),
    "ankle": (0.10, 0.08, 0.0),
    "heel": (0.10, 0.02, -0.05),
    "foot_index": (0.12, 0.02, 0.15),
}
LEG = 0.84  # hip→knee→ankle, metres
HIP_HALF_WIDTH = 0.10


def _template() -> np.ndarray:
    p = np.zeros((N_LANDMARKS, 3))
    for name, i in INDEX.items():
        side, _, part = name.partition("_")
        if side in ("left", "right") and part in _TEMPLATE:
            x, h, z = _TEMPLATE[part]
            p[i] = (x if side == "left" else -x, h, z)
        elif name == "nose":
            p[i] = _TEMPLATE["nose"]
        elif name in ("mouth_left", "mouth_right"):
            x, h, z = _TEMPLATE["mouth"]
            p[i] = (x if name == "mouth_left" else -x, h, z)
    return p


def _eval(m: Motion, t: np.ndarray) -> np.ndarray:
    return np.broadcast_to(np.asarray(m(t) if callable(m) else m, dtype=float), t.shape).astype(float)


def _ramp(t: np.ndarray, t0: float, t1: float | None, ramp: float) -> np.ndarray:
    up = np.clip((t - t0) / ramp, 0.0, 1.0)
    down = np.ones_like(t) if t1 is None else np.clip((t1 - t) / ramp, 0.0, 1.0)
    return np.minimum(up, down)


def _idx(side: str, *parts: str) -> list[int]:
    return [INDEX[f"{side}_{p}"] for p in parts]


def make_track(
    *,
    fps: float = 30.0,
    duration_s: float = 10.0,
    stance: str = "left",
    lift_off_s: float | None = 1.0,
    touch_down_s: float | None = None,
    raise_m: float = 0.15,
    ramp_s: float = 0.2,
    sway_ml: Motion = 0.0,
    sway_ap: Motion = 0.0,
    fppa_deg: Motion = 0.0,
    pelvic_drop_deg: Motion = 0.0,
    trunk_lean_deg: Motion = 0.0,
    squat_depth: Motion = 0.0,
    free_leg_ml: Motion = 0.0,
    view: str = "frontal",
    px_per_m: float = 400.0,
    width: int = 1280,
    height: int = 800,
    visibility: float = 0.95,
    missing: tuple[tuple[float, float], ...] = (),
    noise_px: float = 0.0,
    seed: int = 0,
) -> PoseTrack:
    """Build a synthetic single-leg-stance track (see module docstring).

    ``lift_off_s=None`` keeps both feet down. ``missing`` lists (start, end)
    seconds with no detection. Angles in degrees, lengths in metres.
    """
    n = int(round(duration_s * fps))
    t = np.arange(n) / fps
    free = "right" if stance == "left" else "left"
    s_sign = 1.0 if stance == "left" else -1.0  # +X is the subject's left
    p = np.broadcast_to(_template(), (n, N_LANDMARKS, 3)).copy()

    # Free foot lifted (before the upper body moves, so it rides along).
    lift = np.zeros(n) if lift_off_s is None else raise_m * _ramp(t, lift_off_s, touch_down_s, ramp_s)
    p[:, _idx(free, "ankle", "heel", "foot_index"), 1] += lift[:, None]
    p[:, _idx(free, "knee"), 1] += 0.5 * lift[:, None]
    p[:, _idx(free, "knee"), 2] += 0.5 * lift[:, None]

    # Free leg swinging sideways (foot by free_leg_ml, knee by half), outward positive.
    swing = _eval(free_leg_ml, t) * (-s_sign)
    p[:, _idx(free, "ankle", "heel", "foot_index"), 0] += swing[:, None]
    p[:, _idx(free, "knee"), 0] += 0.5 * swing[:, None]

    # Squat: everything from the hips up is lowered.
    upper = [i for i in range(N_LANDMARKS) if p[0, i, 1] >= 0.9]
    p[:, upper, 1] -= _eval(squat_depth, t)[:, None]

    # Stance knee valgus: knee half-way up between hip and ankle, moved medially
    # by d with tan(θ/2) = d / (h/2), h = hip height above the ankle.
    theta = np.radians(_eval(fppa_deg, t))
    hip_h = p[:, INDEX[f"{stance}_hip"], 1]
    ankle_h = p[:, INDEX[f"{stance}_ankle"], 1]
    k = INDEX[f"{stance}_knee"]
    p[:, k, 1] = 0.5 * (hip_h + ankle_h)
    p[:, k, 0] = p[:, INDEX[f"{stance}_ankle"], 0] - s_sign * 0.5 * (hip_h - ankle_h) * np.tan(theta / 2)

    # Trunk lean toward stance: rotate hips-up (above the hips) about the hip midpoint.
    lean = np.radians(_eval(trunk_lean_deg, t))
    above = [i for i in range(N_LANDMARKS) if _template()[i, 1] > 0.93]
    hip_mid = 0.5 * (p[:, INDEX["left_hip"]] + p[:, INDEX["right_hip"]])
    rel = p[:, above] - hip_mid[:, None]
    c, s = np.cos(lean)[:, None], np.sin(lean)[:, None]
    # rotating (x, h): toward stance side means +x·s_sign as height increases
    x_new = c * rel[..., 0] + s_sign * s * rel[..., 1]
    h_new = -s_sign * s * rel[..., 0] + c * rel[..., 1]
    p[:, above, 0] = hip_mid[:, None, 0] + x_new
    p[:, above, 1] = hip_mid[:, None, 1] + h_new

    # Pelvic drop: the free hip (and the free leg hanging from it) lowered.
    drop = 2 * HIP_HALF_WIDTH * np.tan(np.radians(_eval(pelvic_drop_deg, t)))
    p[:, _idx(free, "hip"), 1] -= drop[:, None]

    # Sway: everything except the stance foot.
    moving = [i for i in range(N_LANDMARKS) if i not in _idx(stance, "ankle", "heel", "foot_index")]
    p[:, moving, 0] += _eval(sway_ml, t)[:, None]
    p[:, moving, 2] += _eval(sway_ap, t)[:, None]

    if view == "side":  # body turned so its right side faces the camera: forward → image right
        p = np.stack([p[..., 2], p[..., 1], -p[..., 0]], axis=-1)

    img_x = width / 2 + p[..., 0] * px_per_m
    img_y = (height - 20) - p[..., 1] * px_per_m
    rng = np.random.default_rng(seed)
    if noise_px > 0:
        img_x = img_x + rng.normal(0, noise_px, img_x.shape)
        img_y = img_y + rng.normal(0, noise_px, img_y.shape)
    world = np.stack([p[..., 0], -p[..., 1], -p[..., 2]], axis=-1)
    world = world - 0.5 * (world[:, INDEX["left_hip"]] + world[:, INDEX["right_hip"]])[:, None]
    image = np.stack([img_x / width, img_y / height, world[..., 2] / 2.0], axis=-1)
    detected = np.ones(n, dtype=bool)
    for a, b in missing:
        detected &= ~((t >= a) & (t < b))
    return PoseTrack(
        times=t,
        image=image,
        world=world,
        visibility=np.full((n, N_LANDMARKS), visibility),
        detected=detected,
        fps=fps,
        width=width,
        height=height,
        source=SourceInfo(path="synthetic", model="synthetic"),
    )


def sine(amplitude: float, freq_hz: float, phase: float = 0.0) -> Callable[[np.ndarray], np.ndarray]:
    """``A · sin(2π f t + φ)``."""
    return lambda t: amplitude * np.sin(2 * np.pi * freq_hz * t + phase)
