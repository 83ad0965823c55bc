"""The placement study: what each camera placement can judge, from rendered clips.

Two sets of rendered heel slides, scored from their cached landmarks (no
MediaPipe needed, a few minutes of CPU):

* the study's own clips (``tests/validation/placement``): fixed placements,
  everything else held still, one clean clip and one with one known fault per
  rep (heel veer, pelvis shift, lift, roll) per placement;
* the randomized set (``tests/validation/rendered``, both splits, measured,
  never tuned on), grouped by its view/height bins, as a cross-check over other
  bodies, lenses and light.

Per placement: how often a pose, the hips and the heels are found; the count
against the truth; the knee's ROM error; and per drift check the smallest fault
it could flag with recall >= 0.95 and false flags <= 0.05 (``Detectability``,
method in docs/placement.md), next to what the engine as shipped flagged.

    python -m formcheck.bench.placement                 # Markdown tables on stdout
    python -m formcheck.bench.placement --write         # also docs/placement_figures.md,
                                                        # docs/placement.png, verdicts.toml
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import subprocess
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.bench import rendered
from formcheck.bench.rendered import RenderedClip

ROOT = rendered.ROOT
STUDY_DIR = ROOT / "tests" / "validation" / "placement"
VERDICTS = STUDY_DIR / "verdicts.toml"
FIGURES = ROOT / "docs" / "placement_figures.md"
PLOT = ROOT / "docs" / "placement.png"
Z95 = 1.645  # one-sided 95 % point of the normal
JUDGE_AT = 1.5  # a check is judged if its smallest flagged fault is <= 1.5 x the limit

# drift check -> (the truth's fault code, the key of its size)
FAULT_OF = {
    "heel_off_line": ("heel_veer", "peak_cm"),
    "pelvis_shift": ("pelvis_shift", "peak_cm"),
    "pelvis_lift": ("pelvis_lift", "peak_cm"),
    "pelvis_rotation": ("pelvis_roll", "peak_deg"),
}

PELVIS_FAULTS = ("pelvis_shift", "pelvis_lift", "pelvis_roll")


@dataclass(frozen=True)
class RepObs:
    """One true rep: its faults, each drift check's peak read with every view allowed,
    and what the engine as shipped flagged on the rep it matched."""

    group: str
    clip: str
    index: int
    faults: tuple[tuple[str, float], ...]  # (truth fault code, size in cm or deg)
    peaks: tuple[tuple[str, float], ...]  # (check code, peak; NaN when not measured)
    flags: tuple[str, ...]  # the shipped engine's flags on the matched rep
    judged: tuple[str, ...]  # the checks the shipped engine ran and judged on that rep

    def peak(self, code: str) -> float:
        return dict(self.peaks).get(code, math.nan)

    def fault(self, code: str) -> float:
        return dict(self.faults).get(code, 0.0)


@dataclass(frozen=True)
class Detectability:
    """One drift check at one placement: its noise on clean reps and its response to a fault.

    The reps without this check's fault give the noise (mean ``bias``, spread ``sd``),
    a clip's first rep left out; the faulted
    reps give ``slope``, the peak's rise per unit of true fault. Assuming the peak is
    normal with the same spread with and without a fault and rises linearly,
    ``smallest`` is the smallest fault some threshold separates at recall >= 0.95
    with false flags <= 0.05 (2 x 1.645 sd / slope), and ``at_limit`` the smallest
    that the spec's limit flags at recall >= 0.95 (inf when the limit itself
    flags more than 5 % of clean reps).
    """

    check: str
    limit: float
    unit: str
    n_clean: int
    n_fault: int
    measured: float  # share of true reps found by the engine and given a finite peak
    bias: float
    sd: float
    slope: float
    smallest: float
    at_limit: float
    shipped_false: tuple[int, int]  # clean reps the shipped engine flagged / judged
    shipped_caught: tuple[int, int]  # faulted reps it flagged / judged
    shipped_judged: tuple[int, int]  # reps it ran this check on / reps
    borrowed: bool = False  # no faulted rep here: the slope is the study placement's

    @property
    def judges(self) -> bool:
        """Can this placement judge the check: a fault of 1.5 x the limit is separable."""
        return (
            self.n_clean >= 3
            and (self.n_fault >= 1 or self.borrowed)
            and self.measured >= 0.9
            and self.smallest <= JUDGE_AT * self.limit
        )

    @property
    def why_not(self) -> str:
        """Why the placement can't judge the check (empty when it can)."""
        if self.measured < 0.9:
            return f"found and measured on {self.measured:.0%} of reps"
        if self.n_clean < 3 or (self.n_fault < 1 and not self.borrowed):
            return f"too few reps ({self.n_clean} clean, {self.n_fault} faulted)"
        if not self.slope > 0:
            return "no response to the fault"
        if not self.judges:
            return f"{self.smallest:.1f} {self.unit}, over 1.5 x the limit"
        return ""


