"""What Live says and shows (`formcheck.cues`), from synthetic event sequences (issue 15 items
10 and 11): every rep said once, a fault's cue said on the rep it happens, not repeated within
the cooldown, and shown until the end of the next rep."""

from __future__ import annotations

import pytest

from formcheck.cues import (
    CUE_COOLDOWN_SECONDS,
    Announcements,
    CueGate,
    Utterance,
    unspoken,
)
from formcheck.engine import ChecksDisabled, FlagRaised, RepCompleted

DRIFT = "Keep the heel on its own straight track."
HIPS = "Hold your hips still."


def flag(t: float, message: str = DRIFT, rep: int = 1) -> FlagRaised:
    code = "heel_off_line" if message == DRIFT else "pelvis_shift"
    return FlagRaised(
        code=code, rep=rep, t=t, value=5.0, limit=4.0, unit="cm",
        message=message, severity="warning", side="left",
    )  # fmt: skip


def rep(t: float, n: int, status: str = "full") -> RepCompleted:
    return RepCompleted(
        rep=n, side="left", t=t, status=status, start=t - 4.0, end=t,
        rom_min=90.0, rom_max=170.0,
    )  # fmt: skip


# Each case: batches of events (what one page run drains), and after each batch what is
# said and the cue on screen.
CASES = {
    "a fault mid-rep is said at once, and shown through the next rep": [
        ([rep(4.0, 1)], ["Rep 1"], None),  # a clean rep: nothing to fix
        ([flag(6.0, rep=2)], [DRIFT], DRIFT),  # the fault, on the rep it happens
        ([rep(9.0, 2)], ["Rep 2"], DRIFT),
        ([rep(14.0, 3)], ["Rep 3"], None),  # the next rep is over: gone
    ],
    "an end-of-rep fault comes with its rep, both said, in order": [
        ([flag(4.0), rep(4.0, 1)], [DRIFT, "Rep 1"], DRIFT),
        ([rep(9.0, 2)], ["Rep 2"], None),
    ],
    "a fault on every rep is said again only after the cooldown": [
        ([flag(2.0), rep(4.0, 1)], [DRIFT, "Rep 1"], DRIFT),
        ([flag(7.0, rep=2), rep(9.0, 2)], ["Rep 2"], DRIFT),  # 5 s later: shown, not said
        ([flag(12.0, rep=3), rep(14.0, 3)], ["Rep 3"], DRIFT),
        ([flag(17.0, rep=4), rep(19.0, 4)], [DRIFT, "Rep 4"], DRIFT),  # 15 s: said again
    ],
    "another fault is not held back by the first one's cooldown": [
        ([flag(2.0)], [DRIFT], DRIFT),
        ([flag(3.0, HIPS), rep(4.0, 1)], [HIPS, "Rep 1"], HIPS),
    ],
    "many reps in one run are all said, partial and uncertain ones by what they were": [
        (
            [rep(4.0, 1), rep(8.0, 2, "partial"), rep(12.0, 3, "uncertain"), rep(16.0, 4)],
            ["Rep 1", "Partial rep", "Uncertain rep", "Rep 4"],
            None,
        ),
    ],
    "other events are not said": [
        ([ChecksDisabled(t=1.0, view="side", codes=("heel_off_line",), message="x")], [], None),
    ],
}


@pytest.mark.parametrize("steps", CASES.values(), ids=CASES.keys())
def test_what_is_said_and_shown(steps):
    gate = CueGate()
    for events, said, shown in steps:
        assert gate.feed(events) == said
        assert (gate.shown.message if gate.shown else None) == shown


def test_the_cooldown_is_the_documented_constant():
    gate = CueGate()
    assert gate.cooldown == CUE_COOLDOWN_SECONDS
    just_before = CUE_COOLDOWN_SECONDS - 0.1
    assert gate.feed([flag(1.0), flag(1.0 + just_before), flag(1.0 + CUE_COOLDOWN_SECONDS)]) == [
        DRIFT,
        DRIFT,
    ]


def test_a_bad_cooldown_is_refused():
    with pytest.raises(ValueError, match="cooldown: expected seconds >= 0, got -1"):
        CueGate(cooldown=-1)


def test_announcements_number_each_utterance_once_and_keep_the_latest():
    said = Announcements(keep=3)
    said.add(["Rep 1", DRIFT])
    said.add([])
    said.add(["Rep 2", "Rep 3"])
    assert said.recent == (Utterance(2, DRIFT), Utterance(3, "Rep 2"), Utterance(4, "Rep 3"))
    assert said.to_json()[0] == {"seq": 2, "text": DRIFT}


def test_a_browser_that_missed_runs_says_everything_newer_exactly_once():
    # Page runs carry the kept utterances; the browser sees only some of the runs.
    said, spoken, last = Announcements(), [], 0
    for batch, seen in [(["Rep 1"], False), (["Rep 2"], True), ([], True), (["Rep 3"], False),
                        ([DRIFT, "Rep 4"], True), ([], True)]:  # fmt: skip
        said.add(batch)
        if seen:
            fresh = unspoken(said.recent, last)
            spoken += [u.text for u in fresh]
            last = fresh[-1].seq if fresh else last
    assert spoken == ["Rep 1", "Rep 2", "Rep 3", DRIFT, "Rep 4"]


def test_the_video_shows_the_cue_as_long_as_the_panel_does():
    # The video's banner (the engine's snapshot, drawn by `annotate.draw_state`) lasted 3 s,
    # gone during the next rep, while the panel (`CueGate.shown`) kept it to that rep's end.
    from formcheck.engine import Engine
    from formcheck.simulate import simulate
    from formcheck.specs import find_spec

    spec = find_spec("heel_slide")
    frames = simulate(
        "heel_slide", reps=3, side="left", view="end_on", veer_cm=6.0, veer_reps=(1,), seed=31
    ).frames
    engine, gate = Engine(spec), CueGate()
    flagged_at, late = None, []
    for frame in frames:
        events = engine.update(frame)
        gate.feed(events)
        flagged_at = next((e.t for e in events if isinstance(e, FlagRaised)), flagged_at)
        cue = engine.snapshot().cue
        assert cue == (gate.shown.message if gate.shown else None), frame.t
        if cue and frame.t - flagged_at > 3.0:
            late.append(frame.t)
    assert flagged_at is not None and late  # still up well into the next rep
    assert engine.snapshot().cue is None  # and gone once that rep is over
