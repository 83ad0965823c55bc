"""Exercise motions, by name.

>>> sorted(MOTIONS)[:3]
['adductor_squeeze', 'clamshell', 'glute_bridge']
>>> motion_named("heel_slide").kind
'rep'
"""

from __future__ import annotations

from formcheck.simulate.motions.base import Controls, Motion
from formcheck.simulate.motions.floor_strength import PushUp, SitUp
from formcheck.simulate.motions.seated import SeatedLegExtension, SpinalFlexion
from formcheck.simulate.motions.sidelying import Clamshell
from formcheck.simulate.motions.supine import GluteBridge, HeelSlide
from formcheck.simulate.motions.supine_legs import (
    AdductorSqueeze,
    KneeWag,
    LegsUpTheWall,
    LyingMarch,
    WideLegsUpTheWall,
)
from formcheck.simulate.motions.upright import JumpingJack, Squat

#: Every exercise the simulator can perform, name -> motion class.
MOTIONS: dict[str, type[Motion]] = {m.name: m for m in (
    HeelSlide, GluteBridge, Clamshell, LyingMarch, KneeWag, AdductorSqueeze, SeatedLegExtension,
    SpinalFlexion, LegsUpTheWall, WideLegsUpTheWall, Squat, SitUp, PushUp, JumpingJack)}


def motion_named(name: str) -> Motion:
    """A fresh motion for exercise ``name``; raise ``ValueError`` listing the known ones."""
    try:
        return MOTIONS[name]()
    except KeyError:
        raise ValueError(f"exercise: expected one of {', '.join(sorted(MOTIONS))}, "
                         f"got {name!r}") from None


__all__ = ["MOTIONS", "Controls", "Motion", "motion_named"]
