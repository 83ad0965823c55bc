"""The registries of metric kinds and check kinds, and the fixed vocabularies.

One registry drives both the loader's validation and the generated reference
(`docs/spec-language.md`), so the two cannot drift apart. The engine has one
evaluator per kind named here (a test checks it covers them all).

>>> sorted(metric_kinds())
['body_position', 'displacement', 'distance', 'joint_angle', 'segment_angle']
>>> check_kinds()["stillness"].params[0].name
'metric'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from formcheck.specs.schema import (
    IDENTIFIER,
    NONNEGATIVE,
    NUMBER,
    NUMBER_PAIR,
    POINT,
    TEXT,
    Invalid,
    Param,
    ParamType,
    choice,
    list_of,
    points,
    show,
)

#: Camera views the engine can detect: name -> what it means (for the docs).
VIEWS: Mapping[str, str] = {
    "side": "the camera looks across the body: its side is seen, the hip line points at the lens",
    "end_on": "the camera looks along the body from beyond the feet (or the head)",
    "overhead": "the camera faces the front of the body: above a lying person, "
    "in front of a standing one",
    "oblique": "the camera looks at the body from a corner, neither along nor across it "
    "(the hip line and the torso no longer look square to each other)",
}

#: How to fix a view that can't judge a check: best view -> advice.
VIEW_ADVICE: Mapping[str, str] = {
    "side": "place the camera to one side of you, level with your body",
    # A camera high above the feet and tilted down sees the body much as an
    # overhead one does (the torso barely foreshortened), so say "along".
    "end_on": "place the camera beyond your feet, aimed along your body rather than down onto it",
    "overhead": "place the camera facing the front of your body",
    "oblique": "place the camera square to your body, not at a corner",
}

#: Where each view films from, to finish "can't be seen from ...". Views are
#: named relative to the body, so "overhead" is in front of a standing person
#: and above a lying one.
VIEW_FROM: Mapping[str, str] = {
    "side": "the side",
    "end_on": "the end, beyond the feet",
    "overhead": "the front of your body",
    "oblique": "a corner",
}

#: The words for a view that depend on the exercise's posture (`view_from`, `view_advice`).
#: A lying person's `overhead` camera may be above them or high beyond their feet and
#: tilted down: both see the front of the body with the torso barely foreshortened, and
#: the engine can't tell them apart (docs/engine.md), so the words cover both.
_POSTURE_WORDS: Mapping[tuple[str, str], tuple[str, str]] = {
    ("lying", "overhead"): (
        "high up, looking down on your body (above you, or high beyond your feet)",
        "place the camera high up, looking down on your body",
    ),
    ("upright", "overhead"): ("in front of you", "place the camera in front of you"),
}


def view_from(view: str, posture: str = "any") -> str:
    """Where ``view`` films from, in words for the exercise's ``posture`` (ends
    "can't be seen from ..." and "Filmed from ...").

    >>> view_from("overhead", "upright"), view_from("side", "lying")
    ('in front of you', 'the side')
    """
    return _POSTURE_WORDS.get((posture, view), (VIEW_FROM.get(view, "here"),))[0]


def view_advice(view: str, posture: str = "any") -> str:
    """How to place the camera for ``view``, in words for the exercise's ``posture``.

    >>> view_advice("overhead", "lying")
    'place the camera high up, looking down on your body'
    """
    words = _POSTURE_WORDS.get((posture, view))
    return words[1] if words is not None else VIEW_ADVICE[view]


#: How units read in a sentence or a heading (others as written).
UNIT_SIGNS: Mapping[str, str] = {"deg": "°"}
#: Decimals shown per unit (others: two): finer digits are the pose model's noise.
DECIMALS: Mapping[str, int] = {"deg": 0, "cm": 1, "s": 1}


def _with_unit(number: str, unit: str) -> str:
    sign = UNIT_SIGNS.get(unit)
    return f"{number}{sign}" if sign else f"{number} {unit}".rstrip()


def amount_text(value: float, unit: str) -> str:
    """A measured value for a person to read: whole degrees, centimetres to one decimal.

    >>> amount_text(26.46, "deg"), amount_text(7.44, "cm")
    ('26°', '7.4 cm')
    """
    return _with_unit(f"{value:.{DECIMALS.get(unit, 2)}f}", unit)


def noise_text(value: float, unit: str) -> str:
    """A noise reading, small by nature, to two significant digits with its unit.

    >>> noise_text(0.42, "deg"), noise_text(5.46, "cm")
    ('0.42°', '5.5 cm')
    """
    return _with_unit(f"{value:.2g}", unit)


def limit_text(value: float, unit: str) -> str:
    """A limit as the spec writes it, with its unit: ``limit_text(8.0, "deg")`` -> ``8°``."""
    return _with_unit(f"{value:g}", unit)


#: How the spec says which sides work.
SIDE_MODES: Mapping[str, str] = {
    "either": "one side works at a time (a set per leg); the user picks left, right or auto",
    "alternating": "the sides take turns rep by rep; auto tracks both",
    "both": "both sides work together; templated metrics are averaged over left and right",
}

#: The body's posture in the exercise; the exercise guess compares it with the clip's.
POSTURES: Mapping[str, str] = {
    "lying": "the torso along the floor: on the back, the side or the front, or in a plank",
    "upright": "the torso upright: standing or sitting",
    "any": "not said (the exercise guess doesn't judge posture)",
}

#: What a user may ask the engine for.
SIDES = ("left", "right", "both", "auto")
SEVERITIES = ("info", "warning", "error")
BODY_LENGTHS: Mapping[str, tuple[str, str]] = {
    "thigh": ("{side}_hip", "{side}_knee"),
    "shin": ("{side}_knee", "{side}_ankle"),
    "hip_width": ("left_hip", "right_hip"),
    "shoulder_width": ("left_shoulder", "right_shoulder"),
    "torso": ("mid_hip", "mid_shoulder"),
}


@dataclass(frozen=True)
class Kind:
    """A metric or check kind: its parameters and the unit and bounds of its values.

    ``unit(params)`` and ``bounds(params)`` get the validated parameters (for a
    check, also ``"metric_unit"`` and ``"metric_bounds"`` of the metric it
    reads); ``bounds`` is the smallest and largest value the kind can produce.
    """

    name: str
    doc: str
    params: tuple[Param, ...]
    unit: Callable[[Mapping[str, object]], str]
    bounds: Callable[[Mapping[str, object]], tuple[float, float]]
    needs_metric: bool = False


_ANGLE = (0.0, 180.0)


def _angle_range(value: object) -> tuple[float, float]:
    low, high = NUMBER_PAIR.convert(value)
    if not low < high <= _ANGLE[1]:
        raise Invalid(
            "", f"expected [low, high] with low < high <= {_ANGLE[1]:g}, got [{low:g}, {high:g}]"
        )
    return low, high


ANGLE_RANGE = ParamType("[low, high] degrees, low < high <= 180", _angle_range)
_LENGTH = (0.0, float("inf"))
_SIGNED = (float("-inf"), float("inf"))
_PER = Param(
    "per",
    choice(BODY_LENGTHS),
    "divide by this body length (measured at the start); without it the value is in cm",
    required=False,
)
_SPACE = Param(
    "space",
    choice(("image", "world")),
    "image: measured against the still camera and scaled to cm by a body length; "
    "world: in the pose model's 3D landmarks (hip-centred, so they can't see the pelvis move)",
    required=False,
    default="image",
)


def metric_kinds() -> Mapping[str, Kind]:
    """The metric kinds, by name (built on each call: no import-time work)."""
    kinds = (
        Kind(
            "joint_angle",
            "The angle at the middle of three landmarks, 180 when they are in a straight line.",
            (
                Param("points", points(3), "three landmarks; the angle is at the second"),
                Param(
                    "space",
                    choice(("world", "image", "auto")),
                    "world: the 3D world landmarks (view-independent, but the pose model's "
                    "depth compresses bends seen end-on); image: pixels (exact for motion "
                    "across the image); auto: pixels in a side or corner (oblique) view, world "
                    "otherwise. Sources without world landmarks always use pixels",
                    required=False,
                    default="world",
                ),
                Param(
                    "plausible",
                    ANGLE_RANGE,
                    "[low, high] degrees a person's joint can read in this exercise. Where "
                    "a side reads outside it in a large share of its frames, the pose model "
                    "is misreading the body from that camera: the result says so and gives "
                    "no range of motion",
                    required=False,
                ),
            ),
            lambda p: "deg",
            lambda p: _ANGLE,
        ),
        Kind(
            "segment_angle",
            "The angle between the segment from the first landmark to the second and a "
            "reference direction: `body_axis` (mid-hip to mid-shoulder; 0 to 180), or `floor` "
            "or `vertical` (the image's horizontal or vertical, for a level camera; 0 to 90, "
            "whichever way the body faces).",
            (
                Param("points", points(2), "the segment, from the first landmark to the second"),
                Param("against", choice(("body_axis", "floor", "vertical")), "the reference"),
            ),
            lambda p: "deg",
            lambda p: _ANGLE if p["against"] == "body_axis" else (0.0, 90.0),
        ),
        Kind(
            "distance",
            "The distance between two landmarks divided by a body length.",
            (
                Param("points", points(2), "the two landmarks"),
                Param("per", choice(BODY_LENGTHS), "the body length to divide by"),
            ),
            lambda p: "ratio",
            lambda p: _LENGTH,
        ),
        Kind(
            "body_position",
            "Where a landmark sits in the body frame: origin at `origin`, axes along the hip "
            'line (`lateral`) and along the torso (`longitudinal`). "A heel in line with its '
            'sit bone" is a lateral offset of about 0 from its own hip.',
            (
                Param("point", POINT, "the landmark"),
                Param("axis", choice(("lateral", "longitudinal")), "which body axis"),
                Param("origin", POINT, "where the axis starts", required=False, default="mid_hip"),
                Param(
                    "toward",
                    choice(("{side}", "{other}", "left", "right")),
                    "lateral only: the positive direction (default: the working side, so "
                    "positive means away from the midline)",
                    required=False,
                    default="{side}",
                ),
                _PER,
            ),
            lambda p: "ratio" if p.get("per") else "cm",
            lambda p: _SIGNED,
        ),
        Kind(
            "displacement",
            "How far a landmark (one point: cm) or a line (two points: degrees of rotation) "
            "has moved since the start of the rep.",
            (
                Param("points", points((1, 2)), "one landmark, or two for a line"),
                _SPACE,
                Param(
                    "direction",
                    choice(("any", "across_body")),
                    "one landmark in image space: any (the whole move), or across_body "
                    "(only the part square to the body axis as the image showed it at the "
                    "start of the rep: from the side, up off the floor)",
                    required=False,
                    default="any",
                ),
            ),
            lambda p: "cm" if len(p["points"]) == 1 else "deg",
            lambda p: _LENGTH if len(p["points"]) == 1 else _ANGLE,
        ),
    )
    return {k.name: k for k in kinds}


def check_kinds() -> Mapping[str, Kind]:
    """The check kinds, by name (built on each call: no import-time work)."""
    metric = Param("metric", TEXT, "the name of a metric in `[metrics]`")
    kinds = (
        Kind(
            "path_straightness",
            "The largest sideways distance of a landmark from the straight line it should "
            "follow in a rep: the line through its position at the start of the rep, along "
            "the body axis (or the hip line).",
            (
                Param("point", POINT, "the landmark whose path is judged"),
                Param(
                    "along",
                    choice(("body_axis", "hip_line", "sit_bone")),
                    "the direction of the ideal line: the body axis, the hip line, or "
                    "sit_bone (from the point's own hip through its start position)",
                    required=False,
                    default="body_axis",
                ),
                _SPACE,
            ),
            lambda p: "cm",
            lambda p: _LENGTH,
        ),
        Kind(
            "stillness",
            "The largest value, within a rep, of a `displacement` metric: how far a point or "
            "a line moved from where it was at the start of the rep.",
            (metric,),
            lambda p: str(p["metric_unit"]),
            lambda p: p["metric_bounds"],  # type: ignore[return-value]
            needs_metric=True,
        ),
        Kind(
            "range",
            "The smallest or largest value of a metric within the rep, against a limit: e.g. "
            "the knee must reach at least 160 degrees. Judged when the rep ends.",
            (
                metric,
                Param("stat", choice(("max", "min")), "which extreme of the rep"),
                Param("must", choice(("at_least", "at_most")), "how it compares with `limit`"),
            ),
            lambda p: str(p["metric_unit"]),
            lambda p: p["metric_bounds"],  # type: ignore[return-value]
            needs_metric=True,
        ),
        Kind(
            "symmetry",
            "Left against right: the difference between the two sides' extreme of a metric "
            "(which must use `{side}`) within the rep. Judged when the rep ends.",
            (
                metric,
                Param("stat", choice(("max", "min")), "which extreme of the rep"),
            ),
            lambda p: str(p["metric_unit"]),
            lambda p: _LENGTH,
            needs_metric=True,
        ),
    )
    return {k.name: k for k in kinds}


def _view_limits(value: object) -> tuple[tuple[str, float], ...]:
    if not isinstance(value, Mapping):
        raise Invalid("", f"expected a table of view = number, got {show(value)}")
    out = []
    for view, limit in value.items():
        try:
            choice(VIEWS).convert(view)
        except Invalid as exc:
            raise exc.within(view) from None
        try:
            out.append((view, NONNEGATIVE.convert(limit)))
        except Invalid as exc:
            raise exc.within(view) from None
    return tuple(out)


def common_check_params() -> tuple[Param, ...]:
    """The parameters shared by all check kinds (kind-specific ones follow them)."""
    return (
        Param("code", IDENTIFIER, "the stable flag code, e.g. `heel_off_line`"),
        Param("kind", choice(check_kinds()), "the check kind"),
        Param("label", TEXT, "what it judges, in a few words (used when a view can't judge it)"),
        Param("limit", NUMBER, "the threshold; past it the flag is raised"),
        Param("unit", TEXT, "the unit of `limit`; must match what the kind measures"),
        Param("cue", TEXT, "what the user is told when the flag is raised"),
        Param(
            "severity",
            choice(SEVERITIES),
            "how much it matters",
            required=False,
            default="warning",
        ),
        Param(
            "views",
            list_of(choice(VIEWS)),
            "the camera views it can be judged from (default: all)",
            required=False,
            default=tuple(VIEWS),
        ),
        Param(
            "view_limits",
            ParamType("table of view = number", _view_limits),
            "per-view limits that replace `limit`, e.g. `{ side = 4.0 }`",
            required=False,
            default=(),
        ),
    )
