"""Each clip's own noise floor for the form checks, and whether a check can be judged.

A drift check (the heel's path, the pelvis's stillness) compares a rep's peak
with a clinical limit. How much a clean rep reads depends on the placement:
the same clean heel slide read 0.7-1.6 cm from a camera beyond the feet and
5.6-6.0 cm from another at the same place through another body and renderer.
So before a check is trusted, this module measures what it reads when nothing
moves, and says whether the check can be judged at all:

- `RestProbe` runs the checks against a rest pose while the person lies still
  (each window of `WINDOW_S` starts a new reference, as a rep does) and keeps
  every frame's value;
- `NoiseFloor` is a check's **floor**: the peak that noise alone gives a
  clean rep, `PEAK_FACTOR` robust standard deviations of those values (1.4826
  x their median absolute value, a MAD about the reference);
- `CheckVerdict` says whether the check is **judged** here: only where the
  floor clears the limit by `MARGIN` (``MARGIN * floor <= limit``), so every
  flag at the limit also clears the noise by the margin, once a floor is known
  at all, and (a path) from a camera square to the body (`SQUARE_WITHIN`) or
  looking down on it from beyond the feet (`STEEP_WITHIN`);
  otherwise it says why and how to move the camera;
- `assess_still` does it all for a few seconds of frames of someone lying
  still (the setup check on Live and Review calls it on 2 s).

Example::

    report = assess_still(frames, load_spec("exercise_specs/heel_slide.toml"))
    for v in report.verdicts:
        print(v.describe())   # "sideways heel drift: judged (noise 0.8 cm, limit 4 cm)"

Pure numpy: the checks themselves come from `formcheck.engine.checks`.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from formcheck.engine.checks import Check, compile_check
from formcheck.engine.metrics import depth_missing
from formcheck.engine.result import _num
from formcheck.engine.signal import LandmarkConditioner, Pose, average_pose
from formcheck.engine.view import Calibration, calibrate, skewed, view_from_ratio
from formcheck.frame import PoseFrame
from formcheck.specs.kinds import limit_text, noise_text, view_advice, view_from
from formcheck.specs.model import CheckSpec, Spec

#: A clean rep's peak from noise alone, in robust standard deviations of the check's
#: value at rest: the largest of ~50-150 correlated frames of (smoothed) jitter.
PEAK_FACTOR = 3.0
#: A check is judged only where ``MARGIN * floor <= limit``: a flag at the limit then
#: clears the noise floor by half as much again, so noise alone rarely reaches it.
MARGIN = 1.5
#: Each rest window starts a new reference pose, like a rep; its frames are the samples.
WINDOW_S = 1.0
#: Frames averaged into a window's reference (as a rep's start pose averages rest poses).
REF_FRAMES = 5
#: The floor is the median over at most this many of the latest still windows.
KEEP_WINDOWS = 60
#: A floor from fewer samples than this is not known yet.
MIN_SAMPLES = 10
#: Check kinds that judge a path or stillness during the rep (the ones noise can fake).
NOISY_KINDS = frozenset({"path_straightness", "stillness"})
#: A path is judged only from a camera that sees the hip line and the torso square
#: within this (degrees; `Calibration.skew`). The ideal line runs from the sit bone,
#: which lies above the floor the heel slides on, so from a camera off the body's
#: midline the line leans: on the suite's tuning split (cameras beyond the feet),
#: clean heels read over the 4 cm limit on 1 of 49 reps at up to 10 degrees, 10 % of
#: reps at 10-20 and 19-29 % past 35. (The rest floor can't see it: nothing moves.)
SQUARE_WITHIN = 10.0
#: ...unless the camera is beyond the feet and looks down on the body steeply enough:
#: its foreshortening ratio (`Calibration.ratio`, the hip line against the torso) at
#: most this. There the torso is foreshortened, so its direction, and the skew, are
#: noise; what leans a clean heel's path is a low camera. On the suite's tuning splits
#: (seeds 13, 31 and 47; cameras beyond the feet, no skew limit) clean heels were
#: flagged on 24 % of reps from the floor (ratio about 12), 12 % from a chair (8), 3 %
#: from a table (5) and a tripod (3). Judged within 10 degrees or at most this ratio,
#: 3.7 % of 323 clean reps were flagged and 37 of 39 veers of 6 cm or more, against
#: 1.4 % of 145 and 23 of 23 by the skew alone. The camera passes for 99 % of a tripod's
#: reps, against 40 % by the skew alone (its skews read 3-23 degrees, 10th to 90th
#: percentile), and for 70 % of a table's, against 24 %.
STEEP_WITHIN = 5.0


def path_leans(view: str | None, skew: float, ratio: float = math.nan) -> bool:
    """True where a straight path can read as drift: a camera `SQUARE_WITHIN` off square,
    unless it is beyond the feet and looks down steeply enough (`STEEP_WITHIN`).

    >>> path_leans("end_on", 5.0), path_leans("end_on", 80.0, 3.1), path_leans("end_on", 80.0, 12.3)
    (False, False, True)
    >>> path_leans("overhead", 20.0, 1.2)  # high and off to one side: its skew is real
    True
    """
    if not skew > SQUARE_WITHIN:
        return False
    return not (view == "end_on" and ratio <= STEEP_WITHIN)


def _finite_or_nan(value: float, name: str) -> None:
    if not (value != value or value >= 0.0):
        raise ValueError(f"{name}: expected a value >= 0 or NaN, got {value!r}")


@dataclass(frozen=True)
class NoiseFloor:
    """A check's noise floor on this clip, in the check's unit.

    ``rest`` is the peak that noise alone gives a clean rep, measured while
    lying still (NaN: not measured); ``reps`` the same from the reps themselves
    (NaN: not measured); ``samples`` how many frames the rest figure rests on.
    ``value`` is the larger known one.

    >>> NoiseFloor("heel_off_line", "cm", rest=0.9, samples=40).value
    0.9
    >>> NoiseFloor("heel_off_line", "cm").known
    False
    """

    code: str
    unit: str
    rest: float = math.nan
    reps: float = math.nan
    samples: int = 0

    def __post_init__(self) -> None:
        if not self.code:
            raise ValueError("code: expected a check code, got ''")
        _finite_or_nan(self.rest, "rest")
        _finite_or_nan(self.reps, "reps")
        if self.samples < 0:
            raise ValueError(f"samples: expected >= 0, got {self.samples}")

    @property
    def value(self) -> float:
        """The floor: the larger of the known figures (NaN when neither is)."""
        known = [v for v in (self.rest, self.reps) if v == v]
        return max(known) if known else math.nan

    @property
    def known(self) -> bool:
        return self.value == self.value

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "unit": self.unit,
            "value": _num(self.value),
            "rest": _num(self.rest),
            "reps": _num(self.reps),
            "samples": self.samples,
        }


@dataclass(frozen=True)
class CheckVerdict:
    """Whether one check can be judged from this placement, and if not, why and what to do.

    ``judged`` False means the check raises no flag here (a flag on every rep
    would say nothing); ``reason`` says why and ``advice`` how to move the
    camera. ``floor`` is the clip's noise floor (NaN: not measured yet, judged
    on the view alone). ``limit`` is the limit that applies in this view.

    >>> v = CheckVerdict("pelvis_lift", "pelvis lift", True, 4.0, "cm", floor=1.1)
    >>> v.describe()
    'pelvis lift: judged (noise 1.1 cm, limit 4 cm)'
    """

    code: str
    label: str
    judged: bool
    limit: float
    unit: str
    floor: float = math.nan
    reason: str | None = None
    advice: str | None = None

    def __post_init__(self) -> None:
        if not self.judged and not (self.reason and self.advice):
            raise ValueError(
                f"{self.code}: a check that can't be judged needs a reason and advice, "
                f"got reason={self.reason!r}, advice={self.advice!r}"
            )
        _finite_or_nan(self.floor, "floor")

    def describe(self) -> str:
        """One line for the CLI summary and the setup check."""
        if not self.judged:
            why = f"{self.reason}; {self.advice}"
            return f"{self.label}: can't be judged from this placement: {why}"
        noise = f"noise {noise_text(self.floor, self.unit)}, " if self.floor == self.floor else ""
        return f"{self.label}: judged ({noise}limit {limit_text(self.limit, self.unit)})"

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "label": self.label,
            "judged": self.judged,
            "limit": _num(self.limit),
            "unit": self.unit,
            "floor": _num(self.floor),
            "reason": self.reason,
            "advice": self.advice,
        }


def robust_sigma(values: Sequence[float] | np.ndarray) -> float:
    """The noise's standard deviation from a check's values against a still reference.

    The values are distances from the reference (>= 0), so their median is the
    MAD about it; 1.4826 x MAD is sigma for Gaussian noise, and one wild frame
    can't move it. NaN with fewer than `MIN_SAMPLES` finite values.

    >>> round(robust_sigma([0.5] * 20), 3)
    0.741
    """
    # plain Python: the engine asks for a few dozen values twice a second, where
    # numpy's per-call overhead costs more than the sort
    v = [abs(float(x)) for x in values if math.isfinite(x)]
    if len(v) < MIN_SAMPLES:
        return math.nan
    return 1.4826 * statistics.median(v)


def rest_floor(values: Sequence[float] | np.ndarray) -> float:
    """The clean-rep peak noise alone gives: `PEAK_FACTOR` x `robust_sigma` (NaN: too few).

    >>> round(rest_floor([0.5] * 20), 2)
    2.22
    """
    return PEAK_FACTOR * robust_sigma(values)


def window_floor(windows: Sequence[Sequence[float]], memo: dict | None = None) -> float:
    """The floor over still windows: the median of the windows' own floors.

    A window can hold more than noise (the pelvis settling back after a rep that
    shifted it), so one bad window must not set the floor; a window too short for
    a floor of its own joins the next. NaN when there are too few samples.
    ``memo`` keeps the floor of each group of closed windows between calls (keyed on
    its first window's identity and its size): the engine asks twice a second while
    only the last window grows, so closed ones are not sorted again. The caller
    clears it when it drops a window.

    >>> window_floor([[0.5] * 20, [0.5] * 20, [9.0] * 20]) == rest_floor([0.5] * 20)
    True
    """
    floors, group, size = [], [], 0
    last = len(windows) - 1
    for i, w in enumerate(windows):
        group.append(w)
        size += len(w)
        if size >= MIN_SAMPLES:
            # only the last window still grows: a group of closed ones is fixed
            key = (id(group[0]), len(group)) if memo is not None and i < last else None
            floor = memo.get(key) if key is not None else None
            if floor is None:
                floor = rest_floor([v for g in group for v in g])
                if key is not None:
                    memo[key] = floor
            floors.append(floor)
            group, size = [], 0
    if not floors:
        return math.nan
    return statistics.median(floors)


def noisy_checks(spec: Spec) -> tuple[CheckSpec, ...]:
    """The spec's checks that noise can fake (paths and stillness), in spec order."""
    return tuple(c for c in spec.checks if c.kind in NOISY_KINDS)


def camera_advice(check: CheckSpec, posture: str = "any") -> str:
    """How to move the camera so ``check`` reads above its noise."""
    best = (
        view_advice(check.views[0], posture)
        if check.views
        else "place the camera square to your body"
    )
    return f"{best}, closer (your body filling most of the frame) and in good light"


def verdict(
    check: CheckSpec,
    view: str | None,
    floor: NoiseFloor | None = None,
    skew: float = 0.0,
    posture: str = "any",
    ratio: float = math.nan,
    depthless: bool = False,
) -> CheckVerdict:
    """Whether ``check`` can be judged from ``view`` with this clip's noise ``floor``.

    Not from a view the check doesn't list, nor on an angle read in depth from
    landmarks with no world landmarks (``depthless``, `metrics.depth_missing`), nor where
    ``MARGIN * floor`` passes the limit, nor (a path) from a camera whose view of the
    body is ``skew`` degrees off square, past `SQUARE_WITHIN`, unless it looks down
    from beyond the feet with a foreshortening ``ratio`` within `STEEP_WITHIN`
    (`path_leans`); from lower down beyond the feet it is too low. A check noise can fake
    (`NOISY_KINDS`) with no floor known (no still moment seen yet, ``floor``
    None or unknown) is not judged either: a noisy camera then flagged every
    rep. Other checks (range, symmetry) go by the view alone.

    >>> from formcheck.specs import load_spec
    >>> heel = load_spec("exercise_specs/heel_slide.toml").check("heel_off_line")
    >>> verdict(heel, "end_on", NoiseFloor("heel_off_line", "cm", rest=3.5, samples=50)).judged
    False
    """
    limit = check.limit_for(view)
    value = floor.value if floor is not None else math.nan
    reason = advice = None
    if view is None or view not in check.views:
        where = view_from(view, posture) if view else "here (no view found yet)"
        reason = f"it can't be seen from {where}"
        advice = (
            view_advice(check.views[0], posture)
            if check.views
            else "place the camera square to you"
        )
    elif depthless:
        reason = (
            f"with no world landmarks the angle is read from the image, which foreshortens "
            f"it from {view_from(view, posture)}"
        )
        advice = "analyse the clip itself, or landmarks with world coordinates"
    elif check.kind == "path_straightness" and path_leans(view, skew, ratio):
        if view == "end_on":  # the skew is noise here: the camera is too low
            reason = (
                "the camera is too low beyond your feet, and from low down a straight path "
                "looks bent"
            )
            advice = (
                "raise the camera beyond your feet to table height or higher, tilted down "
                "along your body"
            )
        else:
            reason = (
                f"the camera sees your body {skew:.0f}° off square, and from off to one side "
                "a straight path looks bent"
            )
            advice = (
                "place the camera straight beyond your feet, in line with the middle of your body"
            )
    elif check.kind in NOISY_KINDS and value != value:
        reason = "no still moment was seen to measure how much it reads with nothing moving"
        advice = "lie still for 2 seconds before the first rep, with the camera where it is"
    elif value == value and MARGIN * value > limit:
        reason = (
            f"it reads up to {noise_text(value, check.unit)} with nothing moving, too close "
            f"to its {limit_text(limit, check.unit)} limit to tell a fault from noise"
        )
        advice = camera_advice(check, posture)
    return CheckVerdict(
        check.code,
        check.label,
        reason is None,
        limit,
        check.unit,
        floor=value,
        reason=reason,
        advice=advice,
    )


def verdicts(
    spec: Spec,
    view: str | None,
    floors: Mapping[str, NoiseFloor],
    skew: float = 0.0,
    ratio: float = math.nan,
    has_world: bool = True,
) -> tuple[CheckVerdict, ...]:
    """`verdict` of every check of ``spec`` (checks noise can't fake: on the view alone);
    ``has_world`` False: the landmarks have no world landmarks."""
    return tuple(
        verdict(
            c,
            view,
            floors.get(c.code),
            skew,
            spec.posture,
            ratio,
            depthless=view is not None and depth_missing(spec, c.metric, view, has_world),
        )
        for c in spec.checks
    )


class RestProbe:
    """Measures the noisy checks while the person is still: the samples behind `NoiseFloor`.

    Feed it every conditioned pose with whether the person is still (`feed`).
    Each stretch of stillness is cut into windows of `WINDOW_S`; a window's
    first `REF_FRAMES` poses, averaged, are its reference (a rep's start pose is
    averaged the same way), and each later pose's check values are samples.
    Moving ends the window. ``sides``: the working sides whose checks are run.
    """

    def __init__(self, spec: Spec, sides: Iterable[str]) -> None:
        self.spec = spec
        self.checks: dict[tuple[str, str], Check] = {}
        cache: dict = {}
        for side in sides:
            for c in noisy_checks(spec):
                self.checks[(side, c.code)] = compile_check(spec, c, side, None, cache)
        #: each check's samples, one list per still window
        self.samples: dict[str, list[list[float]]] = {c.code: [] for c in noisy_checks(spec)}
        self._memo: dict = {}  # `window_floor`'s groups already measured
        self._floors_state: tuple = ()
        self._floors: dict[str, NoiseFloor] = {}
        self._window: list[Pose] = []
        self._ref: Pose | None = None
        self._ref_cal: Calibration | None = None

    def feed(self, pose: Pose, cal: Calibration, still: bool) -> None:
        """One pose; ``still``: the person is at rest (not between or in reps)."""
        if not still:
            self._window, self._ref = [], None
            return
        if self._ref is not None and pose.t - self._ref.t > WINDOW_S:
            self._window, self._ref = [], None
        if self._ref is None:
            self._window.append(pose)
            if len(self._window) == REF_FRAMES:
                self._ref = average_pose(self._window)
                for check in self.checks.values():
                    check.begin(self._ref, cal)
                for windows in self.samples.values():
                    windows.append([])
                    if len(windows) > KEEP_WINDOWS:  # bounded work and memory in a long session
                        del windows[:-KEEP_WINDOWS]
                        self._memo.clear()  # a dropped window's id may be reused
            return
        bits = pose.bits
        for (_, code), check in self.checks.items():
            if bits & check.mask == check.mask:
                value = check.frame(pose, self._ref, cal)
                if value == value:
                    self.samples[code][-1].append(value)

    @property
    def state(self) -> tuple:
        """Changes whenever a sample or a window is added (the floors may then change)."""
        return tuple((len(w), len(w[-1]) if w else 0) for w in self.samples.values())

    def floors(self) -> dict[str, NoiseFloor]:
        """Each noisy check's floor so far (both sides' samples together)."""
        # the engine asks twice a second; while the person moves nothing has changed
        state = self.state
        if state != self._floors_state:
            self._floors_state, self._floors = state, self._measure()
        return dict(self._floors)

    def _measure(self) -> dict[str, NoiseFloor]:
        units = {c.code: c.unit for c in noisy_checks(self.spec)}
        return {
            code: NoiseFloor(
                code, units[code], rest=window_floor(w, self._memo), samples=sum(len(x) for x in w)
            )
            for code, w in self.samples.items()
        }


@dataclass(frozen=True)
class StillReport:
    """What a few seconds of lying still say: the view, each check's floor and verdict.

    ``view`` is None when no usable pose was seen (then every check is unjudged);
    ``skew`` how far off square the camera sees the body (degrees, `Calibration.skew`).
    """

    view: str | None
    floors: Mapping[str, NoiseFloor] = field(default_factory=lambda: MappingProxyType({}))
    verdicts: tuple[CheckVerdict, ...] = ()
    skew: float = 0.0

    def verdict(self, code: str) -> CheckVerdict:
        """The verdict of check ``code``."""
        for v in self.verdicts:
            if v.code == code:
                return v
        raise KeyError(f"check: expected one of {[v.code for v in self.verdicts]}, got {code!r}")

    def as_dict(self) -> dict[str, object]:
        return {
            "view": self.view,
            "floors": {k: f.as_dict() for k, f in self.floors.items()},
            "verdicts": [v.as_dict() for v in self.verdicts],
            "skew": _num(self.skew),
        }


def assess_still(
    frames: Iterable[PoseFrame], spec: Spec, side: str = "auto", view: str | None = None
) -> StillReport:
    """Each check's noise floor and verdict from ``frames`` of someone lying still.

    ``side``: ``left``, ``right`` or ``auto``/``both`` (both legs' checks).
    ``view`` forces the view instead of detecting it (as `Engine` does). Every
    frame counts as still: the caller picks the stretch (e.g. 2 s before the
    first rep). The view is the median foreshortening ratio's, as the engine's.
    """
    sides = (side,) if side in ("left", "right") else ("left", "right")
    cond = LandmarkConditioner(spec.visibility)
    probe = RestProbe(spec, sides)
    cals: list[Calibration] = []
    poses: list[Pose] = []
    for frame in frames:
        pose = cond.update(frame)
        if pose is None:
            continue
        cals.append(calibrate(pose.px, pose.world, pose.seen))
        cond.scale = cals[len(cals) // 2].body_px
        poses.append(pose)
    if not cals:
        return StillReport(None, MappingProxyType({}), verdicts(spec, None, {}))
    cal = sorted(cals, key=lambda c: c.ratio if c.ratio == c.ratio else math.inf)[len(cals) // 2]
    skew = float(np.median([c.skew for c in cals]))
    found = view or skewed(view_from_ratio(cal.ratio), skew)
    for pose in poses:
        probe.feed(pose, cal, still=True)
    floors = probe.floors()
    judged = verdicts(spec, found, floors, skew, cal.ratio)
    return StillReport(found, MappingProxyType(floors), judged, skew)
