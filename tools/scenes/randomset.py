"""A randomized set of rendered heel-slide clips: draw the configs, then render them.

Two steps, so the drawn set is reviewed and committed before anything renders::

    # draw: N clips from fixed seeds -> a manifest (TOML, one [[clip]] per clip)
    python tools/scenes/randomset.py draw --n 36 --seed 13 \\
        --out tests/validation/rendered/manifest.toml
    # render (needs bpy): every clip of the manifest not already in OUT_DIR, in order
    nice -n 10 ~/.venvs/formcheck-scenes/bin/python tools/scenes/randomset.py render \\
        --manifest tests/validation/rendered/manifest.toml --out-dir tests/validation/rendered

Each clip is a stratum (a placement: view and camera-height bin) plus nuisances
drawn from wide ranges: camera distance, sideways offset, yaw/pitch/roll, lens;
body, clothes, room, light; tempo (0.8-5 s reps, 0-2 s pauses, no lead-in in a
share); faults (partial reps turning back at a 100-150 deg knee, heel veer
0-8 cm, pelvis shift or roll). The lens is widened until the whole body, at
rest and at full reach, is inside the frame. Strata alternate between the
``tune`` and ``test`` splits; the manifest fixes the split. The manifest lists
the clips round-robin over the strata, test first and floor/chair first in each
round, so a render cut short still has every placement in both splits.

``draw`` needs only numpy (system Python is fine).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import tomllib
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import camera  # noqa: E402  (the local modules, found through HERE)
import params  # noqa: E402

# (name, view, height range m, distance range m from the view's aim point, count)
# end_on's aim point is 0.2 m towards the feet from the hips and the heels reach
# about 0.9 m, so 1.7-3.7 m from the aim is about 1-3 m beyond the feet.
STRATA = (
    ("side_floor", "side", (0.15, 0.25), (1.8, 3.0), 6),
    ("side_chair", "side", (0.45, 0.65), (1.8, 3.0), 6),
    ("end_on_floor", "end_on", (0.1, 0.3), (1.7, 3.7), 6),
    ("end_on_chair", "end_on", (0.45, 0.55), (1.7, 3.7), 4),
    ("end_on_table", "end_on", (0.7, 0.8), (1.7, 3.7), 4),
    ("end_on_tripod", "end_on", (1.2, 1.8), (1.7, 3.2), 4),
    ("oblique", "oblique", (0.5, 1.3), (1.8, 3.0), 4),
    ("side_high", "side", (0.75, 1.5), (2.0, 3.0), 2),
)
FIRST = ("side_floor", "end_on_floor", "side_chair", "end_on_chair")  # first in each round

HEIGHT_BINS = ((0.35, "floor"), (0.65, "chair"), (1.0, "table"), (math.inf, "tripod"))


def height_bin(h: float) -> str:
    """floor < 0.35 m <= chair < 0.65 m <= table < 1.0 m <= tripod.

    >>> [height_bin(h) for h in (0.1, 0.55, 0.75, 1.6)]
    ['floor', 'chair', 'table', 'tripod']
    """
    return next(name for top, name in HEIGHT_BINS if h < top)


BODIES = params.BODIES
SKINS = ("#c68c6a", "#8d5a3f", "#e0b49a", "#5c3a28", "#b07a55")
SHIRTS = ("#2a7ab0", "#b8412e", "#3f7a3a", "#d8d8d0", "#6b3f8a", "#222222", "#d69a2d")
SHORTS = ("#262626", "#2c3a57", "#5a5a5a", "#7a2a2a", "#1e3b2f")
SOCKS = ("#f0f0f0", "#3a3a3a", "#b0b0b0", "#d6c7a1")
HAIR = ("#3b2a1e", "#1d1712", "#8a6a3a", "#b89a6a", "#5a3a2a")
LIGHTS = ("soft", "soft", "warm", "side", "dim")

# Points that must be inside the frame (world, metres): head, shoulders, hips,
# bent knees at rest and heels/toes at full reach, with room for the bigger body.
FRAME_POINTS = np.array(
    [
        (0.0, 0.95, 0.12),
        (0.24, 0.55, 0.1),
        (-0.24, 0.55, 0.1),
        (0.14, 0.0, 0.1),
        (-0.14, 0.0, 0.1),
        (0.14, -0.35, 0.52),
        (-0.14, -0.35, 0.52),
        (0.2, -1.02, 0.05),
        (-0.2, -1.02, 0.05),
        (0.12, -1.05, 0.24),
        (-0.12, -1.05, 0.24),
    ]
)
MARGIN = 0.04  # fraction of the frame kept clear on each side
MAX_SECONDS = 8.0  # render time: about 1-2 s per frame on a busy 2-core machine


def fits(place: camera.Placement, width: int, height: int) -> bool:
    """Every FRAME_POINT is in front of the camera and inside the frame's margin."""
    uvd = place.project(FRAME_POINTS, width, height)
    u, v, d = uvd[:, 0], uvd[:, 1], uvd[:, 2]
    mu, mv = MARGIN * width, MARGIN * height
    return bool(
        np.all(d > 0.2) and np.all((u > mu) & (u < width - mu) & (v > mv) & (v < height - mv))
    )


