"""`Assessment`: every number a physiotherapist reads, from one `PoseTrack`.

This is the single input of findings, recommendations, reports and the UI.
It is made of typed, frozen records (dataclasses) and round-trips through
JSON (:meth:`Assessment.to_json` / :meth:`Assessment.from_json`).

Conventions
-----------
* Sides are the *subject's* own (``"left"``/``"right"``), never the image's.
  A metric's ``side`` is the **stance** leg it was measured on.
* Times are seconds from the start of the video.
* Lengths are in the unit named by :class:`ScaleInfo` (``"cm"`` when a scale
  was found, else ``"bh"`` = fractions of body height); each :class:`Metric`
  repeats its own ``unit``.
* A metric that cannot be computed has ``value=None`` and says why in its
  ``quality.reasons``; no metric is ever a silent NaN. Per-frame
  :class:`Series` may contain NaN (``null`` in JSON) where a frame is missing.
* Signs: FPPA positive = knee medial (valgus); pelvic drop positive = the
  free-leg side lower; trunk lean positive = toward the stance side; ML
  positive = toward the subject's left; AP positive = forward (toward the
  camera in a frontal view). See ``/work/shared/CLINICAL.md`` for the
  clinical definitions these follow.

Schema changes are additive: new fields get defaults, so older JSON still loads.
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

if typing.TYPE_CHECKING:
    from .metrics.analysis import Params
    from .track import PoseTrack

SCHEMA_VERSION = 1

Side = Literal["left", "right"]
Mode = Literal["stance", "squat"]
Grade = Literal["A", "B", "C", "D"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Reason:
    """A plain-language reason, with a stable machine-readable ``code``.

    Examples of codes: ``"no_single_leg_stance"``, ``"side_view"``,
    ``"feet_low_visibility"``, ``"ap_from_frontal_view"``, ``"too_short"``.
    """

    code: str
    message: str


@dataclass(frozen=True)
class Quality:
    """How far a number (or a whole trial) can be trusted.

    Attributes
    ----------
    grade : "A" (good) … "D" (do not use).
    reliable : False when the value should not be shown as a measurement
        (grade D, or e.g. FPPA from a side view).
    usable_fraction : fraction of frames (0–1) in the analysed window with
        the landmarks this number needs.
    reasons : why the grade is not "A" (empty when it is).
    """

    grade: Grade = "A"
    reliable: bool = True
    usable_fraction: float = 1.0
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True, eq=False)
class Series:
    """A per-frame signal for plotting.

    Attributes
    ----------
    name : e.g. ``"fppa_image.left"``.
    unit : e.g. ``"deg"``, ``"cm"``.
    times : (T,) seconds.
    values : (T,) values, NaN where the frame is missing.
    description : one line for a plot's axis label.
    """

    name: str
    unit: str
    times: FloatArray
    values: FloatArray
    description: str = ""


@dataclass(frozen=True)
class Metric:
    """One number with its unit, side, and quality.

    Attributes
    ----------
    name : stable key, e.g. ``"com_sway_ml_rms"``, ``"fppa_image_peak"``.
    value : the number, or None when it cannot be computed (see quality).
    unit : ``"cm"``, ``"bh"`` (body heights), ``"cm/s"``, ``"deg"``, ``"s"``,
        ``"Hz"``, ``"cm2"``, ``"bh2"``, ``"count"``, ``"1"`` (dimensionless).
    side : stance leg the metric belongs to, or None for whole-clip numbers.
    family : ``"timing"``, ``"sway"``, ``"knee"``, ``"pelvis"``, ``"trunk"``,
        ``"arms"``, ``"foot"``.
    quality : trust in this number.
    description : one line in plain language, including the sign convention.
    series : key into :attr:`Assessment.series` of the per-frame signal, if any.
    """

    name: str
    value: float | None
    unit: str
    side: Side | None = None
    family: str = ""
    quality: Quality = field(default_factory=Quality)
    description: str = ""
    series: str | None = None


@dataclass(frozen=True)
class BalanceEvent:
    """A BESS-style error or failure during a stance.

    kind : ``"free_foot_touchdown"``, ``"stance_foot_shift"``,
        ``"hands_off_hips"``, ``"trunk_excursion"``, ``"hip_excursion"``.
    time_s : when it started (seconds).
    end_s : when it ended (seconds), or None if it lasted to the end.
    detail : plain-language description with the measured size.
    """

    kind: str
    time_s: float
    end_s: float | None = None
    detail: str = ""


@dataclass(frozen=True)
class SquatRep:
    """One single-leg squat repetition.

    start_s, deepest_s, end_s : seconds.
    depth : downward stance-hip displacement at the deepest point, in
        :attr:`ScaleInfo.unit` (positive = lower).
    metrics : per-rep metrics (e.g. ``fppa_image_at_depth``).
    """

    index: int
    side: Side
    start_s: float
    deepest_s: float
    end_s: float
    depth: float
    metrics: tuple[Metric, ...] = ()


@dataclass(frozen=True)
class StanceTrial:
    """One single-leg stance: from lift-off of the free foot to touch-down.

    side : the stance leg (the free leg is the other one).
    lift_off_s, touch_down_s : seconds; ``touch_down_s`` is the end of the clip
        (and ``ended_by == "end_of_clip"``) when the foot never came down.
    ended_by : ``"touch_down"``, ``"end_of_clip"``, ``"tracking_lost"``.
    time_to_first_failure_s : seconds from lift-off to the first event in
        ``events`` (or the whole duration when there is none).
    metrics : every per-stance metric (sway, knee, pelvis, trunk, arms, foot).
    reps : squat repetitions inside this stance (squat mode).
    """

    index: int
    side: Side
    lift_off_s: float
    touch_down_s: float
    duration_s: float
    ended_by: str
    time_to_first_failure_s: float
    events: tuple[BalanceEvent, ...] = ()
    metrics: tuple[Metric, ...] = ()
    reps: tuple[SquatRep, ...] = ()
    quality: Quality = field(default_factory=Quality)

    def metric(self, name: str) -> Metric | None:
        """The metric called ``name``, or None."""
        return next((m for m in self.metrics if m.name == name), None)


@dataclass(frozen=True)
class Asymmetry:
    """Left vs right for one metric (from each side's summary).

    abs_diff : |left − right| in ``unit``.
    symmetry_index_pct : 100 · (left − right) / (0.5 · (|left| + |right|)),
        positive when left is larger; None when both are ~0.
    """

    name: str
    unit: str
    left: float
    right: float
    abs_diff: float
    symmetry_index_pct: float | None


@dataclass(frozen=True)
class ScaleInfo:
    """How image/world lengths were turned into reported lengths.

    method : ``"body_height"`` (given height in cm), ``"pose_world"``
        (MediaPipe world-landmark segment lengths, metres) or ``"relative"``.
    unit : ``"cm"`` or ``"bh"`` (fractions of body height).
    body_height_px : body height in pixels estimated from the pose.
    cm_per_px : cm per image pixel (None for ``"relative"``).
    body_height_cm : body height used (given or estimated), or None.
    """

    method: str
    unit: str
    body_height_px: float
    cm_per_px: float | None = None
    body_height_cm: float | None = None
    note: str = ""


@dataclass(frozen=True)
class CameraView:
    """Which way the camera looks at the person.

    view : ``"frontal"``, ``"oblique"``, ``"side"`` or ``"unknown"``.
    shoulder_ratio, hip_ratio : median shoulder / hip width over torso length
        in the image (≈ 0.8 / 0.6 frontal, ≈ 0 side).
    world_depth_ratio : median |Δz| / |Δx| of the shoulders in world
        coordinates (≈ 0 frontal, large side-on).
    camera_motion : RMS displacement of the picture's background about its
        mean position over the clip, pixels (None when not measured; see
        :mod:`assess.camera`). ~0.1–0.5 px for a camera on a tripod.
    """

    view: str
    shoulder_ratio: float
    hip_ratio: float
    world_depth_ratio: float
    frontal_plane_reliable: bool
    camera_motion: float | None = None


@dataclass(frozen=True)
class Assessment:
    """Everything measured from one clip.

    Attributes
    ----------
    mode : ``"stance"`` or ``"squat"``.
    source : path, fps, duration_s, n_frames, width, height, model.
    parameters : analysis settings used (cutoff_hz, thresholds, ...).
    scale : units used for lengths.
    view : camera view.
    quality : whole-clip data quality (grade A–D, reasons).
    stances : every single-leg stance found, in time order.
    summary : per-side aggregates (``side`` set), e.g. best stance duration,
        mean FPPA over reps; the numbers asymmetry compares.
    asymmetry : left vs right for each summary metric present on both sides.
    series : per-frame signals for plots, by key.
    no_stance : set when no single-leg stance was found (and ``stances`` is
        empty): the reason, in plain language.
    """

    mode: Mode
    source: dict[str, Any]
    parameters: dict[str, Any]
    scale: ScaleInfo
    view: CameraView
    quality: Quality
    stances: tuple[StanceTrial, ...] = ()
    summary: tuple[Metric, ...] = ()
    asymmetry: tuple[Asymmetry, ...] = ()
    series: dict[str, Series] = field(default_factory=dict)
    no_stance: Reason | None = None
    schema_version: int = SCHEMA_VERSION

    # ----------------------------------------------------------------- access
    def summary_metric(self, name: str, side: Side | None = None) -> Metric | None:
        """The summary metric ``name`` for ``side`` (or the side-less one)."""
        return next((m for m in self.summary if m.name == name and m.side == side), None)

    def stances_on(self, side: Side) -> tuple[StanceTrial, ...]:
        """Stances with ``side`` as the stance leg."""
        return tuple(s for s in self.stances if s.side == side)

    @property
    def reps(self) -> tuple[SquatRep, ...]:
        """All squat repetitions, in time order."""
        return tuple(r for s in self.stances for r in s.reps)

    # ------------------------------------------------------------ serialising
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (NaN/inf → None, arrays → lists)."""
        return typing.cast(dict[str, Any], _to_plain(self))

    def to_json(self, *, indent: int | None = None) -> str:
        """JSON text (strict: no NaN literals)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Assessment:
        """Inverse of :meth:`to_dict`; unknown keys are ignored, missing ones take defaults."""
        return typing.cast(Assessment, _from_plain(cls, data))

    @classmethod
    def from_json(cls, text: str) -> Assessment:
        """Inverse of :meth:`to_json`."""
        return cls.from_dict(json.loads(text))


# ---------------------------------------------------------------- helpers
def _to_plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _to_plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, np.ndarray):
        return [_to_plain(v) for v in obj.tolist()]
    if isinstance(obj, dict):
        return {str(k): _to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_to_plain(v) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return v if math.isfinite(v) else None
    return obj


def _from_plain(tp: Any, data: Any) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return data
    if origin in (typing.Union, types.UnionType):
        if data is None:
            return None
        non_none = [a for a in args if a is not type(None)]
        return _from_plain(non_none[0], data) if len(non_none) == 1 else data
    if origin is Literal:
        return data
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = typing.get_type_hints(tp)
        kwargs = {f.name: _from_plain(hints[f.name], data[f.name]) for f in dataclasses.fields(tp) if f.name in data}
        return tp(**kwargs)
    if tp is FloatArray or origin is np.ndarray:
        return np.array([np.nan if v is None else v for v in data], dtype=np.float64)
    if origin is tuple:
        return tuple(_from_plain(args[0], v) for v in data)
    if origin is list:
        return [_from_plain(args[0], v) for v in data]
    if origin is dict:
        return {k: _from_plain(args[1], v) for k, v in data.items()}
    if tp is float:
        return float("nan") if data is None else float(data)
    return data


# ---------------------------------------------------------------- entry point
def analyze_track(
    track: PoseTrack,
    *,
    mode: Mode = "stance",
    height_cm: float | None = None,
    hands_on_hips: bool = True,
    params: Params | None = None,
) -> Assessment:
    """Measure everything a physiotherapist reads from one tracked clip.

    Parameters
    ----------
    track : the person's landmarks over time.
    mode : ``"stance"`` (timed single-leg stance) or ``"squat"`` (single-leg
        squats: repetitions, FPPA at the deepest point).
    height_cm : the person's standing height in cm; gives lengths in cm. Without
        it, cm are estimated from the pose (``scale.method == "pose_world"``) or
        lengths are in body heights (``"relative"``).
    hands_on_hips : the trial asks for hands on hips (hands leaving them is a
        balance error).
    params : thresholds and filter settings (:class:`assess.metrics.analysis.Params`).

    Returns
    -------
    Assessment. A clip with no single-leg stance returns one with no stances
    and ``no_stance`` set; this function does not raise for that.
    """
    from .metrics.analysis import analyze

    return analyze(track, mode=mode, height_cm=height_cm, hands_on_hips=hands_on_hips, params=params)
