"""The setup check: is the camera placed so this exercise can be counted and judged?

Before the first rep (Live) or from a clip's first seconds (Review), a few
seconds of poses tell what to fix, each item `READY`, `FIX` or `WAIT` (not
known yet):

- ``body``: a person is found, the whole body inside the picture;
- ``joints``: both hips, and the knee and heel of the leg(s) worked, seen;
- ``view``: where the camera films from, against the spec's recommended view;
- ``distance``: how much of the picture the body fills;
- ``light``: brightness and sensor noise (`formcheck.picture`);
- ``still``: the noise floor over `STILL_SECONDS` of lying still
  (`formcheck.engine.noise_floor`, the engine's own per-clip floor).

Then, for each of the exercise's checks, whether it can be judged from here
(`SetupVerdict`) and, if not, how to move the camera. Pure numpy on
`PoseFrame`s; `formcheck.setup_watch` runs it over a live stream or a clip.

>>> from formcheck.specs import find_spec
>>> report = check_setup([], find_spec("heel_slide"))
>>> report.item("body").state, report.ready
('wait', False)
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from formcheck.engine.metrics import compile_metric, depth_missing
from formcheck.engine.noise_floor import (
    MARGIN,
    NOISY_KINDS,
    NoiseFloor,
    assess_still,
    path_leans,
)
from formcheck.engine.noise_floor import verdict as noise_verdict
from formcheck.engine.plausible import Plausibility
from formcheck.engine.signal import Pose
from formcheck.engine.view import (
    ROM_ERROR,
    ROM_WITHIN_DEG,
    Calibration,
    body_size,
    calibrate,
    rom_withheld,
)
from formcheck.frame import PoseFrame
from formcheck.landmarks import index
from formcheck.picture import Picture
from formcheck.specs import Spec
from formcheck.specs.kinds import VIEW_ADVICE, limit_text, noise_text, view_advice, view_from
from formcheck.specs.model import CheckSpec

READY, FIX, WAIT = "ready", "fix", "wait"
STATES = (READY, FIX, WAIT)
#: The items, in the order shown: key -> what a person reads.
ITEMS: Mapping[str, str] = {
    "body": "Whole body in the picture",
    "joints": "Hips, knees and heels seen",
    "view": "Camera view",
    "distance": "Distance",
    "light": "Light",
    "still": "Lie still for 2 seconds",
}
#: Seconds of lying still over which the noise floor is measured.
STILL_SECONDS = 2.0
#: A pose is still while the median position of each hip, knee and heel, over
#: each quarter of the stretch, stays within this share of the lower body's
#: size (`engine.view.body_size`) of its median over the whole stretch. On
#: simulated heel slides lying still read 0.05-0.08 at the pose model's usual
#: noise and up to 0.44 at six times it; a stretch across a rep read 0.2-0.9,
#: hence the engine's rest (``resting``) where it is known.
STILL_SHARE = 0.3
#: A person found in fewer of the frames than this is "not found".
FOUND_AT_LEAST = 0.6
#: A landmark counts as seen when seen in at least this share of the posed frames.
SEEN_AT_LEAST = 0.7
#: The body's box, across the picture's larger side, below this share: too far.
#: On the rendered tuning clips, floor- and chair-height cameras beyond the feet
#: read 0.13-0.22 and lost the person in up to 9 frames out of 10; every other
#: placement read 0.29 or more.
FILL_BELOW = 0.25
#: A point this close to the picture's edge (share of its size) is cut off.
EDGE = 0.01
#: The view is unclear when fewer of the frames than this are seen from it.
VIEW_AGREES = 0.6
#: A lying body filmed from the side looks long: its box in the picture is at
#: least this many times longer than wide. On the rendered tuning clips side
#: views read 3.8-4.3, every other placement 1.0-2.2; the pose model read three
#: floor- and table-height cameras beyond the feet as side views (1.0-1.4
#: here), and misread the knee with them.
SIDE_ELONGATION = 2.4

#: How a view's doubt begins when the pose model misreads the body (`_misread`), and what
#: to do then: from the side, or from higher up, the rendered heel slides were read right
#: (docs/placement.md).
MISREAD = "The camera misreads you"
MISREAD_FIX = "film from the side, or raise the camera so it looks down along your body"

#: Landmarks that must be inside the picture (the head and hands may leave it).
_BODY = tuple(
    index(f"{s}_{p}")
    for p in ("shoulder", "hip", "knee", "ankle", "heel", "foot_index")
    for s in ("left", "right")
)
_LOWER = tuple(index(f"{s}_{p}") for p in ("hip", "knee", "heel") for s in ("left", "right"))


#: ``(still frames, spec, side, view) -> {check code: NoiseFloor}``: how the noise floor
#: is measured (a check left out has none, and is judged by the view alone).
FloorEstimate = Callable[[Sequence[PoseFrame], Spec, str, str], Mapping[str, NoiseFloor]]


def still_floors(
    frames: Sequence[PoseFrame], spec: Spec, side: str, view: str
) -> Mapping[str, NoiseFloor]:
    """The engine's noise floor of each check over ``frames`` of lying still, from ``view``."""
    return assess_still(frames, spec, side, view).floors


