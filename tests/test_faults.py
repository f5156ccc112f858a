"""Limits and faults (issue #9): private temp folders, upload limits, a missing or corrupt
pose model, a full disk, and the app killed in the middle of an analysis.

The full-disk tests are real: a child process gets its own user and mount
namespaces (``unshare -r -m``), mounts a tiny tmpfs and fills it, then writes
there. Where namespaces are not allowed those tests skip with the reason, and
:func:`test_write_atomic_on_a_simulated_full_disk` still covers ``write_atomic``
with a write that raises ``ENOSPC`` (monkeypatched).
"""

from __future__ import annotations

import errno
import gc
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assess.errors import AssessError, VideoError
from assess.files import write_atomic
from assess.records import Store
from assess.report import Subject
from assess.ui import analysis
from assess.ui.analysis import MAX_FRAMES, Result, Upload, check_limits, clean_stale_dirs, private_dir, run_analysis, save_upload
from assess.video import VideoInfo
from tests.browser import PROJECT_ROOT, browser_page, goto_page, require_browser, streamlit_app, upload
from tests.conftest import SAMPLE_VIDEOS
from tests.media import gradient_frames, write_video
from tests.test_records_support import make_assessment

APP = str(PROJECT_ROOT / "app.py")
CHILD_ENV = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}


@pytest.fixture()
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This process's temp folder, moved under tmp_path (so other people's folders are never touched)."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def ours(root: Path) -> list[Path]:
    return sorted(root.glob("footfirst-*"))


# ------------------------------------------------------------------ private folders and their clean-up
def test_private_dir_is_private_and_names_its_owner(temp_root: Path) -> None:
    folder = private_dir()
    assert folder.parent == temp_root and folder.name.startswith("footfirst-")
    assert folder.stat().st_mode & 0o777 == 0o700
    pid, started = (folder / "owner").read_text().split()
    assert int(pid) == os.getpid() and started


def another_app(root: Path) -> tuple[Path, subprocess.Popen[str]]:
    """Another app process (a child Python) that made a private folder under ``root`` and waits on stdin."""
    code = "import sys; from assess.ui.analysis import private_dir; print(private_dir(), flush=True); sys.stdin.read()"
    child = subprocess.Popen([sys.executable, "-c", code], env={**CHILD_ENV, "TMPDIR": str(root)}, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    return Path(child.stdout.readline().strip()), child


CASES = {
    "killed app": True,
    "running app": False,
    "this app": False,
    "pid reused by another process": True,
    "no owner file, recent": False,
    "no owner file, two days old": True,
    "another user's": False,
    "a symlink": False,
}


@pytest.mark.parametrize("case", CASES)
def test_clean_stale_dirs_removes_only_folders_of_apps_that_are_gone(case: str, temp_root: Path) -> None:
    child = None
    if case in ("killed app", "running app"):
        folder, child = another_app(temp_root)
        if case == "killed app":
            child.kill()
            child.wait()
    elif case == "this app":
        folder = private_dir()
    else:
        folder = temp_root / "footfirst-manual"
        folder.mkdir(mode=0o700)
        if case == "pid reused by another process":
            (folder / "owner").write_text(f"{os.getpid()} 1\n")  # our pid, but not our start time
        elif case == "no owner file, two days old":
            old = time.time() - 2 * 24 * 3600
            os.utime(folder, (old, old))
        elif case == "another user's":
            if os.getuid() != 0:
                pytest.skip("giving a folder to another user needs root")
            (folder / "owner").write_text("999999 1\n")
            os.chown(folder, 54321, 54321)
        elif case == "a symlink":
            target = temp_root / "not-ours"
            target.mkdir()
            folder.rmdir()
            folder.symlink_to(target, target_is_directory=True)
    try:
        removed = clean_stale_dirs(temp_root)
    finally:
        if child is not None and child.poll() is None:
            child.communicate("")
    assert (folder in removed) is CASES[case]
    assert folder.exists() is not CASES[case] or folder.is_symlink()
    if case == "a symlink":
        assert (temp_root / "not-ours").is_dir()


def test_a_result_owns_its_folder_until_it_is_dropped(temp_root: Path) -> None:
    folder = private_dir()
    (folder / "annotated.mp4").write_bytes(b"video")
    result = Result(None, None, folder / "annotated.mp4", folder)  # type: ignore[arg-type]
    gc.collect()
    assert folder.is_dir()
    del result  # the browser session ended
    gc.collect()
    assert not folder.exists()


# ------------------------------------------------------------------ upload limits
@pytest.mark.parametrize("name", ["clip.mp4", "../../../etc/cron.d/evil.mp4", "/abs/path/Video.MOV", "名前 with spaces.webm", "C:\\Users\\x\\clip.mkv"])
def test_uploads_get_generated_names_inside_the_private_folder(name: str, temp_root: Path) -> None:
    folder = private_dir()
    path = save_upload(Upload(name, b"data"), folder)
    assert path.parent == folder and re.fullmatch(r"upload-[0-9a-f]{32}\.(mp4|mov|webm|mkv)", path.name), path
    assert path.read_bytes() == b"data"
    assert {p.name for p in temp_root.rglob("*")} == {folder.name, "owner", path.name}


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [("notes.txt", 10, "not a video type"), ("noext", 10, "no extension"), ("big.mp4", 1024 * 1024 + 1, "larger than 1 MB")],
)
def test_uploads_of_the_wrong_type_or_too_big_are_refused_before_writing(name: str, size: int, message: str, temp_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analysis, "MAX_UPLOAD_MB", 1)
    folder = private_dir()
    with pytest.raises(VideoError, match=message):
        save_upload(Upload(name, b"x" * size), folder)
    assert [p.name for p in folder.iterdir()] == ["owner"]


