"""Blender side: build the room, the figure and the camera; pose and render frames.

Only this module (and render.py) import bpy. World frame as in :mod:`motion`.
"""

from __future__ import annotations

import dataclasses

import bpy
import camera
import motion
import numpy as np
from body import Body
from bpy_extras.object_utils import world_to_camera_view
from mathutils import Matrix, Vector

# ------------------------------------------------------------------ presets

ROOMS = {
    # floor, walls, mat
    "living": {"floor": "#8a6a4f", "walls": "#d9d2c5", "mat": "#3d6f8e"},
    "studio": {"floor": "#9a9a96", "walls": "#eeeeea", "mat": "#6b4a8a"},
    "clinic": {"floor": "#c9c4b8", "walls": "#c8d6d8", "mat": "#2f5e4e"},
}

# name -> (workbench studio light, exposure, Z rotation of the studio light,
#          cycles key light watts, sensor noise sigma in 8-bit levels added at encoding)
LIGHTING = {
    "soft": ("Default", 0.0, 0.0, 120.0, 0.0),
    "warm": ("outdoor.sl", -0.2, 0.6, 100.0, 0.0),
    "side": ("studio.sl", -0.1, 1.6, 90.0, 0.0),
    "dim": ("Default", -1.7, 0.0, 25.0, 4.0),
}


def _rgba(hexstr: str) -> tuple[float, float, float, float]:
    h = hexstr.lstrip("#")
    if len(h) != 6:
        raise ValueError(f"colour must be #rrggbb, got {hexstr!r}")
    srgb = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in srgb]
    return (*lin, 1.0)


def _material(name: str, colour: str, roughness: float = 0.7) -> bpy.types.Material:
    mat = bpy.data.materials.new(name)
    mat.diffuse_color = _rgba(colour)  # what Workbench shows
    mat.roughness = roughness
    mat.use_nodes = True
    bsdf = mat.node_tree.nodes.get("Principled BSDF")
    if bsdf is not None:  # what Cycles shows
        bsdf.inputs["Base Color"].default_value = _rgba(colour)
        bsdf.inputs["Roughness"].default_value = roughness
    return mat


def _box(name: str, size, centre, mat) -> bpy.types.Object:
    bpy.ops.mesh.primitive_cube_add(size=1.0, location=centre)
    ob = bpy.context.active_object
    ob.name = name
    ob.scale = size
    ob.data.materials.append(mat)
    return ob


@dataclasses.dataclass
class Figure:
    armature: bpy.types.Object
    mesh: bpy.types.Object
    rest: dict[str, np.ndarray]  # bone -> 4x4 armature-space rest matrix
    parents: dict[str, str | None]
    lie: np.ndarray


# ------------------------------------------------------------------ setup


def reset_scene(
    width: int, height: int, fps: int, engine: str, samples: int, detail: str = "full"
) -> None:
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    scene.render.resolution_x = width
    scene.render.resolution_y = height
    scene.render.resolution_percentage = 100
    scene.render.fps = fps
    scene.render.image_settings.file_format = "PNG"
    scene.render.image_settings.color_mode = "RGB"
    scene.render.image_settings.compression = 15
    scene.view_settings.view_transform = "Standard"
    if engine == "workbench":
        scene.render.engine = "BLENDER_WORKBENCH"
        shading = scene.display.shading
        shading.light = "STUDIO"
        shading.color_type = "MATERIAL"
        shading.show_shadows = detail == "full"
        shading.shadow_intensity = 0.45
        shading.show_cavity = detail == "full"
        shading.cavity_type = "WORLD"
        scene.display.render_aa = "FXAA"
    elif engine == "cycles":
        scene.render.engine = "CYCLES"
        scene.cycles.device = "CPU"
        scene.cycles.samples = samples
        scene.cycles.use_denoising = True
        scene.cycles.max_bounces = 4
    else:
        raise ValueError(f"unknown engine {engine!r}; expected workbench or cycles")


