"""Choose the subject among the people the pose model finds, and keep it.

The subject is the person who is large, central and continuous over time. On
the first frames we pick the best-scoring candidate (body height in the
frame, discounted by distance from the image centre); after that we follow
the candidate whose body box overlaps the subject's last box the most. A
bystander who walks past never swaps in: a candidate that does not overlap the
subject is ignored, and we only look for a new subject after the old one has
been missing for ``reacquire_after_s`` seconds.

Pure geometry on normalised image landmarks; no mediapipe here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

BOX_VISIBILITY = 0.3
"""Landmarks below this visibility do not count towards a body box."""


@dataclass(frozen=True)
class Box:
    """Axis-aligned box in normalised image coordinates."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def area(self) -> float:
        return max(0.0, self.x1 - self.x0) * max(0.0, self.y1 - self.y0)

    @property
    def height(self) -> float:
        return max(0.0, self.y1 - self.y0)

    @property
    def centre(self) -> tuple[float, float]:
        return (0.5 * (self.x0 + self.x1), 0.5 * (self.y0 + self.y1))

    def iou(self, other: Box) -> float:
        ix = max(0.0, min(self.x1, other.x1) - max(self.x0, other.x0))
        iy = max(0.0, min(self.y1, other.y1) - max(self.y0, other.y0))
        inter = ix * iy
        union = self.area + other.area - inter
        return inter / union if union > 0 else 0.0


def body_box(image_landmarks: NDArray[np.float64], visibility: NDArray[np.float64]) -> Box:
    """Box around the visible landmarks of one person (``[33, 3]``, ``[33]``)."""
    keep = visibility >= BOX_VISIBILITY
    pts = image_landmarks[keep, :2] if keep.sum() >= 4 else image_landmarks[:, :2]
    lo = np.nanmin(pts, axis=0)
    hi = np.nanmax(pts, axis=0)
    return Box(float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))


def prominence(box: Box) -> float:
    """Acquisition score: body height, halved at the image edge (0 … ~1)."""
    cx, _ = box.centre
    off_centre = min(1.0, abs(cx - 0.5) * 2.0)
    return box.height * (1.0 - 0.5 * off_centre)


class SubjectLock:
    """Online subject selection over a sequence of frames.

    Parameters
    ----------
    min_iou : a candidate must overlap the subject's last box at least this
        much to be taken as the subject.
    reacquire_after_s : after the subject has been missing this long, the
        most prominent candidate becomes the subject.
    initial, initial_time_s : a known subject box (and when it was seen) to
        start from, e.g. where the previous chunk of a video left off.
    """

    def __init__(self, *, min_iou: float = 0.2, reacquire_after_s: float = 1.0, initial: Box | None = None, initial_time_s: float | None = None) -> None:
        self.min_iou = min_iou
        self.reacquire_after_s = reacquire_after_s
        self._box: Box | None = initial
        self._last_seen_s: float | None = initial_time_s if initial is not None else None

    @property
    def box(self) -> Box | None:
        """The subject's last body box, or ``None`` before the first lock."""
        return self._box

    def choose(self, time_s: float, boxes: list[Box]) -> int | None:
        """Index of the subject among ``boxes`` at ``time_s``, or ``None``."""
        if not boxes:
            return None
        lost = self._box is None or (self._last_seen_s is not None and time_s - self._last_seen_s > self.reacquire_after_s)
        if lost:
            best = int(np.argmax([prominence(b) for b in boxes]))
        else:
            assert self._box is not None
            overlaps = [self._box.iou(b) for b in boxes]
            best = int(np.argmax(overlaps))
            if overlaps[best] < self.min_iou:
                return None
        self._box = boxes[best]
        self._last_seen_s = time_s
        return best
