"""Which exercise a clip shows, from every candidate spec's engine result: or nothing, when unsure.

Counting the most reps is not enough: a heel slide's knee also straightens and
bends for a seated leg extension and a squat, and a knee that drifts as the
leg slides counts as knee wags. So `choose` keeps a candidate only if

- its **posture** fits: from the side (the one view whose camera is level
  enough to tell), the torso lies across the image for a lying exercise and
  stands up in it for an upright one (`Uprightness`);
- its reps **start from its own rest**: each rep's whole-rep range begins
  within `REST_SPANS` of the spec's ``exit`` (in units of its ``exit``-``full``
  span), not from somewhere the exercise never rests;
- for an exercise of held reps, its reps **were held** (only as many count as holds);
- for an exercise whose sides take turns, its reps **do take turns**: a rep
  that mostly overlaps one of the other side's is both sides moving at once
  (a sit-up's hips both fold, and a lying march counted them twice);

scores it by its reps (a partial counts half, only fitting reps count), and
names the best only with `MIN_SCORE`, a clear `MARGIN` over the runner-up, and
at least `FULL_SHARE` of its fitting reps full (a wrong exercise's reps often
only just reach its thresholds).

>>> u = Uprightness()
>>> u.value()   # nothing seen yet
nan
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from formcheck.engine import AnalysisResult
from formcheck.frame import PoseFrame
from formcheck.landmarks import index
from formcheck.specs import Spec

#: A rep fits a spec when its rest lies within this many ``exit``-``full`` spans of ``exit``.
REST_SPANS = 3.0
#: The winner's score must be at least this (two full reps) ...
MIN_SCORE = 2.0
#: ... and this many times the runner-up's.
MARGIN = 1.5
#: ... and at least this share of the winner's fitting reps must be full.
FULL_SHARE = 0.75
#: From the side, the torso's image direction: below this share of it vertical is lying,
#: above `UPRIGHT_ABOVE` upright (rendered and simulated lying bodies: 0.02-0.28;
#: standing and sitting ones: 0.86-1.0).
LYING_BELOW = 0.5
UPRIGHT_ABOVE = 0.8

_SHOULDERS = (index("left_shoulder"), index("right_shoulder"))
_HIPS = (index("left_hip"), index("right_hip"))


class Uprightness:
    """How upright the torso stands in the image, over a clip (median; NaN if never seen).

    1 is vertical in the image, 0 horizontal: the share of the hip-to-shoulder
    line along the image's vertical.
    """

    def __init__(self) -> None:
        self._values: list[float] = []

    def update(self, frame: PoseFrame) -> None:
        """One frame (frames without a pose change nothing)."""
        if not frame.has_pose:
            return
        px = frame.pixels()
        torso = px[list(_SHOULDERS)].mean(axis=0) - px[list(_HIPS)].mean(axis=0)
        length = math.hypot(float(torso[0]), float(torso[1]))
        if length > 1e-6:
            self._values.append(abs(float(torso[1])) / length)

    def value(self) -> float:
        return float(np.median(self._values)) if self._values else math.nan


def posture(view: str | None, uprightness: float) -> str | None:
    """``lying``, ``upright``, or None when the view can't tell (only a side view can).

    >>> posture("side", 0.05), posture("side", 0.97), posture("end_on", 0.05)
    ('lying', 'upright', None)
    """
    if view != "side" or uprightness != uprightness:
        return None
    if uprightness < LYING_BELOW:
        return "lying"
    return "upright" if uprightness > UPRIGHT_ABOVE else None


def fitting_reps(result: AnalysisResult, spec: Spec) -> tuple[int, int]:
    """How many reps fit the spec (see the module doc): ``(full, partial)``."""
    phase = spec.phase
    if phase is None:
        return 0, 0
    span = abs(phase.full - phase.exit)
    increase = phase.direction == "increase"
    reps = result.rep_table
    full = partial = 0
    for rep in reps:
        rest = rep.rom_min if increase else rep.rom_max
        beyond = (phase.exit - rest if increase else rest - phase.exit) / span
        if rep.status == "uncertain" or not beyond <= REST_SPANS:
            continue
        if spec.sides == "alternating" and any(
            other.side != rep.side
            and min(rep.end, other.end) - max(rep.start, other.start) > 0.5 * rep.duration
            for other in reps
        ):
            continue
        full += rep.status == "full"
        partial += rep.status == "partial"
    if spec.hold is not None:
        # An exercise of held reps (the adductor squeeze): a rep not held is no evidence
        # (other exercises' knees close briefly many times), so only held ones count.
        full = min(full, result.holds)
        partial = min(partial, result.holds - full)
    return full, partial


@dataclass(frozen=True)
class Choice:
    """The exercise chosen (None when unsure), each candidate's score, and why; ``full``:
    each candidate's full reps that fit it (`fitting_reps`)."""

    name: str | None
    scores: Mapping[str, float] = field(default_factory=dict)
    posture: str | None = None
    reason: str = ""
    full: Mapping[str, int] = field(default_factory=dict)


def choose(
    results: Mapping[str, AnalysisResult], specs: Mapping[str, Spec], uprightness: float
) -> Choice:
    """The exercise the motion fits best, with a clear margin; else None (see the module doc)."""
    views = [r.view for r in results.values() if r.view is not None]
    view = max(set(views), key=views.count) if views else None
    body = posture(view, uprightness)
    fits = {
        name: fitting_reps(result, specs[name])
        for name, result in results.items()
        if body is None or specs[name].posture in ("any", body)
    }
    scores = {name: full + 0.5 * partial for name, (full, partial) in fits.items()}
    fulls = {name: full for name, (full, _) in fits.items()}
    ranked = sorted(scores, key=lambda n: -scores[n])
    if not ranked or scores[ranked[0]] < MIN_SCORE:
        return Choice(None, scores, body, "no exercise fits two reps or more", fulls)
    best = scores[ranked[0]]
    runner_up = scores[ranked[1]] if len(ranked) > 1 else 0.0
    if best < MARGIN * runner_up:
        return Choice(None, scores, body, f"{ranked[0]} and {ranked[1]} fit about as well", fulls)
    full, partial = fits[ranked[0]]
    if full < FULL_SHARE * (full + partial):
        return Choice(None, scores, body, f"too few of the {ranked[0]} reps were full", fulls)
    return Choice(ranked[0], scores, body, "", fulls)
