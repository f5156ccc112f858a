"""Helpers shared by the benchmark scripts (not part of the package)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

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


def run_measured(cmd: list[str]) -> Run:
    """Run ``cmd``; CPU time from ``wait4``, memory by polling ``/proc`` (VmHWM, reset at exec).

    ``ru_maxrss`` from ``wait4`` is not used for memory: a child forked from a
    large parent reports the parent's pages as its own until it execs.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    hwm: dict[int, int] = {}
    total = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        pids = _tree(proc.pid)
        for p in pids:
            hwm[p] = max(hwm.get(p, 0), _status_kb(p, "VmHWM"))
        total = max(total, sum(_status_kb(p, "VmRSS") for p in pids))
        time.sleep(0.05)
    wall = time.perf_counter() - start
    if proc.stderr is not None:
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        if status != 0:
            print(err, file=sys.stderr)
    peak = max(hwm.values(), default=0) / 1024.0
    return Run(wall, usage.ru_utime + usage.ru_stime, peak, os.waitstatus_to_exitcode(status), total / 1024.0)


def first_clip(*names: str) -> Path | None:
    """The first of ``names`` found among the shared clips or the sample videos."""
    for name in names:
        for folder in (SHARED_VIDEOS, SAMPLE_VIDEOS):
            path = folder / name
            if path.exists():
                return path
    return None
