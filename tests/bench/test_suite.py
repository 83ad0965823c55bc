"""The randomized suite: the draw, the split and the scoring (no figures asserted here)."""

from __future__ import annotations

import math
from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest

from formcheck.bench.suite import Tally, groups, tables
from formcheck.bench.suite_cases import (
    DRIFT_LIMITS,
    FRAME_RATES,
    SHAPES,
    draw_case,
    draw_cases,
    split_of,
)
from formcheck.bench.suite_score import CaseOutcome, score, warnings_of
from formcheck.bench.suite_sim import body_extent, body_of, place_camera, turn_back_frac
from formcheck.engine.result import AnalysisResult, RepRecord, Series
from formcheck.simulate import Body, NoiseModel, body_named, simulate
from formcheck.specs import load_specs

CASES = draw_cases()
HEEL = [c for c in CASES if c.exercise == "heel_slide"]


def test_the_draw_is_deterministic_and_each_case_independent_of_n():
    assert draw_cases(40) == CASES[:40]
    assert draw_case(17) == CASES[17]
    assert draw_cases(40, seed=5) != CASES[:40]


@pytest.mark.parametrize(
    ("field", "low", "high"),
    [
        ("height_m", 0.1, 1.8),
        ("tempo", 0.8, 5.0),
        ("pause", 0.0, 2.0),
        ("jitter_px", 0.5, 4.0),
        ("world_cm", 0.3, 2.0),
        ("drop_frames", 0.0, 0.10),
        ("yaw_deg", -10, 10),
        ("pitch_deg", -10, 10),
        ("roll_deg", -10, 10),
    ],
)
def test_every_draw_stays_in_its_range_and_spans_most_of_it(field, low, high):
    values = [getattr(c, field) for c in CASES]
    assert low <= min(values) and max(values) <= high
    assert min(values) < low + 0.1 * (high - low) and max(values) > high - 0.1 * (high - low)


def test_faults_cover_the_issue_ranges():
    partial = [c.partial_deg for c in HEEL if c.partial_reps]
    assert 100 <= min(partial) < 105 and 145 < max(partial) <= 150
    for field, limit in DRIFT_LIMITS.items():
        sizes = [abs(getattr(c, field)) for c in HEEL if getattr(c, field)]
        assert max(sizes) <= 2 * limit and max(sizes) > 1.8 * limit, field
    gaps = [end - start for c in CASES for start, end in c.gaps]
    assert gaps and min(gaps) >= 0.1 - 1e-9 and max(gaps) <= 0.6 + 1e-9


def test_the_mix_of_cases():
    assert len(HEEL) >= 500
    others = Counter(c.exercise for c in CASES if c.exercise != "heel_slide")
    for name in ("squat", "sit_up", "push_up", "jumping_jack"):
        assert others[name] >= 20, name
    # Every other exercise is a continuous set: the rest pose is never held.
    assert all(c.lead_in == 0 and c.pause == 0 for c in CASES if c.exercise != "heel_slide")
    no_lead_in = sum(c.lead_in == 0 for c in HEEL) / len(HEEL)
    assert 0.2 <= no_lead_in <= 0.4
    assert {c.view for c in HEEL} == {"side", "end_on"}
    assert {"left", "right", "alternating"} <= {c.side for c in HEEL}
    assert {c.shape for c in CASES} == set(SHAPES)
    assert {SHAPES[c.shape][0] for c in CASES} == {"female", "male"}
    low_end_on = Counter(c.height_bin for c in HEEL if c.view == "end_on")
    assert low_end_on["floor"] >= 30 and low_end_on["chair"] >= 30
    assert 0.15 <= sum(c.mirror > 0 for c in HEEL) / len(HEEL) <= 0.45
    assert {c.tempo_bin for c in CASES} == {"brisk", "normal", "slow"}
    assert {c.noise for c in CASES} == {"low", "mid", "high"}
    assert {c.fps for c in CASES} == set(FRAME_RATES)


