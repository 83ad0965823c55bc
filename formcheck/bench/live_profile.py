"""Where a live frame's time goes on the server, stage by stage, in one process.

The server's share of the browser path (`formcheck.bench.live_browser`) is
replayed here with the same code it runs: aiortc's VP8 decoder for the frame
the browser sent (encoded first with aiortc's VP8 encoder, as Chromium would),
the conversion to RGB, `PoseEstimator.process`, `Engine.update`, the drawing,
the conversion back and aiortc's VP8 encoder for the frame sent back. Each
stage is timed on its own, per frame; the transport and the browser's share
is what glass-to-glass latency leaves over.

Run: ``python -m formcheck.bench.live_profile [clip] [--model full]``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from formcheck.bench.speed import Decoded
from formcheck.engine import Engine
from formcheck.pose import PoseEstimator
from formcheck.specs import Spec

#: The stages of a live frame on the server, in order; ``resend`` is the cost of each
#: camera frame that is not analysed: the last analysed frame is encoded again.
STAGES = ("decode", "to_rgb", "inference", "engine", "draw", "from_rgb", "encode", "resend")


@dataclass(frozen=True)
class Profile:
    """Milliseconds per frame for each of `STAGES` (one array per stage, frame by frame):
    ``ms`` on the wall clock, ``cpu_ms`` of CPU time (every thread of the process, so the
    model's own threads too): on a shared machine the wall clock includes the time other
    programs had the cores, the CPU time does not."""

    ms: dict[str, np.ndarray]
    cpu_ms: dict[str, np.ndarray]

    def median(self, stage: str) -> float:
        return float(np.median(self.ms[stage]))

    def cpu(self, stage: str) -> float:
        """Mean CPU ms per frame of ``stage`` (a mean: CPU time is counted in ticks)."""
        return float(np.mean(self.cpu_ms[stage]))

    @property
    def cpu_total(self) -> float:
        """CPU ms per analysed frame (the resend left out)."""
        return sum(self.cpu(s) for s in STAGES[:-1])

    @property
    def total(self) -> float:
        """The median analysed frame's server time, ms (sum of the stages' medians, the
        resend left out)."""
        return sum(self.median(s) for s in STAGES[:-1])

    def lines(self) -> list[str]:
        """``stage: wall ms (share), CPU ms (share)``, one per stage, and the totals."""
        total, cpu = self.total, self.cpu_total
        out = [
            f"{s}: {self.median(s):.1f} ms wall ({self.median(s) / total:.0%}), "
            f"{self.cpu(s):.1f} ms CPU ({self.cpu(s) / cpu:.0%})"
            for s in STAGES
        ]
        return [*out, f"total: {total:.1f} ms wall, {cpu:.1f} ms CPU per analysed frame"]


def profile(decoded: Decoded, spec: Spec, model: str, *, frames: int | None = None) -> Profile:
    """Time each stage of the server's live path over ``decoded``'s frames (the model is
    loaded, and the codecs warmed on a first frame, before the clock starts)."""
    import av
    from aiortc.codecs.vpx import Vp8Decoder, Vp8Encoder, vp8_depayload
    from aiortc.jitterbuffer import JitterFrame

    from formcheck.live import default_draw
    from formcheck.ui.webcam import to_video_frame

    browser, server_out, server_in = Vp8Encoder(), Vp8Encoder(), Vp8Decoder()
    engine = Engine(spec, "auto")
    times = {s: [] for s in STAGES}
    cpu_times = {s: [] for s in STAGES}
    pairs = list(zip(decoded.times, decoded.frames, strict=True))[:frames]
    with PoseEstimator(model) as estimator:
        for i, (t, rgb) in enumerate(pairs):
            sent = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            sent.pts, sent.time_base = i, Fraction(1, 30)
            payloads, stamp = browser.encode(sent, force_keyframe=i == 0)
            data = b"".join(vp8_depayload(p) for p in payloads)
            clock, cpu = time.perf_counter(), time.process_time()

            def lap(stage: str) -> None:
                nonlocal clock, cpu
                now, used = time.perf_counter(), time.process_time()
                times[stage].append((now - clock) * 1000)
                cpu_times[stage].append((used - cpu) * 1000)
                clock, cpu = now, used

            (frame,) = server_in.decode(JitterFrame(data, stamp))
            lap("decode")
            array = frame.to_ndarray(format="rgb24")
            lap("to_rgb")
            pose = estimator.process(array, t)
            lap("inference")
            engine.update(pose)
            snapshot = engine.snapshot()
            lap("engine")
            shown = default_draw(array, pose, snapshot, spec)
            lap("draw")
            out = to_video_frame(shown)  # as the app's WebRTC adapter sends it
            out.pts, out.time_base = 2 * i, Fraction(1, 60)
            lap("from_rgb")
            server_out.encode(out)
            lap("encode")
            out.pts = 2 * i + 1  # the same picture, sent again with the next camera frame
            server_out.encode(out)
            lap("resend")
    # The first frame warms the codecs and the model up.
    return Profile(
        {s: np.array(v[1:]) for s, v in times.items()},
        {s: np.array(v[1:]) for s, v in cpu_times.items()},
    )


def main(argv: list[str] | None = None) -> int:
    """Print the profile of a clip (default: the fake camera's clip)."""
    import argparse
    from pathlib import Path

    from formcheck.specs import load_specs
    from formcheck.ui.common import samples_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "clip", nargs="?", type=Path, default=samples_dir() / "heel_slide_left_side.mp4"
    )
    parser.add_argument("--model", default="full")
    parser.add_argument("--exercise", default="heel_slide")
    parser.add_argument("--frames", type=int)
    args = parser.parse_args(argv)
    decoded = Decoded.load(args.clip)
    found = profile(decoded, load_specs()[args.exercise], args.model, frames=args.frames)
    print("\n".join(found.lines()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