def reach_for_knee(knee_deg: float, l1: float = 0.38, l2: float = 0.40) -> float:
    """The heel-travel fraction whose far point bends the knee to about knee_deg.

    The heel moves linearly from a 95 deg knee to a 176 deg knee (motion.py), so
    the fraction is linear in the hip-to-ankle distance (law of cosines; the
    foot's roll is ignored, so the truth's knee_deg_max is the real figure).

    >>> round(reach_for_knee(176.0), 2), round(reach_for_knee(95.0), 2)
    (1.0, 0.0)
    """

    def dist(a: float) -> float:
        return math.sqrt(l1 * l1 + l2 * l2 - 2 * l1 * l2 * math.cos(math.radians(a)))

    return (dist(knee_deg) - dist(95.0)) / (dist(176.0) - dist(95.0))


def _rep_list(reps: list[int]) -> str:
    return ",".join(str(r) for r in reps)


def draw_clip(rng: np.random.Generator, idx: int, stratum: tuple, split: str, leg: str) -> dict:
    """One clip: a dict of render.py options plus name, split, bin and note."""
    name_s, view, (h0, h1), (d0, d1), _count = stratum
    width, height = 480, 360
    for _attempt in range(200):
        h = float(rng.uniform(h0, h1))
        d = float(rng.uniform(d0, d1))
        lateral = float(rng.uniform(-0.35, 0.35))
        yaw, pitch, roll = (float(x) for x in rng.uniform(-10, 10, 3))
        focal = float(rng.uniform(24, 50))
        side = leg if rng.random() < 0.8 else ("right" if leg == "left" else "left")
        sign = 1.0 if side == "left" else -1.0
        while focal >= 16:
            place = camera.placement(view, sign, h, d, lateral, yaw, pitch, roll, focal)
            if fits(place, width, height):
                break
            focal *= 0.92
        else:
            continue
        break
    else:
        raise RuntimeError(f"{name_s}: no camera framed the body in 200 draws")

    # tempo: rep length 0.8-5 s (log-uniform); fewer reps when the reps are slow,
    # so the clip stays <= MAX_SECONDS (render time)
    for _attempt in range(500):
        dur = float(math.exp(rng.uniform(math.log(0.8), math.log(5.0))))
        hold = dur * float(rng.uniform(0.0, 0.15))
        move = dur - hold
        out_s = max(0.4, move * float(rng.uniform(0.4, 0.6)))
        back_s = max(0.4, move - out_s)
        rest = float(rng.uniform(0.0, 1.2))
        lead = 0.0 if rng.random() < 0.35 else float(rng.uniform(0.3, 1.5))
        tail = float(rng.uniform(0.3, 0.8))
        pause_s = float(rng.uniform(0.5, 2.0)) - rest if rng.random() < 0.4 else 0.0
        fixed = lead + tail + max(pause_s, 0.0)
        reps = next(
            (
                r
                for r in range(int(rng.integers(2, 5)), 1, -1)
                if fixed + r * (out_s + hold + back_s) + (r - 1) * rest <= MAX_SECONDS
            ),
            0,
        )
        if reps:
            break
    else:
        raise RuntimeError(f"{name_s}: no tempo fitted in {MAX_SECONDS} s")
    pause_rep = int(rng.integers(1, reps)) if pause_s > 0.05 else 0
    clip: dict = {
        "name": f"rs{idx:02d}_{view}_{height_bin(h)}_{leg}",
        "split": split,
        "bin": f"{view}/{height_bin(h)}",
        "leg": leg,
        "reps": reps,
        "lead_in": round(lead, 2),
        "out_s": round(out_s, 2),
        "hold_s": round(hold, 2),
        "back_s": round(back_s, 2),
        "rest_s": round(rest, 2),
        "tail": round(tail, 2),
    }
    if pause_rep and pause_s > 0.05:
        clip["pause"] = [f"{pause_rep}:{pause_s:.2f}"]
    notes = [f"{reps} reps of {dur:.1f} s", "no lead-in" if lead == 0 else f"lead-in {lead:.1f} s"]
    # faults, on some reps
    if rng.random() < 0.45:
        r = int(rng.integers(1, reps + 1))
        # At least 15 degrees past the 95-degree rest: aimed at 100 (as the first sets
        # were), the knee moved 6-11 degrees, under the spec's least excursion, a fidget.
        knee = float(rng.uniform(110, 150))
        clip["partial"] = [f"{r}:{min(max(reach_for_knee(knee), 0.1), 0.95):.3f}"]
        notes.append(f"rep {r} partial, aimed at a {knee:.0f} deg knee")
    if rng.random() < 0.35:
        r = int(rng.integers(1, reps + 1))
        cm = float(rng.uniform(1, 8)) * (1 if rng.random() < 0.6 else -1)
        clip["veer"] = [f"{r}:{cm:.1f}"]
        notes.append(f"rep {r} heel veer {cm:+.1f} cm")
    if rng.random() < 0.25:
        r = int(rng.integers(1, reps + 1))
        if rng.random() < 0.5:
            clip["pelvis_shift"] = [f"{r}:{float(rng.uniform(-5, 5)):.1f}"]
            notes.append(f"rep {r} pelvis shift")
        else:
            clip["pelvis_roll"] = [f"{r}:{float(rng.uniform(-8, 8)):.1f}"]
            notes.append(f"rep {r} pelvis roll")
    clip.update(
        {
            "body": BODIES[(idx // 2) % len(BODIES)],  # a test clip and its tune twin
            "skin": str(rng.choice(SKINS)),
            "shirt": str(rng.choice(SHIRTS)),
            "shorts": str(rng.choice(SHORTS)),
            "socks": str(rng.choice(SOCKS)),
            "hair_colour": str(rng.choice(HAIR)),
            "hair": str(rng.choice(("short", "long"))),
            "room": str(rng.choice(params.ROOMS)),
            "lighting": str(rng.choice(LIGHTS)),
            "view": view,
            "camera_side": side,
            "cam_height": round(h, 3),
            "cam_distance": round(d, 3),
            "cam_lateral": round(lateral, 3),
            "cam_yaw": round(yaw, 2),
            "cam_pitch": round(pitch, 2),
            "cam_roll": round(roll, 2),
            "focal": round(focal, 1),
            "width": width,
            "height": height,
            "fps": 15,
            "detail": "lean",
            "crf": 28,
            "seed": int(rng.integers(0, 2**31)),
        }
    )
    clip["note"] = "; ".join(notes)
    return clip


def draw(n: int, seed: int) -> list[dict]:
    """n clips over STRATA (scaled to n), alternating test/tune within each stratum.

    Listed (and so rendered) round by round: every stratum's first clip (test),
    then every stratum's second (tune), and so on, the floor and chair strata
    first in each round; a render cut short still covers every placement and
    both splits.
    """
    total = sum(s[4] for s in STRATA)
    rng = np.random.default_rng(seed)
    ranked = []
    idx = 0
    for rank, stratum in enumerate(STRATA):
        count = max(1, round(stratum[4] * n / total))
        for k in range(count):
            split = "test" if k % 2 == 0 else "tune"
            leg = ("left", "right")[(k // 2) % 2]  # both legs in both splits
            first = stratum[0] in FIRST
            ranked.append(((k, not first, rank), draw_clip(rng, idx, stratum, split, leg)))
            idx += 1
    ranked = ranked[:n]
    return [clip for _key, clip in sorted(ranked, key=lambda kc: kc[0])]


def _toml_value(v) -> str:
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return repr(v)


def to_toml(clips: list[dict], n: int, seed: int) -> str:
    head = (
        "# The randomized rendered heel-slide set (tests/validation/rendered/README.md).\n"
        f"# Drawn by: python tools/scenes/randomset.py draw --n {n} --seed {seed}\n"
        "# Each [[clip]] is render.py options (- written _) plus name, split (tune|test),\n"
        "# bin (view/camera-height bin) and note. Test split and floor/chair first.\n"
    )
    body = []
    for c in clips:
        body.append("[[clip]]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in c.items()))
    return head + "\n" + "\n".join(body)


def load_manifest(path: Path) -> list[dict]:
    return tomllib.loads(path.read_text()).get("clip", [])


META = ("name", "note", "split", "bin")


def render_all(manifest: Path, out_dir: Path, only: list[str], force: bool) -> int:
    import render  # the local CLI module; its render_one imports bpy

    parser = render.build_parser()
    out_dir.mkdir(parents=True, exist_ok=True)
    failed: list[str] = []
    for clip in load_manifest(manifest):
        if only and clip["name"] not in only:
            continue
        out = out_dir / f"{clip['name']}.mp4"
        if out.exists() and out.with_name(out.stem + ".truth.json").exists() and not force:
            print(f"[randomset] {clip['name']}: already rendered", flush=True)
            continue
        opts = {k: v for k, v in clip.items() if k not in META}
        cfg = params.ClipConfig.from_args(parser.parse_args(params.clip_to_argv(opts)))
        t0 = time.monotonic()
        print(f"[randomset] {clip['name']}: rendering ...", flush=True)
        try:
            truth = render.render_one(cfg, out, None, None)
        except RuntimeError as exc:  # e.g. the solver and Blender disagree: report, go on
            print(f"[randomset] {clip['name']}: FAILED: {exc}", flush=True)
            failed.append(clip["name"])
            continue
        print(
            f"[randomset] {clip['name']}: {truth['frame_count']} frames in "
            f"{time.monotonic() - t0:.0f} s, {out.stat().st_size // 1024} KB",
            flush=True,
        )
    if failed:
        print(f"[randomset] failed: {', '.join(failed)}", flush=True)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="randomset.py", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("draw", help="draw N clip configs into a manifest")
    d.add_argument("--n", type=int, default=36)
    d.add_argument("--seed", type=int, default=13)
    d.add_argument("--out", type=Path, required=True)
    r = sub.add_parser("render", help="render the manifest's clips (needs bpy)")
    r.add_argument("--manifest", type=Path, required=True)
    r.add_argument("--out-dir", type=Path, required=True)
    r.add_argument("--only", action="append", default=[], metavar="NAME")
    r.add_argument("--force", action="store_true", help="re-render clips that exist")
    a = p.parse_args(argv)
    try:
        if a.cmd == "draw":
            if a.n < 1:
                raise params.ParamError(f"--n: expected >= 1, got {a.n}")
            clips = draw(a.n, a.seed)
            import render  # the local CLI module (bpy only when it renders)

            parser = render.build_parser()
            for c in clips:  # every drawn clip must be a valid render config
                opts = {k: v for k, v in c.items() if k not in META}
                params.ClipConfig.from_args(parser.parse_args(params.clip_to_argv(opts)))
            a.out.parent.mkdir(parents=True, exist_ok=True)
            a.out.write_text(to_toml(clips, a.n, a.seed))
            print(f"[randomset] wrote {len(clips)} clips to {a.out}")
            return 0
        return render_all(a.manifest, a.out_dir, a.only, a.force)
    except params.ParamError as exc:
        print(f"randomset.py: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