def test_the_split_is_stable_and_disjoint():
    tune = {c.case_id for c in CASES if c.split == "tune"}
    test = {c.case_id for c in CASES if c.split == "test"}
    assert not tune & test and len(tune | test) == len(CASES)
    assert 0.4 <= len(tune) / len(CASES) <= 0.6
    # Fixed forever: a case's split depends on its id alone.
    assert [split_of(f"s13-{i:04d}") for i in range(6)] == [c.split for c in CASES[:6]]
    assert (split_of("s13-0000"), split_of("s13-0001")) == (CASES[0].split, CASES[1].split)


def test_a_case_refuses_a_split_its_id_does_not_hash_to():
    case = CASES[0]
    other = "tune" if case.split == "test" else "test"
    with pytest.raises(ValueError, match="split: expected"):
        type(case)(**{**case.__dict__, "split": other})


def test_the_camera_frames_the_body_for_a_sample_of_cases():
    for case in CASES[::37]:
        points = body_extent(case, body_of(case))
        cam = place_camera(case, points)
        assert abs(cam.position[2] - case.height_m) < 1e-9  # backing off keeps the height
        xy = cam.project(points.reshape(-1, 3), origin=points[0, 23])[:, :2]
        assert (xy >= 0.03).all() and (xy <= 0.97).all(), case.case_id


def test_turn_back_frac_reads_the_simulators_truth():
    body = Body("long_thigh", 1.8, leg_scale=1.05, thigh_shank=1.15)
    frac = turn_back_frac("heel_slide", body, 121.0)
    sim = simulate(
        "heel_slide", reps=2, partial_reps=(2,), partial_frac=frac, tempo=1.0, body=body, jitter=0.0
    )
    assert sim.truth.reps[1].measures["driver_peak"] == pytest.approx(121.0, abs=0.5)


def test_body_limb_ratios_are_validated_and_default_to_winter():
    b = body_named("average_female")
    assert (b.thigh, b.shank) == (0.245 * 1.63, 0.246 * 1.63)
    with pytest.raises(ValueError, match=r"thigh_shank: expected a length ratio in \[0.8, 1.25\]"):
        Body("odd", 1.7, thigh_shank=2.0)
    with pytest.raises(ValueError, match=r"leg_scale: expected a factor in \[0.85, 1.15\]"):
        Body("odd", 1.7, leg_scale=0.5)


def test_a_mirroring_leg_echoes_the_working_one_and_jitter_zero_stays_exact():
    still = NoiseModel(
        jitter_m=np.zeros(33), depth_m=np.zeros(33), world_m=np.zeros(33), wander_m=0.0, mirror=0.3
    )
    plain = simulate(
        "heel_slide",
        reps=1,
        tempo=1.0,
        side="left",
        jitter=1.0,
        noise=NoiseModel(
            jitter_m=np.zeros(33), depth_m=np.zeros(33), world_m=np.zeros(33), wander_m=0.0
        ),
    )
    echo = simulate("heel_slide", reps=1, tempo=1.0, side="left", jitter=1.0, noise=still)
    peak = int(np.argmax(plain.truth.angles["left_knee"]))
    knee = 26  # right_knee: the resting leg
    moved = echo.frames[peak].world[knee] - plain.frames[peak].world[knee]
    assert np.linalg.norm(moved) > 0.05  # 0.3 of the working knee's ~25 cm travel
    assert np.allclose(echo.frames[peak].world[25], plain.frames[peak].world[25])
    exact = simulate("heel_slide", reps=1, tempo=1.0, jitter=0.0, noise=still)
    assert np.array_equal(exact.frames[peak].image, exact.truth.clean_image[peak])


# --- scoring ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def three_reps():
    """Three heel slides, the 2nd partial (turns back at 125°), exact landmarks."""
    frac = turn_back_frac("heel_slide", body_named("average_female"), 125.0)
    sim = simulate(
        "heel_slide",
        reps=3,
        partial_reps=(2,),
        partial_frac=frac,
        tempo=1.0,
        lead_in=0.3,
        pause=0.3,
        jitter=0.0,
    )
    return sim.truth


def _result(rows: list[RepRecord]) -> AnalysisResult:
    return AnalysisResult(
        exercise="heel_slide",
        side="left",
        view="side",
        holds=0,
        hold_table=(),
        rep_table=tuple(rows),
        flags=(),
        frames=100,
        frames_with_pose=100,
        checks_disabled=(),
        series=Series(t=np.zeros(0)),
    )


