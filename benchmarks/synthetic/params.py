"""Clip parameters for the synthetic renderer (stdlib only).

Every parameter has a default; a clip's JSON only needs what differs. The
complete, defaults-filled parameter set is written next to each clip as
``<clip>.json``.

Sign conventions (world frame, see :mod:`body`): ``+x`` = subject's left,
``+y`` = subject's back, ``+z`` = up, metres.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass
class BodyParams:
    """Who is standing there.

    Attributes:
        sex: ``"male"`` or ``"female"`` (MakeHuman gendered shape targets).
        height_m: stature in metres.
        build: ``average`` | ``slim`` | ``heavy`` | ``muscular``.
        race_weights: shape mix of MakeHuman's african/asian/caucasian targets.
        skin_rgb: skin base colour, linear RGB 0..1 (see ``SKIN_TONES``).
        skin_tone: named tone used when ``skin_rgb`` is None.
        shirt_rgb, bottoms_rgb, shoes_rgb, hair_rgb: clothing/hair colours.
        bottoms: ``shorts`` (to mid-thigh) or ``leggings`` (to the ankle).
        shoes: True for shoes, False for barefoot.
        sleeves: ``short`` or ``long``.
        arms: ``hang`` (arms by the side) or ``out`` (abducted ~35 deg).
    """

    sex: str = "male"
    height_m: float = 1.75
    build: str = "average"
    race_weights: dict[str, float] = field(default_factory=lambda: {"african": 1 / 3, "asian": 1 / 3, "caucasian": 1 / 3})
    skin_tone: str = "medium"
    skin_rgb: list[float] | None = None
    shirt_rgb: list[float] = field(default_factory=lambda: [0.05, 0.18, 0.45])
    bottoms_rgb: list[float] = field(default_factory=lambda: [0.04, 0.04, 0.05])
    shoes_rgb: list[float] = field(default_factory=lambda: [0.12, 0.12, 0.14])
    hair_rgb: list[float] = field(default_factory=lambda: [0.03, 0.02, 0.015])
    bottoms: str = "shorts"
    shoes: bool = False
    sleeves: str = "short"
    arms: str = "hang"


#: Linear-RGB skin base colours (approximate, for Principled BSDF base colour).
SKIN_TONES: dict[str, list[float]] = {
    "light": [0.80, 0.55, 0.45],
    "medium": [0.62, 0.38, 0.26],
    "tan": [0.45, 0.26, 0.16],
    "brown": [0.25, 0.13, 0.07],
    "dark": [0.12, 0.06, 0.035],
}


@dataclass
class CameraParams:
    """Pinhole camera aimed horizontally at the subject.

    Attributes:
        distance_m: horizontal distance from the world origin (between the feet).
        height_m: camera height above the floor.
        target_height_m: height of the point it looks at (None = ``height_m``,
            i.e. a level camera).
        yaw_deg: 0 = frontal (camera in front of the subject, on ``-y``);
            positive yaw moves the camera round towards the subject's **left**
            (``+x``); 90 = side view of the subject's left side.
        focal_mm: focal length for a 36 mm-wide sensor (horizontal fit).
        width, height: image size in pixels.
        fps: frame rate of the clip.
    """

    distance_m: float = 3.0
    height_m: float = 0.95
    target_height_m: float | None = None
    yaw_deg: float = 0.0
    focal_mm: float = 35.0
    sensor_width_mm: float = 36.0
    width: int = 640
    height: int = 480
    fps: float = 25.0


@dataclass
class MotionParams:
    """What the subject does. Angles in degrees, lengths in cm unless noted.

    Attributes:
        mode: ``stance`` (quiet single-leg stance) or ``squat`` (single-leg squats).
        stance_leg: ``left`` or ``right``.
        duration_s: clip length in seconds.
        seed: seed for the sway noise.
        sway_ml_amp_cm, sway_ml_freq_hz: sinusoidal part of the medio-lateral
            COM sway (amplitude, cm; frequency, Hz).
        sway_ml_noise_cm: RMS of the low-pass filtered Gaussian noise part (cm).
        sway_ap_*: the same for antero-posterior sway.
        sway_cutoff_hz: corner frequency of the noise low-pass (2nd-order
            Butterworth magnitude response).
        valgus_deg: stance-knee frontal-plane projection angle (FPPA) to
            produce, degrees, positive = knee medial of the hip-ankle line.
        valgus_end_deg: if set, the FPPA ramps linearly from ``valgus_deg`` at
            t=0 to this value at the end of the clip.
        valgus_reference: where the commanded FPPA is measured: ``image``
            (the angle of the projected hip/knee/ankle joint centres in the
            camera image, = truth column ``fppa_deg``; used when the camera
            yaw is within +-45 deg) or ``frontal`` (orthographic projection on
            the world frontal plane, = ``fppa_frontal_deg``). They differ with
            knee flexion because the forward knee is seen in perspective from
            hip height (at 60 deg squat depth, 15 deg frontal is ~10 deg in the image).
        stance_knee_flex_deg: stance-knee flexion; automatically raised when
            the requested valgus needs more flexion (a straight leg has FPPA 0).
        pelvic_drop_deg: pelvic obliquity, positive = free-leg side lower.
        trunk_lean_deg: trunk lean from vertical, positive = toward stance side.
        free_hip_flex_deg, free_knee_flex_deg, free_hip_abd_deg,
        free_ankle_plantar_deg: pose of the lifted leg relative to the pelvis.
        liftoff_s: if set, the clip starts on two feet and the free foot leaves
            the floor at this time (weight shift happens before it).
        touchdown_s: if set, the free foot touches the floor at this time
            (then the weight shifts back to both feet).
        foot_transition_s: duration of raising/lowering the free foot.
        weight_shift_s: duration of the COM shift between feet.
        stance_width_m: distance between the ankle joint centres when both feet
            are on the floor (the planted foot positions).
        cop_ap_m: the COM is balanced over a point this far in front of the
            stance ankle (centre of pressure in quiet stance).
        squat_*: squat mode: reps, knee flexion at the bottom (``depth``),
            period of one rep, start time, FPPA at the bottom, trunk flexion
            at the bottom.
    """

    mode: str = "stance"
    stance_leg: str = "left"
    duration_s: float = 10.0
    seed: int = 0
    sway_ml_amp_cm: float = 0.6
    sway_ml_freq_hz: float = 0.25
    sway_ml_noise_cm: float = 0.6
    sway_ap_amp_cm: float = 0.5
    sway_ap_freq_hz: float = 0.18
    sway_ap_noise_cm: float = 0.6
    sway_cutoff_hz: float = 0.8
    valgus_deg: float = 0.0
    valgus_end_deg: float | None = None
    valgus_reference: str = "image"
    stance_knee_flex_deg: float = 5.0
    pelvic_drop_deg: float = 0.0
    trunk_lean_deg: float = 0.0
    free_hip_flex_deg: float = 30.0
    free_knee_flex_deg: float = 90.0
    free_hip_abd_deg: float = 0.0
    free_ankle_plantar_deg: float = 10.0
    liftoff_s: float | None = None
    touchdown_s: float | None = None
    foot_transition_s: float = 0.5
    weight_shift_s: float = 0.6
    stance_width_m: float = 0.20
    cop_ap_m: float = 0.04
    squat_reps: int = 3
    squat_depth_deg: float = 60.0
    squat_period_s: float = 3.0
    squat_start_s: float = 1.0
    squat_valgus_bottom_deg: float = 15.0
    squat_trunk_flex_deg: float = 25.0


@dataclass
class SceneParams:
    """Room and render settings.

    Attributes:
        wall_rgb, floor_rgb: base colours of the back wall and the floor.
        samples: Eevee render samples (1 is enough for pose tracking).
        light_energy: scale of all light powers.
    """

    wall_rgb: list[float] = field(default_factory=lambda: [0.42, 0.40, 0.36])
    floor_rgb: list[float] = field(default_factory=lambda: [0.33, 0.22, 0.13])
    wall_distance_m: float = 1.5
    samples: int = 1
    light_energy: float = 1.0


@dataclass
class ClipParams:
    """Everything needed to render one clip."""

    name: str = "clip"
    body: BodyParams = field(default_factory=BodyParams)
    camera: CameraParams = field(default_factory=CameraParams)
    motion: MotionParams = field(default_factory=MotionParams)
    scene: SceneParams = field(default_factory=SceneParams)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @staticmethod
    def from_dict(d: dict[str, Any]) -> ClipParams:
        """Build from a (possibly partial) dict; unknown keys raise ``KeyError``."""
        kinds = {"body": BodyParams, "camera": CameraParams, "motion": MotionParams, "scene": SceneParams}
        out = ClipParams()
        for key, val in d.items():
            if key == "name":
                out.name = str(val)
            elif key in kinds:
                sub = getattr(out, key)
                names = {f.name for f in dataclasses.fields(kinds[key])}
                for k, v in val.items():
                    if k not in names:
                        raise KeyError(f"unknown parameter {key}.{k}")
                    setattr(sub, k, v)
            else:
                raise KeyError(f"unknown parameter {key}")
        out.validate()
        return out

    def validate(self) -> None:
        """Raise ``ValueError`` on parameters the renderer cannot honour."""
        m, b, c = self.motion, self.body, self.camera
        if m.mode not in ("stance", "squat"):
            raise ValueError("motion.mode must be 'stance' or 'squat'")
        if m.valgus_reference not in ("image", "frontal"):
            raise ValueError("motion.valgus_reference must be 'image' or 'frontal'")
        if m.stance_leg not in ("left", "right"):
            raise ValueError("motion.stance_leg must be 'left' or 'right'")
        if not 0.0 <= m.valgus_deg <= 30.0 or not 0.0 <= m.squat_valgus_bottom_deg <= 30.0:
            raise ValueError("valgus must be within 0..30 deg")
        if m.duration_s <= 0 or c.fps <= 0:
            raise ValueError("duration and fps must be positive")
        if b.bottoms not in ("shorts", "leggings") or b.arms not in ("hang", "out"):
            raise ValueError("body.bottoms must be shorts|leggings, body.arms hang|out")
        if m.liftoff_s is not None and m.touchdown_s is not None and m.touchdown_s <= m.liftoff_s:
            raise ValueError("touchdown_s must come after liftoff_s")


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Recursive dict merge (``over`` wins), for building presets."""
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = v
    return out
