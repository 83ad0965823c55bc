"""The motion: timeline of reps, analytic leg IK, pelvis faults, glute bridge.

Pure numpy; no bpy. The world frame is the room's, in metres:

* +Z up; the mat's top surface is at ``z = mat_top``;
* the person lies on the back along the Y axis, head towards +Y, feet towards -Y;
* +X is the person's left; the hip joints' midpoint starts at ``x = y = 0``.

The pose of a frame is a set of rigid "segment" transforms (4x4, world, applied
to the rest pose lying flat). Bones not named inherit their parent's transform.

>>> ease(0.0), round(ease(0.5), 6), ease(1.0)
(0.0, 0.5, 1.0)
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

LEGS = ("left", "right")
SIDE_SIGN = {"left": 1.0, "right": -1.0}  # +X is the person's left
SUFFIX = {"left": ".L", "right": ".R"}

HEEL_RADIUS = 0.035  # the heel is modelled as a ball of this radius rolling on the mat
KNEE_START_DEG = {"heel_slide": 95.0, "glute_bridge": 80.0}  # interior knee angle, bent
KNEE_END_DEG = 176.0  # interior knee angle at a full heel slide (straight leg)
FOOT_FLEX_END_DEG = 75.0  # toes-up angle of the foot at full extension (0 = sole on mat)
BRIDGE_HIP_LIFT = 0.20  # metres the hip joints rise at a full glute bridge
ARM_ABDUCTION_DEG = 14.0  # arms rest on the mat beside the body


def ease(u: float) -> float:
    """Smooth 0 -> 1 (cosine), clamped.

    >>> round(ease(0.25), 4)
    0.1464
    """
    u = min(max(u, 0.0), 1.0)
    return float(0.5 - 0.5 * math.cos(math.pi * u))


def translate(v) -> np.ndarray:
    m = np.eye(4)
    m[:3, 3] = v
    return m


def rot_x(a: float) -> np.ndarray:
    c, s = math.cos(a), math.sin(a)
    m = np.eye(4)
    m[1:3, 1:3] = [[c, -s], [s, c]]
    return m


def rot_y(a: float) -> np.ndarray:
    c, s = math.cos(a), math.sin(a)
    m = np.eye(4)
    m[0, 0], m[0, 2], m[2, 0], m[2, 2] = c, s, -s, c
    return m


def about(rot: np.ndarray, pivot) -> np.ndarray:
    """A rotation (4x4) about a pivot point."""
    return translate(pivot) @ rot @ translate(-np.asarray(pivot, dtype=float))


def apply(m: np.ndarray, p) -> np.ndarray:
    return m[:3, :3] @ np.asarray(p, dtype=float) + m[:3, 3]


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v)
    if n < 1e-12:
        raise ValueError(f"cannot normalise a zero vector {v}")
    return v / n


def _rotation_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The smallest rotation (3x3) taking unit vector a onto unit vector b."""
    a, b = _unit(a), _unit(b)
    v = np.cross(a, b)
    c = float(np.dot(a, b))
    k = np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])
    return np.eye(3) + k + k @ k / (1.0 + c)


def two_bone_ik(hip, target, l1: float, l2: float, pole) -> tuple[np.ndarray, np.ndarray]:
    """Knee and reached ankle for a hip, an ankle target, bone lengths and a pole.

    The knee lies in the plane of hip, target and pole, on the pole's side.
    A target beyond reach is pulled in to a straight leg.

    >>> k, a = two_bone_ik([0, 0, 0], [0, -1.0, 0], 0.6, 0.6, [0, 0, 1])
    >>> [round(float(x), 3) for x in k], [round(float(x), 3) for x in a]
    ([0.0, -0.5, 0.332], [0.0, -1.0, 0.0])
    """
    hip, target, pole = (np.asarray(x, dtype=float) for x in (hip, target, pole))
    d_vec = target - hip
    d = float(np.linalg.norm(d_vec))
    u = _unit(d_vec)
    d = min(max(d, abs(l1 - l2) + 1e-6), l1 + l2 - 1e-9)
    cos_a = (l1 * l1 + d * d - l2 * l2) / (2 * l1 * d)
    sin_a = math.sqrt(max(0.0, 1 - cos_a * cos_a))
    p = _unit(pole - np.dot(pole, u) * u)
    knee = hip + l1 * (cos_a * u + sin_a * p)
    return knee, hip + d * u


