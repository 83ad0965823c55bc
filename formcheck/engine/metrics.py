"""Metric evaluators: one per metric kind of the spec registry, compiled per side.

`compile_metric(spec, side)` resolves the spec's landmark references for a
working side once; the result's ``value(pose, ref, cal)`` is then a few
array reads and float operations per frame. ``ref`` is the pose at the start
of the rep (only displacement metrics read it). ``needs`` lists the landmark
indices that must be seen for the value to count (visibility gating).

Angles come from world landmarks when the source has them (they are metric
and view-independent), else from pixels with the image landmarks' own depth
where they carry one (`_depth_space`), else from pixels alone; ``space =
"auto"`` reads pixels in the views that show the bend (`PIXEL_VIEWS`).
Image-space displacements are scaled to cm with the calibrated image scale at
the pelvis.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from formcheck.engine.geometry import (
    angle_at,
    angle_between,
    body_axes,
    coords,
    minus,
    pair,
    point,
    rotation_2d,
)
from formcheck.engine.signal import Pose, seen_mask
from formcheck.engine.view import Calibration
from formcheck.specs.kinds import BODY_LENGTHS
from formcheck.specs.model import MetricSpec, Spec

Value = Callable[[Pose, Pose | None, Calibration], float]

#: The views where a ``space = "auto"`` angle is read from pixels: where the image
#: shows the limb's bend. MediaPipe's depth is its weakest output: on the 21 rendered
#: tuning clips filmed from a corner, a straight knee's world angle read 22-29 degrees
#: short (median per set) and its pixel angle 1-10 short. From a tripod beyond the feet
#: (read as ``overhead``) pixels read the straight knee truly too, but a camera straight
#: overhead sees a heel slide's knee rise towards it, its pixel angle near straight
#: throughout, and counting on world angles did better there once the rep counter
#: learnt the person's own levels; from a low camera beyond the feet the leg is edge-on.
PIXEL_VIEWS = ("side", "oblique")


def reads_depth(spec: MetricSpec, view: str) -> bool:
    """True when ``spec`` is an angle the spec reads from world landmarks in ``view``:
    without them it is read in the image, foreshortened by the view, and its numbers
    are not the spec's (a push-up's elbow bent to 75 degrees read 105-120 in pixels
    from the side; a squat's knee, from the front, barely bends in the image).

    >>> knee = MetricSpec("knee", "joint_angle", "deg", (0, 180), (("space", "auto"),))
    >>> reads_depth(knee, "side"), reads_depth(knee, "end_on")
    (False, True)
    """
    if spec.kind == "segment_angle":
        return spec.arg("against") == "body_axis"
    if spec.kind != "joint_angle":
        return False
    space = spec.arg("space", "world")
    return space == "world" or (space == "auto" and view not in PIXEL_VIEWS)


def depth_missing(spec: Spec, metric: str | None, view: str, has_world: bool) -> bool:
    """True when ``spec``'s ``metric`` is an angle read in depth in ``view`` (`reads_depth`)
    and the landmarks have no world landmarks (``has_world`` False): its number is then
    the image's (with the image's rough depth at best, `_depth_space`), not the body's."""
    return not has_world and metric is not None and reads_depth(spec.metric(metric), view)


class Metric:
    """A compiled metric: `evaluate` gives its value, NaN when it can't be seen.

    ``needs`` are the landmark indices it reads. A midpoint (``mid_knee``)
    whose one side is hidden (the far knee, from the side) falls back to the
    side that is seen, so bilateral metrics keep working in a side view.
    """

    def __init__(
        self,
        name: str,
        side: str,
        needs: set[int],
        value: Value,
        mids: tuple[tuple[int, int], ...] = (),
        reads_ref: bool = True,
    ) -> None:
        self.name, self.side = name, side
        self.reads_ref = reads_ref
        self.needs = np.array(sorted(needs), dtype=np.int64)
        self.value = value
        self.mids = mids
        self._memo: tuple[Pose | None, float] = (None, math.nan)
        self.mask = seen_mask(needs)
        mid = {i for pair in mids for i in pair}
        self.plain = np.array(sorted(needs - mid), dtype=np.int64)

    def seen(self, pose: Pose) -> bool:
        """True when every landmark it needs is seen in ``pose`` (no fallback needed)."""
        return pose.bits & self.mask == self.mask

    def evaluate(self, pose: Pose, ref: Pose | None, cal: Calibration) -> float:
        """The value in ``pose`` (``ref``: the rep's start pose), or NaN if not seen.

        Metrics that don't read ``ref`` (all but displacements) remember their
        last pose's value, so a driver that a range check also reads is
        computed once a frame.
        """
        if not self.reads_ref:
            ref = None
            if self._memo[0] is pose:
                return self._memo[1]
        # The usual case first: everything it reads is seen.
        if pose.bits & self.mask == self.mask:
            value = self.value(pose, ref, cal)
        else:
            value = self._evaluate(pose, ref, cal)
        if ref is None:
            self._memo = (pose, value)
        return value

    def _evaluate(self, pose: Pose, ref: Pose | None, cal: Calibration) -> float:
        if pose.bits & self.mask == self.mask:
            return self.value(pose, ref, cal)
        seen = pose.seen
        if not self.mids or not seen[self.plain].all():
            return math.nan
        swaps = []
        for i, j in self.mids:
            if seen[i] and seen[j]:
                continue
            if not (seen[i] or seen[j]):
                return math.nan
            swaps.append((j, i) if seen[i] else (i, j))  # (hidden, shown)
        return self.value(_swap(pose, swaps), _swap(ref, swaps) if ref else None, cal)


