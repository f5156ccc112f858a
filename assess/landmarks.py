"""Names and groupings of MediaPipe's 33 BlazePose landmarks.

The order is MediaPipe's; index ``i`` of every ``[..., 33, ...]`` array in this
package is ``LANDMARK_NAMES[i]``. "left" and "right" are the *subject's* own
sides, as in MediaPipe (in a frontal view the subject's left appears on the
image's right).
"""

from __future__ import annotations

from typing import Final

LANDMARK_NAMES: Final[tuple[str, ...]] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)

N_LANDMARKS: Final[int] = len(LANDMARK_NAMES)
INDEX: Final[dict[str, int]] = {name: i for i, name in enumerate(LANDMARK_NAMES)}

SIDES: Final[tuple[str, str]] = ("left", "right")


def idx(name: str) -> int:
    """Index of a landmark by name, e.g. ``idx("left_knee") == 25``."""
    return INDEX[name]


def side_idx(side: str, part: str) -> int:
    """Index of a sided landmark, e.g. ``side_idx("right", "knee") == 26``."""
    return INDEX[f"{side}_{part}"]


def other_side(side: str) -> str:
    """``"left"`` ↔ ``"right"``."""
    if side not in SIDES:
        raise ValueError(f"side must be 'left' or 'right', not {side!r}")
    return "right" if side == "left" else "left"


# Skeleton edges for drawing (pairs of landmark indices).
SKELETON_EDGES: Final[tuple[tuple[int, int], ...]] = tuple(
    (INDEX[a], INDEX[b])
    for a, b in (
        ("left_shoulder", "right_shoulder"),
        ("left_hip", "right_hip"),
        ("left_shoulder", "left_hip"),
        ("right_shoulder", "right_hip"),
        ("left_shoulder", "left_elbow"),
        ("left_elbow", "left_wrist"),
        ("right_shoulder", "right_elbow"),
        ("right_elbow", "right_wrist"),
        ("left_hip", "left_knee"),
        ("left_knee", "left_ankle"),
        ("left_ankle", "left_heel"),
        ("left_heel", "left_foot_index"),
        ("left_ankle", "left_foot_index"),
        ("right_hip", "right_knee"),
        ("right_knee", "right_ankle"),
        ("right_ankle", "right_heel"),
        ("right_heel", "right_foot_index"),
        ("right_ankle", "right_foot_index"),
        ("nose", "left_eye"),
        ("nose", "right_eye"),
    )
)
