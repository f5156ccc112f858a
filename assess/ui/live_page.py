"""The live self-test page: webcam through streamlit-webrtc, guided protocol, results."""

from __future__ import annotations

import os
import time

import av
import numpy as np
import streamlit as st

from ..assessment import analyze_track
from ..errors import AssessError, ModelError
from ..live import LiveProtocol, LiveSession
from ..models import available_models
from ..pose import PoseEstimator
from ..report import Subject, make_report
from .analysis import Result, show_error, show_model_problem

LOOPBACK_ENV = "FOOTFIRST_WEBRTC_LOOPBACK"
"""Set to 1 to let WebRTC use 127.0.0.1 (offline machines, browser on the same machine, tests)."""


@st.cache_resource(show_spinner="Loading the pose model …")
def shared_estimator(model: str = "full") -> PoseEstimator:
    """One pose estimator for every session (calls are serialised inside it)."""
    return PoseEstimator(model)


def lighter_estimator() -> PoseEstimator | None:
    """The "lite" model for a computer too slow for "full" live, if it is installed."""
    if "lite" not in available_models():
        return None
    try:
        return shared_estimator("lite")
    except ModelError:
        return None


def _allow_loopback_ice() -> None:
    """aiortc's ICE skips 127.0.0.1; with no network at all that leaves no candidate. Offer it."""
    import aioice.ice

    if getattr(aioice.ice.get_host_addresses, "_footfirst", False):
        return
    original = aioice.ice.get_host_addresses

    def with_loopback(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        addresses = list(original(use_ipv4, use_ipv6))
        if use_ipv4 and "127.0.0.1" not in addresses:
            addresses.append("127.0.0.1")
        return addresses

    with_loopback._footfirst = True  # type: ignore[attr-defined]
    aioice.ice.get_host_addresses = with_loopback


def rtc_configuration() -> dict[str, list[object]]:
    """No STUN/TURN server: video never leaves this machine; loopback when asked for."""
    if os.environ.get(LOOPBACK_ENV) == "1":
        _allow_loopback_ice()
    return {"iceServers": []}


def live_page(*, subject: Subject, clinical: bool) -> Result | None:
    """Run the guided live test; return the result once the protocol is done."""
    from streamlit_webrtc import WebRtcMode, webrtc_streamer

    st.header("Live self-test")
    st.markdown(
        "1. Put the laptop or phone at hip height, 2–4 m away, facing you; whole body in view, good light, barefoot.\n"
        "2. Press **START**. When the set-up check is happy, a countdown starts.\n"
        "3. Hands on hips. Stand on your **left** leg, lift the other foot to ankle height and hold; then the **right** leg."
    )
    c1, c2, c3 = st.columns(3)
    cap = c1.selectbox("Time cap per leg", (30, 45, 60), index=0, format_func=lambda s: f"{s} s")
    legs_choice = c2.selectbox("Legs", ("both", "left", "right"), format_func=lambda s: {"both": "left, then right", "left": "left only", "right": "right only"}[s])
    eyes = "closed" if c3.checkbox("Eyes closed (harder)", value=False) else "open"
    legs = ("left", "right") if legs_choice == "both" else (legs_choice,)
    try:
        estimator = shared_estimator()
    except ModelError as exc:
        show_model_problem(exc)
        return None
    key = f"live_session_{cap}_{legs_choice}"
    if key not in st.session_state:
        st.session_state[key] = LiveSession(estimator, LiveProtocol(hold_cap_s=float(cap), legs=legs), lighter=lighter_estimator)
    session: LiveSession = st.session_state[key]

    def callback(frame: av.VideoFrame) -> av.VideoFrame:
        # Runs on the video thread: never touches st.
        out = session.process(np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8))
        return av.VideoFrame.from_ndarray(out, format="rgb24")

    ctx = webrtc_streamer(
        key="footfirst-live",
        mode=WebRtcMode.SENDRECV,
        rtc_configuration=rtc_configuration(),
        media_stream_constraints={"video": {"width": 640, "height": 480}, "audio": False},
        video_frame_callback=callback,
        async_processing=True,
    )
    status_box = st.empty()
    stats_box = st.empty()
    while ctx.state.playing:
        status = session.status()
        if status is not None:
            status_box.info(f"**{status.message}**" + (f" — {status.seconds:.1f} s" if status.seconds is not None else ""))
            stats_box.caption(f"frames processed: {status.frames} · {status.fps:.0f} fps · model: {status.model}" + "".join(f" · {leg}: {secs:.1f} s ({why})" for leg, secs, why in status.holds))
        done = session.result()
        if done is not None:
            st.session_state.pop(key, None)
            try:
                assessment = analyze_track(done.track, mode="stance", height_cm=subject.height_cm)
            except AssessError as exc:
                show_error(exc.message, exc.hint)
                return None
            report = make_report(assessment, subject=subject, video_name="webcam", eyes=eyes)
            return Result(report, done.track, None, None)  # nothing of a live test is kept on disk
        time.sleep(0.25)
    return None
