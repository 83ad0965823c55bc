"""Whether the driving angle reads as a body can move in this exercise.

Beyond the feet, from floor to table height, the pose model misreads a person
lying down: a knee that truly rests at 95 degrees and straightens to 175 read
1-48 degrees through whole clips, and the engine counted reps on those
readings without a word. No knee bends that far in a heel slide. A spec's
joint angle may say so with ``plausible = [low, high]``: the range a
person's joint can read in the exercise. `Plausibility` counts, per tracked
side, the readings outside it. Where they are a large share of a side's
readings (`MISREAD_SHARE`), the result warns that the body is misread and
withholds the range of motion; the reps stand, with the warning beside them.

On the rendered tuning clips (tests/validation/rendered*, 141 clips), the
worse-read side of every clip counted right had at most 4 % of its knee
readings under 40 degrees; 17 clips had 36-100 %, and every one of them was
miscounted (docs/engine.md, "Readings no body can give").

>>> p = Plausibility((40.0, 180.0), ("left",))
>>> for i in range(100):
...     p.add("left", 20.0 if i % 4 == 0 else 120.0)
>>> p.misread()
('left', 0.25)
"""

from __future__ import annotations

#: A side whose readings fall outside the plausible range this often is misread: between
#: the 4 % and the 36 % above, with room for the frames of a person kneeling as they get
#: down onto the floor (a knee then truly reads 20-40 degrees).
MISREAD_SHARE = 0.2
#: Readings a side needs before it is judged: a few odd frames are no misreading.
LEAST_READINGS = 20


class Plausibility:
    """Per tracked side: readings seen, and those outside ``plausible`` (low, high)."""

    def __init__(self, plausible: tuple[float, float], sides: tuple[str, ...]) -> None:
        low, high = plausible
        if not low < high:
            raise ValueError(f"plausible: expected low < high, got {plausible!r}")
        self.low, self.high = float(low), float(high)
        self._seen = dict.fromkeys(sides, 0)
        self._outside = dict.fromkeys(sides, 0)

    def add(self, side: str, value: float) -> None:
        """One reading of ``side``'s driving angle (NaN: not seen, not counted)."""
        if value != value:
            return
        self._seen[side] += 1
        if not self.low <= value <= self.high:
            self._outside[side] += 1

    def misread(self) -> tuple[str, float] | None:
        """The side most often read outside the range, and that share, once it is
        `MISREAD_SHARE` or more of at least `LEAST_READINGS` readings; else None."""
        worst = None
        for side, seen in self._seen.items():
            if seen < LEAST_READINGS:
                continue
            share = self._outside[side] / seen
            if share >= MISREAD_SHARE and (worst is None or share > worst[1]):
                worst = (side, share)
        return worst


def misread_text(name: str, plausible: Plausibility, share: float, where: str) -> str:
    """The warning for a driving angle ``name`` misread in ``share`` of its frames, filmed
    from ``where`` (`formcheck.specs.kinds.view_from`).

    >>> p = Plausibility((40.0, 180.0), ("left",))
    >>> misread_text("knee", p, 0.3, "the end, beyond the feet")[:62]
    'the knee read outside 40-180° in 30% of the frames, which it c'
    """
    return (
        f"the {name} read outside {plausible.low:g}-{plausible.high:g}° in {share:.0%} of "
        "the frames, which it can't do in this exercise: the pose model is misreading the "
        f"body as filmed from {where}, so the reps may be miscounted and no range of motion "
        "is given: film from the side, or from higher up looking down along the body"
    )