def detectability(
    check: str, reps: Sequence[RepObs], limit: float, unit: str, slope: float | None = None
) -> Detectability:
    """``check``'s noise, response and smallest flagged fault over ``reps`` (one placement).

    ``slope``: the response to use when ``reps`` hold no faulted rep of this kind.
    """
    fault_code, _key = FAULT_OF[check]
    # A clip's first rep starts as the engine's 1-s settling ends (the clips' lead-in is
    # 1 s): its reference is taken mid-movement, so it is left out (docs/placement.md).
    reps = [r for r in reps if r.index > 1]
    # Clean for this check: nothing of its part of the body moved. A pelvis check's clean
    # reps have no pelvis fault of any kind (a lift read as a shift is the pelvis moving,
    # which the user should hear about); the heel check's may have a pelvis fault, whose
    # cross-talk then counts as noise (that can only make a placement look worse).
    family = PELVIS_FAULTS if fault_code in PELVIS_FAULTS else (fault_code,)
    clean = [r for r in reps if not any(r.fault(f) > 0 for f in family)]
    faulted = [r for r in reps if r.fault(fault_code) > 0]
    values = [r.peak(check) for r in reps]
    measured = sum(math.isfinite(v) for v in values) / len(values) if values else 0.0
    c = np.array([r.peak(check) for r in clean], float)
    c = c[np.isfinite(c)]
    bias = float(c.mean()) if c.size else math.nan
    sd = float(c.std(ddof=1)) if c.size >= 2 else math.nan
    rises = [(r.peak(check) - bias) / r.fault(fault_code) for r in faulted]
    rises = [x for x in rises if math.isfinite(x)]
    borrowed = not rises and slope is not None
    slope = float(np.median(rises)) if rises else (slope if borrowed else math.nan)
    if slope > 0 and math.isfinite(sd):
        smallest = 2 * Z95 * sd / slope
        at_limit = (limit - bias + Z95 * sd) / slope if bias + Z95 * sd <= limit else math.inf
    else:
        smallest = at_limit = math.inf

    def shipped(group: list[RepObs]) -> tuple[int, int]:
        ran = [r for r in group if check in r.judged]
        return sum(check in r.flags for r in ran), len(ran)

    return Detectability(
        check,
        limit,
        unit,
        int(c.size),
        len(rises),
        measured,
        bias,
        sd,
        slope,
        smallest,
        max(at_limit, 0.0),
        shipped(clean),
        shipped(faulted),
        (sum(check in r.judged for r in reps), len(reps)),
        borrowed,
    )


# ------------------------------------------------------------------ running the engine


def open_spec(spec):
    """The spec with every drift check (`FAULT_OF`) allowed from every view, to read each
    metric everywhere. Other checks keep their views: the range check's views also say
    where the spec's ``full`` is judged, and opening it would count reps differently
    from the shipped engine."""
    from formcheck.specs.kinds import VIEWS

    def opened(check):
        return dataclasses.replace(check, views=tuple(VIEWS)) if check.code in FAULT_OF else check

    return dataclasses.replace(spec, checks=tuple(opened(c) for c in spec.checks))


def _match(table, start: float, end: float):
    best = max(table, key=lambda r: rendered._overlap(r.start, r.end, start, end), default=None)
    if best is None or rendered._overlap(best.start, best.end, start, end) <= 0:
        return None
    return best


