"""Accuracy on the simulator suite: rep and hold counts, and each check's recall and false flags.

Every sequence is simulated with exact ground truth (``formcheck.simulate``)
and MediaPipe-calibrated landmark noise, then analysed by the same engine as
clips and the webcam.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass

from formcheck.engine import RepCounts, analyze
from formcheck.simulate import EXERCISES, FILMED_FROM, simulate
from formcheck.specs import Spec

#: Which simulator fault exercises which check, and in what unit the fault is given.
FAULTS = {
    "heel_off_line": ("veer_cm", "veer_reps"),
    "pelvis_shift": ("pelvis_shift_cm", "pelvis_shift_reps"),
    "pelvis_rotation": ("pelvis_roll_deg", "pelvis_roll_reps"),
}


@dataclass(frozen=True)
class CountCase:
    exercise: str
    view: str
    side: str
    tempo: float
    jitter: float
    reps: int
    seed: int


@dataclass(frozen=True)
class Accuracy:
    """The suite's figures."""

    sequences: int
    exact: float
    off_by_one: float
    mae: float
    recall: dict[str, float]  # check code -> share of faulty reps flagged at 1.5x the limit
    false_flags: dict[str, float]  # check code -> share of sequences flagged at 0.5x the limit
    misses: tuple[str, ...]  # descriptions of the sequences that were counted wrong
    uncertain: int = 0  # reps found but not judged (landmarks partly hidden): not counted


def _sides(spec: Spec) -> tuple[str, ...]:
    """The simulator's side settings that exercise a spec's side mode."""
    return {"either": ("left", "right"), "alternating": ("alternating",)}.get(spec.sides, ("both",))


def count_cases(specs: dict[str, Spec], seeds: int) -> list[CountCase]:
    """Counting cases across exercises, views, tempos, sides and jitter levels."""
    cases = []
    for name in sorted(set(EXERCISES) & set(specs)):
        spec = specs[name]
        if not spec.judgeable:
            continue
        views = FILMED_FROM[name]
        for view, side, seed in itertools.product(views, _sides(spec), range(seeds)):
            tempo = (3.0, 4.0, 5.0)[seed % 3]
            jitter = (0.5, 1.0, 1.5)[(seed // 3) % 3]
            cases.append(CountCase(name, view, side, tempo, jitter, 3 + seed % 5, seed))
    return cases


def engine_side(spec: Spec) -> str:
    """The side setting a user would pick: both legs together, else let the engine tell."""
    return "both" if spec.sides == "both" else "auto"


def simulate_case(case: CountCase, spec: Spec):
    """The simulated sequence for ``case`` (holds run a little past their minimum)."""
    kwargs = {"hold_s": spec.hold.seconds + 1.0} if spec.hold is not None else {}
    return simulate(
        case.exercise,
        reps=case.reps,
        side=case.side,
        view=case.view,
        tempo=case.tempo,
        jitter=case.jitter,
        seed=case.seed,
        **kwargs,
    )


def _count(case: CountCase, spec: Spec) -> tuple[int, int, int]:
    """(true count, counted, uncertain reps) of ``case``.

    Reps are full reps on both sides (`RepCounts`). A rep whose landmarks were
    partly hidden (e.g. the far leg from the side) is reported as uncertain:
    it is not a counted rep, so it is a miss, and is reported apart.
    """
    hold = spec.hold is not None and spec.phase is None
    sim = simulate_case(case, spec)
    result = analyze(sim.frames, spec, engine_side(spec))
    if hold:
        return len(sim.truth.holds), result.holds, 0
    truth = RepCounts.of(r.status for r in sim.truth.reps)
    return truth.full, result.counts.full, result.counts.uncertain


def _limit(spec: Spec, code: str, view: str) -> float:
    check = next(c for c in spec.checks if c.code == code)
    return dict(check.view_limits).get(view, check.limit)


def check_cases(spec: Spec, seeds: int):
    """(code, view, factor, seed) for every injectable check in every view it can judge."""
    for check in spec.checks:
        if check.code not in FAULTS:
            continue
        for view, factor, seed in itertools.product(check.views, (1.5, 0.5), range(seeds)):
            yield check.code, view, factor, seed


def _flagged(code: str, view: str, factor: float, seed: int, spec: Spec) -> tuple[bool, bool]:
    """Simulate 3 reps with the fault on rep 2; return (flagged on rep 2, flagged anywhere)."""
    amount_key, reps_key = FAULTS[code]
    amount = factor * _limit(spec, code, view)
    side = ("left", "right")[seed % 2]
    extra = {"veer_direction": ("out", "in")[(seed // 2) % 2]} if code == "heel_off_line" else {}
    sim = simulate(
        "heel_slide",
        reps=3,
        side=side,
        view=view,
        seed=100 + seed,
        **{amount_key: amount, reps_key: (2,)},
        **extra,
    )
    result = analyze(sim.frames, spec, "auto")
    on_rep = {f.rep for f in result.flags if f.code == code}
    return 2 in on_rep, bool(on_rep)


def run(specs: dict[str, Spec], *, count_seeds: int = 6, check_seeds: int = 8) -> Accuracy:
    """Run the suite; ``*_seeds`` set its size (the quick run uses fewer)."""
    errors, misses, uncertain = [], [], 0
    for case in count_cases(specs, count_seeds):
        truth, counted, unsure = _count(case, specs[case.exercise])
        errors.append((truth, counted))
        uncertain += unsure
        if truth != counted:
            also = f" (+{unsure} uncertain)" if unsure else ""
            misses.append(f"{case}: counted {counted}{also}, truth {truth}")
    hits: dict[str, list[bool]] = defaultdict(list)
    false: dict[str, list[bool]] = defaultdict(list)
    spec = specs.get("heel_slide")
    if spec is not None:
        for code, view, factor, seed in check_cases(spec, check_seeds):
            on_rep, anywhere = _flagged(code, view, factor, seed, spec)
            (hits if factor > 1 else false)[code].append(on_rep if factor > 1 else anywhere)
    n = len(errors)
    return Accuracy(
        sequences=n + sum(map(len, hits.values())) + sum(map(len, false.values())),
        exact=sum(t == c for t, c in errors) / n,
        off_by_one=sum(abs(t - c) <= 1 for t, c in errors) / n,
        mae=sum(abs(t - c) / t for t, c in errors if t) / n,
        recall={k: sum(v) / len(v) for k, v in hits.items()},
        false_flags={k: sum(v) / len(v) for k, v in false.items()},
        misses=tuple(misses),
        uncertain=uncertain,
    )
