"""`formcheck bench` rows for the randomized suite, on its test split.

Totals carry issue 13's targets; every count is also given per view,
camera height, noise level, tempo and exercise, since a total can hide a
failing bin.
"""

from __future__ import annotations

import numpy as np

from formcheck.bench import baseline
from formcheck.bench.report import Row
from formcheck.bench.suite import Tally, groups
from formcheck.bench.suite_score import SOURCE_NAMES, CaseOutcome

#: How the suite's `formcheck bench` rows were measured (BENCHMARKS.md).
METHOD = (
    "Randomized suite (docs/validation.md): the TEST split of the drawn simulator cases "
    "(never used for tuning): heel slides plus continuous sets of every other rep exercise, "
    "camera 0.1-1.8 m high, side or beyond the feet, +-10 deg yaw/pitch/roll, 50-80 deg "
    "field of view, four body shapes with drawn limb ratios, 0.8-5 s reps, no still lead-in "
    "in 30 % of heel slides and every other exercise, 0.5-4 px knee jitter, 0.3-2 cm world "
    "noise, 0-10 % dropped frames, short occlusions, a mirroring leg, partial reps turning "
    "back at a true 100-150 deg and drift up to 2x its limit. Exact: full and partial reps "
    "both counted exactly (uncertain reps are neither); all reps found: full + partial + "
    "uncertain = the truth. ROM error: the rep table's knee range against the clean body's "
    "knee over the same rep, reps matched by time overlap. `--quick` runs 24 of the cases. "
    "The simulator does not reproduce MediaPipe's misreads of a person lying down seen "
    "from floor or chair height beyond the feet: the rendered clips cover that."
)


def _count_rows(
    outcomes: list[CaseOutcome], section: str, dims: tuple[str, ...], targeted: bool
) -> list[Row]:
    """Exact counts for each bin of ``dims`` (and all), with issue 13's target if
    ``targeted``."""
    rows = []
    for dim, value, members in groups(outcomes):
        if dim not in (*dims, "all"):
            continue
        t = Tally.of(members)
        label = "all" if dim == "all" else f"{dim} {value}"
        share = t.exact / t.n
        found = f"all reps found {t.total_exact / t.n:.0%}"
        measure, value_text = f"exact counts, {label} ({t.n} sequences)", f"{share:.1%}"
        if targeted:
            note = f"{found}; silent 0: {t.silent_zeros}"
            rows.append(Row(section, measure, value_text, ">= 98 %", share >= 0.98, note))
        else:
            rows.append(Row(section, measure, value_text, note=f"{found}; warned {t.warned}"))
    return rows


def _silent_row(section: str, t: Tally) -> Row:
    return Row(
        section,
        "silent zeros (movement, 0 reps, no warning)",
        str(t.silent_zeros),
        "none",
        t.silent_zeros == 0,
    )


def bench_rows(outcomes: list[CaseOutcome], seconds: float) -> list[Row]:
    """`formcheck bench` rows: totals with the issue's targets, then every bin that matters."""
    section = "9 randomized suite"
    dims = ("view", "height", "noise", "tempo", "exercise")
    rows = _count_rows(outcomes, section, dims, targeted=True)
    t = Tally.of(outcomes)
    if t.partial_total:
        share = t.partial_found / t.partial_total
        rows.append(
            Row(
                section,
                f"partial reps found on the right rep ({t.partial_total})",
                f"{share:.1%}",
                ">= 95 %",
                share >= 0.95,
            )
        )
    rows.append(_silent_row(section, t))
    for dim, value, members in groups(outcomes):
        if dim != "view":
            continue
        rt = Tally.of(members)
        n, counter, full, engine, found = rt.one_angle
        if n:
            rows.append(
                Row(
                    section,
                    f"heel slide, {value}: one-angle counter (2-D knee, {baseline.BENT:.0f}/"
                    f"{baseline.EXTENDED:.0f} deg, leg given, {n} sequences)",
                    f"{counter / n:.1%} exact",
                    note=f"engine on the same sequences: full reps exact {full / n:.1%}, full and "
                    f"partial {engine / n:.1%}, all reps found {found / n:.1%}; the counter "
                    "can't tell partial reps and is scored only on reps crossing both its lines",
                )
            )
        for end, errors in (("bent", rt.rom_min), ("straight", rt.rom_max)):
            if not errors:
                continue
            med, p95 = float(np.median(errors)), float(np.percentile(errors, 95))
            side = value == "side"
            rows.append(
                Row(
                    section,
                    f"heel-slide knee ROM error, {value}, {end} end ({len(errors)} reps)",
                    f"{med:.1f}° / {p95:.1f}° (median / p95)",
                    "<= 5° / <= 10°" if side else "reported",
                    (med <= 5 and p95 <= 10) if side else None,
                    f"{rt.rom_withheld} reps withheld by the engine (raw error shown)"
                    if rt.rom_withheld
                    else "",
                )
            )
    for code, (hits, faulty, false, clean) in t.drift.items():
        if faulty:
            rows.append(
                Row(
                    section,
                    f"{code}: recall at >= 1.5x limit ({faulty} reps)",
                    f"{hits / faulty:.2f}",
                    ">= 0.95",
                    hits / faulty >= 0.95,
                )
            )
        if clean:
            rows.append(
                Row(
                    section,
                    f"{code}: false flags at <= 0.5x limit ({clean} reps)",
                    f"{false / clean:.2f}",
                    "<= 0.05",
                    false / clean <= 0.05,
                )
            )
    rows.append(
        Row(
            section,
            "suite run time",
            f"{seconds:.0f} s",
            note=f"{t.n} test-split sequences, simulated and analysed",
        )
    )
    return rows


#: How the rows of `fewer_landmark_rows` were measured (BENCHMARKS.md).
FEWER_LANDMARKS_METHOD = (
    "Randomized suite on fewer landmarks: the same test-split sequences with their world "
    "landmarks taken away, the image landmarks' own depth (MediaPipe's z) kept "
    "(`suite_score.without_world`), as a landmark file of image landmarks from a "
    "benchmark of real people gives them; and with that depth set to 0 too "
    "(`suite_score.xy_only`), as a 2-D pose model gives them; scored as above. No "
    "target: an angle the spec reads in depth is then read from the image, with its "
    "rough depth or foreshortened, and the engine says so (docs/engine.md, 'Landmarks "
    "with no world coordinates'). `python -m formcheck.bench.suite --split tune "
    "--landmarks image` (or `xy`) for the tuning split."
)


def fewer_landmark_rows(outcomes: list[CaseOutcome], source: str) -> list[Row]:
    """Rows for the suite run on fewer landmarks (``source``: ``image`` or ``xy``, see
    `SOURCE_NAMES`): counts per view and exercise, and the silent zeros, which must stay
    none there too."""
    section = f"9 randomized suite, {SOURCE_NAMES[source]}"
    rows = _count_rows(outcomes, section, ("view", "exercise"), targeted=False)
    rows.append(_silent_row(section, Tally.of(outcomes)))
    return rows
