"""Runs every benchmark and assembles the report (``formcheck bench``)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.bench import accuracy, memory, speed, suite, suite_rows
from formcheck.bench.report import Report, Row, Stat
from formcheck.bench.suite_score import SOURCE_NAMES
from formcheck.simulate import simulate
from formcheck.specs import load_specs


@dataclass(frozen=True)
class Plan:
    """How much to measure: ``quick`` keeps every row but fewer runs and smaller inputs."""

    clip: Path
    exercise: str
    runs: int
    engine_frames: int
    memory_seconds: tuple[float, float]
    count_seeds: int
    check_seeds: int
    live_repeat: int
    suite_limit: int | None  # randomized suite: at most this many test-split cases (None: all)
    rendered_model: str | None  # None: the rendered clips' cached landmarks
    guess_limit: int | None  # exercise guess: at most this many exercise/view pairs
    browser_plays: int = 1  # Live in a browser: plays of the clip through the fake camera

    @classmethod
    def make(cls, clip: Path, exercise: str, quick: bool) -> Plan:
        if quick:
            return cls(clip, exercise, 1, 2_000, (10.0, 30.0), 1, 1, 1, 24, None, 4, 1)
        return cls(clip, exercise, 5, 10_000, (60.0, 600.0), 6, 8, 3, None, "full", None, 3)


def paired_ratio(values: list[float], bounds: list[float]) -> Stat:
    """The ratio of each run to the bound measured just before it, over the runs.

    This machine's speed drifts by 20 % or more within minutes (a shared host):
    a ratio of two medians mixes moments, a run and its own bound don't.

    >>> paired_ratio([45.0, 36.0, 50.0], [50.0, 40.0, 50.0]).median
    0.9
    """
    return Stat.of([v / b for v, b in zip(values, bounds, strict=True)])


def _ratio_row(section, measure, fps: list[float], bound: list[float], target: float) -> Row:
    ratio = paired_ratio(fps, bound)
    return Row(
        section,
        measure,
        f"{Stat.of(fps).format()} fps",
        f">= {target:.2f} x bound",
        ratio.median >= target,
        f"{ratio.format(2)} x bound",
    )


def run(plan: Plan, log: Callable[[str], None] = print) -> Report:
    """Measure everything in ``plan``; ``log`` gets a line as each part starts."""
    report = Report()
    specs = load_specs()
    spec = specs[plan.exercise]
    decoded = speed.Decoded.load(plan.clip)
    n = len(decoded.frames)
    report.method.append(
        f"Clip: `{plan.clip.name}` ({n} frames, {decoded.frames[0].shape[1]}x"
        f"{decoded.frames[0].shape[0]}, {decoded.fps:g} fps), exercise `{plan.exercise}`; "
        f"{plan.runs} run(s) of each speed figure, interleaved so ratios are side by side; "
        "figures are the median with min–max."
    )

    log("inference bound and clip review (lite, full)")
    for model in ("lite", "full"):
        bare, plain, annotated, fast = [], [], [], []
        results = {}
        for _ in range(plan.runs):
            fps, _ = speed.bare_inference(decoded, model)
            bare.append(fps)
            fps, results["plain"] = speed.clip_review(plan.clip, spec, model, annotate=False)
            plain.append(fps)
            fps, _ = speed.clip_review(plan.clip, spec, model, annotate=True)
            annotated.append(fps)
            fps, results["fast"] = speed.clip_review(
                plan.clip, spec, model, annotate=False, stride=2
            )
            fast.append(fps)
        bound = Stat.of(bare)
        report.add(
            Row("1 inference bound", f"bare PoseLandmarker, {model}", f"{bound.format()} fps")
        )
        report.add(_ratio_row("2 clip review", f"{model}, no annotation", plain, bare, 0.90))
        report.add(_ratio_row("2 clip review", f"{model}, annotated H.264", annotated, bare, 0.75))
        speedup = paired_ratio(fast, plain)
        differs = _difference(results["plain"], results["fast"])
        report.add(
            Row(
                "3 fast review",
                f"{model}, every 2nd frame",
                f"{Stat.of(fast).format()} fps",
                ">= 1.8 x review, same counts/flags",
                speedup.median >= 1.8 and not differs,
                f"{speedup.format(2)} x review; sample "
                + (f"differs: {differs}" if differs else "identical"),
            )
        )
    report.method.append(
        "Ratios are taken run by run (each run against the bound measured just before it), "
        "then their median with min–max: this host's speed drifts too much between runs for "
        "a ratio of two medians. "
        "Inference bound: MediaPipe's PoseLandmarker alone in VIDEO mode over frames already "
        "decoded into memory. Clip review: `review_clip` end to end (decode, pose, engine, "
        "result; with annotation also drawing and H.264 encoding); the model is loaded before "
        "the clock starts in both. Fast review: the same with stride 2 (every 2nd frame through "
        "the model); throughput counts source frames."
    )

    log("fast review on the simulator suite")
    report.add(_fast_review_sim(specs, plan))

    log("engine alone")
    sim = simulate("heel_slide", reps=max(3, plan.engine_frames // 135), view="end_on", seed=1)
    frames = sim.frames[: plan.engine_frames]
    heel = specs["heel_slide"]
    us = Stat.of([speed.engine_alone(frames, heel) for _ in range(plan.runs)])
    report.add(
        Row(
            "4 engine alone",
            f"heel_slide, {len(frames)} frames, all checks",
            f"{us.format()} µs/frame",
            "<= 50 µs/frame",
            us.median <= 50,
        )
    )
    report.method.append(
        "Engine alone: `Engine.update` over a simulated heel-slide sequence (end-on view, so "
        "every check is on), timed as a whole and divided by the frame count."
    )

    log("live path")
    for model in ("full",):
        live, bare = [], []
        for _ in range(plan.runs):  # side by side, so both see the host at the same speed
            bare.append(speed.bare_inference(decoded, model)[1])
            live.append(speed.live_latency(decoded, spec, model))
        live_ms, bare_ms = np.concatenate(live), np.concatenate(bare)
        p50, p95 = np.percentile(live_ms, [50, 95])
        b50, b95 = np.percentile(bare_ms, [50, 95])
        report.add(
            Row(
                "5 live path",
                f"{model}, LiveProcessor.process p50 / p95",
                f"{p50:.1f} / {p95:.1f} ms",
                "p95 <= 1.2 x bare p95",
                p95 <= 1.2 * b95,
                f"bare inference {b50:.1f} / {b95:.1f} ms",
            )
        )
        rate, reps = speed.live_at_30fps(decoded, spec, model, repeat=plan.live_repeat)
        offline = speed.clip_review(plan.clip, spec, model, annotate=False)[1].reps
        report.add(
            Row(
                "5 live path",
                f"{model}, frames arriving at 30 fps",
                f"{rate:.1f} fps analysed",
                "count as offline",
                reps == offline * plan.live_repeat,
                f"{reps} reps counted live, {offline * plan.live_repeat} offline "
                f"({plan.live_repeat} play(s) of the clip)",
            )
        )
    report.method.append(
        "Live path: the app's own frame callback (`LiveProcessor.process`: pose, engine, "
        "overlay) on 640x480 frames, against bare inference's per-frame latency, measured "
        "alternately with it. "
        "At 30 fps: a producer thread offers a frame every 1/30 s and the worker always takes "
        "the newest, dropping frames that arrive while it is busy, as the WebRTC stream does."
    )

    log("live in a browser")
    from formcheck.bench import live_browser  # Playwright: loaded only for this row

    # The default model, against the offline count measured just above.
    for row in live_browser.bench_rows(plan.clip, spec, "full", plan.browser_plays, offline):
        report.add(row)
    report.method.append(live_browser.METHOD)

    log("memory")
    _memory_rows(report, plan, spec)

    log("accuracy on the simulator suite")
    acc = accuracy.run(specs, count_seeds=plan.count_seeds, check_seeds=plan.check_seeds)
    report.add(
        Row(
            "7 accuracy",
            f"{acc.sequences} simulated sequences: exact counts",
            f"{acc.exact:.1%}",
            ">= 98 %",
            acc.exact >= 0.98,
            f"OBO {acc.off_by_one:.1%}, MAE {acc.mae:.3f}, {acc.uncertain} reps uncertain",
        )
    )
    for code in sorted(acc.recall):
        report.add(
            Row(
                "7 accuracy",
                f"{code}: recall at 1.5 x limit",
                f"{acc.recall[code]:.2f}",
                ">= 0.95",
                acc.recall[code] >= 0.95,
            )
        )
        report.add(
            Row(
                "7 accuracy",
                f"{code}: false flags at 0.5 x limit",
                f"{acc.false_flags.get(code, 0.0):.2f}",
                "<= 0.05",
                acc.false_flags.get(code, 0.0) <= 0.05,
            )
        )
    report.method.append(
        "Accuracy: simulated sequences (exact ground truth, MediaPipe-calibrated noise) over "
        "every simulated exercise with a spec and each of its side modes, tempos 3-5 s, jitter "
        "0.5-1.5x, 3-7 reps, filmed from the views `formcheck.simulate.FILMED_FROM` lists; "
        "counted = full reps (as everywhere in formcheck), compared with the truth's; a rep "
        "reported uncertain (landmarks partly hidden) is not counted, and the uncertain reps "
        "are totalled apart. Checks: heel slides with the "
        "fault on rep 2 of 3 at 1.5x the view's limit (recall: flagged on rep 2) and at 0.5x "
        "(false flag: flagged on any rep), in every view the check can judge."
    )
    if acc.misses:
        report.method.append("Miscounted: " + "; ".join(acc.misses[:10]))

    log("rendered clips, test split")
    _rendered_rows(report, plan)
    log("randomized simulator suite (test split)")
    with tempfile.TemporaryDirectory(prefix="formcheck-suite-") as kept:
        start = time.perf_counter()
        outcomes = suite.run("test", limit=plan.suite_limit, cache=Path(kept))
        for row in suite_rows.bench_rows(outcomes, time.perf_counter() - start):
            report.add(row)
        report.method.append(suite_rows.METHOD)
        for source in ("image", "xy"):
            log(f"the same on {SOURCE_NAMES[source]}")
            fewer = suite.run("test", limit=plan.suite_limit, cache=Path(kept), source=source)
            for row in suite_rows.fewer_landmark_rows(fewer, source):
                report.add(row)
        report.method.append(suite_rows.FEWER_LANDMARKS_METHOD)
    log("exercise guess on simulated sets")
    report.add(_guess_row(specs, plan))
    report.method.append(
        "Exercise guess: four simulated reps (seed 7) of every rep exercise from each view it "
        "is filmed from (`guess_suite.sweep_pairs`; `--quick` spreads 4 of them), guessed by "
        "`guess_exercise` as Review does; wrong = another exercise named, silent = none. "
        "The known shortfalls are `guess_suite.KNOWN_WRONG`. The randomized version: "
        "`python -m formcheck.bench.guess_suite --split test`."
    )
    return report


def _guess_row(specs, plan: Plan) -> Row:
    from formcheck.bench import guess_suite

    pairs = guess_suite.sweep_pairs(specs)
    if plan.guess_limit is not None:
        pairs = suite.spread(pairs, plan.guess_limit)
    guesses = {pair: guess_suite.sweep_guess(*pair, specs) for pair in pairs}
    wrong = sorted(p for p, g in guesses.items() if g not in (p[0], None))
    silent = sum(g is None for g in guesses.values())
    unknown = [p for p in wrong if p not in guess_suite.KNOWN_WRONG]
    return Row(
        "10 exercise guess",
        f"simulated sets, {len(pairs)} exercise/view pairs: wrong guesses",
        f"{len(wrong)} wrong, {silent} silent",
        "none wrong but the known",
        not unknown,
        "; ".join(f"{e} from {v} -> {guesses[(e, v)]}" for e, v in wrong),
    )


def _rendered_rows(report: Report, plan: Plan) -> None:
    from formcheck.bench import rendered

    clips = rendered.load_clips(split="test")
    source = f"model {plan.rendered_model}" if plan.rendered_model else "cached landmarks"
    scores = rendered.score_all(clips, plan.rendered_model)
    for row in rendered.bench_rows(scores, "test", source):
        report.add(row)
    report.method.append(
        "Rendered clips: the test split of the randomized rendered heel slides in "
        "`tests/validation/rendered` (Workbench renders of MakeHuman bodies, camera height, "
        "distance, offset, tilt and lens drawn per clip; see its README), through the pose "
        f"model ({source}) and the engine with the spec's default side; exact = full and "
        "partial counts both equal the truth's; ROM error = the rep table's rom_min / rom_max "
        "minus the true 3-D knee angle's min / max over the same rep; miscounted with no "
        "warning = not exact, and the result carried no warning (a wrong count a person "
        "would take as right). Per-bin tables: "
        "`python -m formcheck.bench.rendered --split test`."
    )


def _outcome(result) -> tuple:
    """What fast review must reproduce: the counts and which flags fell on which reps."""
    flags = tuple(sorted((f.code, f.rep) for f in result.flags))
    return result.reps, result.partial_reps, result.uncertain_reps, flags


def _difference(full, fast) -> str:
    """'' when fast review agrees with full review, else what differs."""
    a, b = _outcome(full), _outcome(fast)
    names = ("reps", "partial", "uncertain", "flags (code, rep)")
    return "; ".join(f"{n} {x} vs {y}" for n, x, y in zip(names, a, b, strict=True) if x != y)


def _fast_review_sim(specs, plan: Plan) -> Row:
    from formcheck.engine import analyze

    cases = accuracy.count_cases(specs, max(1, plan.count_seeds // 2))
    differ = []
    for case in cases:
        spec = specs[case.exercise]
        if spec.hold is not None and spec.phase is None:
            continue
        sim = accuracy.simulate_case(case, spec)
        side = accuracy.engine_side(spec)
        full, half = analyze(sim.frames, spec, side), analyze(sim.frames[::2], spec, side)
        differs = _difference(full, half)
        if differs:
            differ.append(f"{case.exercise}/{case.view}/seed {case.seed}: {differs}")
    return Row(
        "3 fast review",
        f"simulator suite, every 2nd frame ({len(cases)} sequences)",
        f"{len(cases) - len(differ)} identical",
        "all identical",
        not differ,
        "; ".join(differ[:5]),
    )


def _memory_rows(report: Report, plan: Plan, spec) -> None:
    from formcheck.specs import default_spec_dir

    spec_path = default_spec_dir() / f"{plan.exercise}.toml"
    peaks = []
    with tempfile.TemporaryDirectory() as tmp:
        for seconds in plan.memory_seconds:
            clip = memory.looped_clip(plan.clip, seconds, Path(tmp) / f"loop_{seconds:g}s.mp4")
            data = memory.peak_rss(clip, spec_path, "lite")
            peaks.append(data["peak_mb"])
            length = f"{seconds / 60:g}-minute" if seconds >= 60 else f"{seconds:g}-second"
            report.add(
                Row(
                    "6 memory",
                    f"peak RSS, {length} clip (lite)",
                    f"{data['peak_mb']:.0f} MB",
                    "<= 600 MB",
                    data["peak_mb"] <= 600,
                    f"{data['frames']} frames",
                )
            )
    growth = peaks[1] / peaks[0]
    report.add(Row("6 memory", "long / short peak", f"{growth:.2f} x", "<= 1.2 x", growth <= 1.2))
    report.method.append(
        "Memory: the sample played forwards and backwards until it lasts the stated time, "
        "written as H.264, then reviewed in a fresh process with the lite model (memory does "
        "not depend on the model's speed); peak RSS is that process's VmHWM (its own "
        "high-water mark; ru_maxrss would include the benchmark parent's, inherited "
        "across exec)."
    )
