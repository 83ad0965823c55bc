"""`PoseFrame`: the one type that carries a pose through formcheck.

The pose adapter, landmark files, the simulator and the live webcam all
produce `PoseFrame`s; the engine, the overlay and the writers consume them.

>>> import numpy as np
>>> f = PoseFrame(t=0.5, width=640, height=480, image=np.zeros((33, 4)))
>>> f.has_pose, f.world is None
(True, True)
>>> PoseFrame.empty(t=0.0, width=640, height=480).has_pose
False
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formcheck.landmarks import COUNT


def _frozen_array(value: object, columns: int, field: str) -> np.ndarray | None:
    if value is None:
        return None
    array = np.array(value, dtype=np.float64)  # a private copy: callers can't mutate it later
    if array.shape != (COUNT, columns):
        raise ValueError(f"{field}: expected shape ({COUNT}, {columns}), got {array.shape}")
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class PoseFrame:
    """One video frame's pose, or the explicit absence of one.

    Attributes:
        t: seconds from the start of the clip or session.
        width, height: the frame size in pixels (``image`` is normalised to it).
        image: ``(33, 4)`` array of MediaPipe normalised image landmarks:
            x and y in [0, 1] of the width and height (may fall outside when a
            point is out of frame), z relative depth, and visibility in [0, 1].
            ``None`` when no person was found.
        world: ``(33, 3)`` world landmarks in metres (hip-centred, as MediaPipe
            gives them), or ``None`` when the source has none.

    Non-finite coordinates are allowed and mean "not seen"; the engine treats
    them as invisible rather than failing.
    """

    t: float
    width: int
    height: int
    image: np.ndarray | None = None
    world: np.ndarray | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.t, (int, float)) or not math.isfinite(self.t):
            raise ValueError(f"t: expected a finite number of seconds, got {self.t!r}")
        for name in ("width", "height"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{name}: expected a positive integer, got {value!r}")
        object.__setattr__(self, "t", float(self.t))
        object.__setattr__(self, "image", _frozen_array(self.image, 4, "image"))
        object.__setattr__(self, "world", _frozen_array(self.world, 3, "world"))
        if self.image is None and self.world is not None:
            raise ValueError("world: expected None when image is None (no pose), got an array")

    @classmethod
    def empty(cls, t: float, width: int, height: int) -> PoseFrame:
        """A frame in which nobody was found."""
        return cls(t=t, width=width, height=height)

    @property
    def has_pose(self) -> bool:
        """True when a person was found in this frame."""
        return self.image is not None

    def pixels(self) -> np.ndarray:
        """The image landmarks as ``(33, 2)`` pixel coordinates.

        >>> import numpy as np
        >>> img = np.zeros((33, 4)); img[0, :2] = (0.5, 0.25)
        >>> PoseFrame(t=0, width=640, height=480, image=img).pixels()[0].tolist()
        [320.0, 120.0]
        """
        if self.image is None:
            raise ValueError("pixels: this frame has no pose")
        return self.image[:, :2] * (self.width, self.height)

    @property
    def visibility(self) -> np.ndarray:
        """Per-landmark visibility, ``(33,)``; zero where coordinates are not finite."""
        if self.image is None:
            return np.zeros(COUNT)
        vis = np.where(np.isfinite(self.image[:, :2]).all(axis=1), self.image[:, 3], 0.0)
        return np.nan_to_num(vis, nan=0.0)
