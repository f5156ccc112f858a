"""Fuzzing the video reader and the track loader (issue #9) with random and mutated bytes.

The only outcomes allowed are a result or one of our own
:class:`~assess.errors.AssessError` subclasses (which the CLI and the app turn
into one plain message): no FFmpeg, numpy or zip exception may escape, and no
input may hang.

Bounded and reproducible: ``derandomize=True`` draws the same examples on
every run (no example database), a fixed number of them per test, each under
a deadline, and an alarm fails any example that runs for
:data:`HANG_S` seconds. The whole module takes about 15 s. For a longer hunt
on a developer machine, raise ``FOOTFIRST_FUZZ_EXAMPLES`` (e.g. 20000) and
set ``FOOTFIRST_FUZZ_SEED`` to a number to draw other examples.

A crash found here is fixed and its input kept as a regular test below.
"""

from __future__ import annotations

import io
import json
import os
import signal
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from assess.errors import AssessError, TrackFileError, VideoError
from assess.track import PoseTrack
from assess.video import check_usable, iter_frames, probe
from tests.media import gradient_frames, write_video
from tests.test_track import make_track

HANG_S = 20
"""An example still running after this many seconds counts as a hang."""
EXAMPLES = int(os.environ.get("FOOTFIRST_FUZZ_EXAMPLES", "0")) or None
SEED = os.environ.get("FOOTFIRST_FUZZ_SEED")


def fuzz(n: int):  # type: ignore[no-untyped-def]
    """Hypothesis settings for ``n`` examples (or FOOTFIRST_FUZZ_EXAMPLES), reproducible unless a seed is given."""

    def wrap(test):  # type: ignore[no-untyped-def]
        s = settings(
            max_examples=EXAMPLES or n,
            deadline=timedelta(seconds=5),
            derandomize=SEED is None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )(test)
        return seed(int(SEED))(s) if SEED is not None else s

    return wrap


@contextmanager
def no_hang(seconds: int = HANG_S) -> Iterator[None]:
    """Fail the example (TimeoutError) if it runs longer than ``seconds``."""

    def alarm(signum: int, frame: Any) -> None:
        raise TimeoutError(f"example still running after {seconds} s: a hang")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@st.composite
def mutations(draw: st.DrawFn, base: bytes) -> bytes:
    """``base`` after 1–4 edits: bit flips, truncation, a chunk copied elsewhere, bytes overwritten, inserted or deleted."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        n = len(data)
        op = draw(st.sampled_from(["flip", "truncate", "splice", "overwrite", "insert", "delete"]))
        if op == "flip":
            for pos in draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=16)):
                data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate":
            data = data[: draw(st.integers(0, n - 1))]
        elif op == "splice":
            a = draw(st.integers(0, n - 1))
            b = draw(st.integers(a, min(n, a + 4096)))
            at = draw(st.integers(0, n))
            data[at:at] = data[a:b]
        elif op == "overwrite":
            at = draw(st.integers(0, n - 1))
            data[at : at + 64] = draw(st.binary(min_size=1, max_size=64))
        elif op == "insert":
            at = draw(st.integers(0, n))
            data[at:at] = draw(st.binary(min_size=1, max_size=256))
        else:
            at = draw(st.integers(0, n - 1))
            del data[at : at + draw(st.integers(1, 512))]
        if not data:
            break
    return bytes(data)


# ====================================================================== video reader
@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Small valid videos to mutate: H.264 in MP4 (index at the end) and in Matroska, 64×64, 1.2 s."""
    d = tmp_path_factory.mktemp("fuzz-videos")
    frames = gradient_frames(12, 64, 64)
    return {suffix: write_video(d / f"base{suffix}", frames, fps=10).read_bytes() for suffix in (".mp4", ".mkv")}


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def read_video(path: Path, *, stride: int = 1, start_s: float = 0.0) -> None:
    """Everything the pipeline does with a file before the pose model: probe, check, decode every frame."""
    with no_hang():
        try:
            check_usable(probe(path))
        except AssessError:
            pass
        last = -np.inf
        try:
            for frame in iter_frames(path, stride=stride, start_s=start_s):
                assert frame.rgb.dtype == np.uint8 and frame.rgb.ndim == 3 and frame.rgb.shape[2] == 3
                assert frame.rgb.flags.c_contiguous
                assert frame.time_s > last
                last = frame.time_s
        except AssessError:
            pass


@fuzz(150)
@given(data=st.binary(max_size=4096), suffix=st.sampled_from([".mp4", ".mov", ".mkv", ".avi", ".webm"]))
def test_random_bytes_as_video(scratch: Path, data: bytes, suffix: str) -> None:
    path = scratch / f"random{suffix}"
    path.write_bytes(data)
    read_video(path)


