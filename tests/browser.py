"""Helpers for the browser tests: a Streamlit server and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


@contextmanager
def streamlit_server(env: dict[str, str] | None = None) -> Iterator[str]:
    """Start ``app.py`` on a free local port; yield its URL; stop it afterwards."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="streamlit-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "app.py"), "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "FOOTFIRST_WEBRTC_LOOPBACK": "1", **(env or {})},
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
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        Path(log.name).unlink(missing_ok=True)


@contextmanager
def browser_page(extra_flags: list[str] | None = None) -> Iterator[object]:
    """A Playwright page in a fresh persistent Chromium profile."""
    from playwright.sync_api import sync_playwright

    chromium = require_browser()
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            profile,
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_FLAGS + (extra_flags or []),
            viewport={"width": 1400, "height": 1000},
            accept_downloads=True,
        )
        try:
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            page.set_default_timeout(30_000)
            yield page
        finally:
            ctx.close()


def screenshot(page: object, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path
