"""``formcheck analyze INPUT --exercise NAME``: count reps and flag form in a clip or landmark file.

INPUT is a video (the pose model runs on it) or a landmark file (``.jsonl``,
from ``formcheck landmarks``). Prints a summary and the per-rep table;
``--json``, ``--csv`` and ``--annotate`` write the result elsewhere too.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from formcheck.engine import AnalysisResult, Engine
from formcheck.errors import FormcheckError
from formcheck.specs import Spec, find_spec
from formcheck.specs.schema import fmt

LANDMARK_SUFFIXES = (".jsonl",)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from formcheck.commands.landmarks import add_model_arguments

    parser = subparsers.add_parser(
        "analyze",
        help="count reps and check form in a clip or a landmark file",
        description="Analyse INPUT (a clip, or a .jsonl landmark file) as exercise NAME: "
        "count reps and holds, flag form faults, and print the per-rep table.",
    )
    parser.add_argument("input", type=Path, metavar="INPUT", help="clip or .jsonl landmark file")
    parser.add_argument(
        "-e",
        "--exercise",
        required=True,
        metavar="NAME",
        help="the exercise (see `formcheck exercises`)",
    )
    parser.add_argument(
        "--side",
        choices=("left", "right", "both", "auto"),
        help="the working side (default: the exercise's own default)",
    )
    parser.add_argument("--json", metavar="PATH|-", help="write the result as JSON (- for stdout)")
    parser.add_argument("--csv", type=Path, metavar="PATH", help="write the per-rep table as CSV")
    parser.add_argument(
        "--annotate",
        type=Path,
        metavar="OUT.mp4",
        help="write the clip with the skeleton, heel path, counter and cues",
    )
    parser.add_argument(
        "--specs",
        type=Path,
        metavar="DIR",
        help="folder of exercise specs (default: $FORMCHECK_SPECS or the bundled)",
    )
    add_model_arguments(parser)
    parser.set_defaults(run=run)


def _analyse(
    args: argparse.Namespace, spec: Spec, side: str
) -> tuple[AnalysisResult, tuple[str, ...], str | None]:
    """Run the engine over INPUT (a landmark file directly, a clip through `review_clip`).

    Returns the result, warnings about the input (e.g. the clip was cut short)
    and advice on the picture (too dark or grainy), if any.
    """
    path: Path = args.input
    if not path.exists():
        raise FormcheckError(f"{path}: no such file")
    if path.suffix.lower() in LANDMARK_SUFFIXES:
        if args.annotate:
            raise FormcheckError("--annotate needs a clip: a landmark file has no pictures")
        from formcheck.engine import analyze
        from formcheck.lmfile import read_landmarks

        result = analyze(read_landmarks(path)[1], spec, side)
        return result, result.warnings, None  # the engine's own: said as a clip's are
    from formcheck.pipeline import terminal_progress
    from formcheck.review import review_clip

    progress, close = terminal_progress(path.name)
    try:
        review = review_clip(
            path,
            spec,
            side=side,
            model=args.model,
            orientation=args.orientation,
            annotate_to=args.annotate,
            progress=progress,
        )
    finally:
        close()
    return review.result, review.warnings, review.picture_advice


def run(args: argparse.Namespace) -> int:
    spec = find_spec(args.exercise, args.specs)
    if not spec.judgeable:
        raise FormcheckError(f"{spec.display_name} can't be analysed: {spec.reason}")
    side = args.side or spec.default_side
    for target in (args.csv, args.annotate, None if args.json in (None, "-") else Path(args.json)):
        if target is not None and not target.parent.exists():
            raise FormcheckError(f"{target}: the folder {target.parent} does not exist")
    Engine(spec, side)  # a side the spec doesn't allow fails before any decoding
    result, warnings, advice = _analyse(args, spec, side)
    if result.frames == 0:
        raise FormcheckError(f"{args.input}: no frames could be read")
    if result.frames_with_pose == 0:
        because = f"; {advice}" if advice else ""
        raise FormcheckError(f"{args.input}: no person was found in any frame{because}")
    summary_out = sys.stderr if args.json == "-" else sys.stdout
    print(summary(result, spec), file=summary_out)
    for warning in warnings:
        print(f"formcheck: warning: {warning}", file=sys.stderr)
    if args.json:
        text = json.dumps(result.to_dict() | {"warnings": list(warnings)}, indent=2)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    if args.csv:
        write_csv(result, args.csv)
    return 0


def write_csv(result: AnalysisResult, path: Path) -> None:
    """The per-rep table as CSV (one header row; empty when there were no reps)."""
    rows = result.rep_table_rows()
    with path.open("w", newline="", encoding="utf-8") as f:
        if rows:
            out = csv.DictWriter(f, fieldnames=list(rows[0]))
            out.writeheader()
            out.writerows(rows)


def _value(value: float | None, digits: int = 1) -> str:
    return "-" if value is None or value != value else f"{value:.{digits}f}"


def summary(result: AnalysisResult, spec: Spec) -> str:
    """The readable terminal summary: counts, disabled checks, the rep table and flags."""
    lines = [
        f"{spec.display_name} ({spec.name}): side {result.side}, camera view "
        f"{result.view or 'unknown'}"
    ]
    counts = result.counts.describe()
    if result.uncertain_reps:
        counts += " (landmarks not seen)"
    if spec.phase is None:
        counts = ""
    if spec.hold is not None:
        counts += ("; " if counts else "") + f"{result.holds} holds of {fmt(spec.hold.seconds)} s+"
    lines.append(counts)
    for reason in dict.fromkeys(r for _, r in result.checks_disabled):
        lines.append(f"Not judged: {reason}")
    off = {c for c, _ in result.checks_disabled}
    for verdict in result.check_verdicts:  # the view can, but this placement can't
        if not verdict.judged and verdict.code not in off:
            lines.append(f"Not judged: {verdict.describe()}")
    if result.gaps:
        lines.append(
            "Out of view: "
            + "; ".join(g.describe() for g in result.gaps)
            + " (reps there can't be counted)"
        )
    if result.rep_table:
        unit = spec.metric(spec.phase.metric).unit if spec.phase else ""
        withheld, error = result.rom_withheld_reason, result.rom_uncertainty_deg
        lines.append("")
        if withheld:
            lines.append(f"Range of motion not shown: {withheld}.")
        elif error is not None:
            lines.append(f"Range of motion: whole rep, rest to rest, within ±{error:.0f}° here.")
        lines.append(
            f"{'rep':>4} {'side':<6}{'start':>7}{'end':>7}{'secs':>6}  "
            f"{'status':<10}{'range (' + unit + ')':<16}flags"
        )
        digits = 0 if unit == "deg" else 2
        for r in result.rep_table:
            rom = f"{_value(r.rom_min, digits)}-{_value(r.rom_max, digits)}"
            if withheld:
                rom = "–"
            lines.append(
                f"{r.rep:>4} {r.side:<6}{r.start:>7.2f}{r.end:>7.2f}{r.duration:>6.1f}  "
                f"{r.status:<10}{rom:<16}{', '.join(r.flags) or '-'}"
            )
    if result.hold_table:
        lines.append("")
        for h in result.hold_table:
            mark = "counted" if h.counted else "too short"
            lines.append(f"hold {h.hold}: {h.start:.1f}-{h.end:.1f} s, {h.duration:.1f} s ({mark})")
    if result.flags:
        lines.append("")
        for f in result.flags:
            lines.append(
                f"rep {f.rep} at {f.t:.1f} s: {f.code} {_value(f.value)} {f.unit} "
                f"(limit {fmt(f.limit)}): {f.message}"
            )
    elif result.rep_table:
        lines.append("")
        lines.append("No form flags.")
    return "\n".join(line for line in lines if line is not None)
