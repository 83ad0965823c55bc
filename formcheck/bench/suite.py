"""The randomized simulator validation suite: per-bin figures, a CLI and `formcheck bench` rows.

Cases come from `suite_cases` (drawn, fixed seeds, a tuning and a test split),
each is scored by `suite_score`. Every figure is given per bin (exercise,
view, camera height, noise level, tempo, lead-in) as well as in total,
because a total can hide a failing bin. docs/validation.md says what is
drawn and why the test split is never used for tuning.

    python -m formcheck.bench.suite --split tune            # develop against this
    python -m formcheck.bench.suite --split tune --misses   # with every miscounted case
    python -m formcheck.bench.suite --case s13-0042         # one case, to reproduce it
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, TypeVar

import numpy as np

from formcheck.bench.report import markdown_table
from formcheck.bench.suite_cases import (
    DEFAULT_N,
    DEFAULT_SEED,
    HEIGHT_BINS,
    NOISE_BINS,
    OTHERS,
    SPLITS,
    TEMPO_BINS,
    VIEWS,
    draw_case,
    draw_cases,
)
from formcheck.bench.suite_score import (
    DRIFT_CHECKS,
    SOURCE_NAMES,
    SOURCES,
    CaseOutcome,
    run_case,
)
from formcheck.specs import load_specs

T = TypeVar("T")

#: The dimensions figures are broken down by, with their values in report order.
DIMENSIONS = {
    "view": VIEWS,
    "height": tuple(HEIGHT_BINS),
    "noise": tuple(NOISE_BINS),
    "tempo": tuple(TEMPO_BINS),
    "lead-in": ("none", "some"),
    "exercise": None,  # in the order met
}


def _pct(part: int, whole: int) -> str:
    return f"{part / whole:.0%} ({part}/{whole})" if whole else "–"


def _med_p95(values: list[float]) -> str:
    if not values:
        return "–"
    return f"{np.median(values):.1f} / {np.percentile(values, 95):.1f}"


class BesideOneAngle(NamedTuple):
    """Single-leg heel slides counted exactly by the one-angle counter (`baseline`), and
    by the engine on the same cases."""

    cases: int
    counter: int
    full: int  # the engine's full reps exact: the counter's like-for-like figure
    exact: int  # full and partial both right
    found: int  # every rep found, whatever its status


def _beside_one_angle(outcomes: list[CaseOutcome]) -> BesideOneAngle:
    scored = [o for o in outcomes if o.one_angle is not None]
    return BesideOneAngle(
        len(scored),
        sum(o.one_angle[0] == o.one_angle[1] for o in scored),
        sum(o.full_exact for o in scored),
        sum(o.exact for o in scored),
        sum(o.total_exact for o in scored),
    )


@dataclass(frozen=True)
class Tally:
    """The suite's figures over a group of outcomes (ROM and drift over heel slides only)."""

    n: int
    exact: int
    total_exact: int
    partial_found: int
    partial_total: int
    silent_zeros: int
    warned: int
    rom_min: tuple[float, ...]
    rom_max: tuple[float, ...]
    rom_withheld: int
    drift: dict[str, tuple[int, int, int, int]]  # code -> (hits, faulty, false flags, clean)
    #: code -> trials the engine said it couldn't judge (left out of ``drift``)
    unjudged: dict[str, int] = field(default_factory=dict)
    one_angle: BesideOneAngle = field(default_factory=lambda: BesideOneAngle(0, 0, 0, 0, 0))

    @classmethod
    def of(cls, outcomes: list[CaseOutcome]) -> Tally:
        heel = [o for o in outcomes if o.case.exercise == "heel_slide"]
        drift, unjudged = {}, {}
        for code in DRIFT_CHECKS:
            every = [t for o in heel for t in o.drift if t.code == code]
            trials = [t for t in every if t.judged]
            unjudged[code] = len(every) - len(trials)
            faulty = [t.flagged for t in trials if t.faulty]
            clean = [t.flagged for t in trials if not t.faulty]
            drift[code] = (sum(faulty), len(faulty), sum(clean), len(clean))
        return cls(
            n=len(outcomes),
            exact=sum(o.exact for o in outcomes),
            total_exact=sum(o.total_exact for o in outcomes),
            partial_found=sum(o.partial_found for o in outcomes),
            partial_total=sum(o.true_partial for o in outcomes),
            silent_zeros=sum(o.silent_zero for o in outcomes),
            warned=sum(bool(o.warnings) for o in outcomes),
            rom_min=tuple(e for o in heel for e in o.rom_error("min")),
            rom_max=tuple(e for o in heel for e in o.rom_error("max")),
            rom_withheld=sum(
                len(o.rom) if o.rom_withheld_reason else len(o.rom) - len(o.rom_error("max"))
                for o in heel
            ),
            drift=drift,
            unjudged=unjudged,
            one_angle=_beside_one_angle(outcomes),
        )

    def counts_cells(self) -> list[str]:
        beside = self.one_angle
        return [
            str(self.n),
            _pct(self.exact, self.n),
            _pct(self.total_exact, self.n),
            _pct(self.partial_found, self.partial_total),
            str(self.silent_zeros),
            str(self.warned),
            " / ".join(_pct(k, beside.cases) for k in (beside.counter, beside.full, beside.exact)),
        ]

    def rom_drift_cells(self) -> list[str]:
        cells = [
            str(len(self.rom_max)),
            str(self.rom_withheld),
            _med_p95(list(self.rom_min)),
            _med_p95(list(self.rom_max)),
        ]
        for code in DRIFT_CHECKS:
            hits, faulty, false, clean = self.drift[code]
            cells.append(
                f"{_pct(hits, faulty)} / {_pct(false, clean)} / {self.unjudged.get(code, 0)}"
            )
        return cells


