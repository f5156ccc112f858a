"""Balance metrics: pure functions from a `PoseTrack` to numbers with units.

Modules, one per family: ``clean`` (visibility, gaps, low-pass), ``body``
(segment lengths, scale, centre of mass), ``segmentation`` (stances, squat
repetitions), ``sway``, ``knee`` (FPPA), ``posture`` (pelvis, trunk, arms),
``foot``, ``quality`` (camera view, grades), ``asymmetry``, and ``analysis``
which assembles an :class:`assess.assessment.Assessment`.
"""