class BothSides(Metric):
    """A templated metric on both sides at once: the mean of the side(s) that are seen."""

    def __init__(self, name: str, left: Metric, right: Metric) -> None:
        needs = {*left.needs.tolist(), *right.needs.tolist()}
        super().__init__(
            name, "both", needs, self._evaluate, reads_ref=left.reads_ref or right.reads_ref
        )
        self.left, self.right = left, right

    def _evaluate(self, pose: Pose, ref: Pose | None, cal: Calibration) -> float:
        a, b = self.left.evaluate(pose, ref, cal), self.right.evaluate(pose, ref, cal)
        if a != a:
            return b
        return a if b != b else 0.5 * (a + b)


def _swap(pose: Pose, swaps: list[tuple[int, int]]) -> Pose:
    """``pose`` with each hidden landmark replaced by its seen partner."""
    px = pose.px.copy()
    world = pose.world.copy() if pose.world is not None else None
    depth = pose.px_depth.copy() if pose.px_depth is not None else None
    for hidden, shown in swaps:
        px[hidden] = px[shown]
        for array in (world, depth):
            if array is not None:
                array[hidden] = array[shown]
    return Pose(t=pose.t, px=px, world=world, seen=pose.seen, px_depth=depth)


def _pairs(refs: tuple[str, ...], side: str) -> tuple[list[tuple[int, int]], set[int]]:
    pairs = [pair(r, side) for r in refs]
    return pairs, {i for p in pairs for i in p}


def _space(pose: Pose) -> np.ndarray:
    return pose.world if pose.world is not None else pose.px


def reads_image_depth(view: str, image_depth: bool) -> bool:
    """True when, with no world landmarks, an angle read in depth is read with the image
    landmarks' own depth (``image_depth``: they carry one, `Pose.px_depth`): outside the
    views that show the bend (`PIXEL_VIEWS`), where x and y alone foreshorten it.

    From the side and the corners x and y read the bend, and MediaPipe's z, its
    noisiest output, would only add noise. (Even where it is used, the real model's z
    is no sure gain: on the rendered heel slides' tuning clips filmed from beyond the
    feet, it counted 5 clips exactly that x and y alone missed, and missed 4 that they
    counted.) On the suite's tuning splits, read with the image's depth from the side
    too, 297 and 290 sequences were exact (seeds 13 and 31), against 297 and 293.

    >>> reads_image_depth("end_on", True), reads_image_depth("side", True)
    (True, False)
    >>> reads_image_depth("end_on", False)
    False
    """
    return image_depth and view not in PIXEL_VIEWS


def _depth_space(pose: Pose, view: str) -> np.ndarray:
    """Where an angle read in depth is read: the world landmarks; without them, the
    pixels with the image landmarks' own depth where `reads_image_depth`; else the
    pixels alone.

    On the suite's tuning split without world landmarks, the image's depth counted
    heel slides, squats and sit-ups filmed from beyond the feet or the front that x and
    y alone could not: exact counts went from 259 to 297 of 336 sequences (seed 13)
    and from 236 to 293 of 335 (seed 31).
    """
    if pose.world is not None:
        return pose.world
    if reads_image_depth(view, pose.px_depth is not None):
        return pose.px_depth
    return pose.px


