"""Controlled single-leg-stance / squat kinematics and the ground truth (numpy only).

The pose is built as one rigid transform per rig bone, ``T_b`` (4x4), mapping
the bone's rest placement to its posed placement in the world frame (see
:mod:`body` for the frame: +x subject's left, +y subject's back, +z up,
metres). Blender's pose matrix of bone *b* is then ``T_b @ rest_b`` and its
``matrix_basis`` is ``rest_b^-1 @ T_parent^-1 @ T_b @ rest_b``.

How each frame is built:

1. The stance foot stays planted (rest orientation, moved medially so the
   ankles are ``stance_width_m`` apart when both feet are down).
2. The pelvis is placed so that the whole-body centre of mass (COM) lies over
   the support point (stance ankle + ``cop_ap_m`` forward; the midpoint of the
   feet in double stance), with the requested pelvic drop / tilt.
3. Sway: the pelvis and everything above it rotate rigidly about the stance
   ankle (ankle strategy, inverted pendulum) so that the COM moves by the
   requested ML/AP displacement.
4. The stance leg is solved analytically (two-bone IK) from the hip to the
   planted ankle with the requested knee flexion; the knee is rotated about
   the hip-ankle axis (hip internal rotation + adduction, knee abduction)
   until the frontal-plane projection angle (FPPA, orthographic on the world
   x-z plane) equals the requested valgus.
5. The free leg follows hip/knee flexion angles relative to the pelvis in the
   air, and a foot target on the floor in double stance; lift-off/touch-down
   blend the two.

The COM is a segment-mass model (de Leva 1996, adjusted Zatsiorsky-Seluyanov
parameters) on the rig's joint centres, not a mesh-volume integral.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from body import BodyModel, foot_landmark_vertices
from params import CameraParams, ClipParams, MotionParams

# ----------------------------------------------------------------- maths helpers


def rot(axis: np.ndarray | tuple[float, float, float], angle: float) -> np.ndarray:
    """3x3 rotation by ``angle`` radians about ``axis`` (right-hand rule)."""
    a = np.asarray(axis, dtype=float)
    n = np.linalg.norm(a)
    if n < 1e-12 or abs(angle) < 1e-15:
        return np.eye(3)
    x, y, z = a / n
    c, s = math.cos(angle), math.sin(angle)
    C = 1 - c
    return np.array(
        [
            [c + x * x * C, x * y * C - z * s, x * z * C + y * s],
            [y * x * C + z * s, c + y * y * C, y * z * C - x * s],
            [z * x * C - y * s, z * y * C + x * s, c + z * z * C],
        ]
    )


def rx(a: float) -> np.ndarray:
    return rot((1, 0, 0), a)


def ry(a: float) -> np.ndarray:
    return rot((0, 1, 0), a)


def rigid(R: np.ndarray, t: np.ndarray) -> np.ndarray:
    """4x4 transform ``p -> R p + t``."""
    T = np.eye(4)
    T[:3, :3] = R
    T[:3, 3] = t
    return T


def rot_about(pivot: np.ndarray, R: np.ndarray) -> np.ndarray:
    """4x4 rotation ``R`` about the point ``pivot``."""
    return rigid(R, pivot - R @ pivot)


def apply(T: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Apply a 4x4 transform to a point (3,) or points (N, 3)."""
    return p @ T[:3, :3].T + T[:3, 3]


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def axis_angle(R: np.ndarray) -> tuple[np.ndarray, float]:
    """Rotation matrix -> (unit axis, angle in radians)."""
    c = max(-1.0, min(1.0, (np.trace(R) - 1) / 2))
    ang = math.acos(c)
    ax = np.array([R[2, 1] - R[1, 2], R[0, 2] - R[2, 0], R[1, 0] - R[0, 1]])
    n = np.linalg.norm(ax)
    if n < 1e-9:
        return np.array([1.0, 0, 0]), 0.0 if ang < 1e-6 else ang
    return ax / n, ang


def frac_rot(R: np.ndarray, f: float) -> np.ndarray:
    """The rotation ``R`` scaled to a fraction ``f`` of its angle."""
    ax, ang = axis_angle(R)
    return rot(ax, f * ang)


def slerp_rot(R0: np.ndarray, R1: np.ndarray, u: float) -> np.ndarray:
    """Rotation interpolated from ``R0`` (u=0) to ``R1`` (u=1)."""
    return R0 @ frac_rot(R0.T @ R1, u)


def frame(y_axis: np.ndarray, x_hint: np.ndarray) -> np.ndarray:
    """Orthonormal frame (columns x, y, z) with y along ``y_axis`` and x near ``x_hint``."""
    y = unit(y_axis)
    x = unit(x_hint - (x_hint @ y) * y)
    return np.column_stack([x, y, np.cross(x, y)])


def smoothstep(u: float) -> float:
    """Raised-cosine ramp, 0 for u<=0, 1 for u>=1."""
    u = min(1.0, max(0.0, u))
    return 0.5 - 0.5 * math.cos(math.pi * u)


