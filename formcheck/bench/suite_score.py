"""Scoring one suite case against the simulator's exact truth.

`run_case` simulates a `SuiteCase`, runs the engine with the side a user would
pick, and returns a `CaseOutcome`: counts, whether they are exact, which
partial reps were found on the right rep, whether a sequence with movement
silently gave 0, the range-of-motion error at both ends of every rep, and
the drift checks' hits and false flags.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from formcheck.bench import baseline
from formcheck.bench.accuracy import engine_side
from formcheck.bench.suite_cases import SuiteCase
from formcheck.bench.suite_sim import cached_simulation
from formcheck.engine import analyze
from formcheck.engine.result import AnalysisResult, RepRecord
from formcheck.frame import PoseFrame
from formcheck.landmarks import index
from formcheck.simulate import RepTruth, SimTruth
from formcheck.specs import Spec

#: Drift checks scored, with the truth measure that sizes each (per rep, on the clean body).
DRIFT_CHECKS = {
    "heel_off_line": "heel_dev_{side}_cm",
    "pelvis_shift": "pelvis_shift_cm",
    "pelvis_rotation": "pelvis_roll_deg",
}
#: Recall is scored on reps with drift at least this many times the limit, false flags on
#: reps with drift at most `CLEAN`.
FAULTY, CLEAN = 1.5, 0.5


@dataclass(frozen=True)
class DriftTrial:
    """One rep scored for one check: ``faulty`` (>= 1.5x limit) or clean (<= 0.5x).

    ``judged`` is False where the engine said the check can't be judged on this
    case (its view, or its noise floor: ``check_verdicts``) or the check did not
    run on the rep (no peak); such trials are counted apart, not as misses or passes.
    """

    code: str
    faulty: bool
    flagged: bool
    judged: bool = True


@dataclass(frozen=True)
class CaseOutcome:
    """How the engine did on one case.

    ``rom_errors`` holds ``(truth_min, truth_max, engine_min, engine_max)``
    per matched rep where the spec's driving metric is a joint angle (NaN
    where the engine gave none); `rom_error` turns them into errors. Where the
    engine withholds the ranges from this view (``rom_withheld_reason``, if it
    says so) the raw readings are still scored: the error is what it withheld.
    ``warnings`` is whatever the result carried as warnings (empty if the
    engine has no such field).
    """

    case: SuiteCase
    true_full: int
    true_partial: int
    full: int
    partial: int
    uncertain: int
    partial_found: int
    warnings: tuple[str, ...]
    view: str | None
    rom: tuple[tuple[float, float, float, float], ...] = ()
    rom_withheld_reason: str | None = None
    drift: tuple[DriftTrial, ...] = ()
    #: single-leg heel slides: (reps the one-angle counter counted, truth reps it can see)
    one_angle: tuple[int, int] | None = None

    @property
    def true_total(self) -> int:
        return self.true_full + self.true_partial

    @property
    def exact(self) -> bool:
        """Full and partial reps both counted exactly (uncertain reps are neither)."""
        return self.full == self.true_full and self.partial == self.true_partial

    @property
    def full_exact(self) -> bool:
        """Full reps counted exactly (the one-angle counter's like-for-like figure)."""
        return self.full == self.true_full

    @property
    def total_exact(self) -> bool:
        """Every completed rep found, whatever its status."""
        return self.full + self.partial + self.uncertain == self.true_total

    @property
    def silent_zero(self) -> bool:
        """Movement present, nothing counted, and no warning said why."""
        counted = self.full + self.partial + self.uncertain
        return self.true_total > 0 and counted == 0 and not self.warnings

    def rom_error(self, end: str) -> list[float]:
        """Absolute errors (degrees) at ``end`` ("min" or "max") over reps with a number.

        >>> from formcheck.bench.suite_cases import draw_case
        >>> o = CaseOutcome(draw_case(0), 1, 0, 1, 0, 0, 0, (), "side",
        ...                 rom=((85.0, 180.0, 110.0, 178.0),))
        >>> o.rom_error("min"), o.rom_error("max")
        ([25.0], [2.0])
        """
        k = {"min": 0, "max": 1}[end]
        return [abs(r[k + 2] - r[k]) for r in self.rom if math.isfinite(r[k + 2])]

    def summary(self) -> str:
        warned = f", warned: {'; '.join(self.warnings)}" if self.warnings else ""
        return (
            f"counted {self.full} full + {self.partial} partial + {self.uncertain} uncertain, "
            f"truth {self.true_full} full + {self.true_partial} partial "
            f"(view {self.view}{warned})"
        )


def warnings_of(result: AnalysisResult) -> tuple[str, ...]:
    """The warnings a result carries, read from a ``warnings`` field if the engine has one."""
    found = getattr(result, "warnings", None) or ()
    if isinstance(found, str):
        return (found,)
    return tuple(str(getattr(w, "message", w)) for w in found)


def match_reps(truth: tuple[RepTruth, ...], rows: tuple[RepRecord, ...]) -> dict[int, RepRecord]:
    """Truth rep index -> the engine row overlapping it most in time (one row per rep).

    >>> t = (RepTruth(1, "left", 1.0, 3.0), RepTruth(2, "left", 4.0, 6.0))
    >>> rows = (RepRecord(1, "left", 4.2, 5.9, "full", 90.0, 170.0),)
    >>> {k: r.rep for k, r in match_reps(t, rows).items()}
    {2: 1}
    """
    pairs = []
    for t in truth:
        for r in rows:
            overlap = min(t.end, r.end) - max(t.start, r.start)
            if overlap > 0:
                pairs.append((overlap, t.index, r.rep, r))
    out: dict[int, RepRecord] = {}
    used: set[int] = set()
    for _, ti, ri, row in sorted(pairs, key=lambda p: -p[0]):
        if ti not in out and ri not in used:
            out[ti] = row
            used.add(ri)
    return out


def _point(clean: np.ndarray, name: str) -> np.ndarray:
    if name.startswith("mid_"):
        part = name[4:]
        return (clean[:, index(f"left_{part}")] + clean[:, index(f"right_{part}")]) / 2
    return clean[:, index(name)]


def true_angle(truth: SimTruth, points: tuple[str, ...], side: str) -> np.ndarray:
    """Per-frame included angle (degrees) at the middle of ``points`` on the clean body.

    ``{side}`` in a point name is the rep's side; for ``both`` the two sides' mean.
    """
    if side == "both":
        return (true_angle(truth, points, "left") + true_angle(truth, points, "right")) / 2
    a, b, c = (_point(truth.clean, p.replace("{side}", side)) for p in points)
    u, v = a - b, c - b
    cos = np.einsum("ij,ij->i", u, v) / (np.linalg.norm(u, axis=1) * np.linalg.norm(v, axis=1))
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def _rom(spec: Spec, truth: SimTruth, matched: dict[int, RepRecord]) -> tuple:
    metric = spec.metric(spec.phase.metric)
    if metric.kind != "joint_angle":
        return ()
    out = []
    for rep in truth.reps:
        row = matched.get(rep.index)
        if row is None:
            continue
        frames = (truth.times >= rep.start) & (truth.times <= rep.end)
        angle = true_angle(truth, tuple(metric.arg("points")), rep.side)[frames]
        out.append(
            (float(angle.min()), float(angle.max()), _finite(row.rom_min), _finite(row.rom_max))
        )
    return tuple(out)


def _finite(value: float | None) -> float:
    return math.nan if value is None or not math.isfinite(value) else float(value)


def _drift(
    spec: Spec, truth: SimTruth, matched: dict[int, RepRecord], view: str, result: AnalysisResult
) -> tuple:
    out = []
    unjudged = {v.code for v in getattr(result, "check_verdicts", ()) if not v.judged}
    for check in spec.checks:
        key = DRIFT_CHECKS.get(check.code)
        if key is None or view not in check.views:
            continue
        limit = check.limit_for(view)
        for rep in truth.reps:
            size = abs(rep.measures.get(key.format(side=rep.side), math.nan))
            row = matched.get(rep.index)
            flagged = row is not None and check.code in row.flags
            # Not judged: the clip's verdict says so, or the check never ran on this rep
            # (a view's checks start with the first rep after the view is settled).
            peak = dict(row.peaks).get(check.code, math.nan) if row is not None else 0.0
            judged = check.code not in unjudged and peak == peak
            if size >= FAULTY * limit:
                out.append(DriftTrial(check.code, True, flagged, judged))
            elif size <= CLEAN * limit and row is not None:
                out.append(DriftTrial(check.code, False, flagged, judged))
    return tuple(out)


def score(case: SuiteCase, spec: Spec, truth: SimTruth, result: AnalysisResult) -> CaseOutcome:
    """Score an engine ``result`` against ``truth`` (pure: no simulation, no engine)."""
    matched = match_reps(truth.reps, result.rep_table)
    partial = [r for r in truth.reps if r.status == "partial"]
    return CaseOutcome(
        case=case,
        true_full=len(truth.reps) - len(partial),
        true_partial=len(partial),
        full=result.reps,
        partial=result.partial_reps,
        uncertain=result.uncertain_reps,
        partial_found=sum(
            1 for r in partial if r.index in matched and matched[r.index].status == "partial"
        ),
        warnings=warnings_of(result),
        view=result.view,
        rom=_rom(spec, truth, matched),
        rom_withheld_reason=getattr(result, "rom_withheld_reason", None),
        drift=_drift(spec, truth, matched, case.view, result),
    )


def one_angle(case: SuiteCase, frames: list[PoseFrame], truth: SimTruth) -> tuple[int, int] | None:
    """The one-angle counter on a single-leg heel slide, leg given (`baseline`): what it
    counted, and how many of the truth's reps crossed both its lines."""
    if case.exercise != "heel_slide" or case.side not in ("left", "right"):
        return None
    knee = truth.angles[f"{case.side}_knee"]
    ranges = []
    for rep in truth.reps:
        inside = knee[(truth.times >= rep.start) & (truth.times <= rep.end)]
        if inside.size:
            ranges.append((float(inside.min()), float(inside.max())))
    counted = baseline.one_angle_count(baseline.knee_angles_2d(frames, case.side))
    return counted, baseline.spanning_reps(ranges)


def without_world(frames: list[PoseFrame]) -> list[PoseFrame]:
    """``frames`` with their world landmarks taken away, the image landmarks' own relative
    depth (MediaPipe's z) kept: a landmark file of MediaPipe's image landmarks alone."""
    return [
        PoseFrame(t=f.t, width=f.width, height=f.height, image=f.image, world=None) for f in frames
    ]


def xy_only(frames: list[PoseFrame]) -> list[PoseFrame]:
    """``frames`` with no depth at all: no world landmarks, and every image landmark's z
    set to 0, as a 2-D pose model or a landmark file of x and y gives them."""
    out = []
    for f in frames:
        image = None
        if f.image is not None:
            image = f.image.copy()
            image[:, 2] = 0.0
        out.append(PoseFrame(t=f.t, width=f.width, height=f.height, image=image, world=None))
    return out


#: The landmark sources the suite can be run on, by name: what each keeps of a frame.
SOURCES: dict[str, Callable[[list[PoseFrame]], list[PoseFrame]]] = {
    "world": list,
    "image": without_world,
    "xy": xy_only,
}

#: The sources beside the full one, as the suite's output and the bench rows name them.
SOURCE_NAMES = {"image": "no world landmarks", "xy": "x and y only"}


def run_case(
    case: SuiteCase, spec: Spec, cache: Path | None = None, source: str = "world"
) -> CaseOutcome:
    """Simulate ``case`` (or load it from ``cache``, see `cached_simulation`), run the
    engine as a user would (``auto`` side where the spec lets the user pick), and score it,
    with the one-angle counter beside it (`one_angle`). ``source`` (a `SOURCES` name) is
    what the engine gets of each frame: all of it, the image landmarks with their depth
    (`without_world`), or their x and y alone (`xy_only`)."""
    sim = cached_simulation(case, cache)
    frames = SOURCES[source](sim.frames)
    result = analyze(frames, spec, engine_side(spec))
    outcome = score(case, spec, sim.truth, result)
    return replace(outcome, one_angle=one_angle(case, sim.frames, sim.truth))
