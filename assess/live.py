"""The live self-test: a guided single-leg stance protocol over webcam frames.

:class:`LiveSession` gets its pose estimator at construction (so tests drive
it without a server or browser), takes one frame at a time from the video
callback thread, draws the overlay, and runs the protocol:

``setup`` (whole body in view, facing the camera, one person, steady) →
``countdown`` → ``stance`` on the left leg (waits for lift-off, then times the
hold until the free foot touches down, the hands leave the hips, or the cap)
→ ``rest`` → the same on the right leg → ``done``.

Nothing here touches Streamlit. Status records and the finished recording
leave the callback thread through a queue of typed records; the page polls it.
Only the newest status matters, so the queue is bounded and old records are
dropped rather than piling up.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from .landmarks import idx, side_idx
from .overlay import draw_skeleton
from .pose import FramePose, PoseEstimator
from .subject import SubjectLock
from .track import PoseTrack, SourceInfo, TrackBuffer

Side = str


@dataclass(frozen=True)
class LiveProtocol:
    """Settings of the guided test."""

    legs: tuple[Side, ...] = ("left", "right")
    hold_cap_s: float = 30.0
    countdown_s: float = 5.0
    rest_s: float = 5.0
    setup_steady_s: float = 1.5
    hands_on_hips: bool = True
    max_wait_lift_s: float = 20.0
    """Give up on a leg if the foot is not lifted within this time."""
    lift_enter: float = 0.10
    """Free-foot height over the stance foot, in leg lengths, that counts as lifted."""
    lift_exit: float = 0.04
    """Below this (for ``touch_s``) the free foot is down again."""
    touch_s: float = 0.2
    hands_off: float = 0.65
    """Wrist-to-hip distance, in torso lengths, beyond which the hands have left the hips."""
    min_fps: float = 15.0
    """Below this many frames a second the pose model cannot keep up (issue "Speed")."""


@dataclass(frozen=True)
class LiveStatus:
    """What the page shows, sent after every processed frame."""

    phase: str  # setup | countdown | waiting_lift | stance | rest | done
    leg: Side | None
    message: str
    seconds: float | None
    frames: int
    fps: float
    model: str
    holds: tuple[tuple[Side, float, str], ...] = ()
    """Finished holds: (leg, seconds, what ended it)."""


@dataclass(frozen=True)
class LiveResult:
    """The whole recording once the protocol is done: analyse it like a file."""

    track: PoseTrack
    holds: tuple[tuple[Side, float, str], ...]


def setup_problems(fp: FramePose) -> list[str]:
    """Plain-language problems with the camera set-up in one frame (empty = fine)."""
    if not fp.found:
        return ["Step into the picture: no one is visible."]
    if fp.n_people > 1:
        problems = ["Only one person should be in the picture."]
    else:
        problems = []
    pts = fp.image[:, :2]
    # Heels are left out: the foot itself often hides them from the front.
    need = [idx(n) for n in ("nose", "left_ankle", "right_ankle", "left_foot_index", "right_foot_index", "left_shoulder", "right_shoulder")]
    inside = np.all((pts[need] > 0.01) & (pts[need] < 0.99), axis=1) & (fp.visibility[need] > 0.5)
    if not inside.all():
        feet_missing = not inside[1:5].all()
        problems.append("Step back: your feet must be in the picture." if feet_missing else "Step back: your whole body, head to feet, must be in the picture.")
    sh = np.linalg.norm(pts[idx("left_shoulder")] - pts[idx("right_shoulder")])
    mid_sh = 0.5 * (pts[idx("left_shoulder")] + pts[idx("right_shoulder")])
    mid_hip = 0.5 * (pts[idx("left_hip")] + pts[idx("right_hip")])
    torso = np.linalg.norm(mid_sh - mid_hip)
    if torso > 0 and sh / torso < 0.45:
        problems.append("Turn to face the camera.")
    height = pts[need, 1].max() - pts[need, 1].min()
    if inside.all() and height < 0.35:
        problems.append("Come a little closer: you look very small in the picture.")
    return problems


class LiveSession:
    """One person's guided live test. Thread-safe: frames arrive on the video thread.

    Parameters
    ----------
    estimator : shared pose estimator (this session keeps its own subject lock).
    protocol : the test's settings.
    clock : seconds, monotonic (injectable for tests).
    lighter : gives a faster estimator (the "lite" model), or None when
        there is none. During the set-up check the time each frame's pose
        takes is measured; if the model cannot keep up with
        ``protocol.min_fps``, the session switches to ``lighter()`` before
        anything is recorded (never during a trial). The status says which
        model is in use.
    """

    def __init__(self, estimator: PoseEstimator, protocol: LiveProtocol | None = None, *, clock=time.monotonic, lighter=None) -> None:  # type: ignore[no-untyped-def]
        self.estimator = estimator
        self.lighter = lighter
        self.pose_ms = 0.0
        """Moving average of the pose model's time per frame (ms)."""
        self.model_note = ""
        self.protocol = protocol or LiveProtocol()
        self.clock = clock
        self.statuses: queue.Queue[LiveStatus] = queue.Queue(maxsize=4)
        self.results: queue.Queue[LiveResult] = queue.Queue(maxsize=1)
        self._lock = threading.Lock()
        self._subject = SubjectLock()
        self._rec = TrackBuffer()
        self._t0: float | None = None
        self._phase = "setup"
        self._leg_i = 0
        self._phase_start = 0.0
        self._ok_since: float | None = None
        self._lift_t: float | None = None
        self._low_since: float | None = None
        self._holds: list[tuple[Side, float, str]] = []
        self._frames = 0
        self._fps = 0.0
        self._last_wall: float | None = None
        self._size = (0, 0)
        self.last_status: LiveStatus | None = None

    # ----------------------------------------------------------- frame entry
    def process(self, rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
        """Handle one upright RGB frame; return it with the overlay drawn."""
        with self._lock:
            now = self.clock()
            if self._t0 is None:
                self._t0 = now
                self._phase_start = now
            t = now - self._t0
            started = time.perf_counter()
            fp = self.estimator.process(rgb, now, subject=self._subject)
            ms = 1000.0 * (time.perf_counter() - started)
            self.pose_ms = 0.9 * self.pose_ms + 0.1 * ms if self.pose_ms else ms
            fp = dataclasses.replace(fp, time_s=t)
            self._size = (rgb.shape[1], rgb.shape[0])
            if self._phase not in ("setup", "done"):
                self._rec.add(fp.time_s, fp.image, fp.world, fp.visibility, fp.found)
            self._frames += 1
            if self._last_wall is not None:
                dt = now - self._last_wall
                if dt > 0:
                    self._fps = 0.9 * self._fps + 0.1 * (1.0 / dt) if self._fps else 1.0 / dt
            self._last_wall = now
            if self._phase == "setup":
                self._maybe_lighter()
            message, seconds = self._step(fp, now)
            model = self.estimator.model_name + (f" ({self.model_note})" if self.model_note else "")
            status = LiveStatus(self._phase, self._leg(), message, seconds, self._frames, self._fps, model, tuple(self._holds))
            self._publish(status)
            out = draw_skeleton(rgb, fp.image, fp.visibility) if fp.found else rgb.copy()
            return _banner(out, message, seconds)

    def _maybe_lighter(self) -> None:
        """Switch to the lighter model if this one cannot keep up (only before recording starts)."""
        if self._frames < 20 or self.pose_ms <= 1000.0 / self.protocol.min_fps:
            return
        capacity = 1000.0 / self.pose_ms
        if self.lighter is None:
            self.model_note = f"{capacity:.0f} frames/s at most on this computer; no faster model installed"
            return
        lighter = self.lighter()
        self.lighter = None
        if lighter is None or lighter is self.estimator:
            return
        self.model_note = f"switched from {self.estimator.model_name}, which managed {capacity:.0f} frames/s"
        self.estimator.release(self._subject)
        self.estimator = lighter
        self._subject = SubjectLock()
        self.pose_ms = 0.0

    def _publish(self, status: LiveStatus) -> None:
        self.last_status = status
        try:
            self.statuses.put_nowait(status)
        except queue.Full:
            try:
                self.statuses.get_nowait()  # drop the stale one
            except queue.Empty:
                pass
            self.statuses.put_nowait(status)

    def _leg(self) -> Side | None:
        legs = self.protocol.legs
        return legs[self._leg_i] if self._leg_i < len(legs) else None

    def _goto(self, phase: str, now: float) -> None:
        self._phase = phase
        self._phase_start = now

    # ------------------------------------------------------------ protocol
    def _step(self, fp: FramePose, now: float) -> tuple[str, float | None]:
        p = self.protocol
        elapsed = now - self._phase_start
        leg = self._leg()
        if self._phase == "setup":
            problems = setup_problems(fp)
            if problems:
                self._ok_since = None
                return problems[0], None
            self._ok_since = self._ok_since or now
            if now - self._ok_since >= p.setup_steady_s:
                self._goto("countdown", now)
            return "Good: hold still, hands on hips.", None
        if self._phase == "countdown":
            left = p.countdown_s - elapsed
            if left <= 0:
                self._goto("waiting_lift", now)
                return f"Lift your {self._free(leg)} foot now", None
            return f"Get ready to stand on your {leg} leg", left
        if self._phase == "waiting_lift":
            raise_ = self._raise(fp, leg)
            if raise_ is not None and raise_ > p.lift_enter:
                self._lift_t = now
                self._low_since = None
                self._goto("stance", now)
                return "Hold it!", 0.0
            if elapsed > p.max_wait_lift_s:
                self._finish_leg("not lifted", 0.0, now)
                return "No lift-off seen; moving on.", None
            return f"Lift your {self._free(leg)} foot to ankle height", None
        if self._phase == "stance":
            held = now - (self._lift_t or now)
            raise_ = self._raise(fp, leg)
            if raise_ is not None and raise_ < p.lift_exit:
                self._low_since = self._low_since or now
                if now - self._low_since >= p.touch_s:
                    self._finish_leg("foot down", self._low_since - (self._lift_t or now), now)
                    return "Foot down: well done.", None
            else:
                self._low_since = None
            if p.hands_on_hips and self._hands_off(fp):
                self._finish_leg("hands off hips", held, now)
                return "Hands left the hips: trial ended.", None
            if held >= p.hold_cap_s:
                self._finish_leg("time cap", p.hold_cap_s, now)
                return f"{p.hold_cap_s:.0f} s: full marks! Put the foot down.", None
            return f"Standing on your {leg} leg", held
        if self._phase == "rest":
            left = p.rest_s - elapsed
            if left <= 0:
                self._goto("countdown", now)
            return "Rest. Next: the other leg.", max(left, 0.0)
        return "Test finished: see your results below.", None

    def _free(self, leg: Side | None) -> str:
        return "right" if leg == "left" else "left"

    def _finish_leg(self, why: str, held: float, now: float) -> None:
        leg = self._leg()
        if leg is not None:
            self._holds.append((leg, round(max(held, 0.0), 2), why))
        self._leg_i += 1
        if self._leg_i >= len(self.protocol.legs):
            self._goto("done", now)
            self._emit_result()
        else:
            self._goto("rest", now)

    def _raise(self, fp: FramePose, leg: Side | None) -> float | None:
        """Free-foot height over the stance foot in leg lengths (+ = lifted)."""
        if not fp.found or leg is None:
            return None
        free = self._free(leg)
        y = fp.image[:, 1] * (self._size[1] or 1)
        x = fp.image[:, 0] * (self._size[0] or 1)
        hip, ankle = side_idx(leg, "hip"), side_idx(leg, "ankle")
        leg_len = float(np.hypot(x[hip] - x[ankle], y[hip] - y[ankle]))
        if leg_len <= 0 or fp.visibility[side_idx(free, "ankle")] < 0.3:
            return None
        return float((y[ankle] - y[side_idx(free, "ankle")]) / leg_len)

    def _hands_off(self, fp: FramePose) -> bool:
        if not fp.found:
            return False
        pts = fp.image[:, :2]
        mid_sh = 0.5 * (pts[idx("left_shoulder")] + pts[idx("right_shoulder")])
        mid_hip = 0.5 * (pts[idx("left_hip")] + pts[idx("right_hip")])
        torso = float(np.linalg.norm(mid_sh - mid_hip))
        if torso <= 0:
            return False
        d = [np.linalg.norm(pts[side_idx(s, "wrist")] - pts[side_idx(s, "hip")]) / torso for s in ("left", "right")]
        return bool(max(d) > self.protocol.hands_off)

    def _emit_result(self) -> None:
        times, image, world, vis, found = self._rec.arrays()
        if len(times) < 2 or not found.any():
            return
        keep = np.flatnonzero(np.diff(times, prepend=-np.inf) > 0)
        span = times[-1] - times[0]
        fps = (len(times) - 1) / span if span > 0 else 30.0
        track = PoseTrack(
            times=times[keep],
            image=image[keep],
            world=world[keep],
            visibility=vis[keep],
            detected=found[keep],
            fps=fps,
            width=self._size[0],
            height=self._size[1],
            source=SourceInfo(path="webcam", model=self.estimator.model_name, duration_s=float(span)),
        )
        try:
            self.results.put_nowait(LiveResult(track, tuple(self._holds)))
        except queue.Full:
            pass

    def result(self, timeout: float | None = None) -> LiveResult | None:
        """The finished recording, once the protocol is done (None before)."""
        try:
            return self.results.get(timeout=timeout) if timeout else self.results.get_nowait()
        except queue.Empty:
            return None

    def status(self) -> LiveStatus | None:
        """The newest status (drains older ones)."""
        latest = None
        while True:
            try:
                latest = self.statuses.get_nowait()
            except queue.Empty:
                return latest or self.last_status


def _banner(img: NDArray[np.uint8], message: str, seconds: float | None) -> NDArray[np.uint8]:
    h, w = img.shape[:2]
    size = max(0.5, w / 1100)
    cv2.rectangle(img, (0, 0), (w, int(44 * size * 1.4)), (0, 0, 0), -1)
    text = message if seconds is None else f"{message}   {seconds:4.1f} s"
    cv2.putText(img, text, (10, int(30 * size * 1.4)), cv2.FONT_HERSHEY_SIMPLEX, size, (255, 255, 255), 2, cv2.LINE_AA)
    return img


def run_offline(session: LiveSession, frames: Sequence[NDArray[np.uint8]]) -> None:
    """Feed frames through a session (tests and benchmarks without a browser)."""
    for f in frames:
        session.process(f)
