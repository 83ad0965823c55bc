"""Helpers for the simulator's tests: short, exact sessions."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.landmarks import index
from formcheck.simulate import EXERCISES, simulate
from formcheck.simulate.motions import MOTIONS


def quick(exercise: str, **kw):
    """A short noise-free session: 2 reps at 15 fps (holds of 0.6 s) unless told otherwise."""
    args = dict(reps=2, fps=15.0, tempo=2.0, pause=0.2, lead_in=0.5, lead_out=0.3, jitter=0.0)
    if MOTIONS[exercise].kind == "hold":
        args["hold_s"] = 0.6  # short holds keep the tests fast
    args.update(kw)
    return simulate(exercise, **args)


def track(sim, name: str) -> np.ndarray:
    """The noise-free room-space track ``(frames, 3)`` of landmark ``name``."""
    return sim.truth.clean[:, index(name)]


def each_exercise_with(others: tuple[str, ...]) -> list:
    """``(exercise, other)`` parameters for every pair. The fast tier keeps one pair per
    exercise, rotating through ``others`` so each of them is kept too; the rest are slow."""
    return [
        pytest.param(exercise, other, marks=() if j == i % len(others) else pytest.mark.slow)
        for i, exercise in enumerate(EXERCISES)
        for j, other in enumerate(others)
    ]
