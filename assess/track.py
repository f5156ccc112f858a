"""`PoseTrack`: one person's landmark time series, validated once where it is built.

Coordinate systems
------------------
``image``
    MediaPipe's normalised image coordinates, shape ``[T, 33, 3]``: x to the
    right and y *down*, both in ``[0, 1]`` of the upright frame's width/height
    (values slightly outside happen when a joint is out of view); z is
    MediaPipe's relative depth (same scale as x, smaller = nearer the camera).
``world``
    MediaPipe's world landmarks in metres, shape ``[T, 33, 3]``, origin at the
    hip midpoint, x to the image's right, y down, z away from the camera.

Frames where no person was found keep ``NaN`` in all three arrays and
``detected[t] == False``. Times are in seconds from the start of the video and
strictly increasing (variable frame rates keep their true timestamps).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .errors import TrackFileError
from .files import write_atomic
from .landmarks import LANDMARK_NAMES, N_LANDMARKS

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

TRACK_FORMAT_VERSION = 1


@dataclass(frozen=True)
class SourceInfo:
    """Where a track came from (video path or "webcam", model, settings)."""

    path: str = ""
    model: str = ""
    rotation_deg: int = 0
    stride: int = 1
    duration_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class PoseTrack:
    """Landmarks of one person over time.

    Attributes
    ----------
    times : (T,) float, seconds, strictly increasing.
    image : (T, 33, 3) float, normalised image coordinates (x right, y down).
    world : (T, 33, 3) float, metres, hip-centred (x right, y down, z away).
    visibility : (T, 33) float in [0, 1], MediaPipe's visibility score.
    detected : (T,) bool, True where the subject's pose was found.
    fps : float, nominal frame rate of the analysed frames (after stride).
    width, height : int, pixel size of the upright frame.
    source : SourceInfo.
    background_shift : (T, 2) float or None, how far the picture's background
        moved since the previous frame, normalised image units (x right,
        y down; NaN where it could not be told; see :mod:`assess.camera`).
        None when not measured (live tracks, older files).
    """

    times: FloatArray
    image: FloatArray
    world: FloatArray
    visibility: FloatArray
    detected: BoolArray
    fps: float
    width: int
    height: int
    source: SourceInfo = field(default_factory=SourceInfo)
    background_shift: FloatArray | None = None

    def __post_init__(self) -> None:
        t = np.asarray(self.times, dtype=np.float64)
        n = t.shape[0] if t.ndim == 1 else -1
        if n < 0:
            raise ValueError("times must be a 1-D array")
        image = np.asarray(self.image, dtype=np.float64)
        world = np.asarray(self.world, dtype=np.float64)
        vis = np.asarray(self.visibility, dtype=np.float64)
        det = np.asarray(self.detected, dtype=bool)
        for name, arr, shape in (
            ("image", image, (n, N_LANDMARKS, 3)),
            ("world", world, (n, N_LANDMARKS, 3)),
            ("visibility", vis, (n, N_LANDMARKS)),
            ("detected", det, (n,)),
        ):
            if arr.shape != shape:
                raise ValueError(f"{name} has shape {arr.shape}, expected {shape}")
        if n > 1 and not np.all(np.diff(t) > 0):
            raise ValueError("times must be strictly increasing")
        if not np.all(np.isfinite(t)):
            raise ValueError("times must be finite")
        bg = None
        if self.background_shift is not None:
            bg = np.array(self.background_shift, dtype=np.float64)
            if bg.shape != (n, 2):
                raise ValueError(f"background_shift has shape {bg.shape}, expected {(n, 2)}")
            bg.setflags(write=False)
        object.__setattr__(self, "background_shift", bg)
        if not (self.fps > 0):
            raise ValueError(f"fps must be positive, not {self.fps}")
        if self.width <= 0 or self.height <= 0:
            raise ValueError("frame size must be positive")
        # Frames without a detection carry NaN everywhere, so no stale number
        # can be read as a measurement.
        image = image.copy()
        world = world.copy()
        vis = vis.copy()
        image[~det] = np.nan
        world[~det] = np.nan
        vis[~det] = 0.0
        for name, arr in (("times", t), ("image", image), ("world", world), ("visibility", vis), ("detected", det)):
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    # ------------------------------------------------------------------ views
    def __len__(self) -> int:
        return int(self.times.shape[0])

    @property
    def duration_s(self) -> float:
        """Span of the analysed frames in seconds (0 for fewer than 2 frames)."""
        return float(self.times[-1] - self.times[0]) if len(self) > 1 else 0.0

    @property
    def detection_rate(self) -> float:
        """Fraction of frames in which the subject was found."""
        return float(self.detected.mean()) if len(self) else 0.0

    def pixels(self) -> FloatArray:
        """Image landmarks in pixels, ``[T, 33, 2]`` (x right, y down)."""
        return self.image[..., :2] * np.array([self.width, self.height], dtype=np.float64)

    def slice(self, start: int, stop: int) -> PoseTrack:
        """Frames ``start:stop`` as a new track."""
        return PoseTrack(
            times=self.times[start:stop],
            image=self.image[start:stop],
            world=self.world[start:stop],
            visibility=self.visibility[start:stop],
            detected=self.detected[start:stop],
            fps=self.fps,
            width=self.width,
            height=self.height,
            source=self.source,
            background_shift=None if self.background_shift is None else self.background_shift[start:stop],
        )

    # -------------------------------------------------------------- save/load
    def save(self, path: str | Path) -> Path:
        """Write the track to a compressed ``.npz`` file and return its path."""
        path = Path(path)
        meta = {
            "format_version": TRACK_FORMAT_VERSION,
            "fps": self.fps,
            "width": self.width,
            "height": self.height,
            "source": {
                "path": self.source.path,
                "model": self.source.model,
                "rotation_deg": self.source.rotation_deg,
                "stride": self.source.stride,
                "duration_s": self.source.duration_s,
                "extra": self.source.extra,
            },
        }
        arrays: dict[str, Any] = {  # Any: numpy's stubs would read a typed ** as its allow_pickle flag
            "times": self.times,
            "image": self.image.astype(np.float32),
            "world": self.world.astype(np.float32),
            "visibility": self.visibility.astype(np.float32),
            "detected": self.detected,
            "meta": np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
        }
        if self.background_shift is not None:
            arrays["background_shift"] = self.background_shift.astype(np.float32)
        buf = io.BytesIO()  # built in memory and written whole: a full disk never leaves half a track
        np.savez_compressed(buf, **arrays)
        write_atomic(path, buf.getvalue())
        return path

    @classmethod
    def load(cls, path: str | Path) -> PoseTrack:
        """Read a track written by :meth:`save`.

        Raises
        ------
        TrackFileError
            When the file is missing, not a track, or fails validation.
        """
        path = Path(path)
        if not path.is_file():
            raise TrackFileError(f"Track file not found: {path}.", hint="Create one with `assess track VIDEO -o track.npz`.")
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(bytes(data["meta"]).decode("utf-8"))
                if meta.get("format_version") != TRACK_FORMAT_VERSION:
                    raise TrackFileError(f"{path.name} has track format {meta.get('format_version')!r}; this version reads {TRACK_FORMAT_VERSION}.", hint="Re-create it with `assess track`.")
                src = meta.get("source", {})
                return cls(
                    times=data["times"],
                    image=data["image"],
                    world=data["world"],
                    visibility=data["visibility"],
                    detected=data["detected"],
                    fps=float(meta["fps"]),
                    width=int(meta["width"]),
                    height=int(meta["height"]),
                    source=SourceInfo(
                        path=str(src.get("path", "")),
                        model=str(src.get("model", "")),
                        rotation_deg=int(src.get("rotation_deg", 0)),
                        stride=int(src.get("stride", 1)),
                        duration_s=float(src.get("duration_s", 0.0)),
                        extra=dict(src.get("extra", {})),
                    ),
                    background_shift=data["background_shift"] if "background_shift" in data.files else None,
                )
        except TrackFileError:
            raise
        except Exception as exc:  # any decoding/validation problem means "not a valid track"
            raise TrackFileError(
                f"{path.name} is not a readable Foot First track ({type(exc).__name__}: {exc}).",
                hint="Re-create it with `assess track VIDEO -o track.npz`.",
            ) from exc

    def to_csv(self, path: str | Path) -> Path:
        """Write one row per frame with named columns.

        Columns: ``time_s, detected``, then for each landmark ``<name>_x``,
        ``<name>_y`` (normalised image), ``<name>_z``, ``<name>_visibility``,
        then ``<name>_wx, <name>_wy, <name>_wz`` (world, metres).
        """
        path = Path(path)
        header = ["time_s", "detected"]
        header += [f"{n}_{c}" for n in LANDMARK_NAMES for c in ("x", "y", "z", "visibility")]
        header += [f"{n}_{c}" for n in LANDMARK_NAMES for c in ("wx", "wy", "wz")]
        img = np.concatenate([self.image, self.visibility[..., None]], axis=2).reshape(len(self), -1)
        wld = self.world.reshape(len(self), -1)
        body = np.concatenate([self.times[:, None], self.detected[:, None].astype(float), img, wld], axis=1)
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(header)
        for row in body:
            writer.writerow(["" if not np.isfinite(v) else f"{v:.6g}" for v in row])
        write_atomic(path, text.getvalue().encode("utf-8"))
        return path


class TrackBuffer:
    """Collects per-frame landmarks into preallocated arrays (grown by doubling).

    Keeping thousands of tiny per-frame arrays alive between large video-frame
    allocations fragments the C heap: peak memory then grows with video length
    (measured: +190 MB after 300 frames of 720p). Writing into a few large
    arrays keeps memory flat however long the video is.
    """

    def __init__(self, capacity: int = 1024) -> None:
        self._n = 0
        self._t = np.empty(capacity)
        self._img = np.empty((capacity, N_LANDMARKS, 3))
        self._wld = np.empty((capacity, N_LANDMARKS, 3))
        self._vis = np.empty((capacity, N_LANDMARKS))
        self._det = np.empty(capacity, dtype=bool)
        self._bg = np.full((capacity, 2), np.nan)

    def __len__(self) -> int:
        return self._n

    def add(self, time_s: float, image: FloatArray, world: FloatArray, visibility: FloatArray, detected: bool, shift: tuple[float, float] | None = None) -> None:
        """Append one frame (arrays ``[33, 3]``, ``[33, 3]``, ``[33]``; ``shift`` of the background if measured)."""
        if self._n == len(self._t):
            grow = max(1024, len(self._t))
            self._t = np.concatenate([self._t, np.empty(grow)])
            self._img = np.concatenate([self._img, np.empty((grow, N_LANDMARKS, 3))])
            self._wld = np.concatenate([self._wld, np.empty((grow, N_LANDMARKS, 3))])
            self._vis = np.concatenate([self._vis, np.empty((grow, N_LANDMARKS))])
            self._det = np.concatenate([self._det, np.empty(grow, dtype=bool)])
            self._bg = np.concatenate([self._bg, np.full((grow, 2), np.nan)])
        i = self._n
        self._t[i] = time_s
        self._img[i] = image
        self._wld[i] = world
        self._vis[i] = visibility
        self._det[i] = detected
        self._bg[i] = shift if shift is not None else (np.nan, np.nan)
        self._n += 1

    def arrays(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, BoolArray]:
        """``times, image, world, visibility, detected`` of the frames so far (views)."""
        n = self._n
        return self._t[:n], self._img[:n], self._wld[:n], self._vis[:n], self._det[:n]

    def shifts(self) -> FloatArray:
        """Background shift per frame so far, ``[n, 2]`` (NaN where not given; a view)."""
        return self._bg[: self._n]
