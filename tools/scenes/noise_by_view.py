"""MediaPipe's landmark noise per view on the rendered clips, against the simulator's.

Runs with the Python that has formcheck installed (with MediaPipe)::

    python3 tools/scenes/noise_by_view.py            # all rendered clips, markdown tables
    python3 tools/scenes/noise_by_view.py --json /tmp/noise.json

For each rendered clip (``sample_videos/*.truth.json`` beside its MP4) it runs
the full pose model (``formcheck.pipeline.ClipPoses``) and compares the
landmarks with the truth; then it simulates the same exercise from the same
view (``formcheck.simulate``, ``jitter=1.0``, 15 fps like the clips) and
measures the simulator's landmarks the same way. Figures, per landmark group
(left and right pooled, x and y pooled), all in pixels at 339 px per metre at
the body (the scale of the real calibration clip, docs/simulator.md), so they
compare with that clip and across views:

* ``jitter``: root mean square of the residual of the *measured track* after
  a Savitzky-Golay filter (cubic over 11 frames), the method of
  docs/simulator.md (includes any motion the filter does not follow);
* ``err jitter``: the same on the *error track* (measured minus truth), which
  leaves the motion out;
* ``slow p95``: the 95th percentile of the length of (measured - truth) after
  its per-clip median is subtracted: the error that changes during the motion;
* ``hip drift``: per clean heel-slide rep, the mid-hip's error at the far
  point minus at the start, along the body's image axis (positive: towards
  the feet, i.e. towards the moving thigh) and across it (positive: towards
  the working hip), in pixels and in centimetres at the body.

MediaPipe's landmarks are cached per clip (``--cache``), so a second run only
repeats the arithmetic and the simulations.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
#: The real calibration clip's scale (docs/simulator.md); every figure is given at it.
REF_PX_PER_M = 339.0
WINDOW = 11
SIDES = ("left", "right")
GROUPS = ("shoulder", "hip", "knee", "ankle", "heel", "foot_index")
NAMES12 = tuple(f"{s}_{g}" for g in GROUPS for s in SIDES)


@dataclass
class Track:
    """One clip's (or one simulation's) landmarks against the truth, in pixels."""

    name: str
    view: str
    exercise: str
    leg: str
    meas: np.ndarray  # (n, 12, 2) px, NaN where no pose
    truth: np.ndarray  # (n, 12, 2) px
    world: np.ndarray  # (n, 12, 3) metres (any axes)
    valid: np.ndarray  # (n,) frames with the person in view and a pose found
    px_per_m: float  # at the true mid-hip's depth
    reps: list[tuple[int, int, int]] = field(default_factory=list)  # (start, far, end) frames


# --------------------------------------------------------------------------- rendered clips


def _pinhole_depth(cam: dict, point: np.ndarray) -> float:
    loc = np.array(cam["location"], float)
    fwd = np.array(cam["look_at"], float) - loc
    return float(np.dot(point - loc, fwd / np.linalg.norm(fwd)))


def _mediapipe(clip: Path, cache: Path) -> np.ndarray:
    """(frames, 33, 2) pixels of the full model, NaN where no pose (cached)."""
    cached = cache / (clip.stem + ".full.npy")
    if cached.exists():
        return np.load(cached)
    from formcheck.pipeline import ClipPoses

    rows = []
    for _rgb, frame in ClipPoses(clip, model="full"):
        has = frame is not None and frame.has_pose
        rows.append(frame.pixels() if has else np.full((33, 2), np.nan))
    out = np.array(rows)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(cached, out)
    return out


def rendered_track(truth_path: Path, cache: Path) -> Track:
    from formcheck.landmarks import index

    truth = json.loads(truth_path.read_text())
    clip = truth_path.with_name(truth["clip"])
    mp = _mediapipe(clip, cache)
    frames = truth["frames"]
    n = min(len(frames), len(mp))
    frames, mp = frames[:n], mp[:n]
    meas = mp[:, [index(k) for k in NAMES12]]
    tpx = np.array([[f["pixel"][k] for k in NAMES12] for f in frames], float)
    world = np.array([[f["world"][k] for k in NAMES12] for f in frames], float)
    valid = np.array([f["visible"] and f["in_frame"] for f in frames]) & np.isfinite(meas).all(
        axis=(1, 2)
    )
    mid = (world[0, NAMES12.index("left_hip")] + world[0, NAMES12.index("right_hip")]) / 2
    f_px = truth["camera"]["focal_mm"] / truth["camera"]["sensor_width_mm"] * truth["width"]
    ppm = f_px / _pinhole_depth(truth["camera"], mid)
    reps = []
    faulted = any(truth["params"][k] for k in ("pelvis_shift", "pelvis_roll"))
    if truth["exercise"] == "heel_slide" and not faulted:
        fps = truth["fps"]
        for r in truth["reps"]:
            far = round((r["far_start"] + r["far_end"]) / 2 * fps)
            reps.append((round(r["start"] * fps), far, min(round(r["end"] * fps), n - 1)))
    return Track(
        clip.name,
        truth["view"],
        truth["exercise"],
        truth["leg"],
        meas,
        tpx,
        world,
        valid,
        ppm,
        reps,
    )


# --------------------------------------------------------------------------- simulations

#: The rendered clips' timing (tools/scenes: out 1.6 s, hold 0.4 s, back 1.5 s, rest 0.7 s).
SIM_TIMING = {
    "fps": 15.0,
    "tempo": 3.1,
    "hold_s": 0.4,
    "pause": 0.7,
    "lead_in": 1.0,
    "lead_out": 0.8,
    "reps": 3,
}


def _oblique_camera(exercise: str, side: str, **kw):
    """The rendered oblique camera (tools/scenes) placed around the simulated body.

    Rendered scenes lie along +Y with the head at +Y and the person's left at +X;
    the simulator's body lies along x with the head at -x and its left at +y.
    """
    from formcheck.simulate import Camera, simulate

    rest = simulate(exercise, side=side, jitter=0.0, **{**kw, "reps": 1})
    hips = rest.truth.clean[0]
    from formcheck.landmarks import index

    mid = (hips[index("left_hip")] + hips[index("right_hip")]) / 2
    s = 1.0 if side == "left" else -1.0
    position = (mid[0] + 1.95, mid[1] + s * 1.75, 1.15)
    look_at = (mid[0] + 0.12, mid[1], 0.12)
    return Camera(position, look_at, hfov_deg=2 * math.degrees(math.atan(18 / 36)))


def sim_track(exercise: str, view: str, side: str, seed: int, noise=None) -> Track:
    from formcheck.landmarks import index
    from formcheck.simulate import Camera, simulate

    kw = dict(SIM_TIMING)
    body = ("average_female", "average_male")[seed % 2]
    if exercise == "glute_bridge":
        kw["hold_s"] = 1.0
    cam = _oblique_camera(exercise, side, body=body, **kw) if view == "oblique" else None
    sim = simulate(
        exercise,
        side=side,
        view="side" if cam else view,
        camera=cam,
        seed=seed,
        body=body,
        jitter=1.0,
        noise=noise,
        **kw,
    )
    t = sim.truth
    cols = [index(k) for k in NAMES12]
    wh = np.array([t.camera["width"], t.camera["height"]], float)
    meas = np.array([f.image[cols, :2] for f in sim.frames]) * wh
    tpx = t.clean_image[:, cols, :2] * wh
    camera = Camera(**{k: v for k, v in t.camera.items() if k != "view"})
    mid = (t.clean[0, index("left_hip")] + t.clean[0, index("right_hip")]) / 2
    reps = []
    if exercise == "heel_slide":
        for r in t.reps:
            a, b = round(r.start * t.fps), min(round(r.end * t.fps), len(meas) - 1)
            reps.append((a, a + int(np.argmax(t.driver[a : b + 1])), b))
    return Track(
        f"sim {exercise} {view} {side} seed {seed}",
        view,
        exercise,
        side,
        meas,
        tpx,
        t.clean[:, cols],
        np.ones(len(meas), bool),
        camera.pixels_per_metre(mid),
        reps,
    )


# --------------------------------------------------------------------------- measures


def _runs(valid: np.ndarray, shortest: int = 2 * WINDOW) -> list[slice]:
    """Runs of consecutive valid frames long enough for the filter."""
    out, start = [], None
    for k, v in enumerate([*valid.tolist(), False]):
        if v and start is None:
            start = k
        elif not v and start is not None:
            if k - start >= shortest:
                out.append(slice(start, k))
            start = None
    return out


def _residual(x: np.ndarray) -> np.ndarray:
    """Savitzky-Golay (11, 3) residual along axis 0 of ``x`` (frames, ...)."""
    from formcheck.simulate.calibrate import savgol_matrix

    flat = x.reshape(len(x), -1)
    return (flat - savgol_matrix(len(x), WINDOW, 3) @ flat).reshape(x.shape)


def _groups(names=NAMES12) -> dict[str, list[int]]:
    return {g: [i for i, n in enumerate(names) if n.endswith(g)] for g in GROUPS}


def measure(track: Track) -> dict:
    """Per-group sums for the pooled figures (see the module docstring)."""
    to_ref = REF_PX_PER_M / track.px_per_m
    err = track.meas - track.truth
    out: dict = {
        "name": track.name,
        "view": track.view,
        "exercise": track.exercise,
        "px_per_m": track.px_per_m,
        "frames": int(track.valid.sum()),
    }
    sq_raw = {g: [0.0, 0] for g in GROUPS}
    sq_err = {g: [0.0, 0] for g in GROUPS}
    for run in _runs(track.valid):
        r_raw, r_err = _residual(track.meas[run]), _residual(err[run])
        for g, cols in _groups().items():
            sq_raw[g][0] += float(np.sum(r_raw[:, cols] ** 2)) * to_ref**2
            sq_raw[g][1] += r_raw[:, cols].size
            sq_err[g][0] += float(np.sum(r_err[:, cols] ** 2)) * to_ref**2
            sq_err[g][1] += r_err[:, cols].size
    out["sq_raw"], out["sq_err"] = sq_raw, sq_err
    e = err[track.valid]
    slow = np.linalg.norm(e - np.median(e, axis=0), axis=2) * to_ref
    out["slow"] = {g: slow[:, cols].ravel().tolist() for g, cols in _groups().items()}
    out["drift"] = _hip_drift(track)
    # What a check sees: each landmark's error change from its rep's start, over the rep.
    within = []
    for start, _far, end in track.reps:
        if track.valid[start : end + 1].all():
            within.append(np.linalg.norm(err[start : end + 1] - err[start], axis=2) * to_ref)
    out["rep_change"] = {
        g: np.concatenate([w[:, cols].ravel() for w in within]).tolist() if within else []
        for g, cols in _groups().items()
    }
    return out


def _hip_drift(track: Track) -> list[dict]:
    """Mid-hip error at each rep's far point minus at its start: along and across the body."""
    i = {n: k for k, n in enumerate(NAMES12)}
    out = []
    for start, far, end in track.reps:
        if not track.valid[start : end + 1].all():
            continue

        def mid(a, name, k):
            return (a[k, i[f"left_{name}"]] + a[k, i[f"right_{name}"]]) / 2

        e0 = np.mean(
            [
                mid(track.meas, "hip", k) - mid(track.truth, "hip", k)
                for k in range(max(start - 2, 0), start + 1)
            ],
            axis=0,
        )
        ef = np.mean(
            [
                mid(track.meas, "hip", k) - mid(track.truth, "hip", k)
                for k in range(far - 1, far + 2)
            ],
            axis=0,
        )
        d = ef - e0
        body = mid(track.truth, "hip", start) - mid(track.truth, "shoulder", start)
        along = body / np.linalg.norm(body)  # image direction towards the feet
        across = np.array([-along[1], along[0]])
        work = track.truth[start, i[f"{track.leg}_hip"]] - mid(track.truth, "hip", start)
        if np.dot(work, across) < 0:
            across = -across  # towards the working hip
        body_m = np.linalg.norm(
            mid(track.world, "hip", start) - mid(track.world, "shoulder", start)
        )
        along_ppm = np.linalg.norm(body) / body_m  # foreshortened image scale along the body
        out.append(
            {
                "along_px": float(np.dot(d, along)),
                "across_px": float(np.dot(d, across)),
                "along_cm": float(np.dot(d, along) / along_ppm * 100),
                "across_cm": float(np.dot(d, across) / track.px_per_m * 100),
                # each hip on its own: does only the moving leg's hip drift?
                **{
                    f"{who}_along_px": float(
                        np.dot(_err_change(track, i[f"{hip}_hip"], start, far), along)
                    )
                    for who, hip in (("work", track.leg), ("other", _other(track.leg)))
                },
            }
        )
    return out


