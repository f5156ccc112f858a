"""Pose model install: the bundle built from the 0.10.21 wheel is deterministic and works."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assess.errors import ModelError
from assess.models import MODELS_DIR, install_model, load_manifest, model_path, require_model, sha256_of
from assess.pose import PoseEstimator, verify_model


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