def _segment_frame(direction: np.ndarray, hinge: np.ndarray) -> np.ndarray:
    y = _unit(direction)
    x = _unit(hinge - np.dot(hinge, y) * y)
    return np.column_stack([x, y, np.cross(x, y)])


def knee_angle_deg(hip, knee, ankle) -> float:
    """Interior angle at the knee in degrees (180 = straight)."""
    a = _unit(np.asarray(hip, float) - knee)
    b = _unit(np.asarray(ankle, float) - knee)
    return math.degrees(math.acos(max(-1.0, min(1.0, float(np.dot(a, b))))))


@dataclasses.dataclass(frozen=True)
class Leg:
    """Rest-pose (lying flat) points of one leg, world frame."""

    hip: np.ndarray
    knee: np.ndarray
    ankle: np.ndarray
    heel_ball: np.ndarray  # centre of the heel ball
    heel: np.ndarray  # back of the heel (the landmark)
    toe: np.ndarray  # tip of the foot (the landmark "foot_index")

    @property
    def l1(self) -> float:
        return float(np.linalg.norm(self.knee - self.hip))

    @property
    def l2(self) -> float:
        return float(np.linalg.norm(self.ankle - self.knee))


@dataclasses.dataclass(frozen=True)
class Skeleton:
    """What the motion needs from a body lying flat: world-frame rest points."""

    lie: np.ndarray  # 4x4: standing rig frame -> world, flat on the back
    legs: dict[str, Leg]
    shoulders: dict[str, np.ndarray]
    wrists: dict[str, np.ndarray]
    bridge_pivot: np.ndarray  # under the upper back, on the mat
    mat_top: float

    @property
    def pelvis_centre(self) -> np.ndarray:
        return 0.5 * (self.legs["left"].hip + self.legs["right"].hip)


def foot_rotation(toes_up_deg: float) -> np.ndarray:
    """World rotation (4x4) of the foot from its rest (lying, toes straight up).

    0 deg = sole flat on the mat, toes away from the head; 90 deg = toes up.
    """
    return rot_x(math.radians(90.0 - toes_up_deg))


def _ankle_for_heel(leg: Leg, heel_ball, toes_up_deg: float) -> np.ndarray:
    rot = foot_rotation(toes_up_deg)
    return np.asarray(heel_ball, float) + rot[:3, :3] @ (leg.ankle - leg.heel_ball)


def heel_y_for_knee(leg: Leg, hip, heel_x: float, knee_deg: float, toes_up_deg: float, mat_top):
    """Heel-ball Y that puts the interior knee angle at knee_deg, heel on the mat."""
    d = math.sqrt(leg.l1**2 + leg.l2**2 - 2 * leg.l1 * leg.l2 * math.cos(math.radians(knee_deg)))
    ball = np.array([heel_x, 0.0, mat_top + HEEL_RADIUS])
    off = _ankle_for_heel(leg, ball, toes_up_deg) - ball  # ankle relative to the ball
    ax, az = heel_x + off[0], mat_top + HEEL_RADIUS + off[2]
    dy = math.sqrt(max(d * d - (ax - hip[0]) ** 2 - (az - hip[2]) ** 2, 0.0))
    return float(hip[1] - dy - off[1])


# ---------------------------------------------------------------- timeline


@dataclasses.dataclass(frozen=True)
class Rep:
    """One rep on the timeline (seconds). ``reach`` is the fraction of full range."""

    index: int  # 1-based
    start: float
    turn: float  # reaches its furthest point
    turn_end: float  # leaves its furthest point
    end: float
    reach: float
    veer_cm: float = 0.0  # + away from the midline ("out"), - towards it ("in")
    shift_cm: float = 0.0  # pelvis shift, + towards the working leg's side
    roll_deg: float = 0.0  # pelvis roll, + lifts the working leg's side
    lift_cm: float = 0.0  # pelvis lift straight up off the mat (a hip hike, a bridge)

    def progress(self, t: float) -> float:
        """0 at rest, 1 at the furthest point of this rep (before scaling by reach)."""
        if t <= self.start or t >= self.end:
            return 0.0
        if t < self.turn:
            return ease((t - self.start) / (self.turn - self.start))
        if t <= self.turn_end:
            return 1.0
        return 1.0 - ease((t - self.turn_end) / (self.end - self.turn_end))