def fppa_2d(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, medial_ref: np.ndarray) -> float:
    """Signed frontal-plane projection angle from 2-D points, degrees.

    The unsigned angle is the one between the hip->knee and knee->ankle lines
    (0 for a straight leg, i.e. 180 deg minus the inner hip-knee-ankle angle).
    It is positive when the knee lies on the same side of the hip-ankle line
    as ``medial_ref`` (a point on the body's medial side, e.g. the other hip):
    knee valgus; negative = varus.
    """
    a = knee - hip
    b = ankle - knee
    ang = math.degrees(math.atan2(abs(a[0] * b[1] - a[1] * b[0]), a @ b))
    ha = ankle - hip
    side_k = ha[0] * (knee - hip)[1] - ha[1] * (knee - hip)[0]
    side_m = ha[0] * (medial_ref - hip)[1] - ha[1] * (medial_ref - hip)[0]
    return ang if side_k * side_m >= 0 else -ang


# ----------------------------------------------------------------- sway signal


def lowpass_noise(duration_s: float, cutoff_hz: float, rng: np.random.Generator, rate_hz: float = 100.0) -> tuple[np.ndarray, np.ndarray]:
    """Unit-RMS Gaussian noise low-passed with a 2nd-order Butterworth magnitude.

    Generated on a fixed 100 Hz grid (so the motion does not depend on the
    clip's fps) and returned as (times, values).
    """
    n = int(math.ceil(duration_s * rate_hz)) + 1
    pad = int(rate_hz * 4 / max(cutoff_hz, 0.05))
    w = rng.standard_normal(n + 2 * pad)
    f = np.fft.rfftfreq(len(w), 1.0 / rate_hz)
    H = 1.0 / np.sqrt(1.0 + (f / cutoff_hz) ** 4)
    x = np.fft.irfft(np.fft.rfft(w) * H, len(w))[pad : pad + n]
    x = x - x.mean()
    x /= max(np.sqrt(np.mean(x**2)), 1e-12)
    return np.arange(n) / rate_hz, x


@dataclass
class MotionTimeline:
    """Time-dependent motion scalars of one clip (see :class:`MotionParams`)."""

    m: MotionParams

    def __post_init__(self) -> None:
        rng = np.random.default_rng(self.m.seed)
        self._t, self._nml = lowpass_noise(self.m.duration_s + 1.0, self.m.sway_cutoff_hz, rng)
        _, self._nap = lowpass_noise(self.m.duration_s + 1.0, self.m.sway_cutoff_hz, rng)
        self._ph_ml = rng.uniform(0, 2 * math.pi)
        self._ph_ap = rng.uniform(0, 2 * math.pi)

    # -- events
    def events(self) -> list[tuple[str, float]]:
        """(name, time_s) of lift-off, touch-down and squat-bottom events."""
        m = self.m
        ev: list[tuple[str, float]] = []
        if m.liftoff_s is not None:
            ev.append(("lift_off", float(m.liftoff_s)))
        if m.touchdown_s is not None:
            ev.append(("touch_down", float(m.touchdown_s)))
        if m.mode == "squat":
            for k in range(m.squat_reps):
                t = m.squat_start_s + k * m.squat_period_s + 0.45 * m.squat_period_s
                if t <= m.duration_s:
                    ev.append(("squat_bottom", float(t)))
        return sorted(ev, key=lambda e: e[1])

    def air(self, t: float) -> float:
        """Free foot lift fraction: 0 on the floor, 1 fully raised."""
        m = self.m
        a = 1.0
        if m.liftoff_s is not None:
            a = smoothstep((t - m.liftoff_s) / m.foot_transition_s) if t > m.liftoff_s else 0.0
        if m.touchdown_s is not None and t > m.touchdown_s - m.foot_transition_s:
            a = min(a, 1.0 - smoothstep((t - (m.touchdown_s - m.foot_transition_s)) / m.foot_transition_s))
            if t >= m.touchdown_s:
                a = 0.0
        return a

    def weight(self, t: float) -> float:
        """Weight shift to the stance foot: 0 = COM between feet, 1 = over stance foot."""
        m = self.m
        w = 1.0
        if m.liftoff_s is not None:
            w = smoothstep((t - (m.liftoff_s - m.weight_shift_s)) / m.weight_shift_s)
        if m.touchdown_s is not None and t > m.touchdown_s:
            w = min(w, 1.0 - smoothstep((t - m.touchdown_s) / m.weight_shift_s))
        return w

    def squat(self, t: float) -> float:
        """Squat depth fraction 0 (top) .. 1 (bottom)."""
        m = self.m
        if m.mode != "squat" or t < m.squat_start_s:
            return 0.0
        k, r = divmod(t - m.squat_start_s, m.squat_period_s)
        if k >= m.squat_reps:
            return 0.0
        u = r / m.squat_period_s
        return 0.5 - 0.5 * math.cos(2 * math.pi * u / 0.9) if u < 0.9 else 0.0

    def valgus(self, t: float) -> float:
        """Target stance-knee FPPA (deg) at time t."""
        m = self.m
        v = m.valgus_deg
        if m.valgus_end_deg is not None:
            v = m.valgus_deg + (m.valgus_end_deg - m.valgus_deg) * min(1.0, max(0.0, t / m.duration_s))
        if m.mode == "squat":
            v = v + (m.squat_valgus_bottom_deg - v) * self.squat(t)
        return v

    def knee_flex(self, t: float) -> float:
        """Commanded stance-knee flexion (deg), before the valgus minimum is applied."""
        m = self.m
        if m.mode == "squat":
            return m.stance_knee_flex_deg + (m.squat_depth_deg - m.stance_knee_flex_deg) * self.squat(t)
        return m.stance_knee_flex_deg

    def sway_cm(self, t: float) -> tuple[float, float]:
        """Commanded COM sway (ML +left, AP +anterior), cm; applied in double stance too."""
        m = self.m
        nml = float(np.interp(t, self._t, self._nml))
        nap = float(np.interp(t, self._t, self._nap))
        ml = m.sway_ml_amp_cm * math.sin(2 * math.pi * m.sway_ml_freq_hz * t + self._ph_ml) + m.sway_ml_noise_cm * nml
        ap = m.sway_ap_amp_cm * math.sin(2 * math.pi * m.sway_ap_freq_hz * t + self._ph_ap) + m.sway_ap_noise_cm * nap
        return ml, ap