@dataclass(frozen=True)
class SetupItem:
    """One thing to get right before starting: ``state`` and a short ``message``;
    ``fix`` says how (required, and only, when the state is `FIX`)."""

    key: str
    state: str
    message: str
    fix: str = ""

    def __post_init__(self) -> None:
        if self.key not in ITEMS:
            raise ValueError(f"key: expected one of {', '.join(ITEMS)}, got {self.key!r}")
        if self.state not in STATES:
            raise ValueError(f"state: expected one of {', '.join(STATES)}, got {self.state!r}")
        if (self.state == FIX) != bool(self.fix):
            raise ValueError(f"fix: expected advice exactly when the state is fix, got {self!r}")

    @property
    def label(self) -> str:
        """What the item is, as a person reads it."""
        return ITEMS[self.key]


@dataclass(frozen=True)
class SetupVerdict:
    """Whether one of the exercise's checks can be judged from here.

    ``state`` is `READY` (it can), `FIX` (it can't: ``message`` says why and
    ``how`` how to move the camera; ``move_to`` names the view to move it to,
    None when the view is right but the picture too unsteady) or `WAIT` (not
    known yet). ``floor`` is the noise floor measured for it, when there is one.
    """

    code: str
    label: str
    state: str
    message: str
    how: str = ""
    move_to: str | None = None
    floor: NoiseFloor | None = None

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"state: expected one of {', '.join(STATES)}, got {self.state!r}")
        if self.move_to is not None and self.move_to not in VIEW_ADVICE:
            raise ValueError(f"move_to: expected a view or None, got {self.move_to!r}")
        if (self.state == FIX) != bool(self.how):
            raise ValueError(f"how: expected advice exactly when the state is fix, got {self!r}")


@dataclass(frozen=True)
class SetupReport:
    """The setup check's verdicts: the `SetupItem`s in `ITEMS` order, one `SetupVerdict`
    per check of the exercise, the view seen (None: nobody seen yet) and why that
    view can't be trusted (``doubt``; "" when it can)."""

    items: tuple[SetupItem, ...]
    checks: tuple[SetupVerdict, ...]
    view: str | None = None
    doubt: str = ""

    def __post_init__(self) -> None:
        keys = tuple(i.key for i in self.items)
        if keys != tuple(ITEMS):
            raise ValueError(f"items: expected {', '.join(ITEMS)} in order, got {keys}")

    def item(self, key: str) -> SetupItem:
        """The item called ``key``."""
        return next(i for i in self.items if i.key == key)

    @property
    def ready(self) -> bool:
        """True when every item is ready."""
        return all(i.state == READY for i in self.items)

    @property
    def to_fix(self) -> tuple[SetupItem, ...]:
        """The items to fix, in order."""
        return tuple(i for i in self.items if i.state == FIX)

    @property
    def not_judged(self) -> tuple[SetupVerdict, ...]:
        """The checks that can't be judged from here."""
        return tuple(c for c in self.checks if c.state == FIX)


