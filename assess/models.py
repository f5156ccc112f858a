"""Install and check the MediaPipe pose models (``models/pose_landmarker_*.task``).

Order of attempts for each model (``assess models install``):

1. the file is present and its sha256 matches what we recorded → done;
2. the official download from Google's model storage (short timeout);
3. for **full** only, when that host is unreachable: build the bundle from the
   ``mediapipe==0.10.21`` wheel on PyPI, which carries the two TFLite models
   (``pose_detection.tflite`` and ``pose_landmark_full.tflite``). A ``.task``
   file is a stored (uncompressed) zip holding ``pose_detector.tflite`` and
   ``pose_landmarks_detector.tflite``. The landmark model in that wheel lacks
   the TFLite metadata the Tasks API needs to normalise its float input, so we
   add one: RGB image input, mean 0, std 255, and one empty entry per output.
   We also cut the model's person-segmentation branch, which we never use and
   which costs a third of every frame's inference (:func:`without_segmentation`);
   the landmarks stay bit-identical.

Every installed model is verified by running it once on a frame; the result
is recorded in ``models/installed.json`` (git-ignored). The committed
``models/manifest.json`` holds the checksums and origins we know.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ModelError
from .files import write_atomic

MODEL_NAMES = ("lite", "full", "heavy")
DEFAULT_MODEL = "full"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = Path(os.environ.get("FOOTFIRST_MODELS_DIR", PROJECT_ROOT / "models"))
MANIFEST_PATH = PROJECT_ROOT / "models" / "manifest.json"

WHEEL_SPEC = "mediapipe==0.10.21"
WHEEL_DETECTOR = "mediapipe/modules/pose_detection/pose_detection.tflite"
WHEEL_LANDMARKS = "mediapipe/modules/pose_landmark/pose_landmark_full.tflite"
# A fixed timestamp makes the built zip byte-identical on every machine.
_ZIP_DATE = (2025, 1, 1, 0, 0, 0)

Log = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class ModelStatus:
    """What is known of one model file after an install attempt."""

    name: str
    path: Path
    ok: bool
    origin: str
    message: str


def model_path(name: str = DEFAULT_MODEL, *, models_dir: Path | None = None) -> Path:
    """Path where model ``name`` (lite, full or heavy) lives."""
    if name not in MODEL_NAMES:
        raise ModelError(f"Unknown pose model {name!r}.", hint=f"Choose one of {', '.join(MODEL_NAMES)}.")
    return (models_dir or MODELS_DIR) / f"pose_landmarker_{name}.task"


def load_manifest() -> dict[str, Any]:
    """The committed manifest: official URLs, known checksums, wheel members."""
    with MANIFEST_PATH.open() as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _known_sha256(name: str, manifest: dict[str, Any]) -> set[str]:
    entry = manifest["models"].get(name, {})
    return {s for s in (entry.get("sha256_official"), entry.get("sha256_built")) if s}


# ---------------------------------------------------------------- building
def _unpacked(tflite: bytes) -> tuple[Any, Any]:
    """The TFLite schema module and ``tflite`` as its editable object tree (``ModelT``)."""
    from .pose import metadata_schemas  # the adapter owns every mediapipe import

    tfl, _ = metadata_schemas()
    return tfl, tfl.ModelT.InitFromPackedBuf(bytearray(tflite), 0)


def _packed(model: Any, size_hint: int) -> bytes:
    """A ``ModelT`` tree as TFLite file bytes."""
    import flatbuffers

    out = flatbuffers.Builder(size_hint)
    out.Finish(model.Pack(out), file_identifier=b"TFL3")
    return bytes(out.Output())


def without_segmentation(tflite: bytes) -> bytes:
    """Return the landmark model ``tflite`` with its segmentation branch replaced by zeros.

    BlazePose GHUM's landmark model has five outputs: landmarks, presence,
    a 256×256 person-segmentation mask, heatmaps and world landmarks. The
    mask comes from a decoder branch of its own (46 of the full model's 332
    operators, upsampling to 256×256), and MediaPipe's PoseLandmarker runs the
    whole model on every frame whether masks are asked for or not. Foot First
    never asks for them. Here every operator that feeds only the mask output is
    removed, and one ``FILL`` operator writes zeros of the mask's shape into
    that output, so the graph still finds all five outputs where it expects
    them. (A constant output tensor would do too, but LiteRT then logs a line
    on every inference.) The other outputs are computed by the same operators
    on the same tensors as before, so they are bit-identical
    (``tests/test_models.py`` compares them frame by frame). Measured here on
    300 frames of 720p in VIDEO mode, three alternating rounds: 10.9 against
    16.6 ms a frame.

    The mask is the one output whose shape is ``[1, H, W, 1]``.
    """
    import numpy as np

    tfl, model = _unpacked(tflite)
    graph = model.subgraphs[0]
    masks = [t for t in graph.outputs if len(graph.tensors[t].shape) == 4 and graph.tensors[t].shape[-1] == 1]
    if len(masks) != 1:
        raise ModelError("The landmark model's segmentation output was not found.", hint="Delete models/.cache and run `assess models install` again.")
    mask = masks[0]
    producer = {t: i for i, op in enumerate(graph.operators) for t in op.outputs}

    def feeding(tensor: int) -> set[int]:
        """Indices of the operators that ``tensor`` depends on."""
        ops: set[int] = set()
        todo = [tensor]
        while todo:
            i = producer.get(todo.pop())
            if i is not None and i not in ops:
                ops.add(i)
                todo.extend(t for t in graph.operators[i].inputs if t >= 0)
        return ops

    kept = set().union(*(feeding(t) for t in graph.outputs if t != mask))
    graph.operators = [op for i, op in enumerate(graph.operators) if i not in feeding(mask) - kept]

    def constant(values: Any, tensor_type: int, name: str) -> int:
        buffer = tfl.BufferT()
        buffer.data = np.frombuffer(values.tobytes(), dtype=np.uint8)
        model.buffers.append(buffer)
        tensor = tfl.TensorT()
        tensor.shape, tensor.type, tensor.buffer, tensor.name = list(values.shape), tensor_type, len(model.buffers) - 1, name
        graph.tensors.append(tensor)
        return len(graph.tensors) - 1

    code = tfl.OperatorCodeT()
    code.builtinCode = code.deprecatedBuiltinCode = tfl.BuiltinOperator.FILL
    code.version = 1
    model.operatorCodes.append(code)
    fill = tfl.OperatorT()
    fill.opcodeIndex = len(model.operatorCodes) - 1
    fill.inputs = [
        constant(np.array(graph.tensors[mask].shape, dtype=np.int32), tfl.TensorType.INT32, "segmentation_shape"),
        constant(np.array(0.0, dtype=np.float32), tfl.TensorType.FLOAT32, "segmentation_zero"),
    ]
    fill.outputs = [mask]
    graph.operators.append(fill)
    return _packed(model, len(tflite) + 4096)


def add_landmark_metadata(tflite: bytes) -> bytes:
    """Return ``tflite`` with a ``TFLITE_METADATA`` buffer for an RGB float input.

    The metadata says: one input tensor, an RGB image normalised as
    ``(pixel - 0) / 255``; one empty metadata entry per model output.
    """
    from .pose import metadata_schemas  # the adapter owns every mediapipe import

    _, meta_fb = metadata_schemas()
    import flatbuffers

    tfl, model = _unpacked(tflite)
    n_outputs = len(model.subgraphs[0].outputs)

    norm = meta_fb.NormalizationOptionsT()
    norm.mean = [0.0]
    norm.std = [255.0]
    unit = meta_fb.ProcessUnitT()
    unit.optionsType = meta_fb.ProcessUnitOptions.NormalizationOptions
    unit.options = norm
    props = meta_fb.ImagePropertiesT()
    props.colorSpace = meta_fb.ColorSpaceType.RGB
    content = meta_fb.ContentT()
    content.contentPropertiesType = meta_fb.ContentProperties.ImageProperties
    content.contentProperties = props
    image_in = meta_fb.TensorMetadataT()
    image_in.name = "image"
    image_in.content = content
    image_in.processUnits = [unit]
    subgraph = meta_fb.SubGraphMetadataT()
    subgraph.inputTensorMetadata = [image_in]
    subgraph.outputTensorMetadata = [meta_fb.TensorMetadataT() for _ in range(n_outputs)]
    model_meta = meta_fb.ModelMetadataT()
    model_meta.name = "pose_landmark_full"
    model_meta.description = "BlazePose GHUM full landmark model with input metadata added by Foot First."
    model_meta.subgraphMetadata = [subgraph]
    model_meta.minParserVersion = "1.0.0"

    b = flatbuffers.Builder(1024)
    b.Finish(model_meta.Pack(b), file_identifier=b"M001")
    meta_bytes = bytes(b.Output())

    buffer = tfl.BufferT()
    buffer.data = list(meta_bytes)
    model.buffers.append(buffer)
    entry = tfl.MetadataT()
    entry.name = "TFLITE_METADATA"
    entry.buffer = len(model.buffers) - 1
    model.metadata = [m for m in (model.metadata or []) if m.name != "TFLITE_METADATA"] + [entry]
    return _packed(model, len(tflite) + len(meta_bytes) + 4096)


def build_task(detector: bytes, landmarks: bytes) -> bytes:
    """Zip (stored) the two models into a Tasks bundle, deterministically."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for member, data in (("pose_detector.tflite", detector), ("pose_landmarks_detector.tflite", landmarks)):
            info = zipfile.ZipInfo(member, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def _download_wheel(cache: Path, log: Log) -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    found = sorted(cache.glob("mediapipe-0.10.21-*.whl"))
    if found:
        return found[0]
    log(f"Downloading {WHEEL_SPEC} from PyPI (about 35 MB, only two files are used) ...")
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", "-d", str(cache), WHEEL_SPEC]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    found = sorted(cache.glob("mediapipe-0.10.21-*.whl"))
    if proc.returncode != 0 or not found:
        # A wheel for another platform carries the same model files.
        for plat in ("manylinux_2_28_x86_64", "macosx_11_0_universal2", "win_amd64"):
            extra = ["--platform", plat, "--python-version", "3.11"]
            proc = subprocess.run(cmd[:-1] + extra + [WHEEL_SPEC], capture_output=True, text=True)
            found = sorted(cache.glob("mediapipe-0.10.21-*.whl"))
            if found:
                break
    if not found:
        raise ModelError(
            f"Could not download {WHEEL_SPEC} from PyPI to build the pose model ({proc.stderr.strip().splitlines()[-1:] or 'no output'}).",
            hint="Check that PyPI is reachable, or copy pose_landmarker_full.task into models/ by hand.",
        )
    return found[0]


def build_full_from_wheel(dest: Path, *, cache: Path | None = None, log: Log = _quiet, keep_segmentation: bool = False) -> Path:
    """Build ``pose_landmarker_full.task`` from the mediapipe 0.10.21 wheel.

    ``keep_segmentation``: the model as published, segmentation branch and all
    (for the speed benchmark's baseline and the test that the cut changes no
    landmark); the installed bundle is built without it.
    """
    manifest = load_manifest()
    wheel_info = manifest["wheel"]
    cache = cache or (MODELS_DIR / ".cache")
    wheel = _download_wheel(cache, log)
    with zipfile.ZipFile(wheel) as zf:
        detector = zf.read(WHEEL_DETECTOR)
        landmarks = zf.read(WHEEL_LANDMARKS)
    for member, data in ((WHEEL_DETECTOR, detector), (WHEEL_LANDMARKS, landmarks)):
        want = wheel_info["members"][member]
        got = hashlib.sha256(data).hexdigest()
        if got != want:
            raise ModelError(f"{member} in {wheel.name} has checksum {got[:12]}…, expected {want[:12]}….", hint="Delete models/.cache and run `assess models install` again.")
    bundle = build_task(detector, add_landmark_metadata(landmarks if keep_segmentation else without_segmentation(landmarks)))
    write_atomic(dest, bundle)
    return dest


def _download_official(name: str, dest: Path, url: str, timeout_s: float, log: Log) -> None:
    import urllib.request  # here, not at the top: every process that tracks imports this module

    log(f"Trying the official download of the {name} model ...")
    with urllib.request.urlopen(url, timeout=timeout_s) as resp:  # noqa: S310 (fixed https URL from the manifest)
        data = resp.read()
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ValueError("the download is not a .task bundle")
    write_atomic(dest, data)


def _record(models_dir: Path, status: ModelStatus, sha: str) -> None:
    path = models_dir / "installed.json"
    try:
        data = json.loads(path.read_text()) if path.exists() else {}
    except json.JSONDecodeError:
        data = {}
    data[status.name] = {"file": status.path.name, "sha256": sha, "origin": status.origin}
    write_atomic(path, (json.dumps(data, indent=2) + "\n").encode())


def install_model(
    name: str,
    *,
    models_dir: Path | None = None,
    allow_download: bool = True,
    timeout_s: float = 10.0,
    log: Log = _quiet,
) -> ModelStatus:
    """Make sure model ``name`` is installed and works; never raises for a missing source.

    Returns a :class:`ModelStatus` saying where the file came from, or why it
    could not be installed.
    """
    from .pose import verify_model

    models_dir = models_dir or MODELS_DIR
    manifest = load_manifest()
    dest = model_path(name, models_dir=models_dir)
    known = _known_sha256(name, manifest)
    if dest.exists():
        sha = sha256_of(dest)
        if sha in known:
            return ModelStatus(name, dest, True, "present", f"{dest.name} is present and its checksum matches.")
        if sha in manifest["models"][name].get("sha256_superseded", []):
            log(f"{dest.name} is an older build of ours; rebuilding it.")
            dest.unlink()
    if dest.exists():
        try:
            verify_model(dest)
        except ModelError:
            log(f"{dest.name} is present but does not work; reinstalling.")
            dest.unlink()
        else:
            status = ModelStatus(name, dest, True, "present (unlisted checksum)", f"{dest.name} is present and runs (checksum not in the manifest).")
            _record(models_dir, status, sha)
            return status

    errors: list[str] = []
    entry = manifest["models"][name]
    if allow_download and entry.get("url"):
        try:
            _download_official(name, dest, entry["url"], timeout_s, log)
            verify_model(dest)
            status = ModelStatus(name, dest, True, "official download", f"Downloaded {dest.name}.")
            _record(models_dir, status, sha256_of(dest))
            return status
        except (OSError, ValueError, ModelError) as exc:  # urllib's URLError is an OSError
            errors.append(f"official download failed ({getattr(exc, 'reason', exc)})")
            if dest.exists():
                dest.unlink()
    if name == "full":
        try:
            build_full_from_wheel(dest, cache=models_dir / ".cache", log=log)
            verify_model(dest)
            status = ModelStatus(name, dest, True, f"built from {WHEEL_SPEC}", f"Built {dest.name} from the {WHEEL_SPEC} wheel.")
            _record(models_dir, status, sha256_of(dest))
            return status
        except ModelError as exc:
            errors.append(str(exc))
            if dest.exists():
                dest.unlink()
    else:
        errors.append("no offline source for this model (only 'full' ships in a PyPI wheel)")
    return ModelStatus(name, dest, False, "missing", f"{dest.name} not installed: " + "; ".join(errors) + ".")


def install_all(*, models_dir: Path | None = None, allow_download: bool = True, log: Log = _quiet) -> list[ModelStatus]:
    """Install every model we can; ``full`` is required, lite/heavy are optional."""
    return [install_model(n, models_dir=models_dir, allow_download=allow_download, log=log) for n in MODEL_NAMES]


def available_models(*, models_dir: Path | None = None) -> list[str]:
    """Names of the models whose files exist in ``models_dir``."""
    return [n for n in MODEL_NAMES if model_path(n, models_dir=models_dir).exists()]


def require_model(name: str = DEFAULT_MODEL, *, models_dir: Path | None = None) -> Path:
    """Path of an installed model, or a :class:`ModelError` that says how to install it."""
    path = model_path(name, models_dir=models_dir)
    if not path.exists():
        present = available_models(models_dir=models_dir)
        also = f" Installed: {', '.join(present)}." if present else ""
        raise ModelError(f"The pose model '{name}' is not installed ({path}).{also}", hint="Run `assess models install`.")
    return path


def remove_cache(models_dir: Path | None = None) -> None:
    """Delete the downloaded wheel cache."""
    shutil.rmtree((models_dir or MODELS_DIR) / ".cache", ignore_errors=True)
