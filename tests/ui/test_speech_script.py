"""The browser's speech script (`formcheck.ui.speech`) as behaviour, under Node (issue 15
item 10): every rep and cue is spoken exactly once, in order, however many page runs carry
it or the browser misses; what is still waiting to be said is dropped only when newer
speech arrives and it has waited more than `STALE_SECONDS`."""

from __future__ import annotations

import pytest

from formcheck.cues import Announcements, unspoken
from formcheck.specs import find_spec
from formcheck.ui.speech import STALE_SECONDS, script
from tests.ui.speech_js import Run, browser_says, cancels, texts

DRIFT = find_spec("heel_slide").check("heel_off_line").cue
TOKEN = "session-1"


def page_runs(batches, token: str = TOKEN, said: Announcements | None = None):
    """Each batch added to the announcements, then the page run's component HTML."""
    said = Announcements() if said is None else said
    for batch in batches:
        said.add(batch)
        yield script(said, token)


def test_every_utterance_is_said_once_in_order_whichever_runs_the_browser_sees():
    # Page runs repeat the kept utterances; the browser sees only some runs.
    batches = [["Rep 1"], ["Rep 2"], [], ["Rep 3"], [DRIFT, "Rep 4"], [], ["Rep 5"], []]
    seen = [False, True, True, False, True, True, False, True]
    htmls = list(page_runs(batches))
    events = browser_says([Run(h) for h, s in zip(htmls, seen, strict=True) if s])
    everything = ["Rep 1", "Rep 2", "Rep 3", DRIFT, "Rep 4", "Rep 5"]
    assert texts(events, "queued") == everything
    assert texts(events, "heard") == everything
    assert cancels(events) == []


def test_the_script_and_the_python_rule_agree():
    # `formcheck.cues.unspoken` is the rule the script applies: the same runs, the same words.
    batches = [["Rep 1", "Rep 2"], ["Rep 3"], [], [DRIFT], ["Rep 4", "Rep 5", "Rep 6"]]
    said, last, expected, runs = Announcements(keep=4), 0, [], []
    for batch in batches:
        said.add(batch)
        fresh = unspoken(said.recent, last)
        expected += [u.text for u in fresh]
        last = fresh[-1].seq if fresh else last
        runs.append(Run(script(said, TOKEN)))
    assert texts(browser_says(runs), "queued") == expected


def test_newer_speech_waits_behind_speech_that_is_not_stale():
    # The browser is still on "Rep 1" when the next rep is counted: nothing is cut short.
    htmls = list(page_runs([["Rep 1", DRIFT], ["Rep 2"], ["Rep 3"]]))
    runs = [
        Run(htmls[0]),
        Run(htmls[1], after=STALE_SECONDS - 0.5, finished=0),
        Run(htmls[2], after=STALE_SECONDS - 0.5, finished=1),
    ]
    events = browser_says(runs)
    assert cancels(events) == []
    assert texts(events, "heard") == ["Rep 1", DRIFT, "Rep 2", "Rep 3"]


def test_speech_waiting_longer_than_stale_seconds_gives_way_to_newer_speech():
    htmls = list(page_runs([["Rep 1", DRIFT], [], ["Rep 2"]]))
    runs = [
        Run(htmls[0]),
        # Still saying "Rep 1" long after, with nothing new: nothing is dropped.
        Run(htmls[1], after=STALE_SECONDS + 1, finished=0),
        # Newer speech, behind speech queued more than STALE_SECONDS ago: the old goes.
        Run(htmls[2], after=0.5, finished=0),
    ]
    events = browser_says(runs)
    assert cancels(events) == [("Rep 1", DRIFT)]
    assert texts(events, "queued") == ["Rep 1", DRIFT, "Rep 2"]  # each asked for once
    assert texts(events, "heard") == ["Rep 2"]
    assert events.index(("cancelled", "Rep 1", DRIFT)) < events.index(("queued", "Rep 2"))


@pytest.mark.parametrize("finished", [2, -1])
def test_speech_that_was_all_said_is_never_cancelled(finished):
    # Long after, with the browser silent, new speech is simply said.
    htmls = list(page_runs([["Rep 1", DRIFT], ["Rep 2"]]))
    events = browser_says([Run(htmls[0]), Run(htmls[1], after=60, finished=finished)])
    assert cancels(events) == []
    assert texts(events, "heard") == ["Rep 1", DRIFT, "Rep 2"]


def test_a_new_browser_session_counts_from_its_own_first_utterance():
    # Another session's numbers start again at 1: the page's memory of the last one said
    # belongs to the session that said it.
    first = list(page_runs([["Rep 1", "Rep 2", "Rep 3"]]))
    second = list(page_runs([["Rep 1"], ["Rep 2"]], token="session-2"))
    events = browser_says([Run(h) for h in first + second])
    assert texts(events, "queued") == ["Rep 1", "Rep 2", "Rep 3", "Rep 1", "Rep 2"]
