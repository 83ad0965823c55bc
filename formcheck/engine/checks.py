"""Form checks at run time: one class per check kind of the spec registry.

A check is compiled for a working side and a view (`compile_check`). For each
rep the tracker calls ``begin(ref, cal)`` with the rep's start pose, then
``frame(pose, cal)`` on every frame of the rep (it returns the current value
and keeps the peak), then ``verdict()`` for the rep's peak and whether it
failed. ``immediate`` checks (path and stillness) may fail mid-rep, so their
flag is raised at once; range and symmetry are judged at the rep's end.

**path_straightness** is documented on `PathStraightness`.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from formcheck.engine.geometry import body_axes, coords, dot, fill_side, minus, pair, point
from formcheck.engine.metrics import Metric, compile_metric
from formcheck.engine.signal import Pose, seen_mask
from formcheck.engine.view import Calibration
from formcheck.specs.model import CheckSpec, Spec


class Check:
    """Base: keeps the rep's peak; subclasses say how a frame is measured."""

    immediate = True

    def __init__(self, spec: CheckSpec, side: str, limit: float) -> None:
        self.spec, self.side, self.limit = spec, side, limit
        #: False where this clip's noise floor says the check can't be judged
        #: (`formcheck.engine.noise_floor`): it then never fails, whatever it reads.
        self.judged = True
        self.mask = 0  # landmarks that must be seen (`seen_mask`); metrics gate themselves
        self.peak = math.nan
        self.current = math.nan

    def begin(self, ref: Pose, cal: Calibration) -> None:
        """Start a rep from pose ``ref``."""
        self.peak = self.current = math.nan

    def frame(self, pose: Pose, ref: Pose, cal: Calibration) -> float:
        """Measure one frame of the rep; returns the value (NaN when not measurable)."""
        raise NotImplementedError

    def keep(self, value: float) -> float:
        """Note ``value`` as this frame's, and as the peak if it is the largest yet."""
        self.current = value
        if value == value and not value <= self.peak:  # NaN-safe max
            self.peak = value
        return value

    def failed(self) -> bool:
        """True when the rep so far breaks the limit (never where it can't be judged)."""
        return self.judged and self.peak > self.limit

    def verdict(self) -> tuple[float, bool]:
        """The rep's peak value and whether it failed."""
        return self.peak, self.failed()


