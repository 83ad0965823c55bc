"""`simulate`: a session of an exercise as PoseFrames, with its exact ground truth."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from formcheck.frame import PoseFrame
from formcheck.landmarks import NAMES
from formcheck.simulate.body import Body, body_named
from formcheck.simulate.camera import Camera
from formcheck.simulate.motions import Controls, Motion, motion_named
from formcheck.simulate.noise import NoiseModel
from formcheck.simulate.render import render
from formcheck.simulate.skeleton import SIDES, landmarks
from formcheck.simulate.timeline import RepPlan, plan_reps, progress_at
from formcheck.simulate.truth import TRACKED, SimTruth, Simulation
from formcheck.simulate.truth_reps import rep_truths
from formcheck.simulate.views import VIEWS, view_camera

SIDE_CHOICES = ("left", "right", "both", "alternating")
VEER_DIRECTIONS = ("out", "in")


def _check(condition: bool, name: str, expected: str, actual: object) -> None:
    if not condition:
        raise ValueError(f"{name}: expected {expected}, got {actual!r}")


def _rep_set(value: tuple[int, ...], reps: int, name: str) -> frozenset[int]:
    """1-based rep numbers; an empty tuple means every rep."""
    chosen = tuple(value)
    for i in chosen:
        _check(isinstance(i, int) and 1 <= i <= reps, name, f"rep numbers in 1..{reps}", i)
    return frozenset(chosen) if chosen else frozenset(range(1, reps + 1))


def _legs(rep_side: str) -> tuple[str, ...]:
    return SIDES if rep_side == "both" else (rep_side,)


def _controls(plan: RepPlan | None, t: float, faults: dict[str, Any], stance: str) -> Controls:
    """The motion's commands at time ``t`` (``plan`` is the rep under way, if any)."""
    if plan is None:
        return Controls(stance=stance)
    prog = float(progress_at(plan, t))
    ratio = prog / plan.peak if plan.peak > 0 else 0.0
    legs = _legs(plan.side)
    progress = {s: (prog if s in legs else 0.0) for s in SIDES}
    veer = {s: 0.0 for s in SIDES}
    if plan.index in faults["veer_reps"]:
        # Drifts more the further out: a smooth bump peaking at full extension.
        for s in legs:
            veer[s] = faults["veer_m"] * ratio**2
    shift = faults["shift_m"] * ratio if plan.index in faults["shift_reps"] else 0.0
    roll = faults["roll_deg"] * ratio if plan.index in faults["roll_reps"] else 0.0
    return Controls(
        progress=progress, veer=veer, pelvis_shift=shift, pelvis_roll=roll, stance=stance
    )