def test_an_upload_onto_a_full_disk_says_so_and_leaves_nothing(temp_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = private_dir()
    monkeypatch.setattr(analysis.shutil, "disk_usage", lambda _: shutil._ntuple_diskusage(100, 100, 0))  # type: ignore[attr-defined]
    with pytest.raises(AssessError, match="disk is full"):
        save_upload(Upload("clip.mp4", b"data"), folder)
    assert [p.name for p in folder.iterdir()] == ["owner"]


def info(**kw: object) -> VideoInfo:
    base: dict[str, object] = {"path": Path("x.mp4"), "width": 640, "height": 480, "fps": 20.0, "duration_s": 10.0, "n_frames": 200, "rotation_deg": 0, "codec": "h264"}
    return VideoInfo(**{**base, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ({}, None),
        ({"width": 3840, "height": 2160}, None),
        ({"duration_s": 601.0, "n_frames": 12020}, "the limit is 10 minutes"),
        ({"width": 7680, "height": 4320}, "the limit is 4096 px"),
        ({"n_frames": MAX_FRAMES + 1}, "frames; the limit is"),
    ],
)
def test_duration_resolution_and_frame_count_limits(header: dict[str, object], message: str | None) -> None:
    if message is None:
        check_limits(info(**header))
    else:
        with pytest.raises(VideoError, match=message):
            check_limits(info(**header))


def test_a_header_without_duration_is_measured_from_the_packets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clip = write_video(tmp_path / "c.mp4", gradient_frames(25), fps=25.0)
    check_limits(info(path=clip, duration_s=0.0, n_frames=0))
    monkeypatch.setattr(analysis, "MAX_DURATION_S", 0.5)
    with pytest.raises(VideoError, match="limit"):
        check_limits(info(path=clip, duration_s=0.0, n_frames=0))


class Interrupted(BaseException):
    """What Streamlit raises in the script thread when the user clicks something mid-analysis."""


@pytest.mark.parametrize("outcome", ["not a video", "interrupted"])
def test_the_upload_and_its_folder_are_deleted_whatever_the_analysis_does(outcome: str, temp_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Path] = []

    def interrupted(video: Path, **_: object) -> None:
        seen.append(video)
        assert video.exists() and video.parent.parent == temp_root
        raise Interrupted

    if outcome == "interrupted":
        monkeypatch.setattr(analysis, "check_limits", lambda _: None)
        monkeypatch.setattr(analysis, "probe", lambda _: None)
        monkeypatch.setattr(analysis, "analyze_video", interrupted)
    kw = {"mode": "stance", "subject": Subject(), "eyes": "open", "hands_on_hips": True, "display_name": "clip.mp4"}
    if outcome == "interrupted":
        with pytest.raises(Interrupted):
            run_analysis(Upload("clip.mp4", b"not a video at all"), **kw)  # type: ignore[arg-type]
        assert seen
    else:
        assert run_analysis(Upload("clip.mp4", b"not a video at all"), **kw) is None  # type: ignore[arg-type]
    assert ours(temp_root) == []


# ------------------------------------------------------------------ pose model missing or corrupt
def broken_models(root: Path, state: str) -> Path:
    """A models folder whose full model is missing, truncated or garbage."""
    folder = root / f"models-{state.replace(' ', '-')}"
    folder.mkdir()
    real = PROJECT_ROOT / "models" / "pose_landmarker_full.task"
    if state == "truncated":
        if not real.exists():
            pytest.skip("the installed model is needed to make a truncated copy: run `assess models install`")
        (folder / real.name).write_bytes(real.read_bytes()[:100_000])
    elif state == "garbage":
        (folder / real.name).write_bytes(os.urandom(300_000))
    return folder


MODEL_STATES = ["missing", "truncated", "garbage"]


@pytest.mark.parametrize("state", MODEL_STATES)
def test_the_app_names_the_fix_for_a_broken_model_on_every_page(state: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("assess.models.MODELS_DIR", broken_models(tmp_path, state))
    monkeypatch.setenv("FOOTFIRST_DB", str(tmp_path / "records.sqlite3"))
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    for page in ("Start", "Live self-test", "Upload a video", "Try a sample video"):
        app.sidebar.radio[0].set_value(page).run()
        assert not app.exception, page
        errors = " ".join(e.value for e in app.error)
        assert "pose model" in errors and "assess models install" in errors and "make run" in errors, (page, errors)
        if page in ("Upload a video", "Try a sample video"):
            assert next(b for b in app.button if b.label == "Analyse").disabled
    expected = "not installed" if state == "missing" else "could not be loaded"
    assert expected in " ".join(e.value for e in app.error)


@pytest.mark.parametrize("state", MODEL_STATES)
def test_the_cli_names_the_fix_for_a_broken_model(state: str, tmp_path: Path) -> None:
    clip = write_video(tmp_path / "c.mp4", gradient_frames(30), fps=10.0)
    env = {**CHILD_ENV, "FOOTFIRST_MODELS_DIR": str(broken_models(tmp_path, state))}
    proc = subprocess.run([sys.executable, "-m", "assess.cli", "analyze", str(clip)], env=env, capture_output=True, text=True, timeout=120)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 5, proc.stderr
    assert len(lines) == 1 and lines[0].startswith("error:") and "assess models install" in lines[0], proc.stderr


# ------------------------------------------------------------------ full disk
@pytest.mark.parametrize("fails_at", ["write", "fsync"])
def test_write_atomic_on_a_simulated_full_disk(fails_at: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fallback for machines without namespaces: the write (or the flush to disk) raises ENOSPC (monkeypatched)."""
    target = tmp_path / "report.json"
    target.write_bytes(b"OLD")

    def full(*_: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    if fails_at == "write":
        real_fdopen = os.fdopen

        class FullFile:
            def __init__(self, fd: int, mode: str) -> None:
                self.fh = real_fdopen(fd, mode)

            def __enter__(self) -> FullFile:
                return self

            def __exit__(self, *exc: object) -> None:
                self.fh.close()

            write = full

        monkeypatch.setattr("assess.files.os.fdopen", FullFile)
    else:
        monkeypatch.setattr("assess.files.os.fsync", full)
    with pytest.raises(OSError) as caught:
        write_atomic(target, b"NEW" * 1000)
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(target)
    assert target.read_bytes() == b"OLD" and sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


FILL = """
import os
def fill(folder, leave=0):
    fd = os.open(os.path.join(folder, "filler"), os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"x" * 4096)
    except OSError:
        pass
    if leave:
        os.ftruncate(fd, os.fstat(fd).st_size - leave)
    os.close(fd)
"""


@pytest.fixture(scope="module")
def small_disk() -> object:
    """``run(script, *args)``: run a Python script with a tiny tmpfs mounted at ``sys.argv[1]``; return its JSON line."""
    if shutil.which("unshare") is None:
        pytest.skip("the real full-disk tests need unshare (util-linux)")
    mount = tempfile.mkdtemp(prefix="ff-fulldisk-")
    probe = subprocess.run(["unshare", "-r", "-m", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs {mount}"], capture_output=True, text=True)
    if probe.returncode != 0:
        shutil.rmtree(mount)
        pytest.skip(f"the real full-disk tests need user and mount namespaces (unshare -r -m): {probe.stderr.strip()}")

    def run(script: str, *args: str, size_kb: int = 512) -> dict[str, object]:
        code = FILL + textwrap.dedent(script)
        cmd = ["unshare", "-r", "-m", "sh", "-c", f'mount -t tmpfs -o size={size_kb}k tmpfs "$0" && exec "$@"', mount, sys.executable, "-c", code, mount, *args]
        proc = subprocess.run(cmd, cwd=PROJECT_ROOT, env=CHILD_ENV, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]

    yield run
    shutil.rmtree(mount, ignore_errors=True)


@pytest.mark.parametrize("name", ["progress.pdf", "progress.csv"])
def test_cli_export_onto_a_full_disk_keeps_the_old_file_and_says_so(name: str, small_disk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "records.sqlite3"
    store = Store(db)
    patient = store.create_patient("P-FULL")
    for i in range(3):
        store.save_session(patient.id, make_assessment(hold=10.0 + i, both=True))
    out = small_disk(
        """
        import json, os, subprocess, sys
        folder, db, name = sys.argv[1:4]
        target = os.path.join(folder, name)
        open(target, "wb").write(b"OLD EXPORT")
        fill(folder)
        proc = subprocess.run([sys.executable, "-m", "assess.cli", "export", "--db", db, "--patient", "P-FULL", "-o", target], capture_output=True, text=True)
        print(json.dumps({"rc": proc.returncode, "stderr": proc.stderr, "files": sorted(os.listdir(folder)), "old": open(target).read()}))
        """,
        str(db),
        name,
    )
    assert out["rc"] == 74 and out["files"] == ["filler", name] and out["old"] == "OLD EXPORT", out
    assert re.fullmatch(rf"error: No space left on device \(/\S+/{re.escape(name)}\)\.\n", str(out["stderr"])), out


@pytest.mark.parametrize("space", ["none left", "runs out mid-save"])
def test_a_save_onto_a_full_disk_fails_cleanly_and_the_records_survive(space: str, small_disk) -> None:  # type: ignore[no-untyped-def]
    out = small_disk(
        """
        import json, os, sqlite3, sys
        from assess.records import RecordsError, Store
        from tests.test_records_support import make_assessment
        folder, leave = sys.argv[1], int(sys.argv[2])
        db = os.path.join(folder, "records.sqlite3")
        store = Store(db)
        patient = store.create_patient("P-1")
        for i in range(2):
            store.save_session(patient.id, make_assessment(hold=10.0 + i))
        fill(folder, leave)
        try:
            store.save_session(patient.id, make_assessment(hold=99.0), notes="n" * 300_000)
            error = None
        except RecordsError as exc:
            error = str(exc)
        os.unlink(os.path.join(folder, "filler"))
        with sqlite3.connect(db) as conn:
            check = conn.execute("PRAGMA integrity_check").fetchone()[0]
            counts = [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("sessions", "results")]
        holds = sorted(store.load_assessment(s.id).summary_metric("stance_duration", "left").value for s in store.sessions(patient.id))
        store.save_session(patient.id, make_assessment(hold=12.0))
        print(json.dumps({"error": error, "check": check, "counts": counts, "holds": holds, "after": len(store.sessions(patient.id))}))
        """,
        str(64 * 1024 if space == "runs out mid-save" else 0),
    )
    assert out["error"] and "is full: nothing was saved" in str(out["error"]), out
    assert out["check"] == "ok" and out["counts"] == [2, 2] and out["holds"] == [10.0, 11.0] and out["after"] == 3, out


# ------------------------------------------------------------------ killed mid-analysis
@pytest.mark.browser
@pytest.mark.slow
def test_the_app_killed_mid_analysis_restarts_clean_with_the_records_intact(tmp_path: Path) -> None:
    from playwright.sync_api import expect

    require_browser()
    clip = SAMPLE_VIDEOS / "left_stance_novalgus.mp4"
    if not clip.exists():
        pytest.skip(f"{clip.name} not found in sample_videos/")
    temp = tmp_path / "tmp"
    temp.mkdir()
    db = tmp_path / "data" / "records.sqlite3"
    store = Store(db)
    patient = store.create_patient("P-KILL")
    store.save_session(patient.id, make_assessment(), video_name="before-the-crash.mp4")
    env = {"TMPDIR": str(temp), "FOOTFIRST_DB": str(db)}

    with streamlit_app(env) as server, browser_page() as page:
        goto_page(page, server.url, "Upload a video")
        upload(page, clip)
        page.get_by_role("button", name="Analyse").click()
        deadline = time.monotonic() + 120
        while not list(temp.glob("footfirst-*/upload-*.mp4")) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert list(temp.glob("footfirst-*/upload-*.mp4")), "the analysis did not start"
        time.sleep(1.5)  # well into the analysis
        server.kill()
    left = ours(temp)
    assert left and list(left[0].glob("upload-*.mp4")), "killed mid-analysis: the folder and the upload are left behind"

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with streamlit_app(env) as server, browser_page() as page:
        goto_page(page, server.url, "Patients")
        expect(page.get_by_test_id("stMain").get_by_test_id("stTable").first).to_contain_text("before-the-crash.mp4", timeout=60_000)
        assert ours(temp) == [], "the restart removed the dead app's folder"
        goto_page(page, server.url, "Start")
        page.get_by_text("Privacy", exact=False).first.wait_for()
        assert page.get_by_text("Traceback").count() == 0
    assert [s.video_name for s in Store(db).sessions(patient.id)] == ["before-the-crash.mp4"]
