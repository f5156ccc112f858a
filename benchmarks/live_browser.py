"""Live view frame rate with the browser on the same machine.

Starts the app, opens Debian's Chromium with a fake camera playing a sample
render (640×480, 20 fps source looped), presses START on the live self-test,
and after a warm-up reads how many frames the pose estimator processed over
a measured window (from the page's status line). Prints frames per second.

    python benchmarks/live_browser.py [--seconds 20]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import cv2  # noqa: E402
import numpy as np  # noqa: E402

from assess.video import iter_frames  # noqa: E402
from benchmarks._common import SAMPLE_VIDEOS  # noqa: E402
from tests.browser import browser_page, streamlit_server  # noqa: E402
from tests.media import write_y4m  # noqa: E402


def frames_processed(page) -> int | None:  # type: ignore[no-untyped-def]
    loc = page.get_by_text("frames processed")
    if not loc.count():
        return None
    m = re.search(r"frames processed: (\d+)", " ".join(loc.all_inner_texts()))
    return int(m.group(1)) if m else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--fps", type=int, default=30, help="frame rate of the fake camera")
    args = parser.parse_args()
    clip = SAMPLE_VIDEOS / "left_stance_novalgus.mp4"
    with tempfile.TemporaryDirectory() as tmp:
        frames = [np.asarray(cv2.resize(f.rgb, (640, 480)), dtype=np.uint8) for f in iter_frames(clip)]
        cam = write_y4m(Path(tmp) / "cam.y4m", frames, fps=args.fps)
        flags = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={cam}", "--allow-loopback-in-peer-connection"]
        with streamlit_server() as url, browser_page(flags) as page:
            page.goto(url)
            page.get_by_test_id("stSidebar").get_by_text("Live self-test", exact=True).click()
            start = None
            t_end = time.monotonic() + 60
            while start is None and time.monotonic() < t_end:
                for frame in page.frames:  # the component may sit in an iframe
                    btn = frame.get_by_role("button", name=re.compile("^START$", re.I))
                    if btn.count():
                        start = btn
                time.sleep(0.5)
            if start is None:
                print("the live component did not appear")
                return 1
            start.click()
            t_end = time.monotonic() + 30
            while (frames_processed(page) or 0) < 20 and time.monotonic() < t_end:
                time.sleep(0.2)
            n0, t0 = frames_processed(page), time.monotonic()
            if n0 is None:
                print("no frame reached the estimator")
                return 1
            time.sleep(args.seconds)
            n1, t1 = frames_processed(page), time.monotonic()
            if n1 is None:
                print("the frame count disappeared from the live page")
                return 1
    fps = (n1 - n0) / (t1 - t0)
    print(f"live view with Chromium on the same machine: {fps:.1f} processed frames/s at 640x480 (fake camera {args.fps} fps, {n1 - n0} frames in {t1 - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
