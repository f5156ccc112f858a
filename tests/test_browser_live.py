"""Live self-test in a real browser: Chromium's fake camera plays a sample video into the app.

WebRTC runs with no STUN server and loopback ICE (FOOTFIRST_WEBRTC_LOOPBACK=1),
so it works inside a network namespace with only ``lo``.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import pytest

from assess.video import iter_frames
from tests.browser import browser_page, require_browser, screenshot, streamlit_server
from tests.conftest import SAMPLE_VIDEOS
from tests.media import write_y4m

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def fake_camera(tmp_path: Path) -> Path:
    clips = sorted(SAMPLE_VIDEOS.glob("left_stance*.mp4"))
    if not clips:
        pytest.skip("no left-stance sample video for the fake camera")
    import cv2

    frames = [cv2.resize(f.rgb, (640, 480)) for f in iter_frames(clips[0], end_s=8.0)]
    return write_y4m(tmp_path / "camera.y4m", frames, fps=20)


def webrtc_frame(page):  # type: ignore[no-untyped-def]
    """The frame holding the streamlit-webrtc component (an iframe in older Streamlit, the page itself in newer)."""
    for frame in page.frames:
        if frame.get_by_role("button", name=re.compile("^START$", re.I)).count():
            return frame
    return None


def test_live_test_processes_frames_and_shows_results(tmp_path: Path) -> None:
    require_browser()
    cam = fake_camera(tmp_path)
    flags = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={cam}",
        "--allow-loopback-in-peer-connection",
    ]
    with streamlit_server() as url, browser_page(flags) as page:
        page.goto(url)
        page.get_by_test_id("stSidebar").get_by_text("Live self-test", exact=True).click()
        page.get_by_text("Legs").first.wait_for(timeout=60_000)
        page.get_by_test_id("stSelectbox").nth(1).click()
        page.get_by_role("option", name="left only").click()
        deadline = time.monotonic() + 60
        frame = None
        while frame is None and time.monotonic() < deadline:
            frame = webrtc_frame(page)
            time.sleep(0.5)
        assert frame is not None, "the streamlit-webrtc component did not appear"
        frames_seen = 0
        for _attempt in range(2):  # retry START once if no frame arrives
            frame.get_by_role("button", name=re.compile("START", re.I)).click()
            t_end = time.monotonic() + 20
            while time.monotonic() < t_end:
                text = page.get_by_text("frames processed").all_inner_texts() if page.get_by_text("frames processed").count() else []
                m = re.search(r"frames processed: (\d+)", " ".join(text))
                if m and int(m.group(1)) > 0:
                    frames_seen = int(m.group(1))
                    break
                time.sleep(0.5)
            if frames_seen:
                break
            frame.get_by_role("button", name=re.compile("STOP", re.I)).click()
        assert frames_seen > 0, "no frame reached the pose estimator"
        video = frame.locator("video").first
        video.wait_for()
        time.sleep(1.0)
        shot = video.screenshot()
        import cv2

        img = cv2.imdecode(np.frombuffer(shot, np.uint8), cv2.IMREAD_COLOR)
        top = img[: max(4, img.shape[0] // 25)]
        assert top.mean() < 60, "the overlay banner (dark band with the instructions) is not on the returned video"
        screenshot(page, "live_running")
        page.get_by_role("heading", name="Results").wait_for(timeout=120_000)
        page.get_by_text("Data quality").first.wait_for()
        screenshot(page, "live_results")
