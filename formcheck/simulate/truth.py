"""What really happened in a simulated session: the ground truth an engine is scored on.

>>> r = RepTruth(index=1, side="left", start=1.5, end=5.5, status="full",
...              faults={"heel_veer": Fault(3.0, "cm", "out")})
>>> r.to_dict()["faults"]
{'heel_veer': {'size': 3.0, 'unit': 'cm', 'direction': 'out'}}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from formcheck.frame import PoseFrame

STATUSES = ("full", "partial")
REP_SIDES = ("left", "right", "both")


@dataclass(frozen=True)
class Fault:
    """An injected form fault's true peak size, e.g. ``Fault(3.0, "cm", "out")``."""

    size: float
    unit: str
    direction: str | None = None

    def __post_init__(self) -> None:
        if not np.isfinite(self.size) or self.size < 0:
            raise ValueError(f"size: expected a finite size >= 0, got {self.size!r}")
        if self.unit not in ("cm", "deg", "s"):
            raise ValueError(f"unit: expected one of cm, deg, s, got {self.unit!r}")

    def to_dict(self) -> dict[str, Any]:
        return {"size": self.size, "unit": self.unit, "direction": self.direction}


@dataclass(frozen=True)
class RepTruth:
    """One rep: when (seconds), which side, full or partial, and what went wrong.

    ``measures`` holds the true peak values measured on the noise-free body
    during the rep, whether or not a fault was injected (e.g.
    ``heel_dev_left_cm``: the left heel's largest sideways deviation from
    its start line, positive outward; ``pelvis_shift_cm`` positive toward
    the body's left; ``pelvis_roll_deg`` positive with the left hip up).
    ``reach`` is the fraction of the exercise's full range the rep was
    driven to; ``driver`` names the angle in `SimTruth.angles` that moves.
    """

    index: int
    side: str
    start: float
    end: float
    status: str = "full"
    faults: dict[str, Fault] = field(default_factory=dict)
    measures: dict[str, float] = field(default_factory=dict)
    reach: float = 1.0
    driver: str = ""
    hold: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if self.index < 1:
            raise ValueError(f"index: expected a 1-based rep number, got {self.index}")
        if self.side not in REP_SIDES:
            raise ValueError(f"side: expected one of {', '.join(REP_SIDES)}, got {self.side!r}")
        if not self.start < self.end:
            raise ValueError(f"rep {self.index}: expected start < end, "
                             f"got {self.start} >= {self.end}")
        if self.status not in STATUSES:
            raise ValueError(f"status: expected one of {', '.join(STATUSES)}, "
                             f"got {self.status!r}")

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "side": self.side, "start": self.start, "end": self.end,
                "status": self.status, "reach": self.reach, "driver": self.driver,
                "hold": list(self.hold) if self.hold else None,
                "faults": {k: f.to_dict() for k, f in self.faults.items()},
                "measures": dict(self.measures)}


#: Landmarks whose true image positions are kept per frame.
TRACKED = tuple(f"{side}_{part}" for part in ("hip", "knee", "ankle", "heel", "foot_index")
                for side in ("left", "right"))


@dataclass(frozen=True, eq=False)
class SimTruth:
    """The ground truth of a whole simulated session.

    Per-frame arrays have one row per frame (``times``). ``image`` maps each
    name in `TRACKED` to its true ``(frames, 2)`` normalised image x, y (no
    noise, present even on dropped frames). ``angles`` maps names such as
    ``left_knee`` (hip-knee-ankle), ``left_hip`` (shoulder-hip-knee) and the
    exercise's own measures to ``(frames,)`` arrays; ``driver`` is the
    working side's driving angle per frame (``driver_name`` without the
    side, e.g. ``knee``). ``dropped`` lists the frame indices replaced by
    no-pose frames. ``clean`` is the body in room coordinates
    ``(frames, 33, 3)`` (metres, z up) and ``clean_image`` the noise-free
    image landmarks ``(frames, 33, 4)``; neither goes into `to_dict`.
    """

    exercise: str
    params: dict[str, Any]
    fps: float
    reps: tuple[RepTruth, ...]
    holds: tuple[tuple[float, float], ...]
    times: np.ndarray
    angles: dict[str, np.ndarray]
    driver: np.ndarray
    driver_name: str
    image: dict[str, np.ndarray]
    dropped: tuple[int, ...]
    camera: dict[str, Any]
    clean: np.ndarray | None = field(repr=False, default=None)
    clean_image: np.ndarray | None = field(repr=False, default=None)

    def __post_init__(self) -> None:
        n = len(self.times)
        for name, series in {**self.angles, "driver": self.driver}.items():
            if np.shape(series) != (n,):
                raise ValueError(f"{name}: expected ({n},) per-frame values, "
                                 f"got {np.shape(series)}")
        for rep in self.reps:
            if rep.end > self.times[-1] + 1e-9:
                raise ValueError(f"rep {rep.index}: ends at {rep.end}s, after the last frame "
                                 f"({self.times[-1]}s)")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (lists and numbers); the room-space skeleton is left out."""
        return {
            "exercise": self.exercise, "params": _plain(self.params), "fps": self.fps,
            "reps": [r.to_dict() for r in self.reps], "holds": [list(h) for h in self.holds],
            "times": self.times.tolist(), "driver_name": self.driver_name,
            "driver": _plain(self.driver), "angles": {k: _plain(v) for k, v in self.angles.items()},
            "image": {k: _plain(v) for k, v in self.image.items()},
            "dropped": list(self.dropped), "camera": _plain(self.camera),
        }


def _plain(value: Any) -> Any:
    """numpy and tuples to JSON-ready Python values (NaN to None)."""
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


@dataclass(frozen=True, eq=False)
class Simulation:
    """Frames to feed an engine, and the truth to score it against."""

    frames: tuple[PoseFrame, ...]
    truth: SimTruth

    def __post_init__(self) -> None:
        if len(self.frames) != len(self.truth.times):
            raise ValueError(f"frames: expected {len(self.truth.times)} (one per truth time), "
                             f"got {len(self.frames)}")

    def to_dict(self) -> dict[str, Any]:
        """Frames (image and world landmarks, None when dropped) and the truth, JSON-ready."""
        return {"frames": [{"t": f.t, "width": f.width, "height": f.height,
                            "image": _plain(f.image), "world": _plain(f.world)}
                           for f in self.frames],
                "truth": self.truth.to_dict()}
