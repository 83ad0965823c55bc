"""Peak memory of a clip review, for a short and a long clip.

Each review runs in a fresh Python process so its peak resident set size is
its own. The child reads its peak from ``VmHWM`` in ``/proc/self/status``:
Linux keeps ``ru_maxrss`` across ``exec``, so a child started by a large
parent (the benchmark holds a decoded clip and two models) would report the
parent's peak instead of its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from formcheck.video import VideoReader, VideoWriter

_CHILD = """
import json, sys
from formcheck.review import review_clip
from formcheck.specs import load_spec
review = review_clip(sys.argv[1], load_spec(sys.argv[2]), model=sys.argv[3])
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"frames": review.stats.frames, "reps": review.result.reps,
                  "maxrss_kb": peak_kb}))
"""


def looped_clip(source: Path, seconds: float, out: Path) -> Path:
    """Write ``source`` repeated until it lasts ``seconds`` (timestamps run on), as H.264."""
    if out.exists():
        return out
    with VideoReader(source) as reader:
        info = reader.info
        frames = [f.rgb for f in reader]
    total = round(seconds * info.fps)
    partial = out.with_suffix(".partial.mp4")
    with VideoWriter(partial, info.fps, info.width, info.height, preset="ultrafast") as writer:
        for i in range(total):
            # Play forwards then backwards so the loop has no jump cut.
            cycle = i % (2 * len(frames) - 2)
            writer.write(frames[cycle if cycle < len(frames) else 2 * len(frames) - 2 - cycle])
    partial.rename(out)
    return out


def peak_rss(clip: Path, spec_path: Path, model: str) -> dict:
    """Review ``clip`` in a child process; returns frames, reps and its peak RSS in MB."""
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(clip), str(spec_path), model],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"memory run failed: {proc.stderr.strip().splitlines()[-1:]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    data["peak_mb"] = data.pop("maxrss_kb") / 1024
    return data