def _rows(truth, statuses, rom=(85.0, 180.0)):
    return [
        RepRecord(i + 1, "left", t.start + 0.05, t.end - 0.05, s, *rom)
        for i, (t, s) in enumerate(zip(truth.reps, statuses, strict=True))
        if s
    ]


def _score(truth, rows, **extra):
    result = _result(rows)
    if extra:  # fields the engine may grow (warnings, ...): read like attributes
        counts = {
            "reps": result.reps,
            "partial_reps": result.partial_reps,
            "uncertain_reps": result.uncertain_reps,
        }
        result = SimpleNamespace(**{**result.__dict__, **counts, **extra})
    return score(CASES[0], load_specs()["heel_slide"], truth, result)


def test_counting_every_rep_right_is_exact(three_reps):
    out = _score(three_reps, _rows(three_reps, ["full", "partial", "full"]))
    assert (out.true_full, out.true_partial) == (2, 1)
    assert out.exact and out.total_exact and out.partial_found == 1 and not out.silent_zero


def test_a_missed_partial_rep_is_a_miss(three_reps):
    out = _score(three_reps, _rows(three_reps, ["full", None, "full"]))
    assert not out.exact and not out.total_exact and out.partial_found == 0


def test_a_partial_counted_on_the_wrong_rep_is_not_found(three_reps):
    out = _score(three_reps, _rows(three_reps, ["full", "full", "partial"]))
    assert out.exact  # the counts agree...
    assert out.partial_found == 0  # ...but the partial rep was not the one flagged


def test_uncertain_reps_are_found_but_not_exact(three_reps):
    out = _score(three_reps, _rows(three_reps, ["full", "partial", "uncertain"]))
    assert out.total_exact and not out.exact


def test_zero_reps_without_a_warning_is_a_silent_zero(three_reps):
    assert _score(three_reps, []).silent_zero
    warned = _score(three_reps, [], warnings=("camera view unknown: never held still",))
    assert not warned.silent_zero and warned.warnings


def test_warnings_are_read_whatever_their_shape():
    assert warnings_of(SimpleNamespace()) == ()
    assert warnings_of(SimpleNamespace(warnings="one")) == ("one",)
    assert warnings_of(SimpleNamespace(warnings=[SimpleNamespace(message="two")])) == ("two",)


def test_rom_error_against_the_truth_at_both_ends(three_reps):
    out = _score(three_reps, _rows(three_reps, ["full", "partial", "full"], rom=(95.0, 170.0)))
    truth = [(lo, hi) for lo, hi, _, _ in out.rom]
    assert truth[0] == pytest.approx((85.0, 180.0), abs=0.01)
    assert truth[1] == pytest.approx((85.0, 125.0), abs=0.5)
    assert out.rom_error("min") == pytest.approx([10.0, 10.0, 10.0], abs=0.01)
    assert out.rom_error("max") == pytest.approx([10.0, 45.0, 10.0], abs=0.5)


def test_a_withheld_rom_number_is_not_an_error(three_reps):
    out = _score(
        three_reps, _rows(three_reps, ["full", "partial", "full"], rom=(math.nan, math.nan))
    )
    assert len(out.rom) == 3 and out.rom_error("min") == [] and out.rom_error("max") == []
    assert Tally.of([out]).rom_withheld == 3


def test_every_bin_gets_its_own_row(three_reps):
    outcomes = [
        CaseOutcome(c, 3, 0, 3 if k % 2 else 0, 0, 0, 0, (), "side")
        for k, c in enumerate(CASES[:24])
    ]
    dims = {d for d, _, _ in groups(outcomes)}
    assert dims == {"view", "height", "noise", "tempo", "lead-in", "exercise", "all"}
    text = tables(outcomes)
    assert "| all  | 24 | 50% (12/24) |" in text
    assert "| view side |" in text and "| height floor |" in text


def test_a_cached_simulation_is_reused_and_identical(tmp_path):
    from formcheck.bench.suite_sim import cached_simulation

    case = min(CASES[:64], key=lambda c: c.reps * c.tempo + c.lead_in + c.lead_out)
    first = cached_simulation(case, tmp_path)
    (path,) = tmp_path.iterdir()
    again = cached_simulation(case, tmp_path)
    assert [f.t for f in again.frames] == [f.t for f in first.frames]
    assert all(
        np.array_equal(a.image, b.image, equal_nan=True)
        for a, b in zip(again.frames, first.frames, strict=True)
        if a.has_pose
    )
    assert list(tmp_path.iterdir()) == [path]