def _other(side: str) -> str:
    return "right" if side == "left" else "left"


def _err_change(track: Track, col: int, start: int, far: int) -> np.ndarray:
    """One landmark's error at the far point minus at the start (3-frame means)."""
    err = track.meas[:, col] - track.truth[:, col]
    return err[far - 1 : far + 2].mean(axis=0) - err[max(start - 2, 0) : start + 1].mean(axis=0)


def pool(results: list[dict]) -> dict:
    """One row per view: pooled jitter and slow error per group, hip drift per rep."""
    rows = {}
    for view in dict.fromkeys(r["view"] for r in results):
        rs = [r for r in results if r["view"] == view]
        row = {
            "clips": len(rs),
            "frames": sum(r["frames"] for r in rs),
            "px_per_m": float(np.mean([r["px_per_m"] for r in rs])),
        }
        for key in ("sq_raw", "sq_err"):
            row[key] = {
                g: math.sqrt(sum(r[key][g][0] for r in rs) / max(sum(r[key][g][1] for r in rs), 1))
                for g in GROUPS
            }
        row["slow_p95"] = {
            g: float(np.percentile([v for r in rs for v in r["slow"][g]], 95)) for g in GROUPS
        }
        change = {g: [v for r in rs for v in r["rep_change"][g]] for g in GROUPS}
        if change["hip"]:
            row["rep_change_p95"] = {g: float(np.percentile(change[g], 95)) for g in GROUPS}
        drift = [d for r in rs for d in r["drift"]]
        if drift:
            row["drift"] = {
                k: (
                    float(np.mean([d[k] for d in drift])),
                    float(np.min([d[k] for d in drift])),
                    float(np.max([d[k] for d in drift])),
                )
                for k in drift[0]
            }
            row["drift_reps"] = len(drift)
        rows[view] = row
    return rows