def observe(group: str, clip: RenderedClip, frames, spec, opened) -> list[RepObs]:
    """Every true rep of ``clip`` with its faults, open-spec peaks and shipped flags."""
    from formcheck.engine import analyze

    truth = json.loads(clip.truth_path.read_text())
    shipped = analyze(frames, spec, spec.default_side)
    reading = analyze(frames, opened, spec.default_side)
    disabled = {code for code, _why in shipped.checks_disabled}
    # the engine's own verdict on the clip (its noise floor; engines before issue 14 have none)
    disabled |= {v.code for v in getattr(shipped, "verdicts", ()) if not v.judged}
    out = []
    for rep in truth["reps"]:
        faults = tuple(
            (f["code"], float(f.get("peak_cm", f.get("peak_deg", 0.0)))) for f in rep["faults"]
        )
        mine = _match(reading.rep_table, rep["start"], rep["end"])
        theirs = _match(shipped.rep_table, rep["start"], rep["end"])
        peaks = (
            tuple((code, dict(mine.peaks).get(code, math.nan)) for code in FAULT_OF) if mine else ()
        )
        judged = ()
        if theirs is not None:
            shipped_peaks = dict(theirs.peaks)
            judged = tuple(
                code
                for code in FAULT_OF
                if code not in disabled and math.isfinite(shipped_peaks.get(code, math.nan))
            )
        out.append(
            RepObs(
                group,
                clip.name,
                rep["index"],
                faults,
                peaks,
                tuple(theirs.flags) if theirs is not None else (),
                judged,
            )
        )
    return out


def study_clips(folder: Path = STUDY_DIR) -> list[tuple[str, RenderedClip]]:
    """The study's clips as (placement, clip), those with cached landmarks."""
    manifest = folder / "manifest.toml"
    out = []
    for e in tomllib.loads(manifest.read_text()).get("clip", []):
        view = e["view"]
        clip = RenderedClip(e["name"], "study", view, e["bin"], e["body"], e["leg"], folder)
        if clip.truth_path.is_file() and clip.landmarks.is_file():
            out.append((e["bin"], clip))
    return out


# randomized bin -> the study placement it resembles (its response is borrowed when
# the bin has no faulted rep of a kind)
RANDOM_LIKE = {
    "random side/floor": "side_floor",
    "random side/chair": "side_chair",
    "random side/high": "side_chair",
    "random end_on/floor": "end_on_floor",
    "random end_on/chair": "end_on_chair",
    "random end_on/table": "end_on_table",
    "random end_on/tripod": "end_on_tripod",
    "random oblique": "oblique_table",
}


def random_group(clip: RenderedClip) -> str:
    """``random view/height``; the oblique bins as one, side above a chair as ``side/high``."""
    if clip.view == "oblique":
        return "random oblique"
    if clip.view == "side" and clip.height_bin in ("table", "tripod"):
        return "random side/high"
    return f"random {clip.placement}"


def random_clips(folder: Path = rendered.RENDERED_DIR) -> list[tuple[str, RenderedClip]]:
    """The randomized set, both splits, in the groups of `random_group`."""
    clips = [c for c in rendered.load_clips(folder) if c.landmarks.is_file()]
    return sorted(((random_group(c), c) for c in clips), key=lambda gc: gc[0])


@dataclass(frozen=True)
class GroupResult:
    """One placement (or randomized bin): how the model saw it, counts, ROM, drift."""

    group: str
    summary: rendered.Summary
    reps_true: int
    reps_found: int
    drift: tuple[Detectability, ...]
    views_read: tuple[str, ...]


def run(
    groups: Sequence[tuple[str, RenderedClip]], log: Callable[[str], None] = lambda _l: None
) -> list[GroupResult]:
    """Score every clip and gather the results per group, in first-seen order."""
    from formcheck.specs import load_specs

    spec = load_specs()["heel_slide"]
    opened = open_spec(spec)
    scores: dict[str, list[rendered.ClipScore]] = {}
    reps: dict[str, list[RepObs]] = {}
    for group, clip in groups:
        log(clip.name)
        frames = rendered.cached_frames(clip)
        scores.setdefault(group, []).append(rendered.score_clip(clip, frames, spec))
        reps.setdefault(group, []).extend(observe(group, clip, frames, spec, opened))
    out: list[GroupResult] = []
    for group, group_scores in scores.items():
        like = next((g for g in out if g.group == RANDOM_LIKE.get(group)), None)
        slopes = {d.check: d.slope for d in like.drift} if like else {}
        drift = tuple(
            detectability(
                code, reps[group], spec.check(code).limit, spec.check(code).unit, slopes.get(code)
            )
            for code in FAULT_OF
        )
        out.append(
            GroupResult(
                group,
                rendered.Summary.of(group_scores),
                sum(s.truth_full + s.truth_partial for s in group_scores),
                sum(s.full + s.partial for s in group_scores),
                drift,
                tuple(sorted({s.view_read or "-" for s in group_scores})),
            )
        )
    return out


