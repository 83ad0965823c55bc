"""Building a suite case's simulation: its body, a camera aimed at it, and its noise.

Everything here reads the simulator's own truth (the motion's landmarks and
measured angles), so a case holds for any body: the camera is fitted to
the body's whole range, and a partial rep's turn-back angle is found on the
motion itself.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
from functools import cache
from pathlib import Path

import numpy as np

from formcheck.bench.suite_cases import SHAPES, SuiteCase
from formcheck.landmarks import index
from formcheck.simulate import Body, Camera, NoiseModel, Simulation, simulate
from formcheck.simulate.geometry import Z, rotation, unit
from formcheck.simulate.motions import Controls, motion_named
from formcheck.simulate.skeleton import landmarks

_HIPS = [index("left_hip"), index("right_hip")]
_KNEE = index("left_knee")


def body_of(case: SuiteCase) -> Body:
    """The case's `Body`: its shape's proportions, drawn height and limb ratios."""
    _, _, hip, shoulder = SHAPES[case.shape]
    return Body(case.shape, case.body_height_m, hip, shoulder, case.leg_scale, case.thigh_shank)


def body_extent(case: SuiteCase, body: Body) -> np.ndarray:
    """Landmarks of the rest pose and the whole range (both sides), ``(2, 33, 3)``."""
    motion = motion_named(case.exercise)
    stance = case.side if case.side in ("left", "right") else "left"
    poses = [Controls(stance=stance), Controls(progress={"left": 1.0, "right": 1.0}, stance=stance)]
    return np.array([landmarks(body, motion.posture(body, c)) for c in poses])


def place_camera(case: SuiteCase, points: np.ndarray) -> Camera:
    """Aim at the body, turn by yaw/pitch/roll, and back off (height kept) until it fits.

    ``points`` are room landmarks over the motion; the body must sit at least
    3 % inside every image edge, as a user framing a phone would.
    """
    flat = points.reshape(-1, 3)
    flat = flat[np.isfinite(flat).all(axis=1)]
    low, high = flat.min(axis=0), flat.max(axis=0)
    centre = (low + high) / 2
    motion = motion_named(case.exercise)
    first = case.side if case.side in ("left", "right") else "left"
    if case.view == "side":
        sign = motion.camera_side(first) * (1 if case.near else -1)
        anchor = np.array([centre[0] + case.lateral_m, centre[1], 0.0])
        out = np.array([0.0, sign * case.distance_m, 0.0])
    else:
        anchor = np.array([high[0], centre[1] + case.lateral_m, 0.0])
        out = np.array([case.distance_m, 0.0, 0.0])
    for _ in range(40):
        position = anchor + out + np.array([0.0, 0.0, case.height_m])
        forward = unit(centre - position)
        right = unit(np.cross(forward, Z))
        turn = rotation(right, case.pitch_deg) @ rotation(Z, case.yaw_deg)
        forward = turn @ forward
        up = rotation(forward, case.roll_deg) @ unit(np.cross(turn @ right, forward))
        cam = Camera(tuple(position), tuple(position + forward), tuple(up), case.hfov_deg)
        xy = cam.project(flat, origin=centre)[:, :2]
        if np.isfinite(xy).all() and (xy >= 0.03).all() and (xy <= 0.97).all():
            return cam
        out = out * 1.08
    raise ValueError(f"{case.case_id}: could not fit the body in the image")


def turn_back_frac(exercise: str, body: Body, degrees: float, side: str = "left") -> float:
    """The simulator's ``partial_frac`` at which the driving angle turns back at ``degrees``.

    Read off the simulator's own truth (the motion's measured driver over its
    range), by bisection, so it holds for any body.

    >>> from formcheck.simulate import body_named
    >>> round(turn_back_frac("heel_slide", body_named("average_female"), 132.5), 3)
    0.5
    """
    motion = motion_named(exercise)
    key = motion.driver(side)

    def angle(frac: float) -> float:
        c = Controls(progress={"left": frac, "right": frac}, stance=side)
        return motion.measures(body, landmarks(body, motion.posture(body, c)))[key]

    lo, hi = 0.0, 1.0
    rising = angle(1.0) > angle(0.0)
    if not min(angle(lo), angle(hi)) < degrees < max(angle(lo), angle(hi)):
        raise ValueError(f"{exercise}: turn-back angle {degrees}° is outside the motion's range")
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if (angle(mid) < degrees) == rising else (lo, mid)
    return (lo + hi) / 2


def noise_of(case: SuiteCase, camera: Camera, body_centre: np.ndarray) -> NoiseModel:
    """The view's calibrated noise, scaled to the drawn knee jitter (px at this camera)
    and world noise (cm at the knee), with the drawn mirroring leg."""
    base = NoiseModel.for_view(case.view)
    knee = _KNEE  # jitter is stated for the knee; the other groups keep their ratios
    px_per_unit = float(base.jitter_m[knee]) * camera.pixels_per_metre(body_centre)
    scale = case.jitter_px / px_per_unit
    world = base.world_m / base.world_m[knee] * case.world_cm / 100
    return NoiseModel(
        jitter_m=base.jitter_m * scale,
        world_m=world,
        depth_m=base.depth_m * scale,
        wander_m=base.wander_m * scale,
        thigh_pull=base.thigh_pull,
        mirror=case.mirror,
    )


def simulate_case(case: SuiteCase) -> Simulation:
    """The case's simulated sequence, with its exact truth."""
    body = body_of(case)
    points = body_extent(case, body)
    camera = place_camera(case, points)
    mid_hip = points[0, _HIPS].mean(axis=0)
    kwargs: dict[str, object] = {}
    if case.partial_reps:
        kwargs = {
            "partial_reps": case.partial_reps,
            "partial_frac": turn_back_frac(case.exercise, body, case.partial_deg),
        }
    return simulate(
        case.exercise,
        reps=case.reps,
        side=case.side,
        camera=camera,
        tempo=case.tempo,
        pause=case.pause,
        lead_in=case.lead_in,
        lead_out=case.lead_out,
        veer_cm=case.veer_cm,
        veer_direction=case.veer_direction,
        veer_reps=case.veer_reps,
        pelvis_shift_cm=case.pelvis_shift_cm,
        pelvis_shift_reps=case.pelvis_shift_reps,
        pelvis_roll_deg=case.pelvis_roll_deg,
        pelvis_roll_reps=case.pelvis_roll_reps,
        jitter=1.0,
        fps=case.fps,
        drop_frames=case.drop_frames,
        gaps=case.gaps,
        body=body,
        seed=case.seed,
        noise=noise_of(case, camera, mid_hip),
        **kwargs,
    )


