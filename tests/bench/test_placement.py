"""The placement study: its arithmetic on known reps, and its clips holding together.

The study's figures are not asserted here (they are in docs/placement.md and
come from `python -m formcheck.bench.placement`); these tests pin the method
(noise, response, smallest flagged fault) and the study set's shape.
"""

import math
import tomllib

import pytest

from formcheck.bench import placement
from formcheck.bench.placement import RepObs, detectability


def _rep(i: int, peak: float, fault: float = 0.0, flagged: bool = False) -> RepObs:
    faults = (("heel_veer", fault),) if fault else ()
    return RepObs(
        "g",
        "clip",
        i,
        faults,
        (("heel_off_line", peak),),
        ("heel_off_line",) if flagged else (),
        ("heel_off_line",),
    )


# clean peaks 1, 2, 3 (mean 2, sd 1); a 6 cm veer reads 8: 1 unit of peak per cm.
# Rep 1 of a clip is left out (the engine's settling period): 50 must not count.
CLEAN = [_rep(1, 50.0), _rep(2, 1.0), _rep(3, 2.0), _rep(4, 3.0)]


def test_smallest_fault_is_twice_the_one_sided_95_point_of_the_noise_over_the_response():
    d = detectability("heel_off_line", [*CLEAN, _rep(5, 8.0, 6.0, flagged=True)], 4.0, "cm")
    assert (d.n_clean, d.n_fault) == (3, 1)
    assert d.bias == pytest.approx(2.0) and d.sd == pytest.approx(1.0)
    assert d.slope == pytest.approx(1.0)
    assert d.smallest == pytest.approx(2 * 1.645)
    # the limit (4) clears the clean reps' 95th point (2 + 1.645): recall >= 0.95 from
    # 4 - 2 + 1.645 cm of veer
    assert d.at_limit == pytest.approx(4 - 2 + 1.645)
    assert d.judges and d.why_not == ""
    assert d.shipped_caught == (1, 1) and d.shipped_false == (0, 3)


def test_a_limit_inside_the_noise_can_never_meet_the_false_flag_target():
    d = detectability("heel_off_line", [*CLEAN, _rep(5, 8.0, 6.0)], 2.5, "cm")
    assert math.isinf(d.at_limit)
    assert d.smallest == pytest.approx(3.29)  # the metric itself still separates it
    assert d.judges  # 3.29 <= 1.5 x 2.5


@pytest.mark.parametrize(
    ("reps", "why"),
    [
        ([*CLEAN, _rep(5, 1.5, 6.0)], "no response"),  # the fault reads below the clean mean
        ([*CLEAN], "too few reps"),  # no faulted rep and nothing to borrow
        ([CLEAN[0], CLEAN[1], CLEAN[2], _rep(5, 8.0, 6.0)], "too few reps"),  # 2 clean reps
        (
            [*CLEAN, _rep(5, 8.0, 6.0), _rep(6, math.nan), _rep(7, math.nan)],
            "found and measured on",
        ),
        ([_rep(2, 1.0), _rep(3, 9.0), _rep(4, 5.0), _rep(5, 11.0, 6.0)], "over 1.5 x the limit"),
    ],
)
def test_a_placement_that_cant_separate_the_fault_is_reported_as_unable(reps, why):
    d = detectability("heel_off_line", reps, 4.0, "cm")
    assert not d.judges
    assert why in d.why_not


def test_a_bin_without_faulted_reps_borrows_the_study_placements_response():
    d = detectability("heel_off_line", CLEAN, 4.0, "cm", slope=0.5)
    assert d.borrowed and d.n_fault == 0
    assert d.smallest == pytest.approx(2 * 1.645 / 0.5)
    assert not d.judges  # 6.6 cm > 1.5 x 4


def test_open_spec_lets_every_drift_check_run_from_every_view():
    from formcheck.specs import load_specs
    from formcheck.specs.kinds import VIEWS

    spec = load_specs()["heel_slide"]
    opened = placement.open_spec(spec)
    assert [c.code for c in opened.checks] == [c.code for c in spec.checks]
    drift = [c for c in opened.checks if c.code in placement.FAULT_OF]
    assert len(drift) == 4 and all(set(c.views) == set(VIEWS) for c in drift)
    # the range check keeps its views: they say where the spec's full is judged
    assert opened.check("partial_range").views == spec.check("partial_range").views
    assert spec.check("pelvis_lift").views == ("side",)  # the spec itself is untouched


def test_the_study_manifest_has_a_clean_and_a_faulted_clip_per_placement():
    clips = tomllib.loads((placement.STUDY_DIR / "manifest.toml").read_text())["clip"]
    by_bin: dict[str, list[dict]] = {}
    for c in clips:
        by_bin.setdefault(c["bin"], []).append(c)
    for name, pair in by_bin.items():
        kinds = sorted(c["name"].rsplit("_", 1)[1] for c in pair)
        assert kinds == ["clean", "faults"], name
        faulted = next(c for c in pair if c["name"].endswith("_faults"))
        # every drift fault once, each on its own rep, rep 1 clean
        reps = [
            v.split(":")[0]
            for k in ("veer", "pelvis_shift", "pelvis_lift", "pelvis_roll")
            for v in faulted[k]
        ]
        assert sorted(reps) == ["2", "3", "4", "5"], name


def test_every_study_clip_has_its_truth_and_cached_landmarks():
    clips = tomllib.loads((placement.STUDY_DIR / "manifest.toml").read_text())["clip"]
    missing = [
        c["name"]
        for c in clips
        if not (placement.STUDY_DIR / f"{c['name']}.truth.json").is_file()
        or not (placement.STUDY_DIR / f"{c['name']}.landmarks.jsonl").is_file()
    ]
    assert not missing, f"in the manifest but not rendered: {missing}"


def _pelvis_rep(i: int, shift: float, fault: tuple[str, float] | None = None) -> RepObs:
    return RepObs("g", "clip", i, (fault,) if fault else (), (("pelvis_shift", shift),), (), ())


def test_a_pelvis_check_counts_no_rep_with_any_pelvis_fault_as_clean_but_the_heel_check_does():
    reps = [
        _pelvis_rep(2, 1.0),
        _pelvis_rep(3, 2.0),
        _pelvis_rep(4, 3.0, ("heel_veer", 6.0)),  # the pelvis stayed: clean for the shift check
        _pelvis_rep(5, 9.0, ("pelvis_lift", 6.0)),  # the pelvis moved: not clean, not a shift
        _pelvis_rep(6, 8.0, ("pelvis_shift", 6.0)),
    ]
    d = detectability("pelvis_shift", reps, 4.5, "cm")
    assert d.n_clean == 3 and d.bias == pytest.approx(2.0)
    assert d.slope == pytest.approx(1.0)