def _percent(share: float) -> str:
    return f"{100 * share:.0f} %"


def _legs(side: str) -> tuple[str, ...]:
    return (side,) if side in ("left", "right") else ("left", "right")


def _view_of(posed: Sequence[PoseFrame], spec: Spec) -> tuple[str, str, float, float]:
    """The view most of the posed frames are seen from (each calibrated on its own, by
    the engine's rules), why it can't be trusted ("": it can), how far off square the
    camera sees the body (the median `Calibration.skew`, degrees), and how foreshortened
    (the median `Calibration.ratio`)."""
    cals = [calibrate(f.pixels(), f.world, f.visibility >= spec.visibility) for f in posed]
    view, count = Counter(c.view for c in cals).most_common(1)[0]
    # A misread body first: its advice (film from elsewhere) holds whatever view was read.
    doubt = _misread(posed, cals, spec, view) or _unclear(posed, spec, view, count)
    # An unknown ratio (nothing there) sorts past every other, as the engine's median does.
    ratio = np.median([c.ratio if c.ratio == c.ratio else math.inf for c in cals])
    return view, doubt, float(np.median([c.skew for c in cals])), float(ratio)


def _unclear(posed: Sequence[PoseFrame], spec: Spec, view: str, count: int) -> str:
    """Why the ``view`` that ``count`` of the posed frames were seen from can't be
    trusted ("" if it can)."""
    if count / len(posed) < VIEW_AGREES:
        return "The camera's view of you is unclear: it changes from frame to frame"
    if view == "side" and spec.posture == "lying" and _elongation(posed) < SIDE_ELONGATION:
        return "The camera's view of you is unclear: you look too short to be seen from the side"
    return ""


def _misread(posed: Sequence[PoseFrame], cals: Sequence[Calibration], spec: Spec, view: str) -> str:
    """Why the pose model is misreading the body from here ("" if it is not): the
    driving angle read outside the spec's ``plausible`` range in a large share of the
    frames, as the engine judges it (`formcheck.engine.plausible`). Not where the
    landmarks have no world coordinates and the view foreshortens the angle: it then
    truly reads so."""
    name = spec.phase.metric if spec.phase is not None else None
    metric = spec.metric(name) if name is not None else None
    plausible = metric.arg("plausible") if metric is not None else None
    has_world = all(f.world is not None for f in posed)
    if plausible is None or depth_missing(spec, name, view, has_world):
        return ""
    sides = ("both",) if spec.sides == "both" else ("left", "right")
    drivers = {s: compile_metric(metric, s) for s in sides}
    tally = Plausibility(plausible, sides)
    for frame, cal in zip(posed, cals, strict=True):
        pose = Pose(frame.t, frame.pixels(), frame.world, frame.visibility >= spec.visibility)
        for side, driver in drivers.items():
            tally.add(side, driver.evaluate(pose, None, cal))
    worst = tally.misread()
    if worst is None:
        return ""
    return (
        f"{MISREAD}: your {name.replace('_', ' ')} reads at angles it can't take in this "
        f"exercise in {_percent(worst[1])} of the frames"
    )


def _elongation(posed: Sequence[PoseFrame]) -> float:
    """The median ratio of the long to the short side of the body's box, in pixels."""
    spans = [np.ptp(f.pixels()[list(_BODY)], axis=0) for f in posed]
    return float(np.median([max(s) / max(min(s), 1.0) for s in spans]))


