"""Per-rep ground truth, measured on the noise-free body the simulator built.

Fault sizes are measured, not copied from the request: the heel's sideways
deviation is read off its track, the pelvis shift and roll off the pelvis
against where it would have been without the fault. So the truth stays
exact even where a motion can't honour a request exactly.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from formcheck.landmarks import index
from formcheck.simulate.motions import Motion
from formcheck.simulate.skeleton import SIDES, SIGN
from formcheck.simulate.timeline import RepPlan
from formcheck.simulate.truth import Fault, RepTruth

Pelvis = tuple[np.ndarray, np.ndarray]  # (mid-hip position, axes)


def _signed_peak(values: np.ndarray) -> float:
    """The value of largest magnitude, with its sign (0 for an empty array)."""
    return float(values[np.argmax(np.abs(values))]) if len(values) else 0.0


def _pelvis_offsets(actual: list[Pelvis], nominal: list[Pelvis],
                    frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame pelvis shift (cm toward the left) and roll (degrees, left hip up)."""
    shift, roll = [], []
    for k in frames:
        (pos, axes), (pos0, axes0) = actual[k], nominal[k]
        shift.append(100 * float(np.dot(pos - pos0, axes0[:, 0])))
        hip_line = axes[:, 0]
        roll.append(math.degrees(math.atan2(float(np.dot(hip_line, axes0[:, 2])),
                                            float(np.dot(hip_line, axes0[:, 0])))))
    return np.array(shift), np.array(roll)


def rep_truths(plans: list[RepPlan], motion: Motion, times: np.ndarray, points: np.ndarray,
               pelvis: list[Pelvis], nominal: list[Pelvis], angles: dict[str, np.ndarray],
               faults: dict[str, Any], veer_direction: str) -> tuple[RepTruth, ...]:
    """One `RepTruth` per planned rep."""
    out = []
    for plan in plans:
        frames = np.flatnonzero((times >= plan.start) & (times <= plan.end))
        measures: dict[str, float] = {}
        for side in SIDES:
            # Sideways is the room's y: every motion lies or stands along x.
            heel = points[frames, index(f"{side}_heel"), 1]
            measures[f"heel_dev_{side}_cm"] = 100 * SIGN[side] * _signed_peak(heel - heel[0])
        shift, roll = _pelvis_offsets(pelvis, nominal, frames)
        measures["pelvis_shift_cm"] = _signed_peak(shift)
        measures["pelvis_roll_deg"] = _signed_peak(roll)
        driver = motion.driver(plan.side)
        series = angles[driver][frames]
        measures["driver_start"] = float(series[0])
        measures["driver_peak"] = _signed_peak(series - series[0]) + float(series[0])

        found: dict[str, Fault] = {}
        legs = SIDES if plan.side == "both" else (plan.side,)
        if plan.index in faults["veer_reps"]:
            size = max(abs(measures[f"heel_dev_{s}_cm"]) for s in legs)
            found["heel_veer"] = Fault(size, "cm", veer_direction)
        if plan.index in faults["shift_reps"] and faults["shift_m"]:
            value = measures["pelvis_shift_cm"]
            found["pelvis_shift"] = Fault(abs(value), "cm", "left" if value > 0 else "right")
        if plan.index in faults["roll_reps"] and faults["roll_deg"]:
            value = measures["pelvis_roll_deg"]
            found["pelvis_roll"] = Fault(abs(value), "deg",
                                         "left_hip_up" if value > 0 else "right_hip_up")
        out.append(RepTruth(index=plan.index, side=plan.side, start=plan.start, end=plan.end,
                            status="partial" if plan.partial else "full", faults=found,
                            measures=measures, reach=plan.peak, driver=driver, hold=plan.hold))
    return tuple(out)