class PathStraightness(Check):
    """The largest distance of a point across its ideal straight line, in cm.

    In world space (when the source has world landmarks) the line runs from the
    point's start position along the body frame's axis; in image space it runs
    along the axis as the image shows it (an affine approximation: fine for a
    camera a couple of metres away), scaled to cm at the point's own depth. For
    drawing, world positions are mapped to pixels by an affine camera fitted to
    the start pose (world -> image least squares over the seen landmarks).
    """

    def __init__(self, spec: CheckSpec, side: str, limit: float) -> None:
        super().__init__(spec, side, limit)
        ref = spec.arg("point")
        self.point = pair(ref, side)
        mirror = fill_side(ref.replace("{side}", "{other}"), side) if "{side}" in ref else None
        self.mirror = pair(mirror, side) if mirror and mirror != fill_side(ref, side) else None
        self.world = spec.arg("space") == "world"
        self.along_body = spec.arg("along") == "body_axis"
        #: ``along = "sit_bone"``: the line from the point's own hip through its start.
        self.sit_bone = pair(f"{side}_hip", side) if spec.arg("along") == "sit_bone" else None
        self.frame_pairs = tuple(pair(r, side) for r in ("left_hip", "right_hip", "mid_shoulder"))
        needs = {*self.point, *(self.mirror or ()), *(i for ij in self.frame_pairs for i in ij)}
        self.mask = seen_mask(needs)
        #: The sit-bone line's direction in the image, pooled over this side's rests.
        self.rest_line = RestLine()
        self.scale = 1.0
        self.reach = 0.0
        self.start_px = np.zeros(2)
        self.use_world = False
        #: This frame's offset from the start (cm): across the ideal line (positive away
        #: from the midline) and along it.
        self.xy = (math.nan, math.nan)
        # The hip-line axis points to the body's left, so the right side's outward is minus.
        self.outward = -1.0 if side == "right" else 1.0

    def begin(self, ref: Pose, cal: Calibration) -> None:
        super().begin(ref, cal)
        self.reach = 0.0
        self.xy = (math.nan, math.nan)
        P = ref.px
        self.start_px = point(P, self.point)
        lateral, up = body_axes(*(point(P, ij) for ij in self.frame_pairs))
        self.along_px, self.across_px = (up, lateral) if self.along_body else (lateral, up)
        if self.sit_bone is not None:
            self.along_px, self.across_px = _from_sit_bone(
                self.rest_line.add(self.start_px - point(P, self.sit_bone)), lateral
            )
        self.scale = cal.px_per_cm
        if self.mirror is not None and ref.world is not None:
            gap_px = point(P, self.point) - point(P, self.mirror)
            gap_w = point(ref.world, self.point) - point(ref.world, self.mirror)
            gap_cm = 100.0 * math.sqrt(float(gap_w @ gap_w))
            if gap_cm > 8.0:  # closer than that, the pair can't give a scale
                self.scale = math.sqrt(float(gap_px @ gap_px)) / gap_cm
        self.use_world = self.world and ref.world is not None
        self.slope = 0.0
        if self.sit_bone is not None and self.scale != cal.px_per_cm:
            self.slope = self._perspective(ref, cal)
        self._frame_px = (self.start_px.tolist(), self.along_px.tolist(), self.across_px.tolist())
        if ref.world is not None:
            W = ref.world
            lateral, up = body_axes(*(point(W, ij) for ij in self.frame_pairs))
            self.along_w, self.across_w = (up, lateral) if self.along_body else (lateral, up)
            if self.sit_bone is not None:
                start = point(W, self.point)
                self.along_w, self.across_w = _from_sit_bone(
                    start - point(W, self.sit_bone), lateral
                )
            self.start_w = point(W, self.point)
            # Plain floats for `frame`, which runs on every frame of a rep.
            self._frame_w = (self.start_w.tolist(), self.along_w.tolist(), self.across_w.tolist())
            ok = ref.seen
            design = np.column_stack([W[ok], np.ones(int(ok.sum()))])
            self.affine = np.linalg.lstsq(design, P[ok], rcond=None)[0].T  # (2, 4)

    def _perspective(self, ref: Pose, cal: Calibration) -> float:
        """How the image scale changes per pixel along the line (px/cm per px).

        On a plane seen through a lens the scale is affine in the image, so the
        scale at the hips (their width) and at the point's start (the heel pair's
        gap) give it along the line: from beyond the feet the heel slides toward
        the lens and gains pixels per cm (about 1.4x on rendered end-on clips).
        """
        (lh, rh), P = (self.frame_pairs[0], self.frame_pairs[1]), ref.px
        gap_px = point(P, lh) - point(P, rh)
        if ref.world is not None:
            gap_w = point(ref.world, lh) - point(ref.world, rh)
            width = 100.0 * math.sqrt(float(gap_w @ gap_w))
        else:
            width = cal.length_cm("hip_width")
        run = float((self.start_px - point(P, self.sit_bone)) @ self.along_px)
        if not (width > 5.0 and run > 1.0):
            return 0.0
        hip_scale = math.sqrt(float(gap_px @ gap_px)) / width
        return (self.scale - hip_scale) / run

    def frame(self, pose: Pose, ref: Pose, cal: Calibration) -> float:
        if self.use_world and pose.world is not None:
            start, along_axis, across_axis = self._frame_w
            d = minus(coords(pose.world, self.point), start)
            along, across = dot(d, along_axis), dot(d, across_axis)
            self.xy = (100.0 * across * self.outward, 100.0 * along)
        else:
            start, along_axis, across_axis = self._frame_px
            d = minus(coords(pose.px, self.point), start)
            # The scale where the point is now: nearer the camera, more pixels per cm.
            scale = max(self.scale + self.slope * dot(d, along_axis), 0.5 * self.scale)
            along, across = dot(d, along_axis), dot(d, across_axis) / scale
            self.xy = (across * self.outward, along / scale)
        if abs(along) > abs(self.reach):
            self.reach = along
        return self.keep(100.0 * abs(across) if self.use_world else abs(across))

    def ideal_px(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """The ideal line in pixels, from the start point as far as the point has gone."""
        if self.use_world:  # anchored at the seen start; the fit gives direction and length
            a = self.start_px
            b = a + self.affine[:, :3] @ (self.reach * self.along_w)
        else:
            a, b = self.start_px, self.start_px + self.reach * self.along_px
        return (float(a[0]), float(a[1])), (float(b[0]), float(b[1]))

    def band_px(self) -> float:
        """The tolerance either side of the ideal line, in pixels."""
        if self.use_world:
            offset = self.affine[:, :3] @ (self.across_w * self.limit / 100.0)
            return float(math.hypot(offset[0], offset[1]))
        return self.limit * self.scale


class RestLine:
    """The direction from the sit bone to the heel at rest, pooled over the rests so far.

    One rest's direction is noisy: in the image the sit bone and the heel are about
    a hand's span apart, and each landmark wanders on its own for a second or more,
    longer than a rest between reps lasts. A tilt of a few degrees then grows into
    centimetres across the line as the heel slides out (on the simulator, beyond
    the feet, a clean rep's error across the line was mostly this tilt). The rests
    of later reps are independent readings of the same line, so their mean unit
    direction is used, over the latest `keep`. A rest more than `reset_deg` off
    that mean means the person moved: the pool starts again from it.

    >>> line = RestLine()
    >>> line.add(np.array([0.0, 100.0])).round(1).tolist()
    [0.0, 100.0]
    >>> line.add(np.array([10.0, 100.0])).round(1).tolist()  # 5.7 deg off: pooled
    [5.0, 100.4]
    >>> line.add(np.array([100.0, 0.0])).round(1).tolist()  # moved: starts again
    [100.0, 0.0]
    """

    def __init__(self, keep: int = 6, reset_deg: float = 8.0) -> None:
        self.cos_reset = math.cos(math.radians(reset_deg))
        self._units: deque[np.ndarray] = deque(maxlen=keep)

    def add(self, reach: np.ndarray) -> np.ndarray:
        """Note one rest's sit-bone-to-heel vector; return the pooled direction at its length."""
        n = math.sqrt(float(reach @ reach))
        if not n > 1e-9:
            return reach
        unit = reach / n
        if self._units and float(_unit(np.mean(self._units, axis=0)) @ unit) < self.cos_reset:
            self._units.clear()
        self._units.append(unit)
        return n * _unit(np.mean(self._units, axis=0))


def _unit(v: np.ndarray) -> np.ndarray:
    return v / math.sqrt(float(v @ v))


def _from_sit_bone(reach: np.ndarray, lateral: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit (along, across) axes of the line from the sit bone through the point at rest.

    ``reach`` runs from the hip to the point's rest position: where the heel sits
    under its own sit bone, the slide runs along it, whatever the feet's spacing
    or the camera's yaw. ``across`` is the hip line made square to it (so the
    sign stays outward-positive, as for the body axis). 2-D or 3-D.
    """
    n = math.sqrt(float(reach @ reach))
    if not n > 1e-9:
        return lateral * math.nan, lateral * math.nan
    along = reach / n
    across = lateral - float(lateral @ along) * along
    m = math.sqrt(float(across @ across))
    return along, (across / m if m > 1e-9 else across * math.nan)


class Stillness(Check):
    def __init__(self, spec: CheckSpec, side: str, limit: float, metric: Metric) -> None:
        super().__init__(spec, side, limit)
        self.metric = metric  # gates itself: NaN when not seen

    def frame(self, pose: Pose, ref: Pose, cal: Calibration) -> float:
        return self.keep(self.metric.evaluate(pose, ref, cal))


class Range(Check):
    immediate = False

    def __init__(self, spec: CheckSpec, side: str, limit: float, metric: Metric) -> None:
        super().__init__(spec, side, limit)
        self.metric = metric  # gates itself: NaN when not seen
        self.maximum = spec.arg("stat") == "max"
        self.at_least = spec.arg("must") == "at_least"

    def frame(self, pose: Pose, ref: Pose, cal: Calibration) -> float:
        value = self.current = self.metric.evaluate(pose, ref, cal)
        if value == value and (
            self.peak != self.peak or (value > self.peak if self.maximum else value < self.peak)
        ):
            self.peak = value
        return value

    def failed(self) -> bool:
        if self.peak != self.peak or not self.judged:
            return False
        return self.peak < self.limit if self.at_least else self.peak > self.limit


class Symmetry(Check):
    immediate = False

    def __init__(
        self, spec: CheckSpec, side: str, limit: float, left: Metric, right: Metric
    ) -> None:
        super().__init__(spec, side, limit)
        self.left, self.right = left, right
        self.maximum = spec.arg("stat") == "max"

    def begin(self, ref: Pose, cal: Calibration) -> None:
        super().begin(ref, cal)
        self.stats = [math.nan, math.nan]

    def frame(self, pose: Pose, ref: Pose, cal: Calibration) -> float:
        for k, metric in enumerate((self.left, self.right)):
            v = metric.evaluate(pose, ref, cal)
            s = self.stats[k]
            if v == v and (s != s or (v > s if self.maximum else v < s)):
                self.stats[k] = v
        self.peak = self.current = abs(self.stats[0] - self.stats[1])
        return self.peak


def check_classes() -> dict[str, type[Check]]:
    """Check kind name -> class; covers every kind in `formcheck.specs.kinds`."""
    return {
        "path_straightness": PathStraightness,
        "stillness": Stillness,
        "range": Range,
        "symmetry": Symmetry,
    }


def compile_check(
    spec: Spec, check: CheckSpec, side: str, view: str | None, cache: dict | None = None
) -> Check:
    """The run-time check for ``side`` with the limit that applies in ``view``.

    ``cache`` shares compiled metrics with the engine (see `compile_metric`).
    """
    limit = check.limit_for(view)
    cls = check_classes()[check.kind]
    if check.kind == "path_straightness":
        return cls(check, side, limit)
    metric = spec.metric(check.metric)
    if check.kind == "symmetry":
        return cls(
            check,
            side,
            limit,
            compile_metric(metric, "left", cache),
            compile_metric(metric, "right", cache),
        )
    return cls(check, side, limit, compile_metric(metric, side, cache))
