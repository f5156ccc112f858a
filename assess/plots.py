"""Figures from an `Assessment`: what people would rather look at than read.

Matplotlib figures (Agg backend, no display needed), shared by the app and
the PDF report:

* :func:`stabilogram` — the sway path of the centre of mass during a stance,
  with its 95% prediction ellipse;
* :func:`timeline` — sway, FPPA, pelvic drop and trunk lean over time, stance
  windows shaded and balance events marked;
* :func:`side_bars` — left versus right for the headline metrics.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Ellipse  # noqa: E402

from .assessment import Assessment, Series, StanceTrial  # noqa: E402

SIDE_COLOURS = {"left": "#4287f5", "right": "#f58230"}
EVENT_LABELS = {
    "free_foot_touchdown": "foot down",
    "stance_foot_shift": "foot shift",
    "hands_off_hips": "hands off hips",
    "trunk_excursion": "trunk",
    "hip_excursion": "hip",
}
CHI2_95_2DOF = 5.991
"""95% quantile of χ² with 2 degrees of freedom, for the prediction ellipse."""


def _window(series: Series, start: float, stop: float) -> tuple[np.ndarray, np.ndarray]:
    keep = (series.times >= start) & (series.times <= stop) & np.isfinite(series.values)
    return series.times[keep], series.values[keep]


def stabilogram(assessment: Assessment, stance: StanceTrial) -> Figure:
    """Sway path (ML × AP when both are known, else ML over time) with the 95% ellipse."""
    fig, ax = plt.subplots(figsize=(4.2, 4.2), dpi=110)
    ml = assessment.series.get(f"com_ml.{stance.side}") or assessment.series.get("pelvis_ml")
    ap = assessment.series.get(f"com_ap.{stance.side}")
    colour = SIDE_COLOURS[stance.side]
    title = f"Sway path, {stance.side} leg ({stance.lift_off_s:.1f}–{stance.touch_down_s:.1f} s)"
    if ml is None:
        ax.text(0.5, 0.5, "no sway series", ha="center", va="center", transform=ax.transAxes)
        ax.set_title(title, fontsize=9)
        return fig
    t, x = _window(ml, stance.lift_off_s, stance.touch_down_s)
    x = x - x.mean() if x.size else x
    if ap is not None:
        _, y = _window(ap, stance.lift_off_s, stance.touch_down_s)
        n = min(len(x), len(y))
        x, y = x[:n], y[:n] - (y[:n].mean() if n else 0.0)
        ax.plot(x, y, color=colour, lw=1)
        ax.set_ylabel(f"AP ({ap.unit}), + forward (low confidence from the front)")
        if n > 3:
            cov = np.cov(np.vstack([x, y]))
            vals, vecs = np.linalg.eigh(cov)
            angle = float(np.degrees(np.arctan2(vecs[1, 1], vecs[0, 1])))
            w, h = 2 * np.sqrt(CHI2_95_2DOF * np.maximum(vals[::-1], 0))
            ax.add_patch(Ellipse((0, 0), w, h, angle=angle, fill=False, ls="--", color="k", lw=1, label="95% prediction ellipse"))
            ax.legend(fontsize=7, loc="upper right")
        ax.set_aspect("equal", adjustable="datalim")
    else:
        ax.plot(x, t, color=colour, lw=1)
        if x.size > 3:
            sd = x.std()
            lim = 1.96 * sd
            ax.axvspan(-lim, lim, color="k", alpha=0.08, label="95% range (±1.96 SD)")
            ax.legend(fontsize=7, loc="upper right")
        ax.set_ylabel("time (s)")
        ax.invert_yaxis()
    ax.axvline(0, color="grey", lw=0.5)
    ax.set_xlabel(f"ML ({ml.unit}), + toward the subject's left")
    ax.set_title(title, fontsize=9)
    ax.tick_params(labelsize=7)
    fig.tight_layout()
    return fig


def timeline(assessment: Assessment) -> Figure:
    """Per-frame signals over the clip with stances shaded and events marked."""
    rows = [
        ("com_ml", "sway ML", "centre of mass, side to side"),
        ("fppa_image", "knee FPPA (°)", "+ = knee inward (valgus)"),
        ("pelvic_drop", "pelvic drop (°)", "+ = free side lower"),
        ("trunk_lean", "trunk lean (°)", "+ = toward stance leg"),
    ]
    fig, axes = plt.subplots(len(rows), 1, figsize=(8.5, 6.4), dpi=110, sharex=True)
    for ax, (key, label, hint) in zip(axes, rows):
        unit = ""
        for side in ("left", "right"):
            s = assessment.series.get(f"{key}.{side}")
            if s is None:
                continue
            unit = s.unit
            for st in assessment.stances_on(side):  # type: ignore[arg-type]
                t, v = _window(s, st.lift_off_s, st.touch_down_s)
                if key == "com_ml" and v.size:
                    v = v - v.mean()  # sway about the stance's own mean position
                ax.plot(t, v, color=SIDE_COLOURS[side], lw=1.2, label=f"{side} stance" if st is assessment.stances_on(side)[0] else None)  # type: ignore[arg-type]
        for st in assessment.stances:
            ax.axvspan(st.lift_off_s, st.touch_down_s, color=SIDE_COLOURS[st.side], alpha=0.07)
            for ev in st.events:
                ax.axvline(ev.time_s, color="crimson", lw=0.8, ls=":")
        ax.set_ylabel(f"{label}" + (f"\n[{unit}]" if unit and unit != "deg" else ""), fontsize=8)
        ax.text(1.0, 1.0, hint, transform=ax.transAxes, fontsize=7, ha="right", va="bottom", color="grey")
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.2)
    # event labels on the top axis
    for st in assessment.stances:
        for ev in st.events:
            axes[0].annotate(EVENT_LABELS.get(ev.kind, ev.kind), (ev.time_s, 1.0), xycoords=("data", "axes fraction"), fontsize=6, color="crimson", rotation=90, va="top", ha="right")
    handles, labels = axes[1].get_legend_handles_labels()
    if handles:
        axes[1].legend(fontsize=7, loc="upper left")
    axes[-1].set_xlabel("time (s)")
    fig.tight_layout()
    return fig


BAR_METRICS = (
    ("stance_duration", "hold time (s)"),
    ("com_sway_ml_velocity", "ML sway velocity"),
    ("fppa_image_p95", "knee FPPA p95 (°)"),
    ("fppa_image_mean_at_depth", "knee FPPA at depth (°)"),
    ("pelvic_drop_p95", "pelvic drop p95 (°)"),
    ("trunk_lean_p95", "trunk lean p95 (°)"),
)


def side_bars(assessment: Assessment) -> Figure:
    """Left vs right bars for the headline metrics present on both sides."""
    present = []
    for name, label in BAR_METRICS:
        left = assessment.summary_metric(name, "left")
        right = assessment.summary_metric(name, "right")
        if left is not None or right is not None:
            present.append((label, left, right))
    fig, axes = plt.subplots(1, max(1, len(present)), figsize=(1.7 * max(1, len(present)) + 1, 2.6), dpi=110)
    axes = np.atleast_1d(axes)
    if not present:
        axes[0].text(0.5, 0.5, "no per-side results", ha="center", va="center", transform=axes[0].transAxes)
        axes[0].axis("off")
    for ax, (label, left, right) in zip(axes, present):
        vals = [m.value if (m is not None and m.value is not None) else 0.0 for m in (left, right)]
        bars = ax.bar(["L", "R"], vals, color=[SIDE_COLOURS["left"], SIDE_COLOURS["right"]])
        for bar, m in zip(bars, (left, right)):
            if m is None or m.value is None:
                bar.set_alpha(0.15)
            elif not m.quality.reliable:
                bar.set_hatch("//")
                bar.set_alpha(0.5)
        unit = next((m.unit for m in (left, right) if m is not None), "")
        ax.set_title(label if unit in ("deg", "s") else f"{label} [{unit}]", fontsize=8)
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    return fig


def to_png(fig: Figure) -> bytes:
    """Render a figure to PNG bytes and close it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()