def _joint_angle(spec: MetricSpec, side: str) -> tuple[set[int], Value]:
    (a, b, c), needs = _pairs(spec.arg("points"), side)
    space = spec.arg("space", "world")

    plain = a[0] == a[1] and b[0] == b[1] and c[0] == c[1]

    def value(pose: Pose, ref: Pose | None, cal: Calibration) -> float:
        pixels = space == "image" or (space == "auto" and cal.view in PIXEL_VIEWS)
        P = pose.px if pixels else _depth_space(pose, cal.view)
        if plain:  # three landmarks, no midpoints: read their rows directly
            return angle_at(P[a[0]].tolist(), P[b[0]].tolist(), P[c[0]].tolist())
        return angle_at(coords(P, a), coords(P, b), coords(P, c))

    return needs, value


def _segment_angle(spec: MetricSpec, side: str) -> tuple[set[int], Value]:
    (a, b), needs = _pairs(spec.arg("points"), side)
    against = spec.arg("against")
    if against == "body_axis":
        (hip, sho), more = _pairs(("mid_hip", "mid_shoulder"), side)

        def value(pose: Pose, ref: Pose | None, cal: Calibration) -> float:
            P = _depth_space(pose, cal.view)
            return angle_between(point(P, b) - point(P, a), point(P, sho) - point(P, hip))

        return needs | more, value
    axis = np.array([1.0, 0.0]) if against == "floor" else np.array([0.0, 1.0])

    def folded(pose: Pose, ref: Pose | None, cal: Calibration) -> float:
        angle = angle_between(point(pose.px, b) - point(pose.px, a), axis)
        return min(angle, 180.0 - angle)  # the same whichever way the body faces

    return needs, folded


def _body_length(per: str, side: str) -> tuple[tuple[int, int], tuple[int, int], set[int]]:
    (p, q), needs = _pairs(BODY_LENGTHS[per], side)
    return p, q, needs


def _distance(spec: MetricSpec, side: str) -> tuple[set[int], Value]:
    (a, b), needs = _pairs(spec.arg("points"), side)
    p, q, more = _body_length(spec.arg("per"), side)

    def value(pose: Pose, ref: Pose | None, cal: Calibration) -> float:
        P = _space(pose)
        d = point(P, a) - point(P, b)
        n = point(P, p) - point(P, q)
        length = math.sqrt(float(n @ n))
        return math.sqrt(float(d @ d)) / length if length > 1e-9 else math.nan

    return needs | more, value


def _body_position(spec: MetricSpec, side: str) -> tuple[set[int], Value]:
    (pt, origin), needs = _pairs((spec.arg("point"), spec.arg("origin")), side)
    (lh, rh, ms), more = _pairs(("left_hip", "right_hip", "mid_shoulder"), side)
    lateral = spec.arg("axis") == "lateral"
    toward = spec.arg("toward").replace("{side}", side)
    toward = toward.replace("{other}", {"left": "right", "right": "left"}.get(side, side))
    sign = -1.0 if toward == "right" else 1.0  # the lateral axis points to the body's left
    per = spec.arg("per")

    def value(pose: Pose, ref: Pose | None, cal: Calibration) -> float:
        world = pose.world is not None
        P = pose.world if world else pose.px
        axes = body_axes(point(P, lh), point(P, rh), point(P, ms))
        d = float((point(P, pt) - point(P, origin)) @ axes[0 if lateral else 1])
        cm = d * 100.0 if world else d / cal.px_per_cm
        cm *= sign if lateral else 1.0
        return cm / cal.length_cm(per) if per else cm

    return needs | more, value


def _displacement(spec: MetricSpec, side: str) -> tuple[set[int], Value]:
    refs = spec.arg("points")
    pairs, needs = _pairs(refs, side)
    image = spec.arg("space") == "image"
    if len(pairs) == 1 and spec.arg("direction", "any") == "across_body":
        return _lift(pairs[0], needs, side)
    if len(pairs) == 1:
        (a,) = pairs
        start = _read_once_per_rep(lambda P: coords(P, a))

        def shift(pose: Pose, ref: Pose | None, cal: Calibration) -> float:
            if ref is None:
                return 0.0
            if image or pose.world is None:
                return math.dist(coords(pose.px, a), start(ref, True)) / cal.px_per_cm
            return 100.0 * math.dist(coords(pose.world, a), start(ref, False))

        return needs, shift
    a, b = pairs
    start = _read_once_per_rep(lambda P: minus(coords(P, b), coords(P, a)))

    def rotation(pose: Pose, ref: Pose | None, cal: Calibration) -> float:
        if ref is None:
            return 0.0
        pixels = image or pose.world is None
        P = pose.px if pixels else pose.world
        turn = rotation_2d if pixels else angle_between
        return turn(start(ref, pixels), minus(coords(P, b), coords(P, a)))

    return needs, rotation


