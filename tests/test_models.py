"""Pose model install: the bundle built from the 0.10.21 wheel is deterministic and works."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from assess.errors import ModelError
from assess.models import MODELS_DIR, build_full_from_wheel, install_model, load_manifest, model_path, require_model, sha256_of
from assess.pose import PoseEstimator, metadata_schemas, verify_model
from assess.video import iter_frames
from tests.conftest import SAMPLE_VIDEOS


@pytest.fixture()
def models_dir(tmp_path: Path) -> Path:
    """A private models folder sharing the downloaded-wheel cache."""
    cache = MODELS_DIR / ".cache"
    if cache.exists():
        (tmp_path / ".cache").symlink_to(cache.resolve())
    return tmp_path


def test_installed_full_model_runs() -> None:
    path = require_model("full")
    verify_model(path)


def test_build_from_wheel_is_deterministic(models_dir: Path) -> None:
    status = install_model("full", models_dir=models_dir, allow_download=False)
    assert status.ok, status.message
    assert status.origin.startswith("built from mediapipe==0.10.21")
    assert sha256_of(status.path) == load_manifest()["models"]["full"]["sha256_built"]


def test_present_model_with_right_checksum_is_kept(models_dir: Path) -> None:
    shutil.copy(model_path("full"), models_dir / "pose_landmarker_full.task")
    status = install_model("full", models_dir=models_dir, allow_download=False)
    assert status.origin == "present"


def test_corrupt_model_is_reported_then_replaced(models_dir: Path) -> None:
    bad = models_dir / "pose_landmarker_full.task"
    bad.write_bytes(b"PK\x03\x04 definitely not a model")
    with pytest.raises(ModelError, match="could not be loaded"):
        PoseEstimator(bad)
    status = install_model("full", models_dir=models_dir, allow_download=False)
    assert status.ok and sha256_of(bad) == load_manifest()["models"]["full"]["sha256_built"]


def test_missing_model_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="assess models install"):
        require_model("heavy", models_dir=tmp_path)


def test_lite_and_heavy_have_no_offline_source(models_dir: Path) -> None:
    status = install_model("lite", models_dir=models_dir, allow_download=False)
    assert not status.ok and "only 'full'" in status.message


@pytest.fixture()
def published_full(models_dir: Path) -> Path:
    """The full model as published (segmentation branch included), built from the cached wheel."""
    return build_full_from_wheel(models_dir / "published.task", cache=models_dir / ".cache", keep_segmentation=True)


@pytest.fixture()
def our_full(models_dir: Path) -> Path:
    """The full model as we build it (segmentation branch cut), whatever bundle this machine has installed."""
    return build_full_from_wheel(models_dir / "ours.task", cache=models_dir / ".cache")


def _outputs(task: Path) -> list[tuple[str, list[int]]]:
    tfl, _ = metadata_schemas()
    data = zipfile.ZipFile(task).read("pose_landmarks_detector.tflite")
    graph = tfl.ModelT.InitFromPackedBuf(bytearray(data), 0).subgraphs[0]
    return [(graph.tensors[t].name.decode(), list(graph.tensors[t].shape)) for t in graph.outputs]


def test_our_build_has_no_segmentation_branch(published_full: Path, our_full: Path) -> None:
    tfl, _ = metadata_schemas()
    ops = {}
    for name, task in (("published", published_full), ("ours", our_full)):
        model = tfl.Model.GetRootAsModel(zipfile.ZipFile(task).read("pose_landmarks_detector.tflite"), 0)
        ops[name] = model.Subgraphs(0).OperatorsLength()
    assert ops == {"published": 332, "ours": 332 - 46 + 1}  # the mask's own 46 operators, one FILL
    assert _outputs(our_full) == _outputs(published_full)  # the same five outputs, same shapes


def test_model_without_segmentation_tracks_bit_identically(published_full: Path, our_full: Path) -> None:
    frames = list(iter_frames(SAMPLE_VIDEOS / "left_stance_novalgus.mp4", end_s=5.0))  # restarts and finder checks included
    runs = []
    for task in (published_full, our_full):
        with PoseEstimator(task) as est:
            poses = [est.process(f.rgb, f.time_s) for f in frames]
        runs.append([np.array([getattr(p, k) for p in poses]) for k in ("image", "world", "visibility")])
        assert all(p.found for p in poses)
    for published, installed in zip(*runs):
        assert np.array_equal(published, installed)


def test_older_build_is_replaced(models_dir: Path, published_full: Path) -> None:
    # Our first builds kept the segmentation branch: that bundle is exactly what keep_segmentation builds.
    dest = models_dir / "pose_landmarker_full.task"
    shutil.copy(published_full, dest)
    assert sha256_of(dest) in load_manifest()["models"]["full"]["sha256_superseded"]
    status = install_model("full", models_dir=models_dir, allow_download=False)
    assert status.ok and status.origin.startswith("built from")
    assert sha256_of(dest) == load_manifest()["models"]["full"]["sha256_built"]