def build_room(room: str, mat_colour: str | None, mat_top: float, camera_y: float = -3.0) -> None:
    """Floor, walls, mat and furniture; the wall behind an end-on camera moves back
    to stay 0.3 m behind it (a camera far beyond the feet must not end up in the wall)."""
    colours = ROOMS[room]
    floor = _material("floor", colours["floor"], 0.6)
    walls = _material("walls", colours["walls"], 0.9)
    mat = _material("mat", mat_colour or colours["mat"], 0.8)
    front = min(-3.6, camera_y - 0.3)
    extra = -3.6 - front  # 0 for every camera inside the standard room
    _box("floor", (8.0, 8.0 + 2 * extra, 0.02), (0, 0, -0.01), floor)
    _box("wall_back", (8.0, 0.05, 2.6), (0, 2.4, 1.3), walls)
    _box("wall_left", (0.05, 8.0 + 2 * extra, 2.6), (-3.2, 0, 1.3), walls)
    _box("wall_right", (0.05, 8.0 + 2 * extra, 2.6), (3.2, 0, 1.3), walls)
    _box("wall_front", (8.0, 0.05, 2.6), (0, front, 1.3), walls)
    # a yoga mat, 0.61 m x 1.83 m; the person's hips sit a little above its middle
    _box("mat", (0.61, 1.83, mat_top), (0, -0.05, mat_top / 2), mat)
    # a low cabinet and a cushion so the room is not empty
    _box("cabinet", (1.2, 0.4, 0.55), (-1.2, 2.15, 0.275), _material("cabinet", "#5a4636", 0.5))
    _box("cushion", (0.45, 0.45, 0.12), (-0.9, 0.9, 0.06), _material("cushion", "#b5523b"))


def build_lights(lighting: str, engine: str) -> None:
    studio, exposure, rot_z, watts, _noise = LIGHTING[lighting]
    scene = bpy.context.scene
    scene.view_settings.exposure = exposure
    if engine == "workbench":
        scene.display.shading.studio_light = studio
        scene.display.shading.studiolight_rotate_z = rot_z
        return
    world = bpy.data.worlds.new("world")
    world.use_nodes = True
    world.node_tree.nodes["Background"].inputs["Strength"].default_value = 0.3 * watts / 120
    scene.world = world
    for name, loc, power in (
        ("key", (1.2, -0.6, 2.5), watts),
        ("fill", (-1.5, 0.8, 2.4), watts / 3),
    ):
        data = bpy.data.lights.new(name, "AREA")
        data.energy = power
        data.size = 1.5
        ob = bpy.data.objects.new(name, data)
        ob.location = loc
        ob.rotation_euler = Vector((0, 0, 0)).to_track_quat("Z", "Y").to_euler()
        bpy.context.collection.objects.link(ob)


def build_camera(place) -> bpy.types.Object:
    """The scene camera at a camera.Placement, with its (hidden) lens cover."""
    data = bpy.data.cameras.new("camera")
    data.lens = place.focal_mm
    data.sensor_width = camera.SENSOR_WIDTH_MM
    data.sensor_fit = "HORIZONTAL"
    data.clip_start = 0.02
    cam = bpy.data.objects.new("camera", data)
    bpy.context.collection.objects.link(cam)
    cam.matrix_world = Matrix(place.matrix().tolist())
    bpy.context.scene.camera = cam
    # "brief exit from the frame": a dark cover right in front of the lens
    bpy.ops.mesh.primitive_plane_add(size=0.2)
    cover = bpy.context.active_object
    cover.name = "lens_cover"
    cover.parent = cam
    cover.location = (0, 0, -0.05)
    cover.data.materials.append(_material("cover", "#2b2622", 0.9))
    cover.hide_render = True
    return cam


# ------------------------------------------------------------------ the figure


