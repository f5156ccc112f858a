"""Foot First: camera-based single-leg balance assessment.

A screening and progress-tracking aid, not a diagnosis.
"""

__version__ = "0.1.0"
