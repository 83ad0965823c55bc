"""Which fault's cue is on screen: one rule for the video's banner and Live's panel.

A cue goes up when its fault is raised and stays until the end of the rep after
the one it happened in: the rep where it can be put right. A newer fault
replaces it.

>>> from formcheck.engine.events import FlagRaised, RepCompleted
>>> flag = FlagRaised(code="heel_off_line", rep=1, t=2.0, value=5.0, limit=4.0, unit="cm",
...                   message="Keep the heel on its track.", severity="warning", side="left")
>>> def rep(n): return RepCompleted(rep=n, side="left", t=4.0 * n, status="full",
...                                 start=4.0 * n - 3, end=4.0 * n, rom_min=90.0, rom_max=170.0)
>>> shown = ShownCue()
>>> for event in (flag, rep(1), rep(2)):
...     shown.feed(event)
...     print(shown.flag.message if shown.flag else None)
Keep the heel on its track.
Keep the heel on its track.
None
"""

from __future__ import annotations

from formcheck.engine.events import FlagRaised, RepCompleted


class ShownCue:
    """The fault whose cue is on screen (`flag`, None when none), fed events oldest first."""

    def __init__(self) -> None:
        self.flag: FlagRaised | None = None
        self._reps_since = 0  # reps completed since `flag` was raised

    def feed(self, event: object) -> None:
        """Take one event; others than flags and completed reps change nothing."""
        if isinstance(event, FlagRaised):
            self.flag, self._reps_since = event, 0
        elif isinstance(event, RepCompleted) and self.flag is not None:
            self._reps_since += 1
            if self._reps_since >= 2:  # the rep it happened in and the next one are over
                self.flag = None
