"""Helpers for the browser tests: a Streamlit server and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = PROJECT_ROOT / "tests" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CONTEXT: dict[str, Any] = {"viewport": {"width": 1400, "height": 1000}, "accept_downloads": True}
"""Settings of every browser context of the tests."""


def require_browser() -> str:
    """Chromium's path, or skip with the reason and the install hint."""
    if CHROMIUM is None:
        pytest.skip("browser tests need Debian's Chromium: `apt-get install chromium` (CI installs it)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        pytest.skip("browser tests need Playwright: `pip install -e '.[test]'`")
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running ``streamlit run app.py``: its URL and process (the leader of its own process group)."""

    url: str
    proc: subprocess.Popen  # type: ignore[type-arg]

    def kill(self) -> None:
        """SIGKILL the app and every process it started (analysis workers), as a crash would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)


@contextmanager
def streamlit_app(env: dict[str, str] | None = None) -> Iterator[Server]:
    """Start ``app.py`` on a free local port in a process group of its own; yield it; stop the group afterwards."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="streamlit-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "app.py"), "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "FOOTFIRST_WEBRTC_LOOPBACK": "1", **(env or {})},
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        import urllib.request

        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Streamlit did not start: " + Path(log.name).read_text()[-2000:])
            time.sleep(0.3)
        yield Server(url, proc)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        Path(log.name).unlink(missing_ok=True)


@contextmanager
def streamlit_server(env: dict[str, str] | None = None) -> Iterator[str]:
    """Start ``app.py`` on a free local port; yield its URL; stop it afterwards."""
    with streamlit_app(env) as server:
        yield server.url


def _ready(page: Any) -> Any:
    page.set_default_timeout(30_000)
    return page


@contextmanager
def browser_page(extra_flags: list[str] | None = None) -> Iterator[Any]:
    """A Playwright page in a fresh persistent Chromium profile."""
    from playwright.sync_api import sync_playwright

    chromium = require_browser()
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(profile, executable_path=chromium, headless=True, args=CHROMIUM_FLAGS + (extra_flags or []), **CONTEXT)
        try:
            yield _ready(ctx.pages[0] if ctx.pages else ctx.new_page())
        finally:
            ctx.close()


@contextmanager
def browser_pages(n: int, extra_flags: list[str] | None = None) -> Iterator[list[Any]]:
    """``n`` pages of one Chromium, each in its own browser context (own cookies and storage): ``n`` users."""
    from playwright.sync_api import sync_playwright

    chromium = require_browser()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS + (extra_flags or []))
        try:
            yield [_ready(browser.new_context(**CONTEXT).new_page()) for _ in range(n)]
        finally:
            browser.close()


def goto_page(page: Any, url: str, label: str) -> None:
    """Open the app and choose a page in the sidebar."""
    page.goto(url)
    page.get_by_text("Foot First", exact=False).first.wait_for()
    page.get_by_test_id("stSidebar").get_by_text(label, exact=True).click()


def upload(page: Any, path: Path) -> None:
    """Put ``path`` into the upload page's file chooser and wait until Analyse is enabled."""
    from playwright.sync_api import expect

    page.locator("input[type=file]").set_input_files(str(path))
    expect(page.get_by_role("button", name="Analyse")).to_be_enabled(timeout=30_000)


# ------------------------------------------------------------------ live test with a fake camera
def fake_camera(tmp_path: Path) -> Path:
    """A Y4M file for Chromium's fake camera: 8 s of the left-stance sample at 640×480, 20 fps."""
    from assess.video import iter_frames
    from tests.conftest import SAMPLE_VIDEOS
    from tests.media import write_y4m

    clips = sorted(SAMPLE_VIDEOS.glob("left_stance*.mp4"))
    if not clips:
        pytest.skip("no left-stance sample video for the fake camera")
    import cv2

    frames = [np.asarray(cv2.resize(f.rgb, (640, 480)), dtype=np.uint8) for f in iter_frames(clips[0], end_s=8.0)]
    return write_y4m(tmp_path / "camera.y4m", frames, fps=20)


def camera_flags(camera: Path) -> list[str]:
    """Chromium flags: the fake camera plays ``camera``, no permission prompt, WebRTC over loopback."""
    return [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={camera}",
        "--allow-loopback-in-peer-connection",
    ]


def webrtc_frame(page: Any) -> Any:
    """The frame holding the streamlit-webrtc component (an iframe in older Streamlit, the page itself in newer)."""
    for frame in page.frames:
        if frame.get_by_role("button", name=re.compile("^START$", re.I)).count():
            return frame
    return None


def frames_processed(page: Any) -> int:
    """The live page's "frames processed" count (0 while none is shown)."""
    label = page.get_by_text("frames processed")
    m = re.search(r"frames processed: (\d+)", " ".join(label.all_inner_texts() if label.count() else []))
    return int(m.group(1)) if m else 0


def start_live_test(page: Any, url: str, *, legs: str = "left only", wait_s: float = 20.0) -> Any:
    """Open the live page, choose the legs, press START (once more if no frame arrives); return the webrtc frame.

    Fails the test when no frame reaches the pose estimator.
    """
    goto_page(page, url, "Live self-test")
    page.get_by_text("Legs").first.wait_for(timeout=60_000)
    page.get_by_test_id("stSelectbox").nth(1).click()
    page.get_by_role("option", name=legs).click()
    deadline = time.monotonic() + 60
    frame = None
    while frame is None and time.monotonic() < deadline:
        frame = webrtc_frame(page)
        time.sleep(0.5)
    assert frame is not None, "the streamlit-webrtc component did not appear"
    for _attempt in range(2):  # retry START once if no frame arrives
        frame.get_by_role("button", name=re.compile("START", re.I)).click()
        t_end = time.monotonic() + wait_s
        while time.monotonic() < t_end:
            if frames_processed(page) > 0:
                return frame
            time.sleep(0.5)
        stop = frame.get_by_role("button", name=re.compile("STOP", re.I))
        if stop.count():  # a connection that never came up may show START again rather than STOP
            stop.click()
    raise AssertionError("no frame reached the pose estimator")


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