def _body(frames: Sequence[PoseFrame], posed: Sequence[PoseFrame]) -> SetupItem:
    if not frames or (not posed and frames[-1].t - frames[0].t < 1.0):
        return SetupItem("body", WAIT, "Nobody found yet")
    found = len(posed) / len(frames)
    if found < FOUND_AT_LEAST:
        return SetupItem(
            "body",
            FIX,
            f"You are found in only {_percent(found)} of the frames" if posed else "Nobody found",
            "lie where the camera sees all of you, with light on you",
        )
    xy = np.stack([f.image[_BODY, :2] for f in posed])  # (n, 12, 2)
    inside = ((xy > EDGE) & (xy < 1 - EDGE)).all(axis=(1, 2))
    if inside.mean() >= SEEN_AT_LEAST:
        return SetupItem("body", READY, "All of you is in the picture")
    # Which edge cuts the body most often says which way to move the camera.
    low, high = (xy <= EDGE).mean(axis=(0, 1)), (xy >= 1 - EDGE).mean(axis=(0, 1))
    edges = {"left": low[0], "right": high[0], "top": low[1], "bottom": high[1]}
    edge = max(edges, key=edges.get)
    return SetupItem(
        "body",
        FIX,
        f"Part of you is cut off at the {edge} of the picture",
        "move the camera further back, or turn it, until all of you is in the picture",
    )


def _joints(posed: Sequence[PoseFrame], spec: Spec, side: str) -> SetupItem:
    if not posed:
        return SetupItem("joints", WAIT, "Nobody found yet")
    vis = np.stack([f.visibility for f in posed])
    seen = (vis >= spec.visibility).mean(axis=0) >= SEEN_AT_LEAST
    hips = all(seen[index(f"{s}_hip")] for s in ("left", "right"))
    legs = [leg for leg in _legs(side) if seen[index(f"{leg}_knee")] and seen[index(f"{leg}_heel")]]
    hidden = [leg for leg in _legs(side) if leg not in legs]
    if hips and legs and (not hidden or side not in ("left", "right")):
        if hidden:  # "auto": one leg seen is enough to work that one
            return SetupItem(
                "joints",
                READY,
                f"Both hips and your {legs[0]} knee and heel are seen "
                f"(not your {hidden[0]} leg: work the {legs[0]} one)",
            )
        return SetupItem("joints", READY, "Both hips, knees and heels are seen")
    missing = [] if hips else ["your hips"]
    missing += [f"your {leg} knee and heel" for leg in hidden]
    return SetupItem(
        "joints",
        FIX,
        f"The camera can't see {' or '.join(missing)}",
        "make sure nothing is in front of your legs, and that the camera looks along your body",
    )


def hidden_checks(spec: Spec, view: str | None) -> tuple[CheckSpec, ...]:
    """The checks ``view`` can't see that the spec's recommended view would.

    (A check no single placement judges with the others, such as a pelvis lift
    seen only from the side, is no reason to move.)

    >>> from formcheck.specs import find_spec
    >>> [c.code for c in hidden_checks(find_spec("heel_slide"), "overhead")]
    ['pelvis_rotation']
    """
    best = spec.guidance.camera_view
    return tuple(
        c
        for c in spec.checks
        if view is not None and c.views and view not in c.views and best in c.views
    )


def _view(spec: Spec, view: str | None, doubt: str) -> SetupItem:
    best = spec.guidance.camera_view
    if view is None:
        return SetupItem("view", WAIT, "Not known yet")
    if doubt:
        fix = MISREAD_FIX if doubt.startswith(MISREAD) else view_advice(best, spec.posture)
        return SetupItem("view", FIX, doubt, fix)
    hidden = hidden_checks(spec, view)
    if not hidden:
        return SetupItem("view", READY, f"Filmed from {view_from(view, spec.posture)}")
    names = ", ".join(c.label for c in hidden)
    return SetupItem(
        "view",
        FIX,
        f"Filmed from {view_from(view, spec.posture)}: {names} can't be seen from there",
        view_advice(best, spec.posture),
    )


def _distance(posed: Sequence[PoseFrame]) -> SetupItem:
    if not posed:
        return SetupItem("distance", WAIT, "Not known yet")
    xy = np.stack([f.image[_BODY, :2] for f in posed])
    fill = float(np.median((np.nanmax(xy, axis=1) - np.nanmin(xy, axis=1)).max(axis=1)))
    if fill < FILL_BELOW:
        return SetupItem(
            "distance",
            FIX,
            f"You fill only {_percent(fill)} of the picture",
            "bring the camera closer, or raise it a little, so you fill more of the picture",
        )
    return SetupItem("distance", READY, f"You fill {_percent(min(fill, 1.0))} of the picture")


