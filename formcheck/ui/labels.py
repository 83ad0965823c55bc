"""How the app names checks and shows their numbers (Streamlit-free).

The UI speaks in the spec's labels with units ("Sideways heel drift (cm)"),
never in codes (``heel_off_line``); downloads and JSON keep the codes. Angles
are shown in whole degrees and centimetres to one decimal: finer digits are
noise from the pose model, not measurement.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from formcheck.engine import AnalysisResult, FlagRaised
from formcheck.engine.result import RepRecord
from formcheck.specs import CheckSpec, Spec
from formcheck.specs.kinds import DECIMALS, UNIT_SIGNS, amount_text, limit_text


def heading(label: str, unit: str) -> str:
    """A heading: ``heading("sideways heel drift", "cm")`` -> ``Sideways heel drift (cm)``."""
    text = capitalised(label)
    return f"{text} ({UNIT_SIGNS.get(unit, unit)})" if unit else text


def capitalised(label: str) -> str:
    """A label at the start of a sentence or a cell: ``Sideways heel drift``."""
    return label[:1].upper() + label[1:]


def check_heading(check: CheckSpec) -> str:
    """The heading for one check's values, e.g. ``Pelvis rotation (°)``."""
    return heading(check.label, check.unit)


def check_name(spec: Spec, code: str) -> str:
    """A check's label for a sentence (``sideways heel drift``); the code if the spec lacks it."""
    try:
        return spec.check(code).label
    except KeyError:
        return code.replace("_", " ")


def rounded(value: float | None, unit: str) -> float | None:
    """``value`` at the precision shown for ``unit``; None for a missing or NaN value.

    >>> rounded(174.4577, "deg"), rounded(3.456, "cm"), rounded(float("nan"), "cm")
    (174.0, 3.5, None)
    """
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), DECIMALS.get(unit, 2))


def amount(value: float | None, unit: str) -> str:
    """A value with its unit for a sentence: ``amount(174.46, "deg")`` -> ``174°``."""
    shown = rounded(value, unit)
    return "?" if shown is None else amount_text(shown, unit)


def limit_problem(check: CheckSpec, value: float) -> str | None:
    """Why ``value`` can't be a personal limit for ``check``, in the UI's words; None if it can.

    >>> from formcheck.specs import find_spec
    >>> limit_problem(find_spec("heel_slide").check("heel_off_line"), -1)
    'Sideways heel drift limit must be between 0 and 50 cm, got -1'
    """
    low, high = check.limit_range
    above = low < value if check.limit_above_low else low <= value
    if above and value <= high:
        return None
    name = capitalised(check.label)
    if not math.isfinite(high):
        return f"{name} limit must be more than {limit_text(low, check.unit)}, got {value:g}"
    return f"{name} limit must be between {low:g} and {limit_text(high, check.unit)}, got {value:g}"


def flag_names(spec: Spec, codes: Iterable[str]) -> str:
    """Flag codes as the labels a person reads: ``sideways heel drift, pelvis movement``."""
    return ", ".join(check_name(spec, c) for c in codes)


def rep_rows(
    reps: Iterable[RepRecord],
    spec: Spec,
    *,
    withheld: bool = False,
    hidden: Iterable[str] = (),
) -> list[dict[str, object]]:
    """The rep table as the page shows it: labelled headings with units, rounded values.

    ``withheld``: the view can't measure the range well enough, so it shows "–".
    ``hidden``: the codes of the checks this camera view can't see
    (`AnalysisResult.checks_disabled`); they get no column, as a column of blanks
    says nothing the view's note doesn't. The download keeps
    `AnalysisResult.rep_table_rows` (codes, full precision, every column).
    """
    hidden = set(hidden)
    driver = spec.phase.metric if spec.phase is not None else None
    unit = spec.metric(driver).unit if driver else ""
    name = driver.replace("_", " ") if driver else "range"
    rows = []
    for r in reps:
        row: dict[str, object] = {
            "Rep": r.rep,
            "Side": r.side,
            "Status": r.status,
            "Start (s)": round(r.start, 1),
            "Duration (s)": round(r.duration, 1),
            heading(f"{name}: from", unit): "–" if withheld else rounded(r.rom_min, unit),
            heading(f"{name}: to", unit): "–" if withheld else rounded(r.rom_max, unit),
        }
        for code, value in r.peaks:
            try:
                check = spec.check(code)
            except KeyError:
                continue
            if code not in hidden:
                row[heading(f"peak {check.label}", check.unit)] = rounded(value, check.unit)
        row["Flags"] = flag_names(spec, r.flags)
        rows.append(row)
    return rows


def short_of_full(result: AnalysisResult, spec: Spec) -> list[str]:
    """What was found that falls short of a full rep or a long enough hold, for a sentence.

    >>> import dataclasses
    >>> from formcheck.engine import analyze
    >>> from formcheck.engine.result import HoldRecord
    >>> from formcheck.specs import find_spec
    >>> wall = find_spec("legs_up_the_wall")
    >>> short = (HoldRecord(1, 0.0, 2.0, False), HoldRecord(2, 4.0, 5.0, False))
    >>> short_of_full(dataclasses.replace(analyze([], wall), hold_table=short), wall)
    ['2 holds shorter than 3 s']
    """
    counts = result.counts
    found = [
        f"{n} {status} rep{'s' if n > 1 else ''}"
        for n, status in ((counts.partial, "partial"), (counts.uncertain, "uncertain"))
        if n
    ]
    short = sum(not h.counted for h in result.hold_table)
    if short and spec.hold is not None:
        found.append(f"{short} hold{'s' if short > 1 else ''} shorter than {spec.hold.seconds:g} s")
    return found


def flag_rows(flags: Iterable[FlagRaised], spec: Spec) -> list[dict[str, object]]:
    """The flags as the page shows them: the check's label, value and limit with units."""
    return [
        {
            "Time (s)": round(f.t, 1),
            "Rep": f.rep,
            "Check": check_name(spec, f.code),
            "Value": amount(f.value, f.unit),
            "Limit": amount(f.limit, f.unit),
            "What to do": f.message,
        }
        for f in flags
    ]
