"""Following one person when several are in view (pure numpy: no MediaPipe here).

A physio, a partner or a child may walk into the picture. MediaPipe's tracker
follows whoever it found first, but when that person leaves the frame (or is
hidden) it latches on to the next one and stays there: measured on a clip
with a second person lying still, the count stopped at the first rep the
moment the exerciser stepped out, and no gap was reported.

So once a second person has been seen, formcheck follows the person *where
it was following them*: each frame it takes the pose whose hip centre is
nearest the last place the followed person was seen, and none at all if no
pose is within `FOLLOW_RADIUS` of it (the followed person is away; the
engine then sees a gap, not somebody else's reps). A person moves a few
thousandths of the frame between two frames, so the radius only ever
separates different people, or the same person returning far from where
they left.

>>> import numpy as np
>>> def person(x, y):
...     p = np.zeros((33, 4)); p[23, :2] = (x - 0.05, y); p[24, :2] = (x + 0.05, y)
...     return p
>>> f = Follower()
>>> f.choose([person(0.3, 0.25), person(0.5, 0.75)]), f.where()
(0, 'at the top of the picture')
>>> f.choose([person(0.5, 0.75)]) is None          # only the other person is left
True
>>> f.choose([person(0.5, 0.75), person(0.32, 0.26)])  # the followed one is back
1
"""

from __future__ import annotations

import math

import numpy as np

from formcheck.landmarks import index

#: The farthest (in shares of the frame) a followed person's hip centre may be from
#: where they were last seen and still count as them.
FOLLOW_RADIUS = 0.15

_HIPS = (index("left_hip"), index("right_hip"))


def hip_centre(landmarks: np.ndarray) -> tuple[float, float]:
    """The mid-hip of a ``(33, >=2)`` array of normalised image landmarks."""
    a, b = landmarks[_HIPS[0]], landmarks[_HIPS[1]]
    return (float(a[0] + b[0]) * 0.5, float(a[1] + b[1]) * 0.5)


#: Two poses whose hip centres are closer than this share of the larger one's size
#: (its landmarks' box diagonal) are one person found twice. MediaPipe's multi-pose
#: search does that: on a single person filmed end-on it returned two poses 0.02 of
#: the frame apart; two people lying side by side are half a body or more apart.
SAME_PERSON = 0.25


def size(landmarks: np.ndarray) -> float:
    """The diagonal of the box around a pose's landmarks, in shares of the frame."""
    xy = landmarks[:, :2]
    span = xy.max(axis=0) - xy.min(axis=0)
    return float(math.hypot(span[0], span[1]))


def count_people(poses: list[np.ndarray]) -> int:
    """How many different people ``poses`` show (duplicates of one person count once).

    >>> import numpy as np
    >>> def person(x, y):
    ...     p = np.zeros((33, 4)); p[:, :2] = (x, y); p[0, :2] = (x - 0.2, y - 0.2)
    ...     p[23, :2] = (x - 0.05, y); p[24, :2] = (x + 0.05, y); return p
    >>> count_people([person(0.5, 0.40), person(0.5, 0.42)]), count_people(
    ...     [person(0.5, 0.25), person(0.5, 0.75)])
    (1, 2)
    """
    kept: list[tuple[tuple[float, float], float]] = []
    for pose in poses:
        centre, extent = hip_centre(pose), size(pose)
        if all(math.dist(centre, c) > SAME_PERSON * max(extent, e) for c, e in kept):
            kept.append((centre, extent))
    return len(kept)


class Follower:
    """Picks the followed person's pose among those found in each frame.

    Until `strict` is set (a second person was seen), the first pose is taken
    as it comes, and its place remembered; from then on, only a pose near
    that place is (see the module doc).
    """

    def __init__(self, radius: float = FOLLOW_RADIUS) -> None:
        if not radius > 0:
            raise ValueError(f"radius: expected a positive share of the frame, got {radius!r}")
        self.radius = radius
        self.anchor: tuple[float, float] | None = None
        self.others: list[tuple[float, float]] = []  # where the others were, when last seen
        self.strict = False

    def choose(self, poses: list[np.ndarray]) -> int | None:
        """The index in ``poses`` of the followed person, or None if they aren't there.

        With more than one pose, `strict` is set: from then on someone far from
        where the followed person was is never taken for them.
        """
        if not poses:
            return None
        centres = [hip_centre(p) for p in poses]
        if len(poses) > 1:
            self.strict = True
        if self.anchor is None:
            best = 0
        else:
            ax, ay = self.anchor
            best = min(range(len(centres)), key=lambda i: math.dist(centres[i], (ax, ay)))
            if self.strict and math.dist(centres[best], (ax, ay)) > self.radius:
                self.others = centres
                return None
        self.anchor = centres[best]
        if len(centres) > 1:
            self.others = [c for i, c in enumerate(centres) if i != best]
        return best

    def where(self) -> str:
        """Where the followed person is in the picture, next to the others (for messages)."""
        if self.anchor is None or not self.others:
            return "in the picture"
        ax, ay = self.anchor
        dx = ax - sum(x for x, _ in self.others) / len(self.others)
        dy = ay - sum(y for _, y in self.others) / len(self.others)
        if abs(dy) >= abs(dx):
            return "at the top of the picture" if dy < 0 else "at the bottom of the picture"
        return "on the left of the picture" if dx < 0 else "on the right of the picture"
