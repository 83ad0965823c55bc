"""``formcheck landmarks CLIP -o OUT.jsonl``: run the pose model over a clip, save landmarks."""

from __future__ import annotations

import argparse
from pathlib import Path

from formcheck.errors import FormcheckError
from formcheck.lmfile import LandmarkHeader, LandmarkWriter
from formcheck.overlay import draw_skeleton
from formcheck.pipeline import ClipPoses, terminal_progress
from formcheck.pose import DEFAULT_MODEL, DEFAULT_ORIENTATION, ORIENTATIONS, model_label
from formcheck.video import VideoWriter


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """``--model`` and ``--orientation``, shared by every command that runs the pose model."""
    parser.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        metavar="lite|full|heavy|PATH",
        help=f"pose model: a bundled name or a .task file (default: {DEFAULT_MODEL})",
    )
    parser.add_argument(
        "--orientation",
        default=DEFAULT_ORIENTATION,
        choices=ORIENTATIONS,
        help="quarter-turn frames before inference, degrees counter-clockwise "
        f"(default: {DEFAULT_ORIENTATION})",
    )


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "landmarks",
        help="extract pose landmarks from a clip into a landmark file",
        description="Run the pose model over CLIP and write one JSON line per frame.",
    )
    parser.add_argument("clip", type=Path, help="video file (mp4, mov, webm, avi)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="landmark file to write")
    parser.add_argument(
        "--annotate", type=Path, metavar="OUT.mp4", help="also write the clip with the skeleton"
    )
    add_model_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    for target in (args.output, args.annotate):
        if target is not None and not target.parent.exists():
            raise FormcheckError(f"{target}: the folder {target.parent} does not exist")
    progress, close_progress = terminal_progress(args.clip.name)
    clip = ClipPoses(args.clip, model=args.model, orientation=args.orientation, progress=progress)
    info = clip.info
    header = LandmarkHeader(
        fps=info.fps,
        width=info.width,
        height=info.height,
        source=args.clip.name,
        model=model_label(args.model),
    )
    annotated = (
        VideoWriter(
            args.annotate, info.fps, info.width - info.width % 2, info.height - info.height % 2
        )
        if args.annotate
        else None
    )
    try:
        with LandmarkWriter(args.output, header) as writer:
            for rgb, frame in clip:
                writer.write(frame)
                if annotated is not None:
                    drawn = draw_skeleton(rgb, frame)
                    annotated.write(drawn[: annotated.height, : annotated.width], t=frame.t)
    finally:
        close_progress()
        if annotated is not None:
            annotated.close()
    stats = clip.stats
    assert stats is not None  # set when iteration ends
    if stats.frames == 0:
        raise FormcheckError(f"{args.clip}: no frames could be decoded ({stats.truncation_reason})")
    print(f"{args.clip.name}: {stats.summary()} -> {args.output}")
    if stats.truncated:  # the frames before the damage are saved; the status still says so
        raise FormcheckError(stats.truncation_reason)
    if stats.frames_with_pose == 0:
        raise FormcheckError(f"{args.clip}: no person was found in any frame")
    return 0