@cache
def _sources() -> bytes:
    """A digest of the code a simulation depends on: the simulator and the suite's draw."""
    here = Path(__file__).resolve().parent
    files = sorted((here.parent / "simulate").rglob("*.py"))
    files += [here / "suite_cases.py", Path(__file__).resolve()]
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).digest()


def cached_simulation(case: SuiteCase, folder: Path | None) -> Simulation:
    """`simulate_case`, kept in ``folder`` (None: no cache) for repeated engine runs.

    Simulating costs several times what the engine does, so someone tuning
    the engine on the tuning split can keep the frames. The file name holds
    a hash of the case and of the simulator's source, so any change to
    either simulates afresh. The truth's noise-free image is left out (the
    scoring doesn't read it). Only load a folder this function wrote.
    """
    if folder is None:
        return simulate_case(case)
    key = hashlib.sha256(repr(case).encode() + _sources()).hexdigest()[:16]
    path = Path(folder) / f"{case.case_id}-{key}.pickle"
    if path.exists():
        with path.open("rb") as f:
            return pickle.load(f)
    sim = simulate_case(case)
    slim = Simulation(sim.frames, dataclasses.replace(sim.truth, clean_image=None))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    with partial.open("wb") as f:
        pickle.dump(slim, f, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)  # never leave a half-written file under the real name
    return slim