@fuzz(600)
@given(data=st.data(), suffix=st.sampled_from([".mp4", ".mkv"]), stride=st.sampled_from([1, 3]), start_s=st.sampled_from([0.0, 0.0, 0.35]))
def test_mutated_video(videos: dict[str, bytes], scratch: Path, data: st.DataObject, suffix: str, stride: int, start_s: float) -> None:
    path = scratch / f"mutated{suffix}"
    path.write_bytes(data.draw(mutations(videos[suffix]), label="bytes"))
    read_video(path, stride=stride, start_s=start_s)


# The fuzz's first find: a 110-byte remnant of a mutated Matroska file. Seeking into it
# (start_s > 0, as each parallel chunk after the first does) raised av.error.PermissionError
# from container.seek, which nothing caught. Now a failed seek falls back to decoding from the
# start, and the file ends in a VideoError.
SEEK_CRASH_MKV = bytes.fromhex(
    "1a45dfa3a34200810042008100420081004200810042008800000000000000004200810040004000001654ae6b4090bf84"
    "00000000ae0100000000000081d78100c588000000000000000022000083000000888100868f5600000000000000000000"
    "0000000000838101001f43b675"
)


def test_seek_into_a_damaged_file_is_a_video_error(tmp_path: Path) -> None:
    path = tmp_path / "damaged.mkv"
    path.write_bytes(SEEK_CRASH_MKV)
    with pytest.raises(VideoError):
        list(iter_frames(path, start_s=0.3))
    with pytest.raises(VideoError):
        probe(path)


# Its second: a 90-byte Matroska remnant whose video track names no codec FFmpeg knows. PyAV
# gives such a stream no codec context, and setting up threaded decoding on it raised an
# AttributeError. Now opening the file says the codec cannot be decoded.
NO_CODEC_MKV = bytes.fromhex(
    "1a45dfa3a34200810042008100420081004200810042008800000000000000004200810042008100001654ae6b4090bf84"
    "00000000ae0100000000000081888100868f560000000000000000000000000000838101001f43b675"
)


def test_a_video_stream_without_a_decoder_is_a_video_error(tmp_path: Path) -> None:
    path = tmp_path / "nocodec.mkv"
    path.write_bytes(NO_CODEC_MKV)
    for read in (probe, lambda p: list(iter_frames(p)), lambda p: list(iter_frames(p, start_s=0.3))):
        with pytest.raises(VideoError, match="cannot be decoded"):
            read(path)


# ====================================================================== track loader
@pytest.fixture(scope="module")
def tracks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A saved track (compressed, as written) and the same arrays stored uncompressed (mutations reach the arrays, not only the zip's checksums)."""
    saved = make_track(12).save(tmp_path_factory.mktemp("fuzz-tracks") / "t.npz").read_bytes()
    with np.load(io.BytesIO(saved)) as npz:
        arrays = {k: npz[k] for k in npz.files}
    plain = io.BytesIO()
    np.savez(plain, **arrays)
    return {"compressed": saved, "plain": plain.getvalue()}


def load_track(path: Path) -> None:
    with no_hang():
        try:
            track = PoseTrack.load(path)
        except TrackFileError:
            return
        assert len(track.times) == len(track.image) == len(track.detected)


@fuzz(150)
@given(data=st.binary(max_size=4096))
def test_random_bytes_as_track(scratch: Path, data: bytes) -> None:
    path = scratch / "random.npz"
    path.write_bytes(data)
    load_track(path)


@fuzz(400)
@given(data=st.data(), kind=st.sampled_from(["compressed", "plain"]))
def test_mutated_track(tracks: dict[str, bytes], scratch: Path, data: st.DataObject, kind: str) -> None:
    path = scratch / "mutated.npz"
    path.write_bytes(data.draw(mutations(tracks[kind]), label="bytes"))
    load_track(path)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
meta_fields = st.fixed_dictionaries(
    {},
    optional={
        "format_version": st.sampled_from([1, 1, 2, "1", None]),
        "fps": json_values,
        "width": json_values,
        "height": json_values,
        "source": json_values,
    },
)
some_array: st.SearchStrategy[np.ndarray] = hnp.arrays(
    dtype=st.sampled_from([np.dtype(t) for t in (np.float64, np.float32, np.int64, np.bool_, np.uint8, "<U3")]),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=12),
)


@fuzz(300)
@given(data=st.data(), meta=meta_fields, replace=st.sets(st.sampled_from(["times", "image", "world", "visibility", "detected"])))
def test_well_formed_npz_with_wrong_content(tracks: dict[str, bytes], scratch: Path, data: st.DataObject, meta: dict[str, Any], replace: set[str]) -> None:
    """A valid zip of valid arrays whose shapes, dtypes or metadata are wrong."""
    with np.load(io.BytesIO(tracks["plain"])) as npz:
        arrays = {k: npz[k] for k in npz.files}
    for name in sorted(replace):
        arrays[name] = data.draw(some_array, label=name)
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    path = scratch / "wrong.npz"
    with zipfile.ZipFile(path, "w") as zf:
        for name, arr in arrays.items():
            buf = io.BytesIO()
            np.save(buf, arr, allow_pickle=False)
            zf.writestr(f"{name}.npy", buf.getvalue())
    load_track(path)
