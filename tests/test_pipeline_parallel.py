"""The parallel file path: chunks tracked in several processes, stitched, equal to one pass."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from assess.assessment import analyze_track
from assess.pipeline import _plan_chunks, track_video

SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"


def test_chunks_cover_the_video_once_with_a_head_start() -> None:
    chunks = _plan_chunks(30.0, 3, head_start_s=1.5, grid_s=0.0)
    assert chunks[0].start_s == 0.0 and chunks[-1].end_s is None
    spans = [(c.start_s, c.end_s if c.end_s is not None else 30.0) for c in chunks]
    assert spans[0][0] == 0.0 and all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    lengths = [b - a for a, b in spans]
    assert lengths[0] == pytest.approx(lengths[1] + 1.5) and lengths[1] == pytest.approx(lengths[2])


def test_head_start_leaves_each_worker_at_least_half_a_share() -> None:
    chunks = _plan_chunks(8.0, 2, head_start_s=100.0, grid_s=0.0)
    assert chunks[1].start_s == pytest.approx(6.0)


def test_seams_fall_on_the_restart_grid_and_empty_chunks_merge() -> None:
    assert [c.start_s for c in _plan_chunks(30.0, 2, head_start_s=1.3, grid_s=4.0, origin_s=0.0)] == [0.0, 16.0]
    assert [c.start_s for c in _plan_chunks(9.0, 4, grid_s=4.0, origin_s=0.0)] == [0.0, 4.0, 8.0]


def test_the_first_seam_places_the_grid_midway_between_frames() -> None:
    # Even split at 10 and 20 s, frames 0.1 s apart: the first seam falls between the frames
    # at 10.0 and 10.1, the second on the 2-s grid through it.
    chunks = _plan_chunks(30.0, 3, grid_s=2.0, frame_s=0.1)
    assert [c.start_s for c in chunks] == pytest.approx([0.0, 10.05, 20.05])
    assert {round(c.origin_s, 9) for c in chunks} == {0.05}
    # Nothing to split: the grid starts at 0.
    assert [(c.start_s, c.end_s, c.origin_s) for c in _plan_chunks(3.0, 1)] == [(0.0, None, 0.0)]


def test_the_first_seam_balances_wasted_decoding_or_moves_to_a_near_keyframe() -> None:
    # Even split at 16 s, keyframe at 8 s before it: the later chunk first decodes ~8 s for nothing
    # (as costly as tracking 0.56 s), so the seam moves ~0.28 s later to even that out.
    assert _plan_chunks(32.0, 2, keyframes=np.array([0.0, 8.0, 16.6, 24.9]), frame_s=0.04)[1].start_s == pytest.approx(16.3)
    # A keyframe at 16.2 s: a seam just after it wastes nothing and is only 0.22 s off.
    assert _plan_chunks(32.0, 2, keyframes=np.array([0.0, 8.0, 16.2, 24.9]), frame_s=0.04)[1].start_s == pytest.approx(16.22)
    # Unknown keyframes: the split itself, between two frames.
    assert _plan_chunks(32.0, 2, frame_s=0.04)[1].start_s == pytest.approx(16.02)


def test_a_seam_on_a_given_grid_takes_the_point_where_the_slower_side_finishes_first() -> None:
    # Even split at 15 s, grid points 14 and 16 both 1 s off. With a keyframe at 13.9 s a seam at
    # 14 still leaves the later chunk 1 s more to track; at 16 the earlier chunk tracks 1 s more.
    keys = np.array([0.0, 13.9])
    assert [c.start_s for c in _plan_chunks(30.0, 2, grid_s=2.0, keyframes=keys, origin_s=0.0)] == [0.0, 16.0]
    # Keyframes only at 0: a seam at 14 would also decode 14 s for nothing; 16 is clearly better.
    assert [c.start_s for c in _plan_chunks(30.0, 2, grid_s=2.0, keyframes=np.array([0.0]), origin_s=0.0)] == [0.0, 16.0]
    # Unknown keyframes: the grid point nearest the even split (the earlier of a tie); a grid through 0.5 s moves it.
    assert [c.start_s for c in _plan_chunks(30.0, 2, grid_s=2.0, origin_s=0.0)] == [0.0, 14.0]
    assert [c.start_s for c in _plan_chunks(31.0, 2, grid_s=2.0, origin_s=0.0)] == [0.0, 16.0]
    assert [c.start_s for c in _plan_chunks(31.0, 2, grid_s=2.0, origin_s=0.5)] == [0.0, 14.5]


def test_stitched_track_equals_a_single_pass() -> None:
    """Issue "Speed": parallel results within 0.5° FPPA and 2% sway of a single pass."""
    clip = SAMPLES / "right_stance_valgus15.mp4"
    single = track_video(clip, workers=1)
    stitched = track_video(clip, workers=2)
    assert stitched.source.extra.get("chunks") == 2
    # One restart grid for both, placed by the two-process plan (its seam is the grid's origin).
    assert single.source.extra["grid_origin_s"] == stitched.source.extra["grid_origin_s"] > 0
    np.testing.assert_allclose(stitched.times, single.times)
    assert stitched.detected.all()
    a1, a2 = analyze_track(single), analyze_track(stitched)
    assert [s.side for s in a1.stances] == [s.side for s in a2.stances] == ["right"]
    s1, s2 = a1.stances[0], a2.stances[0]
    f1, f2 = s1.metric("fppa_image_mean"), s2.metric("fppa_image_mean")
    assert f1 is not None and f2 is not None and f1.value is not None and f2.value is not None
    assert abs(f2.value - f1.value) <= 0.5
    for name in ("com_sway_ml_rms", "com_sway_ml_range", "com_sway_ml_path"):
        m1, m2 = s1.metric(name), s2.metric(name)
        assert m1 is not None and m2 is not None, name
        assert m2.value == pytest.approx(m1.value, rel=0.02), name
    # Seams sit where the follower restarts anyway, so the landmarks are the same.
    np.testing.assert_allclose(stitched.image, single.image, atol=1e-6)


def test_workers_are_forked_only_from_a_process_with_one_thread_and_no_graph() -> None:
    # A fresh interpreter, as the command line is: nothing has started a thread or a graph yet.
    script = textwrap.dedent(
        """
        import threading
        from assess import pipeline
        print(pipeline.worker_start_method())
        stop = threading.Event()
        t = threading.Thread(target=stop.wait)
        t.start()
        print(pipeline.worker_start_method())
        stop.set()
        t.join()
        from assess.pose import PoseEstimator
        PoseEstimator("full").close()
        print(pipeline.worker_start_method())
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    expected = "fork" if sys.platform.startswith("linux") else "spawn"
    assert out == [expected, "spawn", "spawn"]


