"""Draw the tracked skeleton (and, later, angles and events) on a frame."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from .landmarks import SKELETON_EDGES, side_idx

LEFT_COLOUR = (66, 135, 245)  # RGB: subject's left in blue
RIGHT_COLOUR = (245, 130, 48)  # subject's right in orange
MID_COLOUR = (240, 240, 240)
MIN_VISIBILITY = 0.3


def _colour(a: int, b: int) -> tuple[int, int, int]:
    left = {side_idx("left", p) for p in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot_index")}
    right = {side_idx("right", p) for p in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot_index")}
    if a in left and b in left:
        return LEFT_COLOUR
    if a in right and b in right:
        return RIGHT_COLOUR
    return MID_COLOUR


def draw_skeleton(rgb: NDArray[np.uint8], image_landmarks: NDArray[np.float64], visibility: NDArray[np.float64], *, thickness: int | None = None) -> NDArray[np.uint8]:
    """Return a copy of ``rgb`` with the skeleton drawn (subject's left blue, right orange).

    ``image_landmarks`` is ``[33, 3]`` in normalised image coordinates; points
    with NaN or visibility below 0.3 are not drawn.
    """
    out = np.ascontiguousarray(rgb).copy()
    h, w = out.shape[:2]
    t = thickness or max(2, int(round(min(h, w) / 240)))
    if not np.all(np.isnan(image_landmarks[:, 0])):
        px = image_landmarks[:, :2] * np.array([w, h])
        ok = np.isfinite(px).all(axis=1) & (visibility >= MIN_VISIBILITY)
        for a, b in SKELETON_EDGES:
            if ok[a] and ok[b]:
                cv2.line(out, tuple(int(v) for v in px[a]), tuple(int(v) for v in px[b]), _colour(a, b), t, cv2.LINE_AA)
        for i in np.flatnonzero(ok):
            cv2.circle(out, tuple(int(v) for v in px[i]), t + 1, (255, 255, 255), -1, cv2.LINE_AA)
    return out