def _light(picture: Picture | None) -> SetupItem:
    if picture is None:
        return SetupItem("light", WAIT, "Not measured yet")
    advice = picture.advice()
    if advice:
        head, _, how = advice.partition(": ")
        return SetupItem("light", FIX, head[:1].upper() + head[1:], how or "light the room")
    return SetupItem("light", READY, f"Bright enough (brightness {_percent(picture.brightness)})")


def _holds_still(run: np.ndarray) -> bool:
    """True when the ``(n, k, 2)`` pixel track of ``run`` holds still: the medians of
    its quarters stay within `STILL_SHARE` of the body's size of the whole median
    (medians, so the pose model's frame-to-frame jitter doesn't count as moving)."""
    centre = np.nanmedian(run, axis=0)
    size = body_size(centre[np.isfinite(centre).all(axis=1)])
    parts = [np.nanmedian(q, axis=0) for q in np.array_split(run, 4) if len(q)]
    stray = max(float(np.nanmax(np.linalg.norm(p - centre, axis=1))) for p in parts)
    return stray <= STILL_SHARE * size


def still_stretch(
    frames: Sequence[PoseFrame],
    resting: Sequence[bool] | None = None,
    seconds: float = STILL_SECONDS,
) -> tuple[PoseFrame, ...]:
    """The latest run of posed frames, ``seconds`` long, in which the body held still
    (empty when there is none).

    Still: the hips, knees and heels stayed put (`STILL_SHARE`) and, when
    ``resting`` is given (one flag per frame: the engine saw no rep under way),
    every frame of the run was resting.

    >>> from formcheck.simulate import simulate
    >>> sim = simulate("heel_slide", reps=1, lead_in=3.0, view="end_on")
    >>> resting = [not any(r.start <= f.t <= r.end for r in sim.truth.reps) for f in sim.frames]
    >>> run = still_stretch(sim.frames[:90], resting[:90])
    >>> round(run[-1].t - run[0].t, 1), len(still_stretch(sim.frames[90:180], resting[90:180]))
    (2.0, 0)
    """
    if resting is not None and len(resting) != len(frames):
        raise ValueError(f"resting: expected {len(frames)} flags, one a frame, got {len(resting)}")
    flags = [True] * len(frames) if resting is None else list(resting)
    posed = [f for f in frames if f.has_pose]
    calm = np.array([r for f, r in zip(frames, flags, strict=True) if f.has_pose], dtype=bool)
    if not posed or posed[-1].t - posed[0].t < seconds:
        return ()
    ts = np.array([f.t for f in posed])
    px = np.stack([f.pixels()[list(_LOWER)] for f in posed])  # (n, 6, 2)
    end = len(posed)
    while end > 0 and ts[end - 1] - ts[0] >= seconds:
        start = int(np.searchsorted(ts, ts[end - 1] - seconds))
        if calm[start:end].all() and _holds_still(px[start:end]):
            return tuple(posed[start:end])
        end -= 1
    return ()


def _still(floors: Mapping[str, NoiseFloor] | None, spec: Spec, view: str | None) -> SetupItem:
    known = {code: f for code, f in (floors or {}).items() if f.known}
    if not known:
        return SetupItem("still", WAIT, "Lie still, as at the start of a rep, for 2 seconds")
    shaky = [
        (spec.check(code), f)
        for code, f in known.items()
        if view in spec.check(code).views
        and not noise_verdict(spec.check(code), view, f, posture=spec.posture).judged
    ]
    if not shaky:
        return SetupItem("still", READY, "Steady enough to judge your form")
    check, worst = max(shaky, key=lambda cf: cf[1].value / cf[0].limit_for(view))
    return SetupItem(
        "still",
        FIX,
        f"Lying still, your {check.label} reads up to {noise_text(worst.value, worst.unit)} "
        f"(the limit is {limit_text(check.limit_for(view), worst.unit)})",
        "bring the camera closer and light the room well, so the picture is steadier",
    )


