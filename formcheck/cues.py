"""What Live says and shows about reps and faults: pure logic, no Streamlit.

`CueGate` takes the engine's page events, oldest first, and decides:

- what to say: every completed rep, once (``Rep 3``, ``Partial rep``), and a
  fault's cue when the fault happens, on the rep it happens in, unless the
  same cue was said less than `CUE_COOLDOWN_SECONDS` ago (engine time), so a
  fault that persists rep after rep isn't nagged about;
- what to show: the latest fault's cue, from when it is raised until the end
  of the rep after the one it happened in (the rep where it can be put right);
  the video's banner follows the same rule (`formcheck.engine.cue.ShownCue`).

`Announcements` numbers what is to be said (a sequence id per utterance) and
keeps the most recent ones: the browser speaks every id newer than the last
one it spoke, so an utterance is spoken exactly once even when a page run
that carried it never reached the browser.

>>> from formcheck.engine import FlagRaised, RepCompleted
>>> flag = FlagRaised(code="heel_off_line", rep=1, t=2.0, value=5.0, limit=4.0, unit="cm",
...                   message="Keep the heel on its track.", severity="warning", side="left")
>>> rep = RepCompleted(rep=1, side="left", t=4.0, status="full", start=1.0, end=4.0,
...                    rom_min=90.0, rom_max=170.0)
>>> gate = CueGate()
>>> gate.feed([flag, rep]), gate.shown.message
(['Keep the heel on its track.', 'Rep 1'], 'Keep the heel on its track.')
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from formcheck.engine import FlagRaised, RepCompleted
from formcheck.engine.cue import ShownCue

#: Seconds (engine time) before the same cue is said again. A heel slide takes
#: about 4-6 s, so a fault repeated on every rep is said about every third rep;
#: the screen shows it on every rep it happens.
CUE_COOLDOWN_SECONDS = 15.0
#: Utterances kept for the browser: far more than a page run (twice a second) can miss.
KEEP_UTTERANCES = 20


def rep_words(event: RepCompleted) -> str:
    """``Rep 3`` for a full rep; the others say what they were (``Partial rep``)."""
    return f"Rep {event.rep}" if event.status == "full" else f"{event.status.title()} rep"


class CueGate:
    """Decides what Live says and shows, from the engine's events (see the module doc).

    Args:
        cooldown: seconds (engine time) before the same cue is said again.
    """

    def __init__(self, cooldown: float = CUE_COOLDOWN_SECONDS) -> None:
        if not cooldown >= 0:
            raise ValueError(f"cooldown: expected seconds >= 0, got {cooldown!r}")
        self.cooldown = cooldown
        self._said_at: dict[str, float] = {}  # cue text -> engine time it was last said
        self._shown = ShownCue()

    @property
    def shown(self) -> FlagRaised | None:
        """The fault whose cue is on screen (None when there is none)."""
        return self._shown.flag

    def feed(self, events: Iterable[object]) -> list[str]:
        """Take events (oldest first; others than flags and reps are ignored) and
        return what to say now, in order."""
        words: list[str] = []
        for event in events:
            self._shown.feed(event)
            if isinstance(event, FlagRaised):
                said = self._said_at.get(event.message)
                if said is None or event.t - said >= self.cooldown:
                    self._said_at[event.message] = event.t
                    words.append(event.message)
            elif isinstance(event, RepCompleted):
                words.append(rep_words(event))
        return words


@dataclass(frozen=True)
class Utterance:
    """One thing to say: ``seq`` counts up from 1, one id per utterance."""

    seq: int
    text: str

    def __post_init__(self) -> None:
        if self.seq < 1 or not self.text:
            raise ValueError(f"utterance: expected seq >= 1 and some text, got {self!r}")


class Announcements:
    """Numbered utterances, the most recent `KEEP_UTTERANCES` kept for the browser.

    >>> a = Announcements()
    >>> a.add(["Rep 1", "Rep 2"]); [u.seq for u in a.recent]
    [1, 2]
    """

    def __init__(self, keep: int = KEEP_UTTERANCES) -> None:
        if keep < 1:
            raise ValueError(f"keep: expected at least 1, got {keep!r}")
        self._seq = 0
        self._recent: deque[Utterance] = deque(maxlen=keep)

    def add(self, texts: Iterable[str]) -> None:
        """Number ``texts`` after the last utterance and keep them."""
        for text in texts:
            self._seq += 1
            self._recent.append(Utterance(self._seq, text))

    @property
    def recent(self) -> tuple[Utterance, ...]:
        """The kept utterances, oldest first."""
        return tuple(self._recent)

    def to_json(self) -> list[dict[str, object]]:
        """The kept utterances as ``[{"seq": 1, "text": "Rep 1"}, ...]``."""
        return [dataclasses.asdict(u) for u in self._recent]


def unspoken(utterances: Iterable[Utterance], last: int) -> list[Utterance]:
    """The utterances after sequence id ``last``: what the browser says next.

    The browser's speech script applies the same rule (`formcheck.ui.speech`).

    >>> unspoken([Utterance(1, "Rep 1"), Utterance(2, "Rep 2")], last=1)
    [Utterance(seq=2, text='Rep 2')]
    """
    return [u for u in utterances if u.seq > last]
