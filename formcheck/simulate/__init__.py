"""A kinematic simulator of a person exercising: PoseFrames with exact ground truth.

Pure numpy. It is the ground truth for the engine's tests and the accuracy
benchmark: every rep's timing, reach and injected faults are known exactly,
and the landmarks carry noise calibrated on MediaPipe (docs/simulator.md).

>>> from formcheck.simulate import simulate
>>> sim = simulate("glute_bridge", reps=1, jitter=0.0)
>>> sim.truth.reps[0].side, len(sim.truth.reps)
('both', 1)
"""

from formcheck.simulate.body import BODY_NAMES, Body, body_named
from formcheck.simulate.camera import Camera
from formcheck.simulate.core import simulate
from formcheck.simulate.motions import MOTIONS
from formcheck.simulate.noise import NoiseModel
from formcheck.simulate.truth import Fault, RepTruth, SimTruth, Simulation
from formcheck.simulate.views import FILMED_FROM, VIEWS, ViewPreset

#: The exercise names `simulate` accepts.
EXERCISES: tuple[str, ...] = tuple(sorted(MOTIONS))

__all__ = [
    "BODY_NAMES",
    "EXERCISES",
    "FILMED_FROM",
    "VIEWS",
    "Body",
    "Camera",
    "Fault",
    "NoiseModel",
    "RepTruth",
    "SimTruth",
    "Simulation",
    "ViewPreset",
    "body_named",
    "simulate",
]
