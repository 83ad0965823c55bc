"""Exercise motions, by name.

>>> sorted(MOTIONS)[:2]
['glute_bridge', 'heel_slide']
>>> motion_named("heel_slide").kind
'rep'
"""

from __future__ import annotations

from formcheck.simulate.motions.base import Controls, Motion
from formcheck.simulate.motions.supine import GluteBridge, HeelSlide

#: Every exercise the simulator can perform, name -> motion class.
MOTIONS: dict[str, type[Motion]] = {m.name: m for m in (HeelSlide, GluteBridge)}


def motion_named(name: str) -> Motion:
    """A fresh motion for exercise ``name``; raise ``ValueError`` listing the known ones."""
    try:
        return MOTIONS[name]()
    except KeyError:
        raise ValueError(f"exercise: expected one of {', '.join(sorted(MOTIONS))}, "
                         f"got {name!r}") from None


__all__ = ["MOTIONS", "Controls", "Motion", "motion_named"]
