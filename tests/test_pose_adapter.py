"""The MediaPipe adapter: mediapipe imported without its drawing helpers, landmarkers called on our own thread, results read as arrays."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


def test_importing_mediapipe_leaves_unused_parts_unloaded_until_they_are_used() -> None:
    # A fresh interpreter: this test process may have loaded matplotlib already.
    script = textwrap.dedent(
        """
        import sys
        from assess.pose import import_mediapipe
        mp = import_mediapipe()
        from mediapipe.tasks.python.vision import PoseLandmarker, drawing_utils
        print("pyplot" if "matplotlib.pyplot" in sys.modules else "no pyplot")
        print(callable(mp.Image), callable(PoseLandmarker.create_from_options))
        spec = drawing_utils.DrawingSpec()  # first use loads the real module
        print("pyplot" if "matplotlib.pyplot" in sys.modules else "no pyplot", type(spec).__name__)
        print(sorted(m for m in ("sounddevice", "mediapipe.tasks.python.audio.audio_classifier") if m in sys.modules))
        from mediapipe.tasks.python import audio
        print(audio.AudioClassifier.__name__, "mediapipe.tasks.python.audio.audio_classifier" in sys.modules)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[:5] == ["no pyplot", "True True", "pyplot DrawingSpec", "[]", "AudioClassifier True"]


def test_direct_calls_give_the_same_landmarks_and_still_raise_mediapipes_errors() -> None:
    import numpy as np
    import pytest

    from assess.models import require_model
    from assess.pose import _DirectCalls, _landmarker, detect, mp_image
    from assess.video import iter_frames

    clip = Path(__file__).resolve().parents[1] / "sample_videos" / "right_stance_valgus15.mp4"
    frames = [f.rgb for f in iter_frames(clip, end_s=0.5)]
    path = require_model("full")
    direct, stock = _landmarker(path, "video", 1, 0.5), _landmarker(path, "video", 1, 0.5, direct=False)
    fallback, finder = _landmarker(path, "video", 1, 0.5, direct=False), _landmarker(path, "image", 3, 0.5)
    try:
        assert isinstance(direct._lib, _DirectCalls), "mediapipe's layout changed: calls go through its dispatcher thread again"
        for i, rgb in enumerate(frames):
            a = detect(direct, mp_image(rgb), 1000 * (i + 1))  # read from MediaPipe's C result
            b = stock.detect_for_video(mp_image(rgb), 1000 * (i + 1))  # MediaPipe's own Python objects
            assert len(a) == 1 and a.image.shape == a.world.shape == (1, 33, 3) and a.visibility.shape == (1, 33)
            assert a.image[0].tolist() == [[p.x, p.y, p.z] for p in b.pose_landmarks[0]]
            assert a.world[0].tolist() == [[p.x, p.y, p.z] for p in b.pose_world_landmarks[0]]
            assert a.visibility[0].tolist() == [p.visibility for p in b.pose_landmarks[0]]
            c = detect(fallback, mp_image(rgb), 1000 * (i + 1))  # the path taken where MediaPipe's layout differs
            assert np.array_equal(a.image, c.image) and np.array_equal(a.world, c.world) and np.array_equal(a.visibility, c.visibility)
            everyone = detect(finder, mp_image(rgb))
            assert len(everyone) == len(everyone.boxes) == 1 and everyone.boxes[0].iou(a.boxes[0]) > 0.8
        nobody = detect(finder, mp_image(np.zeros((64, 64, 3), dtype=np.uint8)))
        assert len(nobody) == 0 and nobody.image.shape == (0, 33, 3) and nobody.boxes == []
        with pytest.raises(ValueError, match="monotonically"):
            detect(direct, mp_image(frames[0]), 5)
    finally:
        for lm in (direct, stock, fallback, finder):
            lm.close()