def build_timeline(
    reps: int,
    lead_in: float,
    out_s: float,
    hold_s: float,
    back_s: float,
    rest_s: float,
    reach: dict[int, float],
    veer: dict[int, float],
    shift: dict[int, float],
    roll: dict[int, float],
    jitter: float,
    rng: np.random.Generator,
    pauses: dict[int, float] | None = None,
    lift: dict[int, float] | None = None,
) -> list[Rep]:
    """Lay reps end to end after the lead-in. ``pauses`` adds seconds of rest after a rep.

    A partial rep moves at the same speed, so its out and back phases are
    shortened in proportion to its reach (but not below 40 %).

    >>> tl = build_timeline(2, 1.0, 1.0, 0.5, 1.0, 0.5, {2: 0.5}, {}, {}, {}, 0.0,
    ...                     np.random.default_rng(0))
    >>> [(r.index, r.start, r.end, r.reach) for r in tl]
    [(1, 1.0, 3.5, 1.0), (2, 4.0, 5.5, 0.5)]
    """
    out: list[Rep] = []
    t = lead_in
    pauses = pauses or {}
    lift = lift or {}
    for i in range(1, reps + 1):
        k = 1.0 + (rng.uniform(-jitter, jitter) if jitter else 0.0)
        r = reach.get(i, 1.0)
        t_out, t_hold, t_back = out_s * k * max(r, 0.4), hold_s * k, back_s * k * max(r, 0.4)
        rep = Rep(
            i,
            round(t, 4),
            round(t + t_out, 4),
            round(t + t_out + t_hold, 4),
            round(t + t_out + t_hold + t_back, 4),
            r,
            veer.get(i, 0.0),
            shift.get(i, 0.0),
            roll.get(i, 0.0),
            lift.get(i, 0.0),
        )
        out.append(rep)
        t = rep.end + rest_s * k + pauses.get(i, 0.0)
    return out


def timeline_end(reps: list[Rep], rest_s: float) -> float:
    return (reps[-1].end if reps else 0.0) + max(rest_s, 0.5)


# ---------------------------------------------------------------- the pose


@dataclasses.dataclass(frozen=True)
class Pose:
    """Segment transforms (world 4x4, from rest-lying) and the landmark points."""

    segments: dict[str, np.ndarray]  # segment name -> transform
    points: dict[str, np.ndarray]  # MediaPipe-style landmark name -> world xyz
    knee_deg: dict[str, float]


def _pelvis_transform(
    skel: Skeleton, leg: str, shift_m: float, roll_deg: float, lift_m: float = 0.0
) -> np.ndarray:
    sign = SIDE_SIGN[leg]
    # rot_y(+a) lowers +X; a positive roll lifts the working leg's side.
    roll = about(rot_y(-sign * math.radians(roll_deg)), skel.pelvis_centre)
    return translate([sign * shift_m, 0.0, lift_m]) @ roll


def _leg_segments(leg: Leg, hip_t, heel_ball_t, toes_up: float, pole) -> dict[str, np.ndarray]:
    foot_rot = foot_rotation(toes_up)
    foot = translate(heel_ball_t) @ foot_rot @ translate(-leg.heel_ball)
    ankle_target = apply(foot, leg.ankle)
    knee_t, ankle_t = two_bone_ik(hip_t, ankle_target, leg.l1, leg.l2, pole)
    if np.linalg.norm(ankle_t - ankle_target) > 1e-4:
        raise ValueError(
            f"heel target out of reach by {np.linalg.norm(ankle_t - ankle_target):.4f} m"
        )
    hinge_rest = np.array([1.0, 0.0, 0.0])
    hinge_t = _unit(
        np.cross(
            pole - np.dot(pole, _unit(ankle_t - hip_t)) * _unit(ankle_t - hip_t),
            _unit(ankle_t - hip_t),
        )
    )
    # rest frames: hinge is +X (the knee bends about the body's left-right axis)
    segs = {}
    for name, (p0, p1, q0, q1) in {
        "thigh": (leg.hip, leg.knee, hip_t, knee_t),
        "shin": (leg.knee, leg.ankle, knee_t, ankle_t),
    }.items():
        r = _segment_frame(q1 - q0, hinge_t) @ _segment_frame(p1 - p0, hinge_rest).T
        m = np.eye(4)
        m[:3, :3] = r
        segs[name] = translate(q0) @ m @ translate(-p0)
    segs["foot"] = foot
    return segs


