"""The setup check over time: Live's stream, Review's clip, and what to say.

- `SetupWatch` keeps the last seconds of a live stream's poses for
  `formcheck.setup_check.check_setup`, keeps the noise floor measured lying
  still through the reps that follow, and starts the engine over when the
  camera was moved before the first rep;
- `review_setup` gives a reviewed clip the same verdicts, from its first seconds;
- `SetupPrompts` says each thing to fix once, then "Ready" once.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import threading
from collections import deque
from collections.abc import Iterable, Mapping, Sequence

from formcheck.engine import Engine, Snapshot
from formcheck.engine.noise_floor import NoiseFloor
from formcheck.frame import PoseFrame
from formcheck.picture import Picture
from formcheck.setup_check import (
    STILL_SECONDS,
    WAIT,
    SetupReport,
    check_setup,
    still_floors,
    still_stretch,
)
from formcheck.specs import Spec

#: Engine phases (`Snapshot.phase`) in which no rep is under way.
RESTING_PHASES = ("settling", "rest")
#: Seconds of a clip's start that Review's setup check reads (more, up to
#: `REVIEW_MAX_SECONDS`, when the first rep starts later).
REVIEW_SECONDS = 3.0
REVIEW_MAX_SECONDS = 10.0


def resting(phase: str) -> bool:
    """True when the engine's ``phase`` has no rep under way.

    >>> resting("rest"), resting("active")
    (True, False)
    """
    return phase in RESTING_PHASES


def started(snapshot: Snapshot) -> bool:
    """True once this engine run has counted a rep or has one under way: from then on
    the setup is what the person kept, and it is neither checked nor recalibrated."""
    return snapshot.counts.total > 0 or not resting(snapshot.phase)


def review_setup(
    frames: Iterable[PoseFrame],
    spec: Spec,
    side: str,
    picture: Picture | None,
    reps: Sequence[tuple[float, float]],
    floors: Mapping[str, NoiseFloor] | None = None,
    seconds: float = REVIEW_SECONDS,
) -> SetupReport:
    """The `SetupReport` of a reviewed clip, from its first ``seconds`` (read lazily
    from ``frames``); ``reps`` are its reps' ``(start, end)`` times, so the noise
    floor is measured only where no rep was under way. ``floors``: the engine's
    floors over the whole clip (`AnalysisResult.noise_floors`), used when any is
    known, so the verdicts are the ones the review's flags were judged by.
    """
    first = min((start for start, _ in reps), default=seconds)
    until = min(max(seconds, first), REVIEW_MAX_SECONDS)
    window = list(itertools.takewhile(lambda f: f.t <= until, frames))
    flags = [not any(start <= f.t <= end for start, end in reps) for f in window]
    whole = floors if floors and any(f.known for f in floors.values()) else None
    report = check_setup(window, spec, side, picture, resting=flags, floors=whole)
    # A clip can't be asked to lie still: what was not measured says so.
    unmeasured = {
        "light": "Not measured",
        "still": "Not measured: the clip has no still moment long enough",
    }
    items = tuple(
        dataclasses.replace(i, message=unmeasured[i.key])
        if i.state == WAIT and i.key in unmeasured
        else i
        for i in report.items
    )
    checks = tuple(
        dataclasses.replace(c, message="Seen from here; how steady was not measured")
        if c.state == WAIT and report.view is not None
        else c
        for c in report.checks
    )
    return dataclasses.replace(report, items=items, checks=checks)


class SetupWatch:
    """The last seconds of a live stream's poses, for `check_setup` (thread-safe).

    The video thread calls `add` on every frame; the page calls `report`. The
    latest still stretch is kept once found, so the noise floor measured while
    the person lay still outlives the reps that follow.

    >>> from formcheck.specs import find_spec
    >>> watch = SetupWatch(find_spec("heel_slide"))
    >>> watch.add(PoseFrame.empty(t=0.0, width=640, height=480))
    >>> watch.report().item("body").state
    'wait'
    """

    def __init__(self, spec: Spec, side: str = "auto", seconds: float = 3.0) -> None:
        if not seconds >= STILL_SECONDS:
            raise ValueError(f"seconds: expected at least {STILL_SECONDS}, got {seconds!r}")
        self.spec, self.side, self.seconds = spec, side, seconds
        self._frames: deque[tuple[PoseFrame, bool]] = deque()
        self._still: tuple[PoseFrame, ...] = ()
        self._floors: tuple[float, Mapping[str, NoiseFloor]] | None = None  # (end, floors)
        self._asked, self._asked_at = False, -math.inf  # recalibration asked for, and when
        self._lock = threading.Lock()

    def add(self, frame: PoseFrame, resting: bool = True) -> None:
        """Keep ``frame`` (``resting``: no rep under way in it); frames more than
        ``seconds`` older than it are dropped."""
        with self._lock:
            self._frames.append((frame, resting))
            while self._frames[0][0].t < frame.t - self.seconds:
                self._frames.popleft()

    def report(self, picture: Picture | None = None) -> SetupReport:
        """The `SetupReport` of the frames kept (any thread)."""
        with self._lock:
            kept = tuple(self._frames)
        frames = [f for f, _ in kept]
        still = still_stretch(frames, [r for _, r in kept])
        with self._lock:
            if still:
                self._still = still
            still = self._still
        return check_setup(frames, self.spec, self.side, picture, still=still, floor=self._floor)

    def compare(self, report: SetupReport, engine_view: str | None) -> bool:
        """Ask for a recalibration when the camera's view (``report``'s, trusted) is no
        longer the one the engine settled on (``engine_view``): the person moved the
        camera as the setup check said. At most once every ``seconds`` of stream time,
        so a new calibration has the frames to settle; True if asked now.
        """
        moved = report.view is not None and not report.doubt
        moved = moved and engine_view is not None and engine_view != report.view
        with self._lock:
            now = self._frames[-1][0].t if self._frames else -math.inf
            if not moved or now - self._asked_at < self.seconds:
                return False
            self._asked, self._asked_at = True, now
        return True

    def recalibrate(self, engine: Engine) -> bool:
        """On the video thread, before a frame: start ``engine`` over if a recalibration
        was asked for and it has counted nothing and started no rep (else the ask is
        dropped). True if it was reset."""
        with self._lock:
            asked, self._asked = self._asked, False
        if not asked:
            return False
        if started(engine.snapshot()):
            return False
        engine.reset()
        return True

    def _floor(
        self, still: Sequence[PoseFrame], spec: Spec, side: str, view: str
    ) -> Mapping[str, NoiseFloor]:
        """`still_floors`, measured again only once the still stretch has moved on a
        second (the page asks twice a second; the floor of 2 s changes slowly)."""
        kept = self._floors
        if kept is None or still[-1].t - kept[0] >= 1.0 or still[-1].t < kept[0]:
            kept = self._floors = (still[-1].t, still_floors(still, spec, side, view))
        return kept[1]


#: Said once, when only the still stretch is missing.
STILL_WORDS = "Now lie still for 2 seconds."
#: Said once, when every item is first ready.
READY_WORDS = "Ready. Start your first rep when you like: counting starts by itself."


class SetupPrompts:
    """What to say about the setup, each prompt once per camera run.

    An item to fix is said the first time its advice comes up; the ready
    prompt when every item is first ready. A report seen twice, or an item
    that goes back and forth, says nothing new.

    >>> from formcheck.specs import find_spec
    >>> prompts = SetupPrompts()
    >>> nobody = [PoseFrame.empty(t=i / 10, width=640, height=480) for i in range(20)]
    >>> report = check_setup(nobody, find_spec("heel_slide"))
    >>> prompts.feed(report), prompts.feed(report)
    (['Whole body in the picture: lie where the camera sees all of you, with light on you.'], [])
    """

    def __init__(self) -> None:
        self._said: set[str] = set()

    def feed(self, report: SetupReport) -> list[str]:
        """The new prompts for ``report``, in item order."""
        texts = [f"{i.label}: {i.fix}." for i in report.to_fix]
        if report.ready:
            texts.append(READY_WORDS)
        elif not texts and report.item("still").state == WAIT:
            texts.append(STILL_WORDS)  # all else is ready: the floor is what is left
        new = [t for t in texts if t not in self._said]
        self._said.update(new)
        return new
