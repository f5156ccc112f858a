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
    """Wall time, CPU time and peak RSS of one child process."""

    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    returncode: int


def run_measured(cmd: list[str]) -> Run:
    """Run ``cmd`` and measure it with ``wait4`` (peak RSS of that child alone)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if proc.stderr is not None:
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        if status != 0:
            print(err, file=sys.stderr)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status))


def first_clip(*names: str) -> Path | None:
    """The first of ``names`` found among the shared clips or the sample videos."""
    for name in names:
        for folder in (SHARED_VIDEOS, SAMPLE_VIDEOS):
            path = folder / name
            if path.exists():
                return path
    return None