def groups(outcomes: list[CaseOutcome]) -> list[tuple[str, str, list[CaseOutcome]]]:
    """``(dimension, bin, outcomes)`` for every non-empty bin, then ``("all", "", all)``."""
    out = []
    for dim, order in DIMENSIONS.items():
        values = order or tuple(dict.fromkeys(o.case.bins[dim] for o in outcomes))
        for value in values:
            members = [o for o in outcomes if o.case.bins[dim] == value]
            if members:
                out.append((dim, value, members))
    out.append(("all", "", outcomes))
    return out


def tables(outcomes: list[CaseOutcome]) -> str:
    """Two Markdown tables, counts (every exercise) and ROM/drift (heel slides), per bin."""
    rows = [(dim, value, Tally.of(members)) for dim, value, members in groups(outcomes)]
    counts = markdown_table(
        [
            "bin",
            "cases",
            "exact",
            "all reps found",
            "partial found",
            "silent 0",
            "warned",
            "single-leg heel slides: one-angle counter / engine full reps / engine exact",
        ],
        [[f"{d} {v}", *t.counts_cells()] for d, v, t in rows],
    )
    rom = markdown_table(
        ["bin", "reps", "withheld", "bent end", "straight end"]
        + [f"{c}: recall / false / unjudged" for c in DRIFT_CHECKS],
        [[f"{d} {v}", *t.rom_drift_cells()] for d, v, t in rows if d != "exercise"],
    )
    note = (
        "Heel slides only: knee ROM error (deg, median / p95) at the bent (min) and straight "
        "(max) end, and drift flags (recall at >= 1.5x the limit, false flags at <= 0.5x)."
    )
    return "\n\n".join([counts, note, rom])


def run(
    split: str,
    *,
    n: int = DEFAULT_N,
    seed: int = DEFAULT_SEED,
    exercise: str | None = None,
    limit: int | None = None,
    cache: Path | None = None,
    log: Callable[[str], None] = lambda _: None,
    source: str = "world",
) -> list[CaseOutcome]:
    """Score every case of ``split`` (optionally one exercise, at most ``limit`` cases).

    ``cache`` keeps the simulations for the next run (`suite_sim.cached_simulation`);
    ``source`` says what of each frame the engine gets (`suite_score.SOURCES`): ``image``
    takes the world landmarks away, as a landmark file of image landmarks has none, and
    ``xy`` the image landmarks' depth too, as a 2-D pose model gives none.
    """
    specs = load_specs()
    cases = [
        c
        for c in draw_cases(n, seed)
        if c.split == split and (exercise is None or c.exercise == exercise)
    ]
    if limit is not None:
        cases = spread(cases, limit)
    out = []
    for k, case in enumerate(cases, 1):
        out.append(run_case(case, specs[case.exercise], cache, source))
        if k % 25 == 0:
            log(f"  {k}/{len(cases)} cases")
    return out


