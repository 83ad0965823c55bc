"""``formcheck bench``: speed, memory and accuracy figures (see formcheck/bench)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from formcheck.errors import FormcheckError

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CLIP = ROOT / "sample_videos" / "heel_slide_left_side.mp4"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="measure speed, memory and accuracy against the model's own limit",
        description="Print a table of speed, memory and accuracy figures.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="every row, fewer runs and smaller inputs (under 2 minutes)",
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help="also update BENCHMARKS.md with the table and the method",
    )
    parser.add_argument(
        "--clip",
        type=Path,
        default=DEFAULT_CLIP,
        help=f"clip for the speed rows (default: {DEFAULT_CLIP.name})",
    )
    parser.add_argument(
        "--exercise", default=None, help="spec for the clip (default: guessed from the clip's name)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from formcheck.bench.report import write_markdown
    from formcheck.bench.run import Plan
    from formcheck.bench.run import run as run_bench

    if not args.clip.is_file():
        raise FormcheckError(f"{args.clip}: no such clip")
    exercise = args.exercise or _guess_exercise(args.clip)
    plan = Plan.make(args.clip, exercise, args.quick)
    started = time.perf_counter()
    report = run_bench(plan, log=lambda line: print(f"... {line}", file=sys.stderr, flush=True))
    print(report.table())
    print(f"\n({time.perf_counter() - started:.0f} s)")
    if args.write:
        command = "formcheck bench" + (" --quick" if args.quick else "")
        write_markdown(report, ROOT / "BENCHMARKS.md", command)
        print(f"updated {ROOT / 'BENCHMARKS.md'}")
    return 0


def _guess_exercise(clip: Path) -> str:
    from formcheck.specs import spec_names

    names = sorted(spec_names(), key=len, reverse=True)
    for name in names:
        if clip.stem.startswith(name):
            return name
    raise FormcheckError(f"{clip.name}: can't tell the exercise from the name; pass --exercise")
