"""Range of motion over the whole rep, rest to rest, and how sure each view is of it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.engine import analyze
from formcheck.engine.rom import RomWindow
from formcheck.engine.view import ROM_ERROR, ROM_WITHIN_DEG, rom_withheld
from formcheck.simulate import simulate
from formcheck.specs import find_spec


def _feed(window: RomWindow, samples: list[tuple[float, float, bool]]) -> list:
    return [window.feed(t, v, resting=r) for t, v, r in samples]


@pytest.mark.parametrize(
    ("samples", "start", "end", "expected"),
    [
        # The rest before the rep counts, up to `reach` (1 s) before its start.
        (
            [(0.0, 40, True), (1.5, 60, True), (2.0, 120, False), (3.0, 170, False)],
            2.0,
            3.0,
            (60, 170),
        ),
        # A rep longer than the reach looks back as far as it lasted.
        (
            [(0.0, 40, True), (1.5, 60, True), (3.0, 120, False), (5.0, 170, False)],
            3.0,
            6.0,
            (40, 170),
        ),
        # Unseen frames are skipped; only unseen: no range.
        ([(0.0, math.nan, True), (1.0, 150, False), (2.0, 110, False)], 1.0, 2.0, (110, 150)),
        ([(0.0, math.nan, True), (1.0, math.nan, False)], 1.0, 2.0, (math.nan, math.nan)),
    ],
)
def test_a_rep_spans_its_rest_before_it(samples, start, end, expected):
    w = RomWindow(reach=1.0, median=1)
    _feed(w, samples)
    np.testing.assert_equal(w.close(start, end), expected)


def test_the_rest_before_a_rep_never_reaches_into_the_previous_rep():
    w = RomWindow(reach=5.0, median=1)
    _feed(w, [(0.0, 30, True), (1.0, 175, False), (2.0, 100, True)])
    assert w.close(0.5, 2.0) == (30, 175)
    _feed(w, [(3.0, 90, True), (4.0, 150, False), (5.0, 105, True)])
    assert w.close(4.0, 5.0) == (90, 150)  # not the 30 or 175 of the rep before


def test_the_previous_rep_s_last_frame_is_not_the_next_rep_s():
    # The frame a rep ends on is its own. Read again as the next rep's rest, a knee
    # still at 167 where the last rep ended made a partial rep to 130 read 81-167
    # (suite s13-0420, a truth partial at 129 degrees).
    w = RomWindow(reach=1.0, median=1)
    _feed(w, [(0.0, 85, True), (1.0, 175, False), (1.5, 167, False)])
    assert w.close(0.5, 1.5) == (85, 175)
    _feed(w, [(1.7, 90, True), (2.0, 85, True), (2.5, 130, False), (3.0, 100, True)])
    assert w.close(2.4, 3.0) == (87.5, 130)


def test_an_unseen_stretch_is_not_part_of_the_next_frame_s_median():
    # Three frames' median: the first value after a gap is not the median of readings
    # from before it (170, 170) and itself (106).
    w = RomWindow(reach=0.1, median=3)
    _feed(w, [(0.0, 170, False), (0.1, 170, False), (0.2, math.nan, False)])
    _feed(w, [(2.0, 106, False), (2.1, 104, False), (2.2, 100, True)])
    assert w.close(1.95, 2.2)[1] == 106


@pytest.mark.parametrize(
    ("after", "widened"),
    [
        # Settling back into rest after the rep ended: the bent end grows.
        ([(3.5, 95, True), (3.8, 80, True)], [(95, 170), (80, 170)]),
        # Within the range already: nothing to say.
        ([(3.5, 150, True)], [None]),
        # The next movement began: the rep's range is closed.
        ([(3.5, 130, False), (3.8, 80, True)], [None, None]),
        # Longer than the reach after the end: closed.
        ([(4.5, 80, True)], [None]),
    ],
)
def test_the_return_to_rest_widens_the_rep_until_the_next_movement(after, widened):
    w = RomWindow(reach=1.0, median=1)
    _feed(w, [(2.0, 110, True), (2.5, 170, False), (3.0, 108, True)])
    # the rest end is its plateau's median (110 and 108), not the lowest frame
    assert w.close(2.2, 3.0) == (109, 170)
    assert _feed(w, after) == widened


def test_one_jittery_frame_does_not_set_the_range():
    w = RomWindow(reach=1.0, median=3)
    values = [95, 96, 80, 95, 130, 170, 171, 190, 172, 140, 110]  # 80 and 190: one frame each
    _feed(w, [(0.1 * i, v, v < 112) for i, v in enumerate(values)])
    assert w.close(0.4, 1.0) == (95, 172)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"reach": 0}, "reach: expected > 0 seconds, got 0"),
        ({"median": 2}, "median: expected an odd number of frames >= 1, got 2"),
    ],
)
def test_settings_are_checked(options, message):
    with pytest.raises(ValueError, match=message):
        RomWindow(**options)


@pytest.mark.parametrize(
    "seed", [0, pytest.param(1, marks=pytest.mark.slow), pytest.param(2, marks=pytest.mark.slow)]
)
@pytest.mark.parametrize("side", ["left", "right"])
def test_the_rep_table_gives_the_knee_where_it_was_not_the_threshold(seed, side):
    # The bug: the bent end read the rest threshold (about 110) for a knee resting at 95 or less.
    sim = simulate("heel_slide", reps=3, side=side, view="side", seed=seed, jitter=1.0)
    result = analyze(sim.frames, find_spec("heel_slide"))
    knee = sim.truth.angles[f"{side}_knee"]
    assert result.reps == 3
    # Within 6 degrees per rep (the side-view target is a median of 5): the rest
    # window the counting engine now gives is longer, and the lowest of its noisy readings
    # sits up to 5.8 degrees under the true rest in this simulator's jitter.
    for rep in result.rep_table:
        assert rep.rom_min == pytest.approx(knee.min(), abs=6.0)
        assert rep.rom_max == pytest.approx(knee.max(), abs=6.0)
    errors = [abs(r.rom_min - knee.min()) for r in result.rep_table]
    assert sorted(errors)[len(errors) // 2] <= 5.0
    assert result.rom_withheld_reason is None
    assert result.rom_uncertainty_deg == ROM_ERROR["side"].uncertainty


def test_the_rep_completed_event_carries_the_whole_rep_range():
    from formcheck.engine import Engine, RepCompleted

    sim = simulate("heel_slide", reps=2, view="side", jitter=0.0)
    engine = Engine(find_spec("heel_slide"))
    done = [e for f in sim.frames for e in engine.update(f) if isinstance(e, RepCompleted)]
    assert len(done) == 2
    assert all(e.rom_min < 100 for e in done)  # the rest before it, not the exit threshold


def test_a_view_that_cant_measure_the_angle_withholds_the_range_and_says_why():
    assert ROM_ERROR["side"].uncertainty <= ROM_WITHIN_DEG
    reason = rom_withheld("end_on", "joint_angle")
    assert reason == (
        "range of motion can't be measured within 10° from the end, beyond the feet: "
        "film from the side"
    )
    assert rom_withheld("side", "joint_angle") is None
    assert rom_withheld("end_on", "distance") is None  # only joint angles were measured
    assert rom_withheld(None, "joint_angle") is None


def test_a_withheld_range_is_blank_in_the_table_and_explained_in_json_and_the_summary():
    import dataclasses

    from formcheck.commands.analyze import summary

    spec = find_spec("heel_slide")
    sim = simulate("heel_slide", reps=2, view="side", jitter=0.0)
    result = dataclasses.replace(
        analyze(sim.frames, spec),
        rom_uncertainty_deg=None,
        rom_withheld_reason=rom_withheld("end_on", "joint_angle"),
    )
    data = result.to_dict()
    assert data["rom_withheld_reason"].startswith("range of motion can't be measured")
    assert (
        data["rep_table"][0]["rom_min"] is not None
    )  # raw readings kept (the history stores them)
    assert {row["rom_min"] for row in result.rep_table_rows()} == {None}
    text = summary(result, spec)
    assert "Range of motion not shown: range of motion can't be measured" in text
    assert "full      –" in text


def test_the_rom_bench_pairs_each_truth_rep_with_the_rep_it_overlaps_most():
    from formcheck.bench.rom import pair_reps, summarise

    sim = simulate("heel_slide", reps=2, view="side", jitter=0.0)
    result = analyze(sim.frames, find_spec("heel_slide"))
    knee = sim.truth.angles["left_knee"]
    truth = {
        "reps": [
            {
                "index": r.index,
                "start": r.start,
                "end": r.end,
                "knee_deg_min": knee.min(),
                "knee_deg_max": knee.max(),
            }
            for r in sim.truth.reps
        ]
        + [{"index": 3, "start": 500.0, "end": 501.0, "knee_deg_min": 0, "knee_deg_max": 0}],
    }
    errors = pair_reps(result, truth, "sim")
    assert [(e.rep, e.end, e.view) for e in errors] == [
        (1, "bent", "side"),
        (1, "straight", "side"),
        (2, "bent", "side"),
        (2, "straight", "side"),
    ]  # the third truth rep overlaps no counted rep: left out, not paired with a neighbour
    stats = summarise(errors)
    assert set(stats) == {("side", "bent"), ("side", "straight")}
    assert all(s["n"] == 2 and s["p95"] < 3.0 for s in stats.values())


# (A wander as wide as the plateau's band, 15 % of the range, biases it: a known limit.)
@pytest.mark.parametrize("wander", [3.0, 6.0, 9.0])
@pytest.mark.parametrize("rest_low", [True, False], ids=["heel-slide", "squat"])
def test_the_rest_end_is_where_a_wandering_reading_sits_not_its_low_tail(wander, rest_low):
    # Issue 13: MediaPipe's landmarks wander slowly at rest (about 1.5 s), so the lowest
    # reading of a still knee at 85 degrees read 70. The working end stays the turn.
    fps, rest, turn = 30.0, 85.0, 175.0
    t = np.arange(int(7.0 * fps)) / fps
    moving = (t >= 3.0) & (t < 5.0)
    true = np.where(moving, rest + (turn - rest) * np.sin(np.pi * (t - 3.0) / 2.0), rest)
    read = true + wander * np.sin(2 * np.pi * t / 1.5) * ~moving
    if not rest_low:  # a squat: rest is straight (high), the rep bends down
        read, rest, turn = 260.0 - read, 260.0 - rest, 260.0 - turn
    w = RomWindow(reach=3.0, median=3, rest_low=rest_low)
    _feed(w, [(ti, v, not m) for ti, v, m in zip(t, read, moving, strict=True)])
    lo, hi = w.close(3.0, 5.0)
    rest_end, working_end = (lo, hi) if rest_low else (hi, lo)
    assert rest_end == pytest.approx(rest, abs=0.5 * wander)  # the lowest frame: 1 x wander
    assert working_end == pytest.approx(turn, abs=0.5)