# ----------------------------------------------------------------- COM model

#: de Leva (1996) Table 4: (mass fraction, COM fraction from the proximal end)
#: for male / female; endpoints as named in :func:`Skeleton.com`.
DE_LEVA: dict[str, dict[str, tuple[float, float]]] = {
    "male": {
        "head": (0.0694, 0.5002),  # vertex -> cervicale (C7)
        "trunk": (0.4346, 0.4486),  # cervicale -> mid-hip
        "upperarm": (0.0271, 0.5772),
        "forearm": (0.0162, 0.4574),
        "hand": (0.0061, 0.7900),  # wrist -> 3rd metacarpal head
        "thigh": (0.1416, 0.4095),
        "shank": (0.0433, 0.4459),
        "foot": (0.0137, 0.4415),  # heel -> toe tip
    },
    "female": {
        "head": (0.0668, 0.4841),
        "trunk": (0.4257, 0.4151),
        "upperarm": (0.0255, 0.5754),
        "forearm": (0.0138, 0.4559),
        "hand": (0.0056, 0.7474),
        "thigh": (0.1478, 0.3612),
        "shank": (0.0481, 0.4416),
        "foot": (0.0129, 0.4014),
    },
}


# ----------------------------------------------------------------- skeleton & pose


@dataclass
class FramePose:
    """Solved pose of one frame.

    Attributes:
        T: bone name -> 4x4 rest->posed world transform.
        joints: landmark name -> world position (m). Names: ``l_/r_`` +
            ``shoulder, hip, knee, ankle, heel, toe, elbow, wrist`` plus
            ``com``, ``head_top``, ``c7``.
        scalars: commanded values of this frame (valgus target, knee flexion,
            weight shift, air fraction, squat fraction ...).
    """

    T: dict[str, np.ndarray]
    joints: dict[str, np.ndarray]
    scalars: dict[str, float] = field(default_factory=dict)


