"""Range-of-motion error against rendered clips' truth, per camera view.

Each rendered clip (``sample_videos/*.mp4``, or a suite's) has a truth file
beside it with every rep's true knee extremes (``knee_deg_min``/``_max``, the
working leg in 3-D). Its landmark file (``formcheck landmarks CLIP -o X.jsonl``,
the real model) is analysed by the engine; each counted rep is paired with the
truth rep it overlaps most, and both ends of its range are compared.

    python -m formcheck.bench.rom --landmarks /tmp/lm sample_videos/heel_slide_*.truth.json

prints, per view, the median and 95th percentile of the absolute error and the
mean signed error (the bias) at the bent and the straight end. The figures
only mean something on clips that were not used to set `ROM_ERROR`
(`formcheck.engine.view`); docs/calibration.md names which were.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.bench.report import markdown_table
from formcheck.engine import AnalysisResult, analyze
from formcheck.lmfile import read_landmarks
from formcheck.specs import Spec, find_spec

ENDS = ("bent", "straight")


@dataclass(frozen=True)
class RomError:
    """One end of one rep: the true and the measured angle (degrees), by detected view."""

    clip: str
    view: str
    rep: int
    end: str
    truth: float
    measured: float

    @property
    def error(self) -> float:
        return self.measured - self.truth


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def pair_reps(result: AnalysisResult, truth: dict, clip: str = "") -> list[RomError]:
    """Both ends of every truth rep that a counted rep overlaps (the largest overlap wins).

    Uncertain reps are left out: part of them was not seen, so neither was their range.
    """
    out: list[RomError] = []
    seen = [r for r in result.rep_table if r.status != "uncertain"]
    # The engine's view, not the render's name for it: the uncertainty is looked up by
    # what the engine detects (a camera high beyond the feet reads as overhead).
    view = result.view or "unknown"
    for rep in truth["reps"]:
        best = max(
            seen,
            key=lambda r: _overlap(r.start, r.end, rep["start"], rep["end"]),
            default=None,
        )
        if best is None or _overlap(best.start, best.end, rep["start"], rep["end"]) <= 0:
            continue
        for end, true, measured in (
            ("bent", rep["knee_deg_min"], best.rom_min),
            ("straight", rep["knee_deg_max"], best.rom_max),
        ):
            out.append(RomError(clip, view, rep["index"], end, float(true), float(measured)))
    return out


def clip_errors(landmarks: Path, truth_path: Path, spec: Spec) -> list[RomError]:
    """The engine's range of motion on one clip's landmark file against its truth file."""
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    result = analyze(read_landmarks(landmarks)[1], spec, "auto")
    return pair_reps(result, truth, truth["clip"])


def summarise(errors: Iterable[RomError]) -> dict[tuple[str, str], dict[str, float]]:
    """Per (view, end): ``n``, ``median`` and ``p95`` of the absolute error, ``bias`` (mean)."""
    groups: dict[tuple[str, str], list[float]] = {}
    for e in errors:
        if e.measured == e.measured:
            groups.setdefault((e.view, e.end), []).append(e.error)
    return {
        key: {
            "n": len(v),
            "median": float(np.median(np.abs(v))),
            "p95": float(np.percentile(np.abs(v), 95)),
            "bias": float(np.mean(v)),
        }
        for key, v in sorted(groups.items())
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("truth", nargs="+", type=Path, help="NAME.truth.json files")
    parser.add_argument(
        "--landmarks", type=Path, required=True, help="folder of NAME.jsonl landmark files"
    )
    parser.add_argument("--exercise", default="heel_slide")
    parser.add_argument("--per-rep", action="store_true", help="also list every rep's ends")
    args = parser.parse_args(argv)
    spec = find_spec(args.exercise)
    errors: list[RomError] = []
    for truth in args.truth:
        name = truth.name.removesuffix(".truth.json")
        lm = args.landmarks / f"{name}.jsonl"
        if not lm.is_file():
            print(f"formcheck: {lm}: no landmark file (run formcheck landmarks first)")
            return 1
        errors += clip_errors(lm, truth, spec)
    if args.per_rep:
        for e in errors:
            print(f"{e.clip:44} {e.view:8} rep {e.rep} {e.end:9} {e.truth:6.1f} {e.measured:6.1f}")
    rows = [
        [view, end, s["n"], f"{s['median']:.1f}°", f"{s['p95']:.1f}°", f"{s['bias']:+.1f}°"]
        for (view, end), s in summarise(errors).items()
    ]
    header = ["view", "end", "reps", "median abs err", "p95 abs err", "bias (mean signed)"]
    print(markdown_table(header, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
