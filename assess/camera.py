"""Camera motion: how much the picture's background moves from frame to frame.

Sway is measured in image coordinates, so a hand-held phone that drifts or a
camera bumped mid-trial adds its own motion to the person's. We cannot undo
that reliably (a moving camera also changes perspective), but we can measure
it and say so: sparse corners outside the subject's box are tracked from one
frame to the next with pyramidal Lucas–Kanade optical flow on a small grey
copy of the frame, and their median displacement is the background's shift.

The same small grey copy gives the exposure of the person: the share of the
subject's joints (shoulders, hips, knees, ankles) that sit on pixels blown out
to white or crushed to black (:attr:`BackgroundMotion.clipped_fraction`).
Only the body counts, because a white studio backdrop is clipped by design
and does no harm.

Corners are found again every :data:`REDETECT_EVERY` frames (or when too
few survive) and otherwise followed from frame to frame. A background with
little texture (a plain studio wall) gives few corners however often one
looks: after a search that found fewer than ``2 * MIN_CORNERS`` the next one
waits its turn, instead of searching once or twice every frame (on a studio
clip: 479 searches in 240 frames for 3 corners each, none of them usable).
Cost: about 0.5–1 ms a frame (a 160-px-wide grey image, ≤ 60 corners), next
to ~20–35 ms for the pose model.
"""

from __future__ import annotations

from typing import cast

import cv2
import numpy as np
from numpy.typing import NDArray

from .landmarks import idx
from .subject import Box

EXPOSURE_JOINTS = [idx(f"{s}_{p}") for s in ("left", "right") for p in ("shoulder", "hip", "knee", "ankle")]
"""Landmarks whose pixels tell the body's exposure (a list, for numpy indexing)."""

WORK_WIDTH = 160
"""Frames are shrunk to this width (pixels) before tracking corners."""
MAX_CORNERS = 60
MIN_CORNERS = 6
"""Fewer tracked background corners than this give no estimate (NaN)."""
REDETECT_EVERY = 8
BOX_MARGIN = 0.15
"""The subject's box is widened by this fraction of its size on each side before it is masked out."""
CLIP_LOW, CLIP_HIGH = 6, 249
"""Grey levels at or beyond these count as crushed black / blown-out white."""


class BackgroundMotion:
    """Frame-to-frame shift of the background, in normalised image units.

    Feed frames in order with :meth:`update`; each call returns ``(dx, dy)``
    as fractions of the frame's width and height (x right, y down) since the
    previous frame: ``(0, 0)`` for the first frame, NaN when too little
    background texture is visible to tell.
    """

    def __init__(self) -> None:
        self._prev: NDArray[np.uint8] | None = None
        self._corners: NDArray[np.float32] | None = None
        self._age = 0
        """Frames since the last search for corners."""
        self._found = 0
        """How many corners the last search found."""
        self._clipped = 0.0
        self._frames = 0

    @property
    def clipped_fraction(self) -> float:
        """Mean share of the subject's joints on blown-out or crushed pixels (0–1; 0 before the subject is seen)."""
        return self._clipped / self._frames if self._frames else 0.0

    def update(self, rgb: NDArray[np.uint8], subject_box: Box | None, joints: NDArray[np.float64] | None = None) -> tuple[float, float]:
        """Background shift since the last frame; ``joints`` (``[K, 2]`` normalised x, y) feed the exposure."""
        h, w = rgb.shape[:2]
        size = (WORK_WIDTH, max(8, int(round(h * WORK_WIDTH / w))))
        step = max(1, w // (2 * WORK_WIDTH))  # subsample big frames before the area resize
        if step > 1 and w % step == 0 and h % step == 0:
            # Nearest-neighbour by a whole factor keeps exactly rgb[::step, ::step], in half the time
            # OpenCV takes to copy that strided view (0.16 against 0.32 ms a 720p frame).
            rgb = cast(NDArray[np.uint8], cv2.resize(rgb, (w // step, h // step), interpolation=cv2.INTER_NEAREST))
        elif step > 1:
            rgb = rgb[::step, ::step]
        grey = cast(NDArray[np.uint8], cv2.cvtColor(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY))
        if joints is not None:
            xy = joints[np.isfinite(joints).all(axis=1)]
            if len(xy):
                xs = np.clip((xy[:, 0] * size[0]).astype(int), 0, size[0] - 1)
                ys = np.clip((xy[:, 1] * size[1]).astype(int), 0, size[1] - 1)
                v = grey[ys, xs]
                self._clipped += float(np.count_nonzero((v <= CLIP_LOW) | (v >= CLIP_HIGH))) / len(v)
                self._frames += 1
        prev, corners = self._prev, self._corners
        self._prev = grey
        if prev is None:
            self._corners = self._find(grey, subject_box)
            return 0.0, 0.0
        self._age += 1
        n = 0 if corners is None else len(corners)
        poor = self._found < 2 * MIN_CORNERS  # the last search found little texture: looking again soon finds no more
        if self._age >= REDETECT_EVERY or (n < 2 * MIN_CORNERS and not poor):
            corners = self._find(prev, subject_box)
            n = 0 if corners is None else len(corners)
        if corners is None or n < MIN_CORNERS:
            self._corners = None
            return float("nan"), float("nan")
        flow = cv2.calcOpticalFlowPyrLK(prev, grey, corners, None, winSize=(15, 15), maxLevel=2)
        moved, status = cast(NDArray[np.float32], flow[0]), cast(NDArray[np.uint8], flow[1])
        ok = status.ravel() == 1
        if subject_box is not None:  # a corner the person walked over is no longer background
            ok &= ~_inside(moved.reshape(-1, 2), subject_box, size)
        self._corners = moved[ok].reshape(-1, 1, 2)
        if ok.sum() < MIN_CORNERS:
            return float("nan"), float("nan")
        d = np.median((moved[ok] - corners[ok]).reshape(-1, 2), axis=0)
        return float(d[0] / size[0]), float(d[1] / size[1])

    def _find(self, grey: NDArray[np.uint8], box: Box | None) -> NDArray[np.float32] | None:
        self._age = 0
        mask = np.full(grey.shape, 255, np.uint8)
        if box is not None:
            x0, y0, x1, y1 = _widened(box, (grey.shape[1], grey.shape[0]))
            mask[y0:y1, x0:x1] = 0
        found = cast("NDArray[np.float32] | None", cv2.goodFeaturesToTrack(grey, MAX_CORNERS, 0.01, 5, mask=mask))
        self._found = 0 if found is None else len(found)
        return found


def _widened(box: Box, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The subject's box plus :data:`BOX_MARGIN`, in pixels of an image of ``size`` (clipped at 0)."""
    mx, my = BOX_MARGIN * (box.x1 - box.x0), BOX_MARGIN * (box.y1 - box.y0)
    x0, x1 = int((box.x0 - mx) * size[0]), int(np.ceil((box.x1 + mx) * size[0]))
    y0, y1 = int((box.y0 - my) * size[1]), int(np.ceil((box.y1 + my) * size[1]))
    return max(0, x0), max(0, y0), max(0, x1), max(0, y1)


def _inside(points: NDArray[np.float32], box: Box, size: tuple[int, int]) -> NDArray[np.bool_]:
    x0, y0, x1, y1 = _widened(box, size)
    return (points[:, 0] >= x0) & (points[:, 0] < x1) & (points[:, 1] >= y0) & (points[:, 1] < y1)
