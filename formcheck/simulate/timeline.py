"""When each rep happens, and how far through its range the body is at each moment.

A session is: ``lead_in`` seconds of still setup pose, then the reps, each
``tempo`` seconds of movement (plus ``hold_s`` at the far end for holds),
separated by ``pause`` seconds of stillness, then ``lead_out`` seconds still.

>>> plans = plan_reps(["left", "left"], lead_in=1.5, tempo=4.0, pause=0.5)
>>> [(p.start, p.end) for p in plans]
[(1.5, 5.5), (6.0, 10.0)]
>>> round(float(progress_at(plans[0], 3.5)), 3)  # the far end, half-way through
1.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formcheck.simulate.geometry import smooth_bump, smooth_step


@dataclass(frozen=True)
class RepPlan:
    """One rep's timing and reach (``peak`` = fraction of the exercise's full range)."""

    index: int
    side: str
    start: float
    end: float
    peak: float
    partial: bool = False
    hold: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError(f"rep {self.index}: expected start < end, "
                             f"got {self.start}, {self.end}")
        if not 0.0 <= self.peak <= 1.0:
            raise ValueError(f"rep {self.index}: expected peak in [0, 1], got {self.peak}")


def plan_reps(sides: list[str], *, lead_in: float, tempo: float, pause: float,
              hold_s: float | None = None, range_frac: float = 1.0,
              partial_reps: tuple[int, ...] = (), partial_frac: float = 0.45,
              fps: float | None = None) -> list[RepPlan]:
    """Lay the reps out in time; ``sides[i]`` is rep ``i + 1``'s working side.

    With ``fps``, every start, turn and end is snapped to the frame grid, so
    the far end of each rep is a sampled frame and its truth is seen exactly.
    """
    def snap(seconds: float, at_least: int = 0) -> float:
        # Whole frames, so that k / fps reproduces each time exactly.
        return seconds if fps is None else float(max(at_least, math.floor(seconds * fps + 0.5)))

    def at(ticks: float) -> float:
        return ticks if fps is None else ticks / fps

    plans = []
    t = snap(lead_in)
    half = snap(tempo / 2, at_least=1)
    held = snap(hold_s) if hold_s else 0.0
    gap = snap(pause)
    for i, side in enumerate(sides, start=1):
        partial = i in partial_reps
        peak = range_frac * (partial_frac if partial else 1.0)
        hold = (at(t + half), at(t + half + held)) if held else None
        plans.append(RepPlan(i, side, at(t), at(t + 2 * half + held), peak, partial, hold))
        t += 2 * half + held + gap
    return plans


def progress_at(plan: RepPlan, t: float | np.ndarray) -> np.ndarray:
    """Fraction of the full range reached at ``t`` (0 outside the rep).

    A rep goes out and back with zero speed at both ends and at the turn; a
    hold goes out in the first half of the tempo, stays, and comes back.
    """
    t = np.asarray(t, dtype=float)
    if plan.hold is None:
        return plan.peak * smooth_bump((t - plan.start) / (plan.end - plan.start))
    half = plan.hold[0] - plan.start
    out = smooth_step((t - plan.start) / half)
    back = 1.0 - smooth_step((t - plan.hold[1]) / half)
    return plan.peak * np.where(t < plan.hold[1], out, back) * ((t > plan.start) & (t < plan.end))