def _fmt_groups(d: dict) -> str:
    return " · ".join(f"{d[g]:.2f}" for g in GROUPS)


def table(rendered: dict, simulated: dict) -> str:
    head = " · ".join(GROUPS)
    lines = [
        f"| view | source | clips | frames | px/m | jitter ({head}) | err jitter | slow p95 |",
        "|" + " --- |" * 8,
    ]
    for view in rendered:
        for label, rows in (("rendered", rendered), ("simulator", simulated)):
            if view not in rows:
                continue
            r = rows[view]
            lines.append(
                f"| {view} | {label} | {r['clips']} | {r['frames']} | {r['px_per_m']:.0f} "
                f"| {_fmt_groups(r['sq_raw'])} | {_fmt_groups(r['sq_err'])} "
                f"| {_fmt_groups(r['slow_p95'])} |"
            )
    lines += [
        "",
        "Error change from the rep's start, p95 over clean heel-slide reps (what a check sees), "
        f"({head}):",
        "",
        "| view | rendered | simulator |",
        "|" + " --- |" * 3,
    ]
    for view in rendered:
        if "rep_change_p95" in rendered[view] and "rep_change_p95" in simulated.get(view, {}):
            lines.append(
                f"| {view} | {_fmt_groups(rendered[view]['rep_change_p95'])} "
                f"| {_fmt_groups(simulated[view]['rep_change_p95'])} |"
            )
    lines += [
        "",
        "Ratio rendered / simulator (median over groups in brackets):",
        "",
        "| view | jitter | err jitter | slow p95 |",
        "|" + " --- |" * 4,
    ]
    for view in rendered:
        if view not in simulated:
            continue
        cells = [view]
        for key in ("sq_raw", "sq_err", "slow_p95"):
            ratio = {g: rendered[view][key][g] / simulated[view][key][g] for g in GROUPS}
            cells.append(f"{_fmt_groups(ratio)} ({np.median(list(ratio.values())):.2f})")
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "Mid-hip error, far point minus start, per clean heel-slide rep "
        "(mean, min..max; along: + towards the feet; across: + towards the working hip):",
        "",
        "| view | source | reps | along px | across px | along cm | across cm "
        "| working hip along px | other hip along px |",
        "|" + " --- |" * 9,
    ]
    for view in rendered:
        for label, rows in (("rendered", rendered), ("simulator", simulated)):
            r = rows.get(view, {})
            if "drift" not in r:
                continue
            cells = [view, label, str(r["drift_reps"])]
            cells += [f"{m:+.1f} ({lo:+.1f}..{hi:+.1f})" for m, lo, hi in r["drift"].values()]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def simulated_like(tracks: list[Track], seeds: int, noise_for=None) -> list[dict]:
    """The simulator's figures for the same exercises and views as ``tracks``."""
    out = []
    for t in tracks:
        for s in range(seeds):
            side = t.leg if t.view == "oblique" else SIDES[s % 2]
            noise = noise_for(t.view) if noise_for else None
            out.append(measure(sim_track(t.exercise, t.view, side, 1000 + s, noise)))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="noise_by_view.py", description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "truth",
        nargs="*",
        type=Path,
        default=sorted((ROOT / "sample_videos").glob("*.truth.json")),
        help="NAME.truth.json files with NAME.mp4 beside (default: all rendered)",
    )
    ap.add_argument(
        "--cache",
        type=Path,
        default=Path("/tmp/formcheck_noise_by_view"),
        help="where MediaPipe's landmarks per clip are kept between runs",
    )
    ap.add_argument("--seeds", type=int, default=2, help="simulations per rendered clip")
    ap.add_argument("--json", type=Path, help="write the pooled figures here")
    ap.add_argument(
        "--model-noise",
        choices=("default", "per_view"),
        default="per_view",
        help="simulate with NoiseModel.for_view(view) (what simulate() uses) or NoiseModel()",
    )
    args = ap.parse_args(argv)
    tracks = []
    for path in args.truth:
        tracks.append(rendered_track(path, args.cache))
        print(f"[noise_by_view] {path.name}: done", file=sys.stderr, flush=True)
    rendered = pool([measure(t) for t in tracks])
    from formcheck.simulate import NoiseModel

    if args.model_noise == "per_view":
        noise_for = NoiseModel.for_view
    else:
        noise_for = lambda _view: NoiseModel()  # noqa: E731
    simulated = pool(simulated_like(tracks, args.seeds, noise_for))
    print(table(rendered, simulated))
    if args.json:
        args.json.write_text(json.dumps({"rendered": rendered, "simulator": simulated}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