def _face_parts(body: Body, faces: list[tuple[int, ...]], style: dict) -> list[str]:
    """Which material each body face gets: skin, shirt, shorts, socks or hair."""
    names = list(body.bones)
    dom = body.dominant_bone()
    v = body.verts
    eye = 0.5 * (body.bones["eye.L"].head + body.bones["eye.R"].head)
    ankle_z = 0.5 * (body.bones["foot.L"].head[2] + body.bones["foot.R"].head[2])
    neck_z = body.bones["neck03"].head[2]
    shirt = {"spine01", "spine02", "spine03", "spine04", "spine05"}
    shirt |= {
        f"{b}{s}" for b in ("breast", "clavicle", "shoulder01", "upperarm01") for s in (".L", ".R")
    }
    shorts = {"root", "pelvis.L", "pelvis.R", "upperleg01.L", "upperleg01.R"}
    socks_bones = {n for n in names if n.startswith(("foot", "toe"))}
    hair_long = style["hair"] == "long"
    parts = []
    for f in faces:
        c = v[list(f)].mean(axis=0)
        bones = [names[i] for i in dom[list(f)] if i >= 0]
        b = max(set(bones), key=bones.count) if bones else ""
        rel = c - eye
        if c[2] > neck_z + 0.02 and abs(c[0]) < 0.12:
            brow = 0.012 < rel[2] < 0.024 and 0.012 < abs(rel[0]) < 0.055 and rel[1] < 0.025
            if hair_long:
                hair = rel[2] > 0.04 or (rel[1] > 0.085 and rel[2] > -0.09)
            else:
                hair = rel[2] > 0.05 or (rel[1] > 0.10 and rel[2] > -0.03)
            parts.append("hair" if hair or brow else "skin")
        elif b in socks_bones or c[2] < ankle_z + 0.05:
            parts.append("socks")
        elif b in shorts:
            parts.append("shorts")
        elif b in shirt:
            parts.append("shirt")
        else:
            parts.append("skin")
    return parts


def build_figure(
    body: Body, skel: motion.Skeleton, colours: dict[str, str], hair: str, detail: str = "full"
) -> Figure:
    keep_groups = ["body", "helper-l-eye", "helper-r-eye"]
    keep = sorted({i for g in keep_groups for i in body.groups[g]})
    remap = {old: new for new, old in enumerate(keep)}
    faces, kinds = [], []
    for g in keep_groups:
        for f in body.faces[g]:
            faces.append(tuple(remap[i] for i in f))
            kinds.append(g)
    body_faces = [f for f, k in zip(body.faces["body"], kinds, strict=False)]
    parts = _face_parts(body, body_faces, {"hair": hair})

    mesh = bpy.data.meshes.new("person")
    mesh.from_pydata(body.verts[keep].tolist(), [], faces)
    mesh.update()
    mats = {
        name: _material(name, colours[name], 0.55 if name == "skin" else 0.85)
        for name in ("skin", "shirt", "shorts", "socks", "hair")
    }
    mats["eye_white"] = _material("eye_white", "#e8e4dc", 0.3)
    mats["iris"] = _material("iris", colours["eyes"], 0.3)
    order = list(mats)
    for m in mats.values():
        mesh.materials.append(m)
    eye_dirs = {}
    for s in (".L", ".R"):
        head, tail = body.bones[f"eye{s}"].head, body.bones[f"eye{s}"].tail
        eye_dirs[s] = (head, (tail - head) / np.linalg.norm(tail - head))
    verts = body.verts[keep]
    for poly, kind in zip(mesh.polygons, kinds, strict=True):
        poly.use_smooth = True
        if kind == "body":
            poly.material_index = order.index(parts[poly.index])
        else:
            head, gaze = eye_dirs[".L" if kind == "helper-l-eye" else ".R"]
            c = verts[list(poly.vertices)].mean(axis=0) - head
            front = float(np.dot(c / np.linalg.norm(c), gaze))
            poly.material_index = order.index("iris" if front > 0.8 else "eye_white")
    mesh_ob = bpy.data.objects.new("person", mesh)
    bpy.context.collection.objects.link(mesh_ob)

    arm_data = bpy.data.armatures.new("rig")
    arm_ob = bpy.data.objects.new("rig", arm_data)
    bpy.context.collection.objects.link(arm_ob)
    bpy.context.view_layer.objects.active = arm_ob
    bpy.ops.object.mode_set(mode="EDIT")
    for name, bone in body.bones.items():
        eb = arm_data.edit_bones.new(name)
        eb.head = bone.head.tolist()
        short = np.linalg.norm(bone.tail - bone.head) < 1e-4
        tail = bone.head + np.array([0.0, 0.0, 0.01]) if short else bone.tail
        eb.tail = tail.tolist()
        eb.roll = bone.roll
        eb.use_connect = False
        if bone.parent:
            eb.parent = arm_data.edit_bones[bone.parent]
    bpy.ops.object.mode_set(mode="OBJECT")
    arm_ob.matrix_world = Matrix(skel.lie.tolist())
    mesh_ob.matrix_world = Matrix(skel.lie.tolist())

    for bone, lst in body.weights.items():
        if bone not in body.bones:
            continue
        vg = mesh_ob.vertex_groups.new(name=bone)
        by_weight: dict[float, list[int]] = {}
        for i, w in lst:
            if i in remap:
                by_weight.setdefault(w, []).append(remap[i])
        for w, idx in by_weight.items():
            vg.add(idx, w, "REPLACE")
    mod = mesh_ob.modifiers.new("armature", "ARMATURE")
    mod.object = arm_ob
    sub = mesh_ob.modifiers.new("smooth", "SUBSURF")
    sub.levels = 0
    sub.render_levels = 1 if detail == "full" else 0
    mesh_ob.parent = arm_ob
    mesh_ob.matrix_parent_inverse = arm_ob.matrix_world.inverted()

    rest = {b.name: np.array(b.matrix_local) for b in arm_data.bones}
    parents = {b.name: (b.parent.name if b.parent else None) for b in arm_data.bones}
    return Figure(arm_ob, mesh_ob, rest, parents, skel.lie)