def simulate(
    exercise: str,
    *,
    reps: int = 5,
    side: str = "left",
    view: str = "side",
    fps: float = 30.0,
    width: int = 640,
    height: int = 480,
    tempo: float = 4.0,
    pause: float = 0.5,
    lead_in: float = 1.5,
    lead_out: float = 1.0,
    range_frac: float = 1.0,
    partial_reps: tuple[int, ...] = (),
    partial_frac: float = 0.45,
    hold_s: float | None = None,
    veer_cm: float = 0.0,
    veer_direction: str = "out",
    veer_reps: tuple[int, ...] = (),
    pelvis_shift_cm: float = 0.0,
    pelvis_shift_reps: tuple[int, ...] = (),
    pelvis_roll_deg: float = 0.0,
    pelvis_roll_reps: tuple[int, ...] = (),
    jitter: float = 1.0,
    drop_frames: float = 0.0,
    gaps: tuple[tuple[float, float], ...] = (),
    body: str | Body = "average_female",
    seed: int = 0,
    camera: Camera | None = None,
    camera_side: str | None = None,
    hfov_deg: float = 60.0,
    noise: NoiseModel | None = None,
) -> Simulation:
    """Simulate ``reps`` reps of ``exercise`` filmed from ``view``; return frames and truth.

    Timing: ``lead_in`` s still, then each rep takes ``tempo`` s (plus
    ``hold_s`` held at the far end) with ``pause`` s between reps, then
    ``lead_out`` s still. Reps listed in ``partial_reps`` (1-based) turn back
    at ``partial_frac`` of the range. Faults are injected on the listed reps
    (an empty list means every rep): ``veer_cm`` moves the heel sideways
    (``"out"`` away from the midline), ``pelvis_shift_cm`` moves the pelvis
    toward the body's left (negative: right), ``pelvis_roll_deg`` lifts the
    left hip (negative: the right). ``jitter`` scales MediaPipe-calibrated
    noise (0: exact); ``drop_frames`` is the fraction of frames replaced by
    no-pose frames, ``gaps`` adds ``(start, end)`` second spans of them.
    ``camera`` overrides ``view``; ``camera_side`` ("left"/"right") picks
    which side of the body a side view films from.

    >>> sim = simulate("heel_slide", reps=2, jitter=0.0)
    >>> [(r.index, r.side, r.status) for r in sim.truth.reps]
    [(1, 'left', 'full'), (2, 'left', 'full')]
    >>> len(sim.frames) == len(sim.truth.times), sim.frames[0].has_pose
    (True, True)
    """
    params = dict(locals())
    params["body"] = body.name if isinstance(body, Body) else body
    params["camera"] = None if camera is None else camera.to_dict()
    params.pop("noise")
    motion = motion_named(exercise)
    _check(isinstance(reps, int) and reps >= 1, "reps", "an integer >= 1", reps)
    _check(side in SIDE_CHOICES, "side", f"one of {', '.join(SIDE_CHOICES)}", side)
    _check(camera is not None or view in VIEWS, "view", f"one of {', '.join(VIEWS)}", view)
    _check(fps > 0 and math.isfinite(fps), "fps", "a positive number", fps)
    for name in ("tempo", "pause", "lead_in", "lead_out"):
        value = params[name]
        _check(value >= 0 and math.isfinite(value), name, "seconds >= 0", value)
    _check(tempo > 2 / fps, "tempo", f"more than two frames ({2 / fps:.3f} s)", tempo)
    _check(0 < range_frac <= 1, "range_frac", "a fraction in (0, 1]", range_frac)
    _check(0 < partial_frac < 1, "partial_frac", "a fraction in (0, 1)", partial_frac)
    _check(veer_direction in VEER_DIRECTIONS, "veer_direction", "'out' or 'in'", veer_direction)
    _check(veer_cm >= 0, "veer_cm", "centimetres >= 0 (use veer_direction)", veer_cm)
    _check(jitter >= 0, "jitter", "a multiplier >= 0", jitter)
    _check(0 <= drop_frames < 1, "drop_frames", "a fraction in [0, 1)", drop_frames)
    _check(
        camera_side in (None, "left", "right"),
        "camera_side",
        "None, 'left' or 'right'",
        camera_side,
    )
    for fault, size in (
        ("veer", veer_cm),
        ("pelvis_shift", pelvis_shift_cm),
        ("pelvis_roll", pelvis_roll_deg),
    ):
        _check(
            size == 0 or fault in motion.faults,
            f"{fault} ({exercise})",
            f"0: {exercise} shows only {', '.join(sorted(motion.faults)) or 'no faults'}",
            size,
        )
    partial = _rep_set(partial_reps, reps, "partial_reps") if partial_reps else frozenset()
    if hold_s is None and motion.kind == "hold":
        hold_s = motion.default_hold
    _check(hold_s is None or hold_s >= 0, "hold_s", "seconds >= 0 or None", hold_s)
    person = body_named(body)

    plans = plan_reps(
        motion.rep_sides(side, reps),
        lead_in=lead_in,
        tempo=tempo,
        pause=pause,
        hold_s=hold_s,
        range_frac=range_frac,
        partial_reps=tuple(partial),
        partial_frac=partial_frac,
        fps=fps,
    )
    faults = {
        "veer_m": veer_cm / 100 * (1 if veer_direction == "out" else -1),
        "veer_reps": _rep_set(veer_reps, reps, "veer_reps") if veer_cm else frozenset(),
        "shift_m": pelvis_shift_cm / 100,
        "shift_reps": _rep_set(pelvis_shift_reps, reps, "pelvis_shift_reps"),
        "roll_deg": pelvis_roll_deg,
        "roll_reps": _rep_set(pelvis_roll_reps, reps, "pelvis_roll_reps"),
    }
    n = round(plans[-1].end * fps) + round(lead_out * fps) + 1
    times = np.arange(n) / fps
    active = _active_plans(plans, times)

    points = np.empty((n, len(NAMES), 3))
    pelvis, nominal_pelvis, left_axes = [], [], []
    stance = side if side in SIDES else "left"
    rest = None  # between reps the body is still: build that posture once
    for k, t in enumerate(times):
        c = _controls(active[k], float(t), faults, stance)
        if active[k] is None:
            rest = rest or motion.posture(person, c)
            p = rest
        else:
            p = motion.posture(person, c)
        points[k] = landmarks(person, p)
        left_axes.append(
            {"pelvis": p.pelvis_axes[:, 0], "trunk": p.trunk_axes[:, 0], "head": p.head_axes[:, 0]}
        )
        pelvis.append((p.pelvis, p.pelvis_axes))
        faulted = c.pelvis_shift or c.pelvis_roll
        q = motion.posture(person, c.nominal()) if faulted else p
        nominal_pelvis.append((q.pelvis, q.pelvis_axes))

    if camera is None:
        cam_side = motion.camera_side(camera_side or side)
        camera = view_camera(
            view,
            points,
            motion.preset,
            camera_side=cam_side,
            width=width,
            height=height,
            hfov_deg=hfov_deg,
        )
    if noise is None:
        # MediaPipe's error depends on where the camera is (docs/simulator.md).
        noise = NoiseModel.for_view(view if params["camera"] is None else "custom")
    rng = np.random.default_rng(seed)
    shown = render(points, left_axes, camera, fps=fps, jitter=jitter, rng=rng, noise=noise)
    dropped = _dropped(times, drop_frames, gaps, np.random.default_rng([seed, 1]))

    frames = tuple(
        PoseFrame.empty(float(t), camera.width, camera.height)
        if k in dropped
        else PoseFrame(float(t), camera.width, camera.height, shown.image[k], shown.world[k])
        for k, t in enumerate(times)
    )
    angles = _angles(motion, person, points)
    truth = SimTruth(
        exercise=exercise,
        params=params,
        fps=float(fps),
        reps=rep_truths(
            plans, motion, times, points, pelvis, nominal_pelvis, angles, faults, veer_direction
        ),
        holds=tuple(p.hold for p in plans if p.hold),
        times=times,
        angles=angles,
        driver=_driver_series(motion, plans, active, angles, times),
        driver_name=_unsided(motion.driver(plans[0].side)),
        image={name: shown.clean[:, NAMES.index(name), :2] for name in TRACKED},
        dropped=tuple(sorted(dropped)),
        camera={**camera.to_dict(), "view": view if params["camera"] is None else "custom"},
        clean=points,
        clean_image=shown.clean,
    )
    return Simulation(frames=frames, truth=truth)


