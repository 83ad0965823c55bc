"""Helpers for the simulator's tests: short, exact sessions."""

from __future__ import annotations

import numpy as np

from formcheck.landmarks import index
from formcheck.simulate import simulate


def quick(exercise: str, **kw):
    """A short noise-free session: 2 reps at 15 fps unless told otherwise."""
    args = dict(reps=2, fps=15.0, tempo=2.0, pause=0.2, lead_in=0.5, lead_out=0.3, jitter=0.0)
    args.update(kw)
    return simulate(exercise, **args)


def track(sim, name: str) -> np.ndarray:
    """The noise-free room-space track ``(frames, 3)`` of landmark ``name``."""
    return sim.truth.clean[:, index(name)]
