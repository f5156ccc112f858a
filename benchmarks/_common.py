"""Helpers shared by the benchmark scripts (not part of the package)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_VIDEOS = PROJECT_ROOT.parent / "shared" / "videos"
SAMPLE_VIDEOS = PROJECT_ROOT / "sample_videos"


@dataclass(frozen=True)
class Run:
    """Wall time, CPU time and memory of one child process (and its worker processes)."""

    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    """Largest peak RSS (VmHWM) of any single process in the tree."""
    returncode: int
    peak_total_rss_mb: float = 0.0
    """Largest sum of the tree's RSS seen at one time (workers included)."""


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except OSError:
            pass
    return out


def _status_kb(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_measured(cmd: list[str], *, sample_s: float = 0.2) -> Run:
    """Run ``cmd``; wall and CPU time from a blocking ``wait4``, memory sampled from ``/proc`` (VmHWM, reset at exec).

    The wait runs on its own thread, so the wall time ends when the command
    does, not at the next sample. A sample reads a few files per thread of
    every process in the tree, on the same two cores as the command, so
    samples are sparse (the old 50-ms polling against this: 8.66 vs 8.55 s
    median over four alternating runs of a 30-s clip, within noise). VmHWM is
    a high-water mark, so a sparse sample still sees each process's peak.
    ``ru_maxrss`` from ``wait4`` is not used for memory: a child forked from a
    large parent reports the parent's pages as its own until it execs.
    """
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        ended: dict[str, Any] = {}

        def reap() -> None:
            _, status, usage = os.wait4(proc.pid, 0)
            ended.update(wall=time.perf_counter() - start, status=status, usage=usage)

        waiter = threading.Thread(target=reap, daemon=True)
        waiter.start()
        hwm: dict[int, int] = {}
        total = 0
        while waiter.is_alive():
            pids = _tree(proc.pid)
            for p in pids:
                hwm[p] = max(hwm.get(p, 0), _status_kb(p, "VmHWM"))
            total = max(total, sum(_status_kb(p, "VmRSS") for p in pids))
            waiter.join(sample_s)
        status, usage = ended["status"], ended["usage"]
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped above; keeps Popen from waiting again
        if status != 0:
            err.seek(0)
            print(err.read().decode(errors="replace"), file=sys.stderr)
    peak = max(hwm.values(), default=0) / 1024.0
    return Run(ended["wall"], usage.ru_utime + usage.ru_stime, peak, proc.returncode, total / 1024.0)


def first_clip(*names: str) -> Path | None:
    """The first of ``names`` found among the shared clips or the sample videos."""
    for name in names:
        for folder in (SHARED_VIDEOS, SAMPLE_VIDEOS):
            path = folder / name
            if path.exists():
                return path
    return None
