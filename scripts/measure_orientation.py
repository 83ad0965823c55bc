"""Measure whether rotating frames before inference steadies landmarks of a person lying down.

BlazePose's detector was trained mostly on upright people. For a body lying
horizontally, turning the frame a quarter turn makes the person "stand up"
in the image. This script runs the pose model over a clip at each
orientation and reports, per orientation: frames with a pose, mean visibility
of the lower-body landmarks, and jitter: the median absolute second difference
of each landmark's pixel track (px/frame², which is near zero for smooth true
motion and grows with frame-to-frame noise).

    python scripts/measure_orientation.py sample_videos/glute_bridge_side.mp4 --model full
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from formcheck.landmarks import index
from formcheck.pipeline import ClipPoses

POINTS = [f"{s}_{p}" for p in ("hip", "knee", "ankle", "heel") for s in ("left", "right")]


def measure(clip: str, model: str, orientation: str) -> dict[str, float]:
    run = ClipPoses(clip, model=model, orientation=orientation)
    tracks, vis = [], []
    for _, frame in run:
        if frame.has_pose:
            tracks.append(frame.pixels()[[index(p) for p in POINTS]])
            vis.append(frame.image[[index(p) for p in POINTS], 3])
    stats = run.stats
    row = {"frames": stats.frames, "with_pose": stats.frames_with_pose}
    if len(tracks) >= 3:
        xy = np.array(tracks)  # (frames, points, 2)
        accel = np.linalg.norm(np.diff(xy, n=2, axis=0), axis=2)  # (frames-2, points)
        row["visibility"] = float(np.mean(vis))
        row["jitter_px"] = float(np.median(accel))
        for side_pair in ("hip", "knee", "ankle", "heel"):
            cols = [i for i, p in enumerate(POINTS) if p.endswith(side_pair)]
            row[f"jitter_{side_pair}"] = float(np.median(accel[:, cols]))
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clip")
    parser.add_argument("--model", default="full")
    args = parser.parse_args(argv)
    columns = ["frames", "with_pose", "visibility", "jitter_px"]
    columns += [f"jitter_{p}" for p in ("hip", "knee", "ankle", "heel")]
    print("| orientation | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for orientation in ("0", "90", "270"):
        row = measure(args.clip, args.model, orientation)
        cells = [
            f"{row[c]:.3f}" if isinstance(row.get(c), float) else str(row.get(c, "-"))
            for c in columns
        ]
        print(f"| {orientation} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