def test_bench_rows_give_every_count_per_bin_beside_the_totals():
    from formcheck.bench.suite_rows import bench_rows

    outcomes = [
        CaseOutcome(c, 3, 0, 3 if k % 2 else 0, 0, 0, 0, (), "side", rom=((85, 180, 90, 178),))
        for k, c in enumerate(CASES[:24])
    ]
    rows = {r.measure.split(" (")[0]: r for r in bench_rows(outcomes, 5.0)}
    for label in ("all", "view side", "view end_on", "height floor", "noise high", "tempo brisk"):
        assert f"exact counts, {label}" in rows, label
    assert "exact counts, exercise squat" in rows
    assert rows["exact counts, all"].value == "50.0%" and rows["exact counts, all"].met is False
    silent = rows["silent zeros"]
    assert silent.value == "12" and silent.met is False
    rom = rows["heel-slide knee ROM error, side, bent end"]
    assert rom.value.startswith("5.0° / 5.0°") and rom.met is True


@pytest.mark.parametrize(
    ("source", "section"),
    [("image", "no world landmarks"), ("xy", "x and y only")],
)
def test_the_rows_on_fewer_landmarks_give_counts_per_view_and_the_silent_zeros(source, section):
    from formcheck.bench.suite_rows import fewer_landmark_rows

    outcomes = [
        CaseOutcome(c, 3, 0, 3 if k % 2 else 0, 0, 0, 0, (), "side")
        for k, c in enumerate(CASES[:24])
    ]
    got = fewer_landmark_rows(outcomes, source)
    assert {r.section for r in got} == {f"9 randomized suite, {section}"}
    rows = {r.measure.split(" (")[0]: r for r in got}
    assert {"exact counts, all", "exact counts, view side", "exact counts, view end_on"} <= set(
        rows
    )
    assert rows["exact counts, all"].value == "50.0%" and rows["exact counts, all"].met is None
    assert rows["silent zeros"].value == "12" and rows["silent zeros"].met is False


def test_a_case_run_on_fewer_landmarks_gives_the_engine_only_those(monkeypatch):
    from formcheck.bench import suite_score

    seen, real = [], suite_score.analyze

    def analyze(frames, spec, side):
        posed = [f for f in frames if f.has_pose]
        seen.append(
            (
                {f.world is None for f in posed},
                {bool(f.image[:, 2].any()) for f in posed},
            )
        )
        return real(frames[:1], spec, side)

    monkeypatch.setattr(suite_score, "analyze", analyze)
    monkeypatch.setattr(
        suite_score, "score", lambda *a: CaseOutcome(CASES[0], 0, 0, 0, 0, 0, 0, (), None)
    )
    case = min(CASES[:64], key=lambda c: c.reps * c.tempo + c.lead_in + c.lead_out)
    spec = load_specs()[case.exercise]
    for source in ("world", "image", "xy"):
        suite_score.run_case(case, spec, source=source)
    # world: everything; image: no world landmarks, the image's depth kept; xy: neither.
    assert seen == [({False}, {True}), ({True}, {True}), ({True}, {False})]


def test_a_range_the_engine_withholds_is_counted_withheld_with_its_raw_error(three_reps):
    rows = _rows(three_reps, ["full", "partial", "full"], rom=(95.0, 170.0))
    out = _score(three_reps, rows, rom_withheld_reason="beyond the feet: +-25 deg")
    assert out.rom_error("min") == pytest.approx([10.0, 10.0, 10.0], abs=0.01)
    assert Tally.of([out]).rom_withheld == 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--exercise", "adductor_squeeze"], "error: --exercise: expected one of clamshell, "),
        (["--case", "case-42"], "error: --case: expected an id like s13-0042, got 'case-42'"),
        (["--n", "0"], "error: --n: expected at least 1, got 0"),
    ],
)
def test_usage_errors_exit_1_with_one_line(argv, message, capsys):
    from formcheck.bench.suite import main

    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1
