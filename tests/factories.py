"""Small factories that build domain objects and media files for tests."""

from __future__ import annotations

import sqlite3
import threading
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from formcheck.frame import PoseFrame
from formcheck.landmarks import index
from formcheck.lmfile import LandmarkHeader, LandmarkWriter
from formcheck.simulate import simulate
from formcheck.video import VideoWriter


def make_frame(t: float = 0.0, seed: int = 0, world: bool = True) -> PoseFrame:
    """A frame with random but valid landmarks (for I/O tests, not geometry)."""
    rng = np.random.default_rng(seed)
    image = np.column_stack([rng.random((33, 2)), rng.normal(0, 0.1, 33), rng.random(33)])
    return PoseFrame(
        t=t,
        width=640,
        height=480,
        image=image,
        world=rng.normal(0, 0.3, (33, 3)) if world else None,
    )


def write_landmarks(path: Path, frames, header: LandmarkHeader | None = None) -> Path:
    """Write ``frames`` to a landmark file at ``path`` (a 30 fps, 640x480 header by default)."""
    header = header or LandmarkHeader(fps=30.0, width=640, height=480, source="sim", model="sim")
    with LandmarkWriter(path, header) as writer:
        for frame in frames:
            writer.write(frame)
    return path


def pattern(i: int, width: int = 64, height: int = 48) -> np.ndarray:
    """A frame whose top-left block marks orientation and whose brightness encodes ``i``."""
    img = np.full((height, width, 3), (i * 7) % 200, np.uint8)
    img[: height // 4, : width // 3] = (255, 0, 0)
    return img


def write_clip(
    path: Path,
    frames: int = 10,
    fps: float = 30.0,
    size: tuple[int, int] = (64, 48),
    codec: str = "libx264",
    times: list[float] | None = None,
    rotation: int = 0,
    audio: bool = False,
) -> Path:
    """Encode a small synthetic clip; ``times`` gives real (variable) timestamps."""
    container = av.open(str(path), "w")
    stream = container.add_stream(codec, rate=Fraction(fps).limit_denominator(1001))
    stream.width, stream.height = size
    stream.pix_fmt = "yuv420p"
    if rotation:
        stream.set_display_rotation(rotation)
    time_base = Fraction(1, 1000)  # MPEG-4 part 2 refuses finer time bases
    if times:
        stream.codec_context.time_base = time_base
    for i in range(frames):
        frame = av.VideoFrame.from_ndarray(pattern(i, *size), format="rgb24")
        if times:  # otherwise PyAV spaces frames at `fps` itself (AVI can only do that)
            frame.pts, frame.time_base = round(times[i] / time_base), time_base
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)
    container.close()
    return path


def write_audio_only(path: Path, seconds: float = 0.5) -> Path:
    """An .mp4 holding only an AAC audio track."""
    container = av.open(str(path), "w")
    stream = container.add_stream("aac", rate=44100)
    samples = int(44100 * seconds)
    pcm = (np.sin(np.arange(samples) / 20) * 8000).astype(np.int16).reshape(1, -1)
    frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
    frame.sample_rate = 44100
    for packet in stream.encode(frame):
        container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)
    container.close()
    return path


class PausedWriter(VideoWriter):
    """A real `VideoWriter` whose encoder thread waits for `resume`: an encoder falling behind."""

    def __init__(self, *args, **kwargs) -> None:
        self._go = threading.Event()  # before the encoder thread starts
        super().__init__(*args, **kwargs)

    def _encode_loop(self) -> None:
        self._go.wait()
        super()._encode_loop()

    def resume(self) -> None:
        self._go.set()

    def close(self) -> None:
        self.resume()
        super().close()


class ReplayPoses:
    """Stands in for the pose model: hands out the given frames (e.g. simulated), one per call."""

    def __init__(self, frames) -> None:
        self.frames = iter(frames)
        self.closed = False

    def process(self, rgb: np.ndarray, t: float) -> PoseFrame:
        return next(self.frames)

    def close(self) -> None:
        self.closed = True


class CyclingPoses:
    """Stands in for the pose model: replays simulated heel slides, over and over.

    A cheap, deterministic pose source for clips of any length: frame ``i``
    of the clip gets pose ``i`` modulo the cycle, re-timed to the frame's own
    time. Each cycle (``reps`` reps, from rest to rest, at ``fps``) is counted
    by the engine, so a clip of ``n`` frames at ``fps`` holds
    ``n // len(cycle) * reps`` full reps, plus those of the last, partial cycle.
    Its memory is one cycle's poses, whatever the clip's length.
    """

    def __init__(self, fps: float, reps: int = 2, seed: int = 3) -> None:
        from formcheck.simulate import simulate

        sim = simulate("heel_slide", reps=reps, side="left", view="end_on", fps=fps, seed=seed)
        self.cycle = sim.frames
        self.calls = 0
        self.closed = False

    def process(self, rgb: np.ndarray, t: float) -> PoseFrame:
        pose = self.cycle[self.calls % len(self.cycle)]
        self.calls += 1
        return PoseFrame(
            t=t, width=pose.width, height=pose.height, image=pose.image, world=pose.world
        )

    def close(self) -> None:
        self.closed = True


def long_clip(path: Path, minutes: float = 30.0, fps: float = 5.0) -> Path:
    """A clip of ``minutes`` at ``fps`` and 160x120: long in time, cheap to make and decode.

    Thirty minutes take about 5 s to encode and 0.6 MB on disk.
    """
    return write_clip(path, frames=round(minutes * 60 * fps), fps=fps, size=(160, 120))


class HeldLock:
    """Another program writing to a SQLite file and not finishing, until `release`."""

    def __init__(self, path):
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("BEGIN IMMEDIATE")

    def release(self):
        """Let go of the lock (safe to call twice)."""
        if self.conn is not None:
            self.conn.execute("ROLLBACK")
            self.conn.close()
            self.conn = None


def mirrored_heel_slide(lead: float, frac: float) -> list[PoseFrame]:
    """Three left heel slides (side view) whose resting right leg seems to follow them, as
    MediaPipe confusing the legs makes it: the right knee, ankle, heel and toe come from
    a heel slide through ``frac`` of a rep, started ``lead`` - 1.5 s after the left's
    (1.5: together; less: ahead)."""
    left = simulate("heel_slide", reps=3, side="left", view="side", seed=3, camera_side="left")
    right = simulate(
        "heel_slide",
        reps=3,
        side="right",
        view="side",
        seed=3,
        camera_side="left",
        range_frac=frac,
        lead_in=lead,
        lead_out=max(0.5, 2.5 - lead),
    )
    leg = [index(f"right_{part}") for part in ("knee", "ankle", "heel", "foot_index")]
    frames = []
    for a, b in zip(left.frames, right.frames, strict=False):
        image, world = a.image.copy(), a.world.copy()
        image[leg], world[leg] = b.image[leg], b.world[leg]
        frames.append(PoseFrame(a.t, a.width, a.height, image, world))
    return frames
