"""Camera view detection and the image scale, from the body's image geometry.

The hip line and the torso are roughly perpendicular body lengths whose true
ratio is known (from world landmarks, else nominal proportions). How the
camera foreshortens each tells the view:

- **side**: the hip line points at the lens, so it looks short next to the torso;
- **end_on** (from beyond the feet): the torso points at the lens and looks short;
- **overhead**: both lie across the image, in their true ratio.

``ratio = (hip_px / torso_px) / (hip_true / torso_true)``: below `SIDE_BELOW`
is side, above `END_ON_ABOVE` is end-on, otherwise overhead. A camera at a
corner is **oblique**: the hip line and the torso, square to each other on the
body, no longer look square in the image (more than `OBLIQUE_SKEW` degrees
off; on a rendered corner view they met at 46 degrees, against 88-95 for
end-on and overhead ones). The side view is exempt: its hip line is too short
in the image for its direction to mean anything. The same two
lengths give the image scale at the pelvis: the less foreshortened of the two
(the larger pixels-per-cm) is the better estimate, since foreshortening only
ever shortens.

>>> import numpy as np
>>> px = np.zeros((33, 2)); px[23] = (300, 200); px[24] = (300, 205)   # hips one behind the other
>>> px[11] = (420, 200); px[12] = (420, 205)                            # shoulders beside them
>>> cal = calibrate(px, None)
>>> cal.view, round(cal.px_per_cm, 2)
('side', 2.53)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from formcheck.engine.geometry import NOMINAL_CM, angle_between
from formcheck.landmarks import index
from formcheck.specs.kinds import view_from

SIDE_BELOW = 0.55
END_ON_ABOVE = 1.6
OBLIQUE_SKEW = 25.0

_PAIRS = {
    "hip_width": (("left_hip",), ("right_hip",)),
    "shoulder_width": (("left_shoulder",), ("right_shoulder",)),
    "torso": (("left_hip", "right_hip"), ("left_shoulder", "right_shoulder")),
    "thigh": (("left_hip",), ("left_knee",)),
    "shin": (("left_knee",), ("left_ankle",)),
}


def _mean(P: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    return sum(P[index(n)] for n in names) / len(names)


def _length(P: np.ndarray, name: str) -> float:
    a, b = _PAIRS[name]
    d = _mean(P, a) - _mean(P, b)
    return math.sqrt(float(d @ d))


@dataclass(frozen=True)
class Calibration:
    """What the first stable pose tells: the view, the image scale, the body's lengths.

    ``px_per_cm`` is the image scale at the pelvis; ``lengths_cm`` the body
    lengths (from world landmarks when ``has_world``, else nominal).
    ``image_depth``: the image landmarks carry their own relative depth (MediaPipe's
    z), which angles read in depth fall back on without world landmarks.
    """

    view: str
    ratio: float
    px_per_cm: float
    has_world: bool
    lengths_cm: Mapping[str, float]
    torso_px: float
    body_px: float = 100.0
    skew: float = 0.0
    image_depth: bool = False

    def length_cm(self, name: str) -> float:
        """A body length in cm: hip_width, shoulder_width, torso, thigh or shin."""
        return self.lengths_cm[name]


def view_from_ratio(ratio: float) -> str:
    """``side``, ``end_on`` or ``overhead`` for a foreshortening ratio (see the module doc)."""
    if math.isnan(ratio):
        return "overhead"
    if ratio < SIDE_BELOW:
        return "side"
    return "end_on" if ratio > END_ON_ABOVE else "overhead"


def skewed(view: str, skew: float) -> str:
    """``oblique`` for a front view whose hip line and torso meet ``skew`` degrees off
    square (more than `OBLIQUE_SKEW`), else ``view``.

    Side and end-on views are exempt: each foreshortens one of the two lengths to a
    few pixels (the hip line from the side, the torso from beyond the feet), and a
    few pixels' direction is noise and perspective, not the camera's corner. (On the
    suite's tuning split, 65 of 111 cameras beyond the feet read as oblique for
    that alone: at floor height the torso was a tenth of its length, at skews of
    30-87 degrees; real corner cameras read ratios of 0.8-1.1.)

    >>> skewed("overhead", 40.0), skewed("end_on", 40.0), skewed("overhead", 10.0)
    ('oblique', 'end_on', 'overhead')
    """
    return "oblique" if view == "overhead" and skew > OBLIQUE_SKEW else view


def body_size(px: np.ndarray, seen: np.ndarray | None = None) -> float:
    """A body length in pixels for any view: a third of the seen landmarks' box diagonal.

    (The torso alone won't do: seen end-on it shrinks to almost nothing.) Nothing
    here assumes a pixel's size: a landmark file of normalised coordinates with a
    1 x 1 frame is as good as a camera's 640 x 480 (a floor of 10 pixels made such a
    body's length 10 frame widths, and its jumping jacks counted 8 of 6).

    >>> round(body_size(np.array([[0.0, 0.0], [0.3, 0.4]])), 4)
    0.1667
    """
    pts = px if seen is None or not seen.any() else px[seen]
    span = pts.max(axis=0) - pts.min(axis=0)
    diagonal = math.hypot(float(span[0]), float(span[1]))
    return diagonal / 3.0 if diagonal > 0.0 else 10.0  # one point alone has no size


def calibrate(
    px: np.ndarray,
    world: np.ndarray | None,
    seen: np.ndarray | None = None,
    image_depth: bool = False,
) -> Calibration:
    """The `Calibration` of a still pose: ``px`` ``(33, 2)`` pixels, ``world`` metres or
    None; ``image_depth``: the image landmarks carry their own depth (`Pose.px_depth`)."""
    if world is not None:
        lengths = {name: 100.0 * _length(world, name) for name in _PAIRS}
        for name, nominal in NOMINAL_CM.items():  # a degenerate world pose falls back
            if not lengths[name] > 1.0:
                lengths[name] = nominal
    else:
        lengths = dict(NOMINAL_CM)
    hip_px, torso_px = _length(px, "hip_width"), _length(px, "torso")
    true_ratio = lengths["hip_width"] / lengths["torso"]
    if torso_px > 1e-6:
        ratio = (hip_px / torso_px) / true_ratio
    else:  # the torso points at the lens: end-on, unless nothing is there at all
        ratio = math.inf if hip_px > 1e-6 else math.nan
    scale = max(hip_px / lengths["hip_width"], torso_px / lengths["torso"])
    hips = px[index("left_hip")] - px[index("right_hip")]
    torso = _mean(px, _PAIRS["torso"][1]) - _mean(px, _PAIRS["torso"][0])
    skew = abs(90.0 - angle_between(hips, torso)) if hip_px > 1e-6 and torso_px > 1e-6 else 0.0
    view = skewed(view_from_ratio(ratio), skew)
    return Calibration(
        view=view,
        skew=skew,
        ratio=ratio,
        px_per_cm=scale,
        has_world=world is not None,
        image_depth=image_depth,
        lengths_cm=lengths,
        torso_px=torso_px,
        body_px=body_size(px, seen),
    )


@dataclass(frozen=True)
class AngleError:
    """MediaPipe's error in a rep's joint-angle extremes from one view, in degrees.

    ``uncertainty`` is the 95th percentile of the absolute error over both
    ends; ``bias_bent``/``bias_straight`` the mean signed error (measured minus
    true) at each end. ``source`` names the clips it was measured on
    (docs/calibration.md, "Range of motion per view").
    """

    uncertainty: float
    bias_bent: float
    bias_straight: float
    source: str


#: A joint angle's range of motion is shown only where the view measures it within this.
ROM_WITHIN_DEG = 10.0

#: The driving joint angle's whole-rep extremes against render truth, per view as the
#: engine detects it (`formcheck.bench.rom`; docs/calibration.md, "Range of motion per
#: view"). Set from the tuning clips named in ``source``; the other rendered clips are
#: kept for testing. A view that is not listed has not been measured. The biases are
#: reported, not corrected: from the side they differ more between bodies than from
#: zero, and elsewhere the straight end's spread alone is past `ROM_WITHIN_DEG`.
ROM_ERROR: Mapping[str, AngleError] = {
    "side": AngleError(
        5.1, +2.3, +1.2, "6 reps of heel_slide_left_side and heel_slide_right_side_male"
    ),
    # A camera 1.6 m high beyond the feet reads as overhead (the torso hardly foreshortened).
    "overhead": AngleError(
        38.6,
        +2.0,
        -27.7,
        "9 reps of heel_slide_left_end_on, heel_slide_right_end_on_veer_out and "
        "heel_slide_left_end_on_veer_in (camera beyond the feet, 1.6 m high)",
    ),
    # Pixel angles (formcheck.engine.metrics.PIXEL_VIEWS): the straight end's median
    # error is small, but some clips' misreads keep the p95 far past `ROM_WITHIN_DEG`.
    "oblique": AngleError(
        37.5,
        -7.2,
        -6.0,
        "53 reps of the 28 rendered tuning clips read as oblique (tests/validation/"
        "rendered, rendered_s14, rendered_s15)",
    ),
    # Not rendered as such: a lower camera beyond the feet sees the shin even more
    # end-on than the overhead clips did, so their figures are the best known.
    "end_on": AngleError(38.6, +2.0, -27.7, "as overhead: no rendered clip reads as end_on yet"),
}


def rom_error(view: str | None, metric_kind: str) -> AngleError | None:
    """The known error of a ``metric_kind`` driving metric's range from ``view`` (None: unknown).

    Only joint angles have been measured against truth.

    >>> rom_error("side", "joint_angle").uncertainty <= ROM_WITHIN_DEG
    True
    >>> rom_error("side", "distance") is None
    True
    """
    if view is None or metric_kind != "joint_angle":
        return None
    return ROM_ERROR.get(view)


def rom_withheld(view: str | None, metric_kind: str, posture: str = "any") -> str | None:
    """Why a rep's range of motion can't be given from ``view``, or None if it can
    (in words for the exercise's ``posture``).

    >>> rom_withheld("end_on", "joint_angle")
    "range of motion can't be measured within 10° from the end, beyond the feet: film from the side"
    >>> rom_withheld("side", "joint_angle") is None
    True
    """
    error = rom_error(view, metric_kind)
    if error is None or error.uncertainty <= ROM_WITHIN_DEG:
        return None
    return (
        f"range of motion can't be measured within {ROM_WITHIN_DEG:g}° from "
        f"{view_from(view, posture)}: film from the side"
    )