# bone -> segment name; bones not listed follow their parent
def segment_of(bone: str) -> str | None:
    side = "left" if bone.endswith(".L") else "right" if bone.endswith(".R") else None
    if bone in ("root",):
        return "pelvis"
    if bone in ("spine05",):
        return "lower_trunk"
    if bone == "spine01":
        return "upper_trunk"
    for prefix, seg in (
        ("upperleg01", "thigh"),
        ("lowerleg01", "shin"),
        ("foot", "foot"),
        ("upperarm01", "arm"),
    ):
        if bone.startswith(prefix) and side:
            return f"{seg}_{side}"
    return None


def apply_pose(fig: Figure, segments: dict[str, np.ndarray]) -> None:
    """Set every pose bone's basis so each segment moves rigidly by its world transform."""
    lie, lie_inv = fig.lie, np.linalg.inv(fig.lie)
    delta: dict[str, np.ndarray] = {}
    for name in fig.rest:  # parents come before children (armature bone order)
        seg = segment_of(name)
        parent = fig.parents[name]
        if seg is not None:
            d_world = segments.get(seg, np.eye(4))
            delta[name] = lie_inv @ d_world @ lie
        else:
            delta[name] = delta[parent] if parent else np.eye(4)
        d_parent = delta[parent] if parent else np.eye(4)
        rest = fig.rest[name]
        basis = np.linalg.inv(rest) @ np.linalg.inv(d_parent) @ delta[name] @ rest
        fig.armature.pose.bones[name].matrix_basis = Matrix(basis.tolist())


def posed_head(fig: Figure, bone: str) -> np.ndarray:
    pb = fig.armature.pose.bones[bone]
    return np.array(fig.armature.matrix_world @ pb.head)


def project(cam: bpy.types.Object, point, width: int, height: int) -> tuple[float, float, float]:
    """World point -> (u, v) pixels from the top-left, and depth in metres."""
    co = world_to_camera_view(bpy.context.scene, cam, Vector(tuple(point)))
    return float(co.x) * width, (1.0 - float(co.y)) * height, float(co.z)


def set_cover(cam: bpy.types.Object, covered: bool) -> None:
    cam.children[0].hide_render = not covered


def render_frame(path: str) -> None:
    bpy.context.scene.render.filepath = path
    bpy.ops.render.render(write_still=True)