def test_forked_workers_give_the_landmarks_of_a_single_pass(tmp_path: Path) -> None:
    clip = SAMPLES / "right_stance_valgus15.mp4"
    script = textwrap.dedent(
        f"""
        import numpy as np
        from assess.pipeline import track_video
        track = track_video({str(clip)!r}, workers=2)
        print(track.source.extra["workers_started_by"], track.source.extra["chunks"])
        np.save({str(tmp_path / "image.npy")!r}, track.image)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["fork" if sys.platform.startswith("linux") else "spawn", "2"]
    single = track_video(clip, workers=1)
    np.testing.assert_allclose(np.load(tmp_path / "image.npy"), single.image, atol=1e-6)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_tracking_reuses_freed_frame_memory_without_faulting_it_in_again() -> None:
    # A fresh interpreter: a 20 MB buffer (a few frames' worth) is filled, freed, and filled again.
    # glibc by default maps it afresh (every page faults in again); held, the second fill reuses
    # the pages, and so it stays after a tracking, as glibc's own adjustment would have it.
    script = textwrap.dedent(
        """
        import ctypes, resource
        from pathlib import Path
        from assess.pipeline import hold_freed_heap, track_video
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc.restype = ctypes.c_void_p
        libc.free.argtypes = [ctypes.c_void_p]
        size = 20 * 1024 * 1024

        def fill_and_free():
            p = libc.malloc(size)
            ctypes.memset(p, 1, size)
            libc.free(p)

        def faults_of_a_refill():
            fill_and_free()
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            fill_and_free()
            return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

        default = faults_of_a_refill()
        hold_freed_heap()
        held = faults_of_a_refill()
        track_video(Path("sample_videos") / "right_stance_valgus15.mp4", workers=1)
        print(default, held, faults_of_a_refill())
        """
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=root).stdout.split()
    default, held, after = (int(x) for x in out)
    pages = 20 * 1024 * 1024 // 4096
    assert default > 0.5 * pages  # the churn the hold removes
    assert held < 0.05 * pages and after < 0.05 * pages