# ------------------------------------------------------------------ reporting


def _num(x: float, unit: str = "") -> str:
    if not math.isfinite(x):
        return "never"
    return f"{x:.1f}{(' ' + unit) if unit else ''}"


def engine_version() -> str:
    """The commit the figures come from (and ``+dirty`` if the tree has changes)."""
    try:
        sha = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "formcheck", "exercise_specs"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    return sha + ("+dirty" if dirty else "")


def _cell(d: Detectability) -> str:
    """``**3.5 cm**`` where the placement judges the check, else why it can't."""
    return f"**{_num(d.smallest, d.unit)}**" if d.judges else f"no: {d.why_not}"


def summary_table(results: Sequence[GroupResult]) -> str:
    """One line per placement: seen, counted, ROM, and the smallest flagged fault per check."""
    names = {
        "heel_off_line": "heel veer",
        "pelvis_shift": "pelvis shift",
        "pelvis_lift": "pelvis lift",
        "pelvis_rotation": "pelvis roll",
    }
    head = " | ".join(
        f"{names[c]} ({d.limit:g} {d.unit})"
        for c, d in zip(FAULT_OF, results[0].drift, strict=True)
    )
    lines = [
        f"| placement | pose / hips / heels | reps found / true | ROM err bent; straight "
        f"| {head} |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for g in results:
        s = g.summary
        lines.append(
            f"| {g.group} | {s.pose:.0%} / {s.hips:.0%} / {s.heels:.0%} | "
            f"{g.reps_found}/{g.reps_true} | {s.bent}; {s.straight} | "
            + " | ".join(_cell(d) for d in g.drift)
            + " |"
        )
    return "\n".join(lines)


def quality_table(results: Sequence[GroupResult]) -> str:
    lines = [
        "| placement | clips | pose | hips | heels | view read | reps found / true | "
        "exact count | ROM err bent med/p95 | ROM err straight med/p95 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for g in results:
        s = g.summary
        lines.append(
            f"| {g.group} | {s.clips} | {s.pose:.0%} | {s.hips:.0%} | {s.heels:.0%} | "
            f"{', '.join(g.views_read)} | {g.reps_found}/{g.reps_true} | {s.exact}/{s.clips} | "
            f"{s.bent} | {s.straight} |"
        )
    return "\n".join(lines)


def drift_table(results: Sequence[GroupResult]) -> str:
    lines = [
        "| placement | check (limit) | clean reps | noise: bias / sd | response per unit | "
        "smallest flagged fault | at the spec's limit | shipped: false flags | "
        "shipped: faults caught | shipped: judged on | verdict |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for g in results:
        for d in g.drift:
            verdict = "judges" if d.judges else f"can't judge: {d.why_not}"
            borrowed = " (borrowed)" if d.borrowed else ""
            lines.append(
                f"| {g.group} | {d.check} ({d.limit:g} {d.unit}) | {d.n_clean} | "
                f"{_num(d.bias)} / {_num(d.sd)} | {d.slope:.2f}{borrowed} | "
                f"{_num(d.smallest, d.unit)} | "
                f"{_num(d.at_limit, d.unit)} | {d.shipped_false[0]}/{d.shipped_false[1]} | "
                f"{d.shipped_caught[0]}/{d.shipped_caught[1]} | "
                f"{d.shipped_judged[0]}/{d.shipped_judged[1]} | {verdict} |"
            )
    return "\n".join(lines)


def verdicts_toml(results: Sequence[GroupResult], version: str) -> str:
    """The verdicts as data: placement -> check -> judges, smallest flagged fault."""
    lines = [
        "# Written by `python -m formcheck.bench.placement --write` (docs/placement.md).",
        f"# Engine: {version}. Study clips only (tests/validation/placement).",
        "# judges = a fault of 1.5 x the spec's limit is flagged at recall >= 0.95",
        "# with false flags <= 0.05 (the method is in docs/placement.md).",
        "",
    ]
    for g in results:
        if g.group.startswith("random "):
            continue
        lines.append(f"[{g.group}]")
        for d in g.drift:
            smallest = round(d.smallest, 2) if math.isfinite(d.smallest) else "inf"
            lines.append(
                f"{d.check} = {{ judges = {str(d.judges).lower()}, smallest = {smallest} }}"
            )
        lines.append("")
    return "\n".join(lines)


def plot(results: Sequence[GroupResult], path: Path) -> None:
    """Smallest flagged fault as a multiple of the limit, per placement and check."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = [g for g in results if not g.group.startswith("random ")]
    codes = list(FAULT_OF)
    cap = 4.0
    fig, ax = plt.subplots(figsize=(9, 4.8), dpi=110)
    width = 0.2
    for k, code in enumerate(codes):
        xs, ys, hatch = [], [], []
        for i, g in enumerate(groups):
            d = next(d for d in g.drift if d.check == code)
            ratio = d.smallest / d.limit if d.limit else math.inf
            xs.append(i + (k - 1.5) * width)
            ys.append(min(ratio, cap) if math.isfinite(ratio) else cap)
            hatch.append(not d.judges)
        bars = ax.bar(xs, ys, width, label=code)
        for bar, h in zip(bars, hatch, strict=True):
            if h:
                bar.set_hatch("//")
                bar.set_alpha(0.5)
    ax.axhline(JUDGE_AT, color="k", linestyle="--", linewidth=1)
    ax.text(-0.45, JUDGE_AT + 0.06, "judged below this line (1.5 x the limit)", fontsize=8)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels([g.group for g in groups], rotation=30, ha="right")
    ax.set_ylabel("smallest fault flagged / spec limit")
    ax.set_ylim(0, cap + 0.8)
    ax.set_title(
        "Heel slide: smallest fault flagged at recall >= 0.95, false flags <= 0.05\n"
        f"(hatched: can't judge: reps lost, no response, or over 1.5x; capped at {cap:g}x)",
        fontsize=10,
    )
    ax.legend(fontsize=8, ncol=4, loc="upper center")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def report(results: Sequence[GroupResult], version: str) -> str:
    return "\n\n".join(
        [
            f"Engine: {version}. Landmarks: cached, model `full`.",
            "### Summary: smallest fault flagged (recall >= 0.95, false flags <= 0.05); "
            "bold = the placement judges the check",
            summary_table(results),
            "### What the pose model sees, counts and range of motion",
            quality_table(results),
            "### Drift checks: noise, response, smallest fault flagged",
            drift_table(results),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m formcheck.bench.placement [--write] [--no-random]``."""
    p = argparse.ArgumentParser(prog="python -m formcheck.bench.placement", description=__doc__)
    p.add_argument("--write", action="store_true", help="write the figures, plot and verdicts")
    p.add_argument("--no-random", action="store_true", help="only the study's own clips")
    args = p.parse_args(argv)
    try:
        groups = study_clips()
        if not args.no_random:
            groups += random_clips()
    except FileNotFoundError as exc:
        print(f"formcheck.bench.placement: error: {exc}")
        return 1
    if not groups:
        print(f"formcheck.bench.placement: error: no clips with landmarks in {STUDY_DIR}")
        return 1
    version = engine_version()
    results = run(groups)
    text = report(results, version)
    print(text)
    if args.write:
        FIGURES.write_text(
            "# Placement study: figures\n\nWritten by `python -m formcheck.bench.placement "
            "--write`; read docs/placement.md first.\n\n" + text + "\n"
        )
        VERDICTS.write_text(verdicts_toml(results, version))
        plot(results, PLOT)
        print(f"\nwrote {FIGURES.name}, {PLOT.name}, {VERDICTS.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