def pose_at(
    skel: Skeleton,
    exercise: str,
    leg: str,
    reps: list[Rep],
    t: float,
) -> Pose:
    """The pose at time t: working leg (or both, for the bridge) from the timeline."""
    rep = next((r for r in reps if r.start <= t <= r.end), None)
    p = rep.progress(t) if rep else 0.0
    reach = rep.reach if rep else 1.0
    segments: dict[str, np.ndarray] = {}
    pelvis = np.eye(4)
    torso = np.eye(4)
    if exercise == "heel_slide":
        if rep:
            pelvis = _pelvis_transform(
                skel, leg, rep.shift_cm / 100 * p, rep.roll_deg * p, rep.lift_cm / 100 * p
            )
    elif exercise == "glute_bridge":
        # rotate pelvis and lower trunk about a line under the upper back
        dist = float(np.linalg.norm((skel.pelvis_centre - skel.bridge_pivot)[1:]))
        beta = math.asin(min(BRIDGE_HIP_LIFT / dist, 0.9)) * p * reach
        torso = about(rot_x(-beta), skel.bridge_pivot)
        pelvis = torso
    else:
        raise ValueError(f"unknown exercise {exercise!r}; expected heel_slide or glute_bridge")
    segments["pelvis"] = pelvis
    segments["lower_trunk"] = torso

    points: dict[str, np.ndarray] = {}
    knee_deg: dict[str, float] = {}
    for side in LEGS:
        lg = skel.legs[side]
        sign = SIDE_SIGN[side]
        hip_t = apply(pelvis, lg.hip)
        base_x = lg.hip[0]
        start_knee = KNEE_START_DEG["glute_bridge" if exercise == "glute_bridge" else "heel_slide"]
        y0 = heel_y_for_knee(lg, lg.hip, base_x, start_knee, 0.0, skel.mat_top)
        toes_up = 0.0
        heel_x, heel_y = base_x, y0
        if exercise == "heel_slide" and side == leg and rep:
            # Aim the end of the path so the knee is just short of straight with the
            # rep's faults at their peak (veer and pelvis move the heel-to-hip distance).
            hip_peak = apply(
                _pelvis_transform(skel, leg, rep.shift_cm / 100, rep.roll_deg, rep.lift_cm / 100),
                lg.hip,
            )
            x1 = base_x + sign * rep.veer_cm / 100
            y1 = heel_y_for_knee(lg, hip_peak, x1, KNEE_END_DEG, FOOT_FLEX_END_DEG, skel.mat_top)
            s = p * reach
            heel_y = y0 + s * (y1 - y0)
            toes_up = s * FOOT_FLEX_END_DEG
            heel_x = base_x + (x1 - base_x) * p
        ball = np.array([heel_x, heel_y, skel.mat_top + HEEL_RADIUS])
        pole = np.array([sign * 0.12, 0.0, 1.0])
        segs = _leg_segments(lg, hip_t, ball, toes_up, pole)
        for k, v in segs.items():
            segments[f"{k}_{side}"] = v
        hip_p = hip_t
        knee_p = apply(segs["shin"], lg.knee)
        ankle_p = apply(segs["foot"], lg.ankle)
        points[f"{side}_hip"] = hip_p
        points[f"{side}_knee"] = knee_p
        points[f"{side}_ankle"] = ankle_p
        points[f"{side}_heel"] = apply(segs["foot"], lg.heel)
        points[f"{side}_foot_index"] = apply(segs["foot"], lg.toe)
        points[f"{side}_shoulder"] = skel.shoulders[side].copy()
        knee_deg[side] = knee_angle_deg(hip_p, knee_p, ankle_p)
    return Pose(segments, points, knee_deg)


def arm_transform(skel: Skeleton, side: str) -> np.ndarray:
    """Rotate a rest (A-pose) arm about the shoulder to lie on the mat beside the body."""
    sign = SIDE_SIGN[side]
    s, w = skel.shoulders[side], skel.wrists[side]
    a = math.radians(ARM_ABDUCTION_DEG)
    drop = (s[2] - (skel.mat_top + 0.035)) / np.linalg.norm(w - s)
    target = _unit(np.array([sign * math.sin(a), -math.cos(a), -drop]))
    m = np.eye(4)
    m[:3, :3] = _rotation_between(w - s, target)
    return translate(s) @ m @ translate(-s)