class Skeleton:
    """Rest skeleton + pose solver for one body and one set of motion parameters."""

    SIDES = ("L", "R")

    def __init__(self, body: BodyModel, clip: ClipParams) -> None:
        self.body = body
        self.clip = clip
        self.m = clip.motion
        self.bones = body.bones
        self.order = list(body.bones)  # parent-before-child
        self.stance = "L" if self.m.stance_leg == "left" else "R"
        self.free = "R" if self.stance == "L" else "L"
        #: +1 if the stance leg is on +x (subject's left), else -1.
        self.sigma = 1.0 if self.stance == "L" else -1.0
        J = body.joint
        self.rest = {
            s: {
                "hip": J(f"upperleg01.{s}"),
                "knee": J(f"lowerleg01.{s}"),
                "ankle": J(f"foot.{s}"),
                "shoulder": J(f"upperarm01.{s}"),
                "elbow": J(f"lowerarm01.{s}"),
                "wrist": J(f"wrist.{s}"),
                "met3": J(f"finger3-1.{s}"),
            }
            for s in self.SIDES
        }
        self.c7 = J("neck01")
        self.head_top = body.bones["head"].tail.copy()
        self.Lt = {s: float(np.linalg.norm(self.rest[s]["knee"] - self.rest[s]["hip"])) for s in self.SIDES}
        self.Ls = {s: float(np.linalg.norm(self.rest[s]["ankle"] - self.rest[s]["knee"])) for s in self.SIDES}
        self.pc0 = 0.5 * (self.rest["L"]["hip"] + self.rest["R"]["hip"])
        # Planted foot transforms: translate medially to the requested stance width.
        self.F: dict[str, np.ndarray] = {}
        for s in self.SIDES:
            a = self.rest[s]["ankle"]
            target_x = (0.5 if s == "L" else -0.5) * self.m.stance_width_m
            self.F[s] = rigid(np.eye(3), np.array([target_x - a[0], 0.0, 0.0]))
        # Landmark vertices (heel, toe) and their skin weights for linear-blend skinning.
        self.foot_verts = {s: foot_landmark_vertices(body, s) for s in self.SIDES}
        self._vw: dict[int, list[tuple[str, float]]] = {}
        wanted = {v for s in self.SIDES for v in self.foot_verts[s].values()}
        for b, (idx, w) in body.weights.items():
            for i, ww in zip(idx, w):
                if int(i) in wanted and ww > 0:
                    self._vw.setdefault(int(i), []).append((b, float(ww)))
        self.timeline = MotionTimeline(self.m)
        self.camera = PinholeCamera.from_params(clip.camera)
        #: Valgus is set as the FPPA seen in the image unless the camera is far from frontal.
        self.valgus_in_image = self.m.valgus_reference == "image" and abs(clip.camera.yaw_deg) <= 45.0
        self._leg_bones = {
            s: {
                "thigh": [f"upperleg01.{s}", f"upperleg02.{s}"],
                "shank": [f"lowerleg01.{s}", f"lowerleg02.{s}"],
            }
            for s in self.SIDES
        }
        self._foot_bones = {s: [b for b in self.order if self._under(b, f"foot.{s}")] for s in self.SIDES}
        # Arm rest angles (abduction from vertical in the frontal plane).
        self.arm_abd0 = {}
        for s in self.SIDES:
            d = self.rest[s]["elbow"] - self.rest[s]["shoulder"]
            self.arm_abd0[s] = math.atan2(abs(d[0]), -d[2])

        # The trunk bends in the lumbar/thoracic spine, above the hips, so the
        # hip-midpoint -> shoulder-midpoint line tilts less than the bend;
        # calibrate the commanded lean once so that the measured lean matches.
        self.lean_gain = 1.0
        sc0 = {"valgus_target": 0.0, "air": 1.0}
        probe = self._build(np.eye(4), sc0, ry(self.sigma * math.radians(10.0)))
        base = self._build(np.eye(4), sc0, np.eye(3))
        self.lean_gain = 10.0 / max(self._lean_deg(probe.joints) - self._lean_deg(base.joints), 1e-3)

    def _lean_deg(self, j: dict[str, np.ndarray]) -> float:
        mh = 0.5 * (j["l_hip"] + j["r_hip"])
        ms = 0.5 * (j["l_shoulder"] + j["r_shoulder"])
        return math.degrees(math.atan2(self.sigma * (ms[0] - mh[0]), ms[2] - mh[2]))

    def _under(self, bone: str, root: str) -> bool:
        b: str | None = bone
        while b is not None:
            if b == root:
                return True
            b = self.bones[b].parent
        return False

    # -- leg IK -------------------------------------------------------------
    def knee_on_circle(self, s: str, H: np.ndarray, A: np.ndarray, psi: float, fwd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Knee position for hip H, ankle A and swivel ``psi`` (rad) about the H-A axis.

        ``psi = 0`` puts the knee in the plane of the H-A line and ``fwd``;
        positive ``psi`` swings it medially. Returns (knee, swing direction q).
        """
        Lt, Ls = self.Lt[s], self.Ls[s]
        ha = A - H
        L = float(np.linalg.norm(ha))
        L = min(L, Lt + Ls - 1e-6)
        u = ha / np.linalg.norm(ha)
        dM = (Lt * Lt - Ls * Ls + L * L) / (2 * L)
        r = math.sqrt(max(Lt * Lt - dM * dM, 0.0))
        f = unit(fwd - (fwd @ u) * u)
        med = np.array([-1.0 if s == "L" else 1.0, 0.0, 0.0])
        mvec = med - (med @ u) * u - (med @ f) * f
        m = unit(mvec) if np.linalg.norm(mvec) > 1e-9 else np.cross(u, f)
        q = math.cos(psi) * f + math.sin(psi) * m
        return H + dM * u + r * q, q

    def leg_length(self, s: str, flex_deg: float) -> float:
        """Hip-ankle distance for a knee flexion (deg)."""
        Lt, Ls = self.Lt[s], self.Ls[s]
        return math.sqrt(Lt * Lt + Ls * Ls + 2 * Lt * Ls * math.cos(math.radians(flex_deg)))

    def frontal_fppa(self, s: str, H: np.ndarray, K: np.ndarray, A: np.ndarray, other_hip: np.ndarray) -> float:
        """FPPA (deg) of a leg projected orthographically on the world x-z plane."""
        p = lambda v: np.array([v[0], v[2]])  # noqa: E731
        return fppa_2d(p(H), p(K), p(A), p(other_hip))

    def solve_psi(self, s: str, H: np.ndarray, A: np.ndarray, target_deg: float, other_hip: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """Swivel angle giving the requested FPPA (bisection). Returns (psi, knee, q).

        The FPPA is measured in the camera image (``valgus_reference ==
        "image"``, near-frontal cameras) or orthographically on the world
        frontal plane.
        """
        fwd = np.array([0.0, -1.0, 0.0])
        cam = self.camera if self.valgus_in_image else None

        def g(psi: float) -> float:
            K, _ = self.knee_on_circle(s, H, A, psi, fwd)
            if cam is not None:
                P = cam.project(np.stack([H, K, A, other_hip]))
                return fppa_2d(P[0], P[1], P[2], P[3]) - target_deg
            return self.frontal_fppa(s, H, K, A, other_hip) - target_deg

        lo, hi = math.radians(-60), math.radians(85)
        glo, ghi = g(lo), g(hi)
        if glo > 0 or ghi < 0:
            psi = lo if glo > 0 else hi
        else:
            for _ in range(50):
                mid = 0.5 * (lo + hi)
                if g(mid) > 0:
                    hi = mid
                else:
                    lo = mid
            psi = 0.5 * (lo + hi)
        K, q = self.knee_on_circle(s, H, A, psi, fwd)
        return psi, K, q

    def max_fppa(self, s: str, flex_deg: float) -> float:
        """Largest FPPA reachable (psi = 80 deg) for a vertical leg at this flexion."""
        H = np.array([0.0, 0.0, 1.0])
        A = H - np.array([0.0, 0.0, self.leg_length(s, flex_deg)])
        K, _ = self.knee_on_circle(s, H, A, math.radians(80), np.array([0.0, -1.0, 0.0]))
        other = H + np.array([-1.0 if s == "L" else 1.0, 0, 0])
        return self.frontal_fppa(s, H, K, A, other)

    def needed_flex(self, s: str, valgus_deg: float, flex_deg: float) -> float:
        """Raise knee flexion until the requested valgus is reachable."""
        f = flex_deg
        need = valgus_deg * (1.15 if self.valgus_in_image else 1.0) + 0.5
        while f < 89 and self.max_fppa(s, f) < need:
            f += 0.5
        return f

    def leg_transforms(self, s: str, H: np.ndarray, K: np.ndarray, A: np.ndarray, q: np.ndarray, foot_x: np.ndarray | None, beta: float) -> tuple[np.ndarray, np.ndarray]:
        """Thigh and shank transforms for hip H, knee K, ankle A.

        The knee hinge axis is ``q x (A - H)``; the shank frame's x axis is
        blended by ``beta`` toward ``foot_x`` (the planted foot's ML axis), which
        spreads the axial twist between knee and ankle.
        """
        r = self.rest[s]
        hinge = unit(np.cross(q, A - H))
        x0 = np.array([1.0, 0.0, 0.0])
        F0t = frame(r["knee"] - r["hip"], x0)
        F1t = frame(K - H, hinge)
        Rt = F1t @ F0t.T
        F0s = frame(r["ankle"] - r["knee"], x0)
        xs = hinge if foot_x is None else unit((1 - beta) * hinge + beta * foot_x)
        F1s = frame(A - K, xs)
        Rs = F1s @ F0s.T
        return rigid(Rt, H - Rt @ r["hip"]), rigid(Rs, K - Rs @ r["knee"])

    # -- full pose ------------------------------------------------------------
    def _build(self, Tpel: np.ndarray, sc: dict[str, float], R_trunk_world: np.ndarray) -> FramePose:
        """Pose every bone given the pelvis transform and the frame's scalars."""
        m, st, fr, sig = self.m, self.stance, self.free, self.sigma
        T: dict[str, np.ndarray] = {}
        Rpel = Tpel[:3, :3]
        # Upper body, by hierarchy.
        X = Rpel.T @ R_trunk_world  # trunk rotation relative to pelvis (rest space)
        spine_split = {"spine05": 0.4, "spine04": 0.3, "spine03": 0.3}
        arm_target = math.radians(9.0 if self.clip.body.arms == "hang" else 35.0)
        for b in self.order:
            bone = self.bones[b]
            parent = bone.parent
            if b in ("root", "pelvis.L", "pelvis.R"):
                T[b] = Tpel
            elif b in spine_split:
                T[b] = T[parent] @ rot_about(bone.head, frac_rot(X, spine_split[b]))
            elif b == "neck01":
                Tp = T[parent]
                T[b] = Tp @ rot_about(bone.head, frac_rot(Tp[:3, :3].T, 0.8))
            elif b.startswith("upperarm01."):
                s = b[-1]
                sgn = 1.0 if s == "L" else -1.0
                dR = ry(sgn * (self.arm_abd0[s] - arm_target))
                dR = rx(math.radians(-4.0)) @ dR  # arms slightly forward
                T[b] = T[parent] @ rot_about(bone.head, dR)
            elif b.startswith("lowerarm01."):
                # Set the elbow to ~15 deg flexion (MakeHuman's rest pose has ~45 deg).
                s = b[-1]
                up = self.rest[s]["elbow"] - self.rest[s]["shoulder"]
                fo = self.rest[s]["wrist"] - self.rest[s]["elbow"]
                ax = unit(np.cross(up, fo))
                rest_flex = math.acos(float(unit(up) @ unit(fo)))
                T[b] = T[parent] @ rot_about(bone.head, rot(ax, math.radians(15.0) - rest_flex))
            elif parent is None:
                T[b] = Tpel
            else:
                T[b] = T[parent]
        # Hips.
        Hs = apply(Tpel, self.rest[st]["hip"])
        Hf = apply(Tpel, self.rest[fr]["hip"])
        # Stance leg.
        As = apply(self.F[st], self.rest[st]["ankle"])
        _, Ks, qs = self.solve_psi(st, Hs, As, sc["valgus_target"], Hf)
        Tt, Ts = self.leg_transforms(st, Hs, Ks, As, qs, np.array([1.0, 0, 0]), 0.5)
        for b in self._leg_bones[st]["thigh"]:
            T[b] = Tt
        for b in self._leg_bones[st]["shank"]:
            T[b] = Ts
        for b in self._foot_bones[st]:
            T[b] = self.F[st]
        # Free leg: airborne target from flexion angles relative to the pelvis.
        a = sc["air"]
        Ra = Rpel @ ry(sig * math.radians(m.free_hip_abd_deg))
        thigh_dir = Ra @ rx(-math.radians(m.free_hip_flex_deg)) @ np.array([0.0, 0, -1])
        shank_dir = Ra @ rx(math.radians(m.free_knee_flex_deg - m.free_hip_flex_deg)) @ np.array([0.0, 0, -1])
        A_air = Hf + self.Lt[fr] * thigh_dir + self.Ls[fr] * shank_dir
        A_floor = apply(self.F[fr], self.rest[fr]["ankle"])
        Af = a * A_air + (1 - a) * A_floor
        fwd_pel = Rpel @ np.array([0.0, -1.0, 0.0])
        reach = 0.999 * (self.Lt[fr] + self.Ls[fr])
        for _ in range(3):
            dv = Af - Hf
            if np.linalg.norm(dv) > reach:
                Af = Hf + dv * (reach / np.linalg.norm(dv))
            Kf, qf = self.knee_on_circle(fr, Hf, Af, 0.0, fwd_pel)
            Tft, Tfs = self.leg_transforms(fr, Hf, Kf, Af, qf, None if a > 0 else np.array([1.0, 0, 0]), 0.5)
            # Foot: attached to the shank (+ plantarflexion) in the air, planted on the floor.
            R_air = (Tfs @ rot_about(self.rest[fr]["ankle"], rx(math.radians(m.free_ankle_plantar_deg))))[:3, :3]
            Rf = slerp_rot(np.eye(3), R_air, a)
            Tff = rigid(Rf, Af - Rf @ self.rest[fr]["ankle"])
            # Keep heel and toe above the floor while the foot comes down.
            low = min(apply(Tff, self.body.verts[v])[2] for v in self.foot_verts[fr].values())
            if a <= 0 or low >= 0.0:
                break
            Af = Af + np.array([0.0, 0.0, -low + 1e-3])
        for b in self._leg_bones[fr]["thigh"]:
            T[b] = Tft
        for b in self._leg_bones[fr]["shank"]:
            T[b] = Tfs
        for b in self._foot_bones[fr]:
            T[b] = Tff
        return FramePose(T=T, joints=self.joints(T), scalars=dict(sc))

    def skin_point(self, T: dict[str, np.ndarray], v: int) -> np.ndarray:
        """Linear-blend-skinned position of rest vertex ``v`` (as Blender's armature modifier)."""
        acc = np.zeros(3)
        tot = 0.0
        for b, w in self._vw.get(v, []):
            acc += w * apply(T[b], self.body.verts[v])
            tot += w
        return acc / tot if tot > 0 else self.body.verts[v].copy()

    def joints(self, T: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """World positions of the truth landmarks and the COM for bone transforms T."""
        out: dict[str, np.ndarray] = {}
        for s, p in (("L", "l_"), ("R", "r_")):
            r = self.rest[s]
            out[p + "shoulder"] = apply(T[f"upperarm01.{s}"], r["shoulder"])
            out[p + "elbow"] = apply(T[f"lowerarm01.{s}"], r["elbow"])
            out[p + "wrist"] = apply(T[f"wrist.{s}"], r["wrist"])
            out[p + "met3"] = apply(T[f"finger3-1.{s}"], r["met3"])
            out[p + "hip"] = apply(T[f"upperleg01.{s}"], r["hip"])
            out[p + "knee"] = apply(T[f"lowerleg01.{s}"], r["knee"])
            out[p + "ankle"] = apply(T[f"foot.{s}"], r["ankle"])
            out[p + "heel"] = self.skin_point(T, self.foot_verts[s]["heel"])
            out[p + "toe"] = self.skin_point(T, self.foot_verts[s]["toe"])
        out["c7"] = apply(T["neck01"], self.c7)
        out["head_top"] = apply(T["head"], self.head_top)
        out["com"] = self.com(out)
        return out

    def com(self, j: dict[str, np.ndarray]) -> np.ndarray:
        """Whole-body COM (m) from landmark positions with de Leva segment parameters."""
        P = DE_LEVA[self.body.sex]
        mid_hip = 0.5 * (j["l_hip"] + j["r_hip"])
        segs: list[tuple[str, np.ndarray, np.ndarray]] = [
            ("head", j["head_top"], j["c7"]),
            ("trunk", j["c7"], mid_hip),
        ]
        for p in ("l_", "r_"):
            segs += [
                ("upperarm", j[p + "shoulder"], j[p + "elbow"]),
                ("forearm", j[p + "elbow"], j[p + "wrist"]),
                ("hand", j[p + "wrist"], j[p + "met3"]),
                ("thigh", j[p + "hip"], j[p + "knee"]),
                ("shank", j[p + "knee"], j[p + "ankle"]),
                ("foot", j[p + "heel"], j[p + "toe"]),
            ]
        tot = np.zeros(3)
        mass = 0.0
        for name, a, b in segs:
            mf, cf = P[name]
            tot += mf * (a + cf * (b - a))
            mass += mf
        return tot / mass

    def solve(self, t: float) -> FramePose:
        """Pose at time ``t`` (seconds)."""
        tl, m, st, fr, sig = self.timeline, self.m, self.stance, self.free, self.sigma
        sq = tl.squat(t)
        valgus = tl.valgus(t)
        flex_cmd = tl.knee_flex(t)
        flex = self.needed_flex(st, valgus, flex_cmd)
        sc = {
            "valgus_target": valgus,
            "knee_flex_cmd": flex_cmd,
            "knee_flex": flex,
            "air": tl.air(t),
            "weight": tl.weight(t),
            "squat": sq,
        }
        w = sc["weight"]
        drop = math.radians(m.pelvic_drop_deg) * w
        lean = math.radians(m.trunk_lean_deg) * w
        flex_trunk = math.radians(m.squat_trunk_flex_deg) * sq
        R_pel_local = ry(-sig * drop) @ rx(0.5 * flex_trunk)
        R_trunk_local = ry(sig * lean * self.lean_gain) @ rx(flex_trunk)
        As = apply(self.F[st], self.rest[st]["ankle"])
        Af_floor = apply(self.F[fr], self.rest[fr]["ankle"])
        fwd = np.array([0.0, -m.cop_ap_m, 0.0])
        support = w * (As + fwd) + (1 - w) * (0.5 * (As + Af_floor) + fwd)
        L = self.leg_length(st, flex)
        hs0 = self.rest[st]["hip"] - self.pc0
        # Balance: find the stance-hip horizontal position that puts the COM over the support point.
        Hxy = np.array([As[0] + sig * 0.08 * w, As[1]])
        pose = None
        for _ in range(12):
            dxy = Hxy - As[:2]
            Hz = As[2] + math.sqrt(max(L * L - dxy @ dxy, 1e-6))
            H = np.array([Hxy[0], Hxy[1], Hz])
            Pc = H - R_pel_local @ hs0
            Tpel = rigid(R_pel_local, Pc - R_pel_local @ self.pc0)
            pose = self._build(Tpel, sc, R_trunk_local)
            err = support[:2] - pose.joints["com"][:2]
            if np.linalg.norm(err) < 2e-5:
                break
            Hxy = Hxy + 1.1 * err
        assert pose is not None
        com0 = pose.joints["com"]
        # Sway: rotate pelvis and upper body about the stance ankle (inverted pendulum).
        ml_cm, ap_cm = tl.sway_cm(t)
        h = max(com0[2] - As[2], 0.3)
        th_ml = math.asin(max(-0.2, min(0.2, ml_cm / 100.0 / h)))
        th_ap = math.asin(max(-0.2, min(0.2, ap_cm / 100.0 / h)))
        R_sway = rx(th_ap) @ ry(th_ml)
        Tsw = rot_about(As, R_sway)
        sc.update({"sway_ml_cmd_cm": ml_cm, "sway_ap_cmd_cm": ap_cm})
        Tpel = Tsw @ rigid(R_pel_local, Pc - R_pel_local @ self.pc0)
        if sc["air"] < 1.0:
            # Both feet (nearly) down: lower the pelvis if the free leg could not reach its floor position.
            Hf = apply(Tpel, self.rest[fr]["hip"])
            reach = 0.999 * (self.Lt[fr] + self.Ls[fr])
            dxy = Hf[:2] - Af_floor[:2]
            allowed = Af_floor[2] + math.sqrt(max(reach * reach - dxy @ dxy, 0.0))
            if Hf[2] > allowed:
                Tpel = rigid(np.eye(3), np.array([0.0, 0.0, -(Hf[2] - allowed) * (1.0 - sc["air"])])) @ Tpel
        return self._build(Tpel, sc, R_sway @ R_trunk_local)


# ----------------------------------------------------------------- camera


@dataclass
class PinholeCamera:
    """Ideal pinhole camera matching Blender's (horizontal sensor fit).

    Pixel coordinates: ``u`` to the right, ``v`` down, continuous, with
    ``(0, 0)`` the top-left *corner* of the image (pixel centres at +0.5).
    """

    location: np.ndarray
    R: np.ndarray  # columns: camera x (right), y (up), z (backward) in world
    fx: float
    fy: float
    cx: float
    cy: float
    width: int
    height: int

    @staticmethod
    def from_params(c: CameraParams) -> PinholeCamera:
        yaw = math.radians(c.yaw_deg)
        loc = np.array([c.distance_m * math.sin(yaw), -c.distance_m * math.cos(yaw), c.height_m])
        th = c.height_m if c.target_height_m is None else c.target_height_m
        fwd = unit(np.array([0.0, 0.0, th]) - loc)
        right = unit(np.cross(fwd, np.array([0.0, 0.0, 1.0])))
        up = np.cross(right, fwd)
        R = np.column_stack([right, up, -fwd])
        big = max(c.width, c.height)
        f_px = c.focal_mm / c.sensor_width_mm * big
        return PinholeCamera(loc, R, f_px, f_px, c.width / 2.0, c.height / 2.0, c.width, c.height)

    def project(self, p: np.ndarray) -> np.ndarray:
        """World point(s) (..., 3) -> pixel (..., 2)."""
        pc = (np.asarray(p) - self.location) @ self.R
        z = -pc[..., 2]
        return np.stack([self.cx + self.fx * pc[..., 0] / z, self.cy - self.fy * pc[..., 1] / z], axis=-1)

    def K(self) -> list[list[float]]:
        return [[self.fx, 0.0, self.cx], [0.0, self.fy, self.cy], [0.0, 0.0, 1.0]]


# ----------------------------------------------------------------- truth rows

LANDMARKS = ("shoulder", "hip", "knee", "ankle", "heel", "toe")


def truth_row(skel: Skeleton, cam: PinholeCamera, pose: FramePose, frame: int, t: float) -> dict[str, float | int | str]:
    """One CSV row of ground truth (COM sway columns are filled in later)."""
    j = pose.joints
    st = "l_" if skel.stance == "L" else "r_"
    fr = "r_" if st == "l_" else "l_"
    row: dict[str, float | int | str] = {"time_s": round(t, 6), "frame": frame, "stance_leg": skel.m.stance_leg}
    uv = {k: cam.project(v) for k, v in j.items()}
    for side in ("l_", "r_"):
        for lm in LANDMARKS:
            k = side + lm
            row[f"{k}_x"], row[f"{k}_y"], row[f"{k}_z"] = (float(x) for x in j[k])
            row[f"{k}_u"], row[f"{k}_v"] = (float(x) for x in uv[k])
    row["com_x"], row["com_y"], row["com_z"] = (float(x) for x in j["com"])
    row["com_u"], row["com_v"] = (float(x) for x in uv["com"])
    for side in ("l_", "r_"):
        other = "r_" if side == "l_" else "l_"
        row[f"fppa_{side[0]}_deg"] = fppa_2d(uv[side + "hip"], uv[side + "knee"], uv[side + "ankle"], uv[other + "hip"])
    row["fppa_deg"] = row[f"fppa_{st[0]}_deg"]
    p2 = lambda v: np.array([v[0], v[2]])  # noqa: E731
    row["fppa_frontal_deg"] = fppa_2d(p2(j[st + "hip"]), p2(j[st + "knee"]), p2(j[st + "ankle"]), p2(j[fr + "hip"]))
    thigh = j[st + "knee"] - j[st + "hip"]
    shank = j[st + "ankle"] - j[st + "knee"]
    row["stance_knee_flex_deg"] = math.degrees(math.acos(max(-1, min(1, thigh @ shank / np.linalg.norm(thigh) / np.linalg.norm(shank)))))
    sig = skel.sigma
    hs, hf = j[st + "hip"], j[fr + "hip"]
    row["pelvic_tilt_deg"] = math.degrees(math.atan2(hs[2] - hf[2], abs(hs[0] - hf[0])))
    mh = 0.5 * (j["l_hip"] + j["r_hip"])
    ms = 0.5 * (j["l_shoulder"] + j["r_shoulder"])
    row["trunk_lean_deg"] = math.degrees(math.atan2(sig * (ms[0] - mh[0]), ms[2] - mh[2]))
    uhs, uhf = uv[st + "hip"], uv[fr + "hip"]
    row["pelvic_tilt_img_deg"] = math.degrees(math.atan2(uhf[1] - uhs[1], abs(uhs[0] - uhf[0])))
    ums, umh = 0.5 * (uv["l_shoulder"] + uv["r_shoulder"]), 0.5 * (uv["l_hip"] + uv["r_hip"])
    s_img = 1.0 if uhs[0] >= uhf[0] else -1.0
    row["trunk_lean_img_deg"] = math.degrees(math.atan2(s_img * (ums[0] - umh[0]), umh[1] - ums[1]))
    sc = pose.scalars
    row["valgus_target_deg"] = sc["valgus_target"]
    row["free_foot_contact"] = int(sc["air"] <= 0.0)
    row["free_ankle_height_m"] = float(j[fr + "ankle"][2])
    row["weight_on_stance"] = sc["weight"]
    row["squat_depth_frac"] = sc["squat"]
    a, w = sc["air"], sc["weight"]
    row["phase"] = "single" if a >= 1.0 else ("double" if a <= 0.0 and w <= 0.0 else ("weight_shift" if a <= 0.0 else "foot_moving"))
    return row


def finish_truth(rows: list[dict], events: list[tuple[str, float]], fps: float) -> list[dict]:
    """Add COM sway relative to its single-stance mean and per-frame event labels.

    ``com_ml_cm``: + toward the subject's left (+x); ``com_ap_cm``: + anterior
    (toward a frontal camera, -y). The mean is over frames in single-leg stance
    (``phase == single``), or all frames if there are none.
    """
    single = [r for r in rows if r["phase"] == "single"] or rows
    mx = sum(r["com_x"] for r in single) / len(single)
    my = sum(r["com_y"] for r in single) / len(single)
    for r in rows:
        r["com_ml_cm"] = 100.0 * (r["com_x"] - mx)
        r["com_ap_cm"] = -100.0 * (r["com_y"] - my)
        r["event"] = ""
    for name, t in events:
        k = int(math.ceil(t * fps - 1e-9))
        if 0 <= k < len(rows):
            rows[k]["event"] = (rows[k]["event"] + ";" if rows[k]["event"] else "") + name
    return rows
