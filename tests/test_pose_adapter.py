"""The MediaPipe adapter's import: mediapipe's drawing helpers stay unloaded until used."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_importing_mediapipe_leaves_matplotlib_unloaded_until_the_drawing_helpers_are_used() -> None:
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
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[:3] == ["no pyplot", "True True", "pyplot DrawingSpec"]
