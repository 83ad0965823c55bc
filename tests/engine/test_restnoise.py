"""The spread of a side's metric at rest (`formcheck.engine.restnoise`)."""

from __future__ import annotations

import math

import pytest

from formcheck.engine.restnoise import MIN_SECONDS, MIN_VALUES, RestNoise


def steady(noise: RestNoise, n: int, fps: float = 30.0, start: float = 0.0) -> float:
    """Add ``n`` values alternating 84/86 at ``fps``; return the time of the last one."""
    t = start
    for i in range(n):
        t = start + i / fps
        noise.add(t, 85.0 + (1.0 if i % 2 else -1.0))
    return t


@pytest.mark.parametrize(
    ("n", "fps", "known"),
    [
        (MIN_VALUES - 1, 4.0, False),  # long enough, too few values
        (int(MIN_SECONDS * 30), 30.0, False),  # just short of MIN_SECONDS
        # Known as soon as 2 s of rest were seen, when the counter asks. Measured every
        # 15 values, it stayed unknown for up to 14 more (half a second at 30 fps), and a
        # small partial rep begun then was not counted.
        (int(MIN_SECONDS * 30) + 1, 30.0, True),
    ],
)
def test_the_spread_is_unknown_until_enough_rest_was_seen(n, fps, known):
    noise = RestNoise()
    steady(noise, n, fps)
    assert math.isfinite(noise.sigma) is known
