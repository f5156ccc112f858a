"""The live protocol without a browser: a stand-in estimator replays a synthetic track."""

from __future__ import annotations

import time

import numpy as np

from assess.live import LiveProtocol, LiveSession
from assess.pose import FramePose
from assess.subject import SubjectLock
from tests.synthetic import make_track

FPS = 30.0


class Replay:
    """Quacks like PoseEstimator: hands back the next frame of a track (optionally slowly)."""

    def __init__(self, track, model_name: str = "full", delay_s: float = 0.0) -> None:  # type: ignore[no-untyped-def]
        self.track, self.model_name, self.delay_s, self.i = track, model_name, delay_s, 0
        self.released: list[SubjectLock] = []

    def process(self, rgb, time_s, *, subject=None) -> FramePose:  # type: ignore[no-untyped-def]
        if self.delay_s:
            time.sleep(self.delay_s)
        i = min(self.i, len(self.track) - 1)
        self.i += 1
        tr = self.track
        return FramePose(time_s, bool(tr.detected[i]), tr.image[i], tr.world[i], tr.visibility[i], 1)

    def release(self, subject: SubjectLock) -> None:
        self.released.append(subject)


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def run(session: LiveSession, clock: Clock, n: int, size: tuple[int, int]) -> None:
    blank = np.zeros((size[1], size[0], 3), np.uint8)
    for _ in range(n):
        session.process(blank)
        clock.t += 1 / FPS


def test_one_leg_protocol_times_the_hold_from_lift_off_to_touch_down() -> None:
    # set-up steady 1.5 s + countdown 5 s: the foot goes up at 8 s and down at 14 s
    track = make_track(fps=FPS, duration_s=17.0, stance="left", lift_off_s=8.0, touch_down_s=14.0)
    clock = Clock()
    session = LiveSession(Replay(track), LiveProtocol(legs=("left",), hold_cap_s=30.0), clock=clock)  # type: ignore[arg-type]
    run(session, clock, len(track), (track.width, track.height))
    done = session.result()
    assert done is not None
    (leg, held, why), = done.holds
    assert leg == "left" and why == "foot down"
    assert abs(held - 6.0) <= 0.3
    assert session.status() is not None and session.status().phase == "done"  # type: ignore[union-attr]


def test_a_model_too_slow_for_live_is_swapped_for_the_lighter_one_before_recording() -> None:
    track = make_track(fps=FPS, duration_s=3.0, stance="left", lift_off_s=None)
    slow = Replay(track, "full", delay_s=0.08)  # ~12 frames/s: cannot keep up
    fast = Replay(track, "lite")
    clock = Clock()
    session = LiveSession(slow, LiveProtocol(legs=("left",)), clock=clock, lighter=lambda: fast)  # type: ignore[arg-type]
    run(session, clock, 30, (track.width, track.height))
    assert session.estimator is fast and slow.released
    status = session.status()
    assert status is not None and status.model.startswith("lite (switched from full")


def test_without_a_lighter_model_the_status_says_how_fast_it_is() -> None:
    track = make_track(fps=FPS, duration_s=3.0, stance="left", lift_off_s=None)
    slow = Replay(track, "full", delay_s=0.08)
    clock = Clock()
    session = LiveSession(slow, LiveProtocol(legs=("left",)), clock=clock)  # type: ignore[arg-type]
    run(session, clock, 25, (track.width, track.height))
    assert session.estimator is slow
    status = session.status()
    assert status is not None and "no faster model installed" in status.model
