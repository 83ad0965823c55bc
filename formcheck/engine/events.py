"""What the engine says, frame by frame: small frozen event records.

`Engine.update` returns a list of these; a UI shows them, the result keeps
the ones that matter (reps, flags, holds).

>>> e = FlagRaised(code="pelvis_shift", rep=2, t=3.5, value=3.1, limit=2.5, unit="cm",
...                message="Hold your hips still.", severity="warning", side="left")
>>> e.kind, e.as_dict()["limit"]
('flag', 2.5)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class _Event:
    kind = "event"

    def as_dict(self) -> dict[str, object]:
        """A JSON-able dict of the event's fields plus its ``kind``."""
        return {"kind": self.kind, **asdict(self)}


@dataclass(frozen=True)
class BaselineSet(_Event):
    """The camera view is settled (from the first second of usable poses): the checks it
    can judge run from the next rep on. Counting began with the first usable pose."""

    t: float
    view: str
    kind = "baseline"


@dataclass(frozen=True)
class ChecksDisabled(_Event):
    """Checks that the detected view can't judge are off, with one message for them all."""

    t: float
    view: str
    codes: tuple[str, ...]
    message: str
    kind = "checks_disabled"


@dataclass(frozen=True)
class RepStarted(_Event):
    """The driving metric passed ``enter``: rep ``rep`` is under way (``t`` is when it began)."""

    rep: int
    side: str
    t: float
    kind = "rep_started"


@dataclass(frozen=True)
class RepCompleted(_Event):
    """Rep ``rep`` is over; ``status`` is ``full``, ``partial`` or ``uncertain``."""

    rep: int
    side: str
    t: float
    status: str
    start: float
    end: float
    rom_min: float
    rom_max: float
    kind = "rep_completed"


@dataclass(frozen=True)
class RepDiscarded(_Event):
    """A movement that passed ``enter`` but was too short to be a rep; ``rep`` is reused."""

    rep: int
    side: str
    t: float
    reason: str
    kind = "rep_discarded"


@dataclass(frozen=True)
class FlagRaised(_Event):
    """A form check failed in rep ``rep``: ``value`` against ``limit`` (in ``unit``).

    The event emitted mid-rep (the live cue) carries the value as the limit was
    crossed; the flag in the rep's record (`AnalysisResult.flags`) carries the
    rep's peak, the rep table's number, which doesn't depend on the limit.
    """

    code: str
    rep: int
    t: float
    value: float
    limit: float
    unit: str
    message: str
    severity: str
    side: str
    kind = "flag"


@dataclass(frozen=True)
class HoldProgress(_Event):
    """Inside the hold zone for ``seconds`` so far (``target`` seconds prescribed)."""

    t: float
    seconds: float
    target: float
    kind = "hold_progress"


@dataclass(frozen=True)
class HoldEnded(_Event):
    """A hold ended; ``counted`` when it lasted at least the spec's ``seconds``."""

    hold: int
    t: float
    start: float
    end: float
    duration: float
    counted: bool
    kind = "hold_ended"


@dataclass(frozen=True)
class PersonReturned(_Event):
    """The person is back in view after ``seconds`` with nobody found (from ``start``)."""

    t: float
    start: float
    seconds: float
    kind = "person_returned"


Event = (
    BaselineSet
    | ChecksDisabled
    | RepStarted
    | RepCompleted
    | RepDiscarded
    | FlagRaised
    | HoldProgress
    | HoldEnded
    | PersonReturned
)