def spread(cases: list[T], limit: int) -> list[T]:
    """At most ``limit`` cases, evenly spaced through the list (so every exercise stays).

    >>> spread(list(range(10)), 4)
    [0, 2, 5, 7]
    """
    if len(cases) <= limit:
        return cases
    step = len(cases) / limit
    return [cases[int(k * step)] for k in range(limit)]


def misses(outcomes: Iterable[CaseOutcome]) -> list[str]:
    """A line per case not counted exactly: its parameters and what was counted."""
    return [f"{o.case.describe()}\n    {o.summary()}" for o in outcomes if not o.exact]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m formcheck.bench.suite",
        description="Randomized simulator validation suite: per-bin counts, ROM and flags.",
    )
    p.add_argument(
        "--split",
        choices=SPLITS,
        default="tune",
        help="tune (develop and tune here) or test (final figures only)",
    )
    p.add_argument("--n", type=int, default=DEFAULT_N, help="cases drawn before the split")
    p.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"draw the cases with another seed: fresh data to check a change on "
        f"(formcheck bench reports seed {DEFAULT_SEED}'s test split)",
    )
    p.add_argument("--exercise", help="only this exercise's cases")
    p.add_argument("--limit", type=int, help="at most this many cases, spread evenly")
    p.add_argument("--misses", action="store_true", help="list every miscounted case")
    p.add_argument(
        "--cache",
        type=Path,
        help="keep the simulated sequences in this folder and reuse them (engine tuning)",
    )
    p.add_argument("--case", help="run one case by id (e.g. s13-0042) and print it in full")
    p.add_argument(
        "--landmarks",
        choices=tuple(SOURCES),
        default="world",
        help="what the engine gets of each frame: everything (world), the image landmarks "
        "with their own depth but no world landmarks (image), or their x and y alone (xy)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the suite and print the per-bin tables; exit 1 on a usage error."""
    args = _parser().parse_args(argv)
    specs = load_specs()
    drawn = sorted({"heel_slide", *OTHERS} & set(specs))
    if args.exercise is not None and args.exercise not in drawn:
        print(
            f"error: --exercise: expected one of {', '.join(drawn)}, got {args.exercise!r}",
            file=sys.stderr,
        )
        return 1
    if args.case is not None:
        return _one(args.case, args.landmarks)
    if args.n < 1:
        print(f"error: --n: expected at least 1, got {args.n}", file=sys.stderr)
        return 1
    start = time.perf_counter()
    outcomes = run(
        args.split,
        n=args.n,
        seed=args.seed,
        exercise=args.exercise,
        limit=args.limit,
        cache=args.cache,
        log=lambda m: print(m, file=sys.stderr),
        source=args.landmarks,
    )
    if not outcomes:
        print("error: no cases in that selection", file=sys.stderr)
        return 1
    source = f", {SOURCE_NAMES[args.landmarks]}" if args.landmarks in SOURCE_NAMES else ""
    took = time.perf_counter() - start
    print(f"{args.split} split, {len(outcomes)} cases{source}, {took:.0f} s\n")
    print(tables(outcomes))
    if args.misses:
        lines = misses(outcomes)
        print(f"\nNot counted exactly ({len(lines)}):")
        print("\n".join(lines))
    return 0


def _one(case_id: str, source: str) -> int:
    try:
        seed, i = case_id.removeprefix("s").split("-")
        case = draw_case(int(i), int(seed))
    except ValueError:
        print(f"error: --case: expected an id like s13-0042, got {case_id!r}", file=sys.stderr)
        return 1
    outcome = run_case(case, load_specs()[case.exercise], source=source)
    print(case)
    print(outcome.summary())
    print(
        f"exact {outcome.exact}, ROM errors min {outcome.rom_error('min')}, "
        f"max {outcome.rom_error('max')}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