def _measured_from() -> str:
    """The view a joint angle's range is measured well from (`engine.view.ROM_ERROR`)."""
    good = [v for v, e in ROM_ERROR.items() if e.uncertainty <= ROM_WITHIN_DEG]
    return good[0] if good else "side"


def _verdict(
    check: CheckSpec,
    spec: Spec,
    view: str | None,
    doubt: str,
    skew: float,
    ratio: float,
    floors: Mapping[str, NoiseFloor] | None,
) -> SetupVerdict:
    code, label = check.code, check.label
    if view is None:
        return SetupVerdict(code, label, WAIT, "Not known until you are seen")
    best = spec.guidance.camera_view
    angle = check.kind == "range" and check.metric is not None
    angle = angle and spec.metric(check.metric).kind == "joint_angle"
    if doubt:
        move = _measured_from() if angle else best
        misread = doubt.startswith(MISREAD)
        why = "the camera misreads you" if misread else "the camera's view is unclear"
        message = f"Not while {why}"
        return SetupVerdict(code, label, FIX, message, view_advice(move, spec.posture), move)
    if check.views and view not in check.views:
        move = best if best in check.views else check.views[0]
        message = f"Can't be seen from {view_from(view, spec.posture)}"
        return SetupVerdict(code, label, FIX, message, view_advice(move, spec.posture), move)
    if angle:
        withheld = rom_withheld(view, "joint_angle", spec.posture)
        if withheld:
            move = _measured_from()
            message = f"Not from here: {withheld}"
            return SetupVerdict(code, label, FIX, message, view_advice(move, spec.posture), move)
    if check.kind not in NOISY_KINDS:
        return SetupVerdict(code, label, READY, "Can be judged from here")
    # The engine's own verdict: its noise floor, and (a path) how square the camera is.
    floor = floors.get(code) if floors is not None else None
    off_square = check.kind == "path_straightness" and path_leans(view, skew, ratio)
    if (floor is None or not floor.known) and not off_square:
        # Seen from here, but how steady is not measured yet: lying still 2 s tells
        # (the engine judges no noisy check before that).
        return SetupVerdict(code, label, WAIT, "Seen from here; lie still to measure how steady")
    noise = noise_verdict(check, view, floor, skew, spec.posture, ratio)
    if not noise.judged:
        noisy = floor is not None and floor.known and MARGIN * floor.value > noise.limit
        move = None if noisy else (best if best in check.views else None)
        message = noise.reason[:1].upper() + noise.reason[1:]
        return SetupVerdict(code, label, FIX, message, noise.advice, move, floor)
    return SetupVerdict(code, label, READY, "Can be judged from here", "", None, floor)


def check_setup(
    frames: Sequence[PoseFrame],
    spec: Spec,
    side: str = "auto",
    picture: Picture | None = None,
    *,
    resting: Sequence[bool] | None = None,
    still: Sequence[PoseFrame] | None = None,
    floor: FloorEstimate = still_floors,
    floors: Mapping[str, NoiseFloor] | None = None,
) -> SetupReport:
    """The `SetupReport` of a few seconds of ``frames`` (oldest first).

    ``picture`` is the camera's brightness and noise (None: not measured);
    ``resting`` flags the frames in which no rep was under way (None: unknown);
    ``still`` is a still stretch to measure the noise floor on (default: the
    latest one in ``frames``, `still_stretch`); ``floor`` how it is measured;
    ``floors`` the floors already measured (e.g. over a whole clip), if any.
    """
    posed = [f for f in frames if f.has_pose]
    view, doubt, skew, ratio = _view_of(posed, spec) if posed else (None, "", 0.0, math.nan)
    if floors is None:
        still = still_stretch(frames, resting) if still is None else tuple(still)
        floors = floor(still, spec, side, view) if still and view is not None else None
    items = (
        _body(frames, posed),
        _joints(posed, spec, side),
        _view(spec, view, doubt),
        _distance(posed),
        _light(picture),
        _still(floors, spec, view),
    )
    checks = tuple(_verdict(c, spec, view, doubt, skew, ratio, floors) for c in spec.checks)
    return SetupReport(items, checks, view, doubt)
