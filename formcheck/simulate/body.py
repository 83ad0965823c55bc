"""Body sizes: segment lengths from standing height.

Lengths are fractions of height from Winter's anthropometric tables
(Biomechanics and Motor Control of Human Movement, ch. 4), adjusted where
MediaPipe's landmarks sit somewhere other than the joint centre (its hip
points are closer together than the trochanters; its shoulder points sit on
the glenohumeral joints, inside the acromions).

>>> b = body_named("average_female")
>>> round(b.thigh, 3), round(b.shank, 3)
(0.399, 0.401)
>>> Body(name="kid", height=1.2).trunk > 0
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Body:
    """An adult body, parameterised by standing height (metres).

    ``hip_width`` and ``shoulder_width`` are fractions of height for the
    distance between the two hip and the two shoulder landmarks; they differ
    between the presets because hip-to-shoulder proportions differ by sex.
    ``leg_scale`` lengthens (> 1) or shortens both leg segments against
    Winter's proportions, and ``thigh_shank`` sets the thigh-to-shank length
    ratio (None: Winter's 0.245 / 0.246), so bodies differ in limb ratios
    and not only in size.

    >>> b = Body("long_thigh", 1.7, leg_scale=1.05, thigh_shank=1.1)
    >>> round(b.thigh / b.shank, 3), round(b.leg / (0.491 * 1.7), 3)
    (1.1, 1.05)
    """

    name: str
    height: float
    hip_width_frac: float = 0.13
    shoulder_width_frac: float = 0.21
    leg_scale: float = 1.0
    thigh_shank: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.height, (int, float)) or not 1.0 <= self.height <= 2.3:
            raise ValueError(f"height: expected metres in [1.0, 2.3], got {self.height!r}")
        for field in ("hip_width_frac", "shoulder_width_frac"):
            value = getattr(self, field)
            if not 0.05 <= value <= 0.35:
                raise ValueError(f"{field}: expected a fraction of height in [0.05, 0.35], "
                                 f"got {value!r}")
        if not 0.85 <= self.leg_scale <= 1.15:
            raise ValueError(f"leg_scale: expected a factor in [0.85, 1.15], "
                             f"got {self.leg_scale!r}")
        if self.thigh_shank is not None and not 0.8 <= self.thigh_shank <= 1.25:
            raise ValueError(f"thigh_shank: expected a length ratio in [0.8, 1.25] or None, "
                             f"got {self.thigh_shank!r}")

    # Legs and trunk: standing heights of hip 0.530, knee 0.285, ankle 0.039,
    # shoulder 0.818 (Winter).
    @property
    def thigh(self) -> float:
        """Hip to knee."""
        if self.thigh_shank is None:
            return 0.245 * self.height * self.leg_scale
        return 0.491 * self.height * self.leg_scale * self.thigh_shank / (1 + self.thigh_shank)

    @property
    def shank(self) -> float:
        """Knee to ankle."""
        if self.thigh_shank is None:
            return 0.246 * self.height * self.leg_scale
        return 0.491 * self.height * self.leg_scale / (1 + self.thigh_shank)

    @property
    def trunk(self) -> float:
        """Mid-hip to mid-shoulder."""
        return 0.288 * self.height

    @property
    def hip_width(self) -> float:
        return self.hip_width_frac * self.height

    @property
    def shoulder_width(self) -> float:
        return self.shoulder_width_frac * self.height

    @property
    def upper_arm(self) -> float:
        return 0.186 * self.height

    @property
    def forearm(self) -> float:
        return 0.146 * self.height

    @property
    def neck(self) -> float:
        """Mid-shoulder to the centre of the head (between the ears)."""
        return 0.11 * self.height

    @property
    def leg(self) -> float:
        """Hip to ankle with the knee straight."""
        return self.thigh + self.shank

    def foot_offsets(self) -> dict[str, np.ndarray]:
        """Heel and toe relative to the ankle, in the foot's (forward, up) plane.

        The heel landmark sits at the back of the heel just above the sole,
        the toe (``foot_index``) near the tip of the big toe; the foot is
        0.152 of height long and the ankle 0.039 of height above the sole.
        """
        h = self.height
        return {"heel": np.array([-0.035 * h, -0.026 * h]),
                "foot_index": np.array([0.112 * h, -0.030 * h])}

    @property
    def ankle_height(self) -> float:
        """Ankle above the floor when the foot is flat."""
        return 0.039 * self.height

    @property
    def heel_height(self) -> float:
        """Heel landmark above the floor when the heel rests on it."""
        return self.ankle_height + float(self.foot_offsets()["heel"][1])

    # Lying on the back: the joint centres sit this far above the floor.
    @property
    def hip_height_supine(self) -> float:
        return 0.06 * self.height

    @property
    def shoulder_height_supine(self) -> float:
        return 0.05 * self.height

    def knee_angle_for_reach(self, reach: float) -> float:
        """The knee's included angle (degrees) that puts the ankle ``reach`` from the hip.

        >>> b = body_named("tall_male")
        >>> round(b.knee_angle_for_reach(b.leg))
        180
        """
        a, b = self.thigh, self.shank
        cos = (a * a + b * b - reach * reach) / (2 * a * b)
        return math.degrees(math.acos(min(1.0, max(-1.0, cos))))

    def reach_for_knee_angle(self, degrees: float) -> float:
        """Hip-to-ankle distance for a knee angle (180 = straight)."""
        a, b = self.thigh, self.shank
        return math.sqrt(a * a + b * b - 2 * a * b * math.cos(math.radians(degrees)))


_PRESETS = {
    "average_female": dict(height=1.63, hip_width_frac=0.135, shoulder_width_frac=0.20),
    "average_male": dict(height=1.76, hip_width_frac=0.125, shoulder_width_frac=0.215),
    "tall_male": dict(height=1.88, hip_width_frac=0.12, shoulder_width_frac=0.215),
}

BODY_NAMES: tuple[str, ...] = tuple(_PRESETS)


def body_named(body: str | Body) -> Body:
    """Return the preset ``body`` (a name from `BODY_NAMES`), or ``body`` itself.

    >>> body_named("tall_male").height
    1.88
    """
    if isinstance(body, Body):
        return body
    try:
        return Body(name=body, **_PRESETS[body])
    except KeyError:
        raise ValueError(f"body: expected one of {', '.join(BODY_NAMES)} or a Body, "
                         f"got {body!r}") from None