def _lift(a: tuple[int, int], needs: set[int], side: str) -> tuple[set[int], Value]:
    """A point's image move square to the body axis (hip to shoulder) at the rep's start.

    From the side the body axis lies along the floor in the image, so this is
    the point's rise off the floor (a hip lift), whatever the camera's roll; a
    slide along the body (the pelvis dragged by the leg) doesn't count.
    """
    (hip, sho), more = _pairs(("mid_hip", "mid_shoulder"), side)

    def read(P: np.ndarray) -> list[float]:
        x, y = coords(P, a)
        ax, ay = minus(coords(P, sho), coords(P, hip))
        norm = math.hypot(ax, ay) or 1.0
        return [x, y, -ay / norm, ax / norm]  # the start, and the unit normal to the axis

    start = _read_once_per_rep(read)

    def lift(pose: Pose, ref: Pose | None, cal: Calibration) -> float:
        if ref is None:
            return 0.0
        x0, y0, nx, ny = start(ref, True)
        x, y = coords(pose.px, a)
        return abs((x - x0) * nx + (y - y0) * ny) / cal.px_per_cm

    return needs | more, lift


def _read_once_per_rep(
    read: Callable[[np.ndarray], list[float]],
) -> Callable[[Pose, bool], list[float]]:
    """``read`` applied to the rep's start pose (its pixels, or its world landmarks).

    The start pose stays the same for the whole rep, so the value is kept until
    another start pose (or the other space) is asked for.
    """
    memo: list = [None, None, None]  # the start pose, pixels or not, the value

    def start(ref: Pose, pixels: bool) -> list[float]:
        if memo[0] is not ref or memo[1] != pixels:
            memo[:] = [ref, pixels, read(ref.px if pixels else ref.world)]
        return memo[2]

    return start


def evaluators() -> dict[str, Callable[[MetricSpec, str], tuple[set[int], Value]]]:
    """Metric kind name -> compiler; covers every kind in `formcheck.specs.kinds`."""
    return {
        "joint_angle": _joint_angle,
        "segment_angle": _segment_angle,
        "distance": _distance,
        "body_position": _body_position,
        "displacement": _displacement,
    }


def compile_metric(spec: MetricSpec, side: str, cache: dict | None = None) -> Metric:
    """Compile ``spec`` for ``side`` (``left``/``right``; ``both`` averages the two).

    >>> from formcheck.specs.model import MetricSpec, Spec
    >>> knee = MetricSpec("knee", "joint_angle", "deg", (0, 180),
    ...                   (("points", ("{side}_hip", "{side}_knee", "{side}_ankle")),))
    >>> compile_metric(knee, "left").needs.tolist()
    [23, 25, 27]
    """
    if cache is not None:  # one compiled metric per (name, side), shared by its readers
        key = (spec.name, side)
        if key not in cache:
            cache[key] = compile_metric(spec, side)
        return cache[key]
    if side == "both":
        left, right = compile_metric(spec, "left"), compile_metric(spec, "right")
        if left.needs.tolist() == right.needs.tolist():
            return left  # side-free: the same either way
        return BothSides(spec.name, left, right)
    needs, value = evaluators()[spec.kind](spec, side)
    refs = [r for _, v in spec.args for r in (v if isinstance(v, tuple) else (v,))]
    refs += list(BODY_LENGTHS.get(spec.arg("per"), ())) if spec.arg("per") else []
    if (
        spec.kind in ("body_position",)
        or spec.arg("against") == "body_axis"
        or spec.arg("direction") == "across_body"
    ):
        refs += ["mid_hip", "mid_shoulder"]
    mids = tuple(
        dict.fromkeys(pair(r, side) for r in refs if isinstance(r, str) and _is_mid(r, side))
    )
    return Metric(spec.name, side, needs, value, mids, reads_ref=spec.kind in _READS_REF)


#: Metric kinds whose value depends on the rep's start pose (the others are memoised per pose).
_READS_REF = frozenset({"displacement"})


def _is_mid(ref: str, side: str) -> bool:
    return ref.replace("{side}", side).startswith("mid_")
