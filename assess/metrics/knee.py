"""Knee valgus: frontal plane projection angle (FPPA) of the stance knee.

FPPA (CLINICAL.md, "Knee valgus"): the angle between the thigh line
(hip→knee) and the shank line (knee→ankle), 0° for a straight leg, **positive
when the knee lies medial** of the hip–ankle line (valgus), negative when
lateral (varus). Degrees.

Two estimates are kept (a later benchmark picks):

* ``fppa_image``: in pixel space, as a clinician measures it on a video frame.
  "Medial" is the image direction from the leg toward the other hip, so the
  subject facing or turning away from the camera, and left/right mirroring
  (the subject's left is on the image's right in a frontal view), are handled.
* ``fppa_world``: from MediaPipe's 3-D world landmarks projected onto the
  body's frontal plane (spanned by the hip line and the vertical), which
  is less sensitive to the camera angle but inherits MediaPipe's depth error.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..landmarks import other_side
from .body import medial_sign, sided
from .clean import CleanTrack

FloatArray = NDArray[np.float64]


def signed_knee_angle(hip: FloatArray, knee: FloatArray, ankle: FloatArray, medial: FloatArray) -> FloatArray:
    """Angle between hip→knee and knee→ankle, signed by the knee's side of the hip–ankle line.

    Parameters
    ----------
    hip, knee, ankle : (T, D) positions (D = 2 or 3, same unit).
    medial : (T, D) or (D,) vector pointing medially (toward the body midline).

    Returns
    -------
    (T,) degrees, positive when the knee is medial of the hip–ankle line.
    """
    u = knee - hip
    v = ankle - knee
    dot = np.sum(u * v, axis=-1)
    cross = np.linalg.norm(np.cross(u, v) if u.shape[-1] == 3 else (u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0])[..., None], axis=-1)
    mag = np.degrees(np.arctan2(cross, dot))
    e = ankle - hip
    e = e / np.linalg.norm(e, axis=-1, keepdims=True)
    off = u - np.sum(u * e, axis=-1, keepdims=True) * e  # knee's perpendicular offset from the hip–ankle line
    sign = np.sign(np.sum(off * medial, axis=-1))
    return np.asarray(np.where(sign < 0, -mag, mag))


def fppa_image(clean: CleanTrack, side: str) -> FloatArray:
    """Image-based FPPA of the ``side`` knee per frame, degrees (positive = valgus)."""
    medial = np.array([medial_sign(clean, side), 0.0])
    return signed_knee_angle(sided(clean.px, side, "hip"), sided(clean.px, side, "knee"), sided(clean.px, side, "ankle"), medial)


def frontal_plane_basis(world: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Unit normal of the body's frontal plane and the left-pointing ML axis, each (T, 3).

    The plane contains the hip line (right hip → left hip) and the vertical
    (MediaPipe world ``−y``); its normal is their cross product, i.e. the
    horizontal direction the pelvis faces. The trunk axis is not used: it
    tilts forward in a squat and would tilt the plane with it.
    """
    ml = sided(world, "left", "hip") - sided(world, "right", "hip")
    up = np.broadcast_to(np.array([0.0, -1.0, 0.0]), ml.shape)
    ml = ml - np.sum(ml * up, axis=-1, keepdims=True) * up  # horizontal part of the hip line
    n = np.cross(ml, up)
    n = n / np.linalg.norm(n, axis=-1, keepdims=True)
    ml = ml / np.linalg.norm(ml, axis=-1, keepdims=True)
    return n, ml


def fppa_world(clean: CleanTrack, side: str) -> FloatArray:
    """FPPA of the ``side`` knee from world landmarks projected on the frontal plane, degrees (positive = valgus)."""
    n, ml = frontal_plane_basis(clean.world)

    def proj(p: FloatArray) -> FloatArray:
        return p - np.sum(p * n, axis=-1, keepdims=True) * n

    hip, knee, ankle = (proj(sided(clean.world, side, p)) for p in ("hip", "knee", "ankle"))
    medial = proj(sided(clean.world, other_side(side), "hip")) - hip
    return signed_knee_angle(hip, knee, ankle, medial)
