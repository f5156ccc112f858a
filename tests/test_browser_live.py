"""Live self-test in a real browser: Chromium's fake camera plays a sample video into the app.

WebRTC runs with no STUN server and loopback ICE (FOOTFIRST_WEBRTC_LOOPBACK=1),
so it works inside a network namespace with only ``lo``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from tests.browser import browser_page, camera_flags, fake_camera, require_browser, screenshot, start_live_test, streamlit_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_live_test_processes_frames_and_shows_results(tmp_path: Path) -> None:
    require_browser()
    cam = fake_camera(tmp_path)
    with streamlit_server() as url, browser_page(camera_flags(cam)) as page:
        frame = start_live_test(page, url, legs="left only")
        video = frame.locator("video").first
        video.wait_for()
        time.sleep(1.0)
        shot = video.screenshot()
        import cv2

        img = cv2.imdecode(np.frombuffer(shot, np.uint8), cv2.IMREAD_COLOR)
        assert img is not None, "the video element's screenshot is not an image"
        top = img[: max(4, img.shape[0] // 25)]
        assert top.mean() < 60, "the overlay banner (dark band with the instructions) is not on the returned video"
        screenshot(page, "live_running")
        page.get_by_role("heading", name="Results").wait_for(timeout=120_000)
        page.get_by_text("Data quality").first.wait_for()
        screenshot(page, "live_results")
