"""Reviews one clip the way the app does and prints what it saw, with its peak memory.

Run by ``test_long_review.py`` in a fresh process per clip, so each peak
(``VmHWM``, the process's own high-water mark of resident memory) belongs
to one review alone::

    python -m tests.ui.long_review_probe CLIP FPS
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def main(argv: list[str]) -> int:
    from formcheck.specs import find_spec, load_specs
    from formcheck.ui.reviewing import ClipInput, run_review
    from tests.factories import CyclingPoses

    clip, fps = Path(argv[0]), float(argv[1])
    seen = {"calls": 0, "last": None, "totals": set(), "monotonic": True}

    def progress(done: int, total: int) -> None:
        if seen["last"] is not None and done <= seen["last"][0]:
            seen["monotonic"] = False
        seen["calls"] += 1
        seen["last"] = (done, total)
        seen["totals"].add(total)

    estimator = CyclingPoses(fps)
    specs = load_specs()  # every exercise, as the page passes its library
    before = peak_rss_mb()
    outcome = run_review(
        ClipInput.from_upload(clip.name, clip.read_bytes()),
        find_spec("heel_slide"),
        model="lite",
        candidates=specs,
        progress=progress,
        estimator=estimator,
    )
    report = {
        "peak_before_mb": before,
        "peak_mb": peak_rss_mb(),
        "frames": outcome.stats.frames,
        "seconds_of_video": outcome.result.series.t[-1] if len(outcome.result.series.t) else 0,
        "cycle": len(estimator.cycle),
        "reps": outcome.result.reps,
        "partial_reps": outcome.result.partial_reps,
        "guess_reps": dict(outcome.guess.reps) if outcome.guess else None,
        "progress_calls": seen["calls"],
        "progress_last": seen["last"],
        "progress_totals": sorted(seen["totals"]),
        "progress_monotonic": seen["monotonic"],
        "kept": sorted(p.name for p in outcome.folder.path.iterdir()),
        "video_bytes": outcome.video.stat().st_size,
        "landmark_bytes": outcome.landmarks.stat().st_size,
    }
    outcome.discard()
    report["removed"] = not outcome.folder.path.exists()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