def _unsided(key: str) -> str:
    """``left_knee`` -> ``knee``; keys without a side are returned as they are."""
    for prefix in ("left_", "right_"):
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


def _active_plans(plans: list[RepPlan], times: np.ndarray) -> list[RepPlan | None]:
    """The rep under way at each frame time (None between reps)."""
    out: list[RepPlan | None] = [None] * len(times)
    for plan in plans:
        for k in np.flatnonzero((times >= plan.start) & (times <= plan.end)):
            out[k] = plan
    return out


def _dropped(
    times: np.ndarray,
    fraction: float,
    gaps: tuple[tuple[float, float], ...],
    rng: np.random.Generator,
) -> set[int]:
    for gap in gaps:
        _check(
            len(gap) == 2 and gap[0] < gap[1], "gaps", "(start, end) pairs with start < end", gap
        )
    chosen = set(rng.choice(len(times), size=round(fraction * len(times)), replace=False).tolist())
    for start, end in gaps:
        chosen.update(np.flatnonzero((times >= start) & (times < end)).tolist())
    return chosen


def _angles(motion: Motion, body: Body, points: np.ndarray) -> dict[str, np.ndarray]:
    rows = [motion.measures(body, pts) for pts in points]
    return {key: np.array([r[key] for r in rows]) for key in rows[0]}


def _driver_series(
    motion: Motion,
    plans: list[RepPlan],
    active: list[RepPlan | None],
    angles: dict[str, np.ndarray],
    times: np.ndarray,
) -> np.ndarray:
    """The driving angle of the rep under way, or of the next rep (the last after the end)."""
    out = np.empty(len(times))
    for k, t in enumerate(times):
        plan = active[k] or next((p for p in plans if p.start >= t), plans[-1])
        out[k] = angles[motion.driver(plan.side)][k]
    return out
