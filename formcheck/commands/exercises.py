"""``formcheck exercises [NAME]``: list the exercise specs, or show one in full."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from formcheck.specs import Spec, find_spec, load_specs
from formcheck.specs.kinds import VIEWS
from formcheck.specs.schema import fmt


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "exercises",
        help="list the exercises, or show one's checks, limits and camera views",
        description="Without NAME, list every exercise spec; with NAME, show that one.",
    )
    parser.add_argument("name", nargs="?", metavar="NAME", help="an exercise to show")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument(
        "--specs",
        type=Path,
        metavar="DIR",
        help="folder of exercise specs (default: $FORMCHECK_SPECS or the bundled)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.name:
        spec = find_spec(args.name, args.specs)
        print(json.dumps(describe(spec), indent=2) if args.json else show(spec))
        return 0
    specs = load_specs(args.specs)
    if args.json:
        print(json.dumps([s.as_summary() for s in specs.values()], indent=2))
    else:
        print(listing(specs))
    return 0


def listing(specs: dict[str, Spec]) -> str:
    """One line per exercise: name, display name, target, and why not if unjudgeable."""
    width = max((len(n) for n in specs), default=0)
    lines = []
    for name, spec in specs.items():
        if spec.judgeable:
            about = spec.target.describe() or "-"
            checks = ", ".join(c.code for c in spec.checks)
            extra = f"  checks: {checks}" if checks else ""
            lines.append(f"{name:<{width}}  {spec.display_name}: {about}{extra}")
        else:
            lines.append(
                f"{name:<{width}}  {spec.display_name}: not judged by camera ({spec.reason})"
            )
    return "\n".join(lines)


def _limit(check) -> str:
    text = f"{fmt(check.limit)} {check.unit}"
    if check.kind == "range":
        text = f"{'at least' if check.arg('must') == 'at_least' else 'at most'} {text}"
    for view, value in check.view_limits:
        text += f" ({fmt(value)} from {view})"
    return text


def show(spec: Spec) -> str:
    """Everything a person needs to know about one exercise, as text."""
    g = spec.guidance
    lines = [f"{spec.display_name} ({spec.name})", "", g.purpose, ""]
    if spec.target.describe():
        lines.append(f"Target: {spec.target.describe()}")
    lines.append(f"Camera: {g.camera_placement} (best view: {g.camera_view})")
    if not spec.judgeable:
        lines += ["", f"Not judged by camera: {spec.reason}"]
    lines += ["", "Setup:"] + [f"  {i}. {step}" for i, step in enumerate(g.setup, 1)]
    lines += ["", "Cues:"] + [f"  - {cue}" for cue in g.cues]
    if not spec.judgeable:
        return "\n".join(lines)
    lines += ["", f"Sides: {spec.sides} (default {spec.default_side})"]
    if spec.phase:
        p = spec.phase
        unit = spec.metric(p.metric).unit
        lines.append(
            f"Reps: {p.metric} {p.direction}s past {fmt(p.enter)} {unit}, full at "
            f"{fmt(p.full)}, back past {fmt(p.exit)}; at least {fmt(p.min_duration)} s"
        )
    if spec.hold:
        h = spec.hold
        zone = " and ".join(
            part
            for part in (
                f"above {fmt(h.above)}" if h.above is not None else "",
                f"below {fmt(h.below)}" if h.below is not None else "",
            )
            if part
        )
        lines.append(f"Holds: {h.metric} {zone} for at least {fmt(h.seconds)} s")
    if spec.checks:
        lines += ["", "Checks:"]
        for c in spec.checks:
            views = ", ".join(c.views) if set(c.views) != set(VIEWS) else "any view"
            lines.append(
                f"  {c.code} ({c.kind}, {c.severity}): {c.label}; limit {_limit(c)}; "
                f"judged from {views}"
            )
            lines.append(f"      cue: {c.cue}")
    return "\n".join(lines)


def describe(spec: Spec) -> dict[str, object]:
    """One exercise as JSON: guidance, target, and each check's limit, unit and views."""
    g = spec.guidance
    return {
        **spec.as_summary(),
        "purpose": g.purpose,
        "setup": list(g.setup),
        "cues": list(g.cues),
        "camera": {"view": g.camera_view, "placement": g.camera_placement},
        "checks": [
            {
                "code": c.code,
                "kind": c.kind,
                "label": c.label,
                "limit": c.limit,
                "unit": c.unit,
                "severity": c.severity,
                "views": list(c.views),
                "cue": c.cue,
                "view_limits": dict(c.view_limits),
            }
            for c in spec.checks
        ],
    }
