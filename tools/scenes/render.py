"""Render a rehab-exercise clip of a rigged human on a mat, with exact ground truth.

Run it with a Python that has bpy (see tools/scenes/README.md)::

    python tools/scenes/render.py --out /tmp/heel.mp4 --view side --leg left --reps 3
    python tools/scenes/render.py --clipset tools/scenes/clipset.toml --out-dir sample_videos

Writes NAME.mp4 (H.264, yuv420p) and NAME.truth.json beside it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import params  # noqa: E402  (the local modules, found through HERE)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="render.py",
        description=(
            "Render a clip of a MakeHuman figure doing a floor exercise (heel slide or glute "
            "bridge) on a mat, with faults we control, and write NAME.truth.json beside it. "
            "Rep selectors (REPS below) are 1-based rep numbers: '2', '1,3' or 'all'."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    params.add_arguments(p)
    g = p.add_argument_group("output and batch")
    g.add_argument("--out", type=Path, help="output .mp4 path (truth goes to NAME.truth.json)")
    g.add_argument(
        "--clipset",
        type=Path,
        help="TOML file listing clips ([[clip]] tables: name plus any option above, "
        "with - written _); renders every clip into --out-dir",
    )
    g.add_argument("--out-dir", type=Path, default=Path("sample_videos"), help="for --clipset")
    g.add_argument(
        "--only", action="append", default=[], metavar="NAME", help="with --clipset: just these"
    )
    g.add_argument(
        "--frames-dir",
        type=Path,
        help="keep the rendered PNG frames here (default: a temporary directory)",
    )
    g.add_argument("--max-frames", type=int, help="stop after this many frames (for quick looks)")
    return p


def render_one(cfg: params.ClipConfig, out: Path, frames_dir: Path | None, max_frames) -> dict:
    import pipeline  # imports bpy

    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="scenes-") as tmp:
        fdir = frames_dir or Path(tmp)
        fdir.mkdir(parents=True, exist_ok=True)
        truth = pipeline.render_frames(cfg, fdir, max_frames=max_frames)
        rendered = time.monotonic()
        import encode

        encode.encode_png_dir(
            fdir, truth["frame_count"], out, cfg.fps, cfg.crf, cfg.noise_sigma(), cfg.seed
        )
    truth["clip"] = out.name
    truth["render_seconds"] = round(rendered - t0, 1)
    truth["encode_seconds"] = round(time.monotonic() - rendered, 1)
    truth_path = out.with_name(out.stem + ".truth.json")
    truth_path.write_text(params.dump_truth(truth))
    return truth


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.clipset:
            clips = tomllib.loads(args.clipset.read_text()).get("clip", [])
            names = [c.get("name") for c in clips]
            unknown = set(args.only) - set(names)
            if unknown:
                raise params.ParamError(
                    f"--only: no clip named {sorted(unknown)} in {args.clipset}"
                )
            args.out_dir.mkdir(parents=True, exist_ok=True)
            summary = []
            for clip in clips:
                if args.only and clip["name"] not in args.only:
                    continue
                argv_clip = params.clip_to_argv(clip)
                sub = parser.parse_args(argv_clip)
                cfg = params.ClipConfig.from_args(sub)
                out = args.out_dir / f"{clip['name']}.mp4"
                print(f"[scenes] {clip['name']}: rendering ...", flush=True)
                truth = render_one(cfg, out, None, args.max_frames)
                line = (
                    f"[scenes] {clip['name']}: {truth['frame_count']} frames, "
                    f"{truth['duration_s']:.1f} s, render {truth['render_seconds']} s "
                    f"({truth['render_seconds'] / truth['frame_count']:.2f} s/frame), "
                    f"{out.stat().st_size // 1024} KB"
                )
                print(line, flush=True)
                summary.append(line)
            print("\n".join(summary))
            return 0
        if args.out is None:
            raise params.ParamError("give --out FILE.mp4 (or --clipset FILE)")
        cfg = params.ClipConfig.from_args(args)
        truth = render_one(cfg, args.out, args.frames_dir, args.max_frames)
        print(
            f"[scenes] wrote {args.out} ({truth['frame_count']} frames, "
            f"render {truth['render_seconds']} s) and its truth file"
        )
        return 0
    except params.ParamError as exc:
        print(f"render.py: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
