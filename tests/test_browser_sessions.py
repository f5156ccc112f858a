"""Several users at once (issue #9): each browser session gets its own results, and the
one pose estimator the live sessions share gives each thread what it would get alone.

The browser test runs three sessions against one Streamlit server at the same
time — two uploads of different sample clips (a left-leg and a right-leg
stance) and a live test with Chromium's fake camera — each in its own browser
context. On a 2-core machine that is slow; the timeouts are generous.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import numpy as np
import pytest

from assess.pose import PoseEstimator
from assess.subject import SubjectLock
from assess.video import iter_frames
from tests.browser import browser_pages, camera_flags, fake_camera, goto_page, require_browser, screenshot, start_live_test, streamlit_app, upload
from tests.conftest import SAMPLE_VIDEOS

CLIPS = ("left_stance_novalgus.mp4", "right_stance_valgus15.mp4", "left_stance_touchdown.mp4")


def sample(name: str) -> Path:
    path = SAMPLE_VIDEOS / name
    if not path.exists():
        pytest.skip(f"{name} not found in sample_videos/")
    return path


# ------------------------------------------------------------------ one estimator, several threads
@pytest.mark.slow
@pytest.mark.parametrize("n_users", [2, 3])
def test_a_shared_estimator_gives_each_thread_what_it_gets_alone(n_users: int) -> None:
    """Each user has a SubjectLock of their own; ``process`` serialises calls. Sequential use
    (one user after the other) is the reference; results must match exactly, frame by frame."""
    frames = [[(f.rgb, f.time_s) for f in iter_frames(sample(name), end_s=1.5)] for name in CLIPS[:n_users]]

    def run(est: PoseEstimator, user: int, order: list[int] | None = None) -> np.ndarray:
        subject = SubjectLock()
        out = []
        for rgb, t in frames[user]:
            out.append(est.process(rgb, t, subject=subject).image)
            if order is not None:
                order.append(user)
        return np.array(out)

    with PoseEstimator("full") as est:
        alone = [run(est, u) for u in range(n_users)]
        together: dict[int, np.ndarray] = {}
        order: list[int] = []
        start = threading.Barrier(n_users)

        def user(u: int) -> None:
            start.wait()
            together[u] = run(est, u, order)

        threads = [threading.Thread(target=user, args=(u,)) for u in range(n_users)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    switches = sum(a != b for a, b in zip(order, order[1:]))
    assert switches >= n_users, f"the threads did not interleave ({switches} switches)"
    for u in range(n_users):
        assert np.isfinite(alone[u]).any(), "nobody found: the comparison would be empty"
        np.testing.assert_array_equal(together[u], alone[u], err_msg=f"user {u} ({CLIPS[u]})")


# ------------------------------------------------------------------ three browser sessions
def holds(page) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The results table's "Hold time" cells: (standing on left leg, standing on right leg)."""
    row = page.get_by_test_id("stMain").locator("tr", has_text="Hold time").first
    cells = row.locator("td").all_inner_texts()
    return cells[-2], cells[-1]


@pytest.mark.browser
@pytest.mark.slow
def test_two_uploads_and_a_live_test_at_once_each_see_only_their_own_results(tmp_path: Path) -> None:
    require_browser()
    left, right = sample(CLIPS[0]), sample(CLIPS[1])
    camera = fake_camera(tmp_path)
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {"TMPDIR": str(temp), "FOOTFIRST_DB": str(tmp_path / "records.sqlite3")}
    with streamlit_app(env) as server, browser_pages(3, camera_flags(camera)) as (a, b, live):
        for page, clip in ((a, left), (b, right)):
            goto_page(page, server.url, "Upload a video")
            upload(page, clip)
        start_live_test(live, server.url, legs="left only", wait_s=30)
        a.get_by_role("button", name="Analyse").click()
        b.get_by_role("button", name="Analyse").click()
        pages = {"upload-left": a, "upload-right": b, "live": live}
        for name, page in pages.items():
            try:
                page.get_by_role("heading", name="Results").wait_for(timeout=300_000)
                page.get_by_text("Data quality").first.wait_for()
            except Exception:
                for other, shown in pages.items():
                    screenshot(shown, f"sessions_{other}_failed")
                raise AssertionError(f"{name}: no results within 5 minutes (screenshots: tests/screenshots/sessions_*_failed.png)") from None
        texts = {}
        for name, page in (("upload-left", a), ("upload-right", b), ("live", live)):
            screenshot(page, f"sessions_{name}")
            texts[name] = page.get_by_test_id("stMain").inner_text()
        sides = {name: holds(page) for name, page in (("upload-left", a), ("upload-right", b), ("live", live))}
        assert len(list(temp.glob("footfirst-*"))) == 2, "one private folder per upload's result; none for the live test"

    videos = {"upload-left": f"Video: {left.name}", "upload-right": f"Video: {right.name}", "live": "Video: webcam"}
    for name, text in texts.items():
        assert videos[name] in text, f"{name} does not show its own video"
        others = [v for other, v in videos.items() if other != name]
        assert not any(v in text for v in others), f"{name} shows another session's results"
        assert "Traceback" not in text
    number = re.compile(r"\d+\.\d s")
    for name, stance in (("upload-left", 0), ("upload-right", 1), ("live", 0)):
        cells = sides[name]
        assert number.search(cells[stance]) and not number.search(cells[1 - stance]), (name, cells)
