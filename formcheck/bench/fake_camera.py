"""The y4m file Chromium's fake camera plays, optionally with each frame's number stamped in.

``chromium --use-file-for-fake-video-capture=clip.y4m`` plays a raw y4m as the
camera, looping at its end. `clip_to_y4m` writes one from any clip (PyAV, no
ffmpeg binary). With ``stamp=True`` each frame carries its number as a row of
black and white blocks in the top-right corner (`STAMP`), so a page can tell
which camera frame an annotated frame came from and time the round trip
(`formcheck.bench.live_browser`). The corner is empty background in the
bundled clips, and the annotation draws its labels on the left.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from formcheck.video import VideoReader


@dataclass(frozen=True)
class Stamp:
    """Where the frame number goes: ``bits`` blocks of ``block`` px, ``margin`` px from the
    top-right corner, most significant bit on the left; white is 1."""

    bits: int = 10
    block: int = 12
    margin: int = 4

    def box(self, width: int) -> tuple[int, int, int, int]:
        """``(x, y, w, h)`` of the stamp in a frame ``width`` pixels wide."""
        w = self.bits * self.block
        return width - self.margin - w, self.margin, w, self.block

    def draw(self, rgb: np.ndarray, number: int) -> np.ndarray:
        """A copy of ``rgb`` with ``number`` (modulo 2**bits) stamped in."""
        out = rgb.copy()
        x, y, _, _ = self.box(rgb.shape[1])
        for i in range(self.bits):
            bit = (number >> (self.bits - 1 - i)) & 1
            left = x + i * self.block
            out[y : y + self.block, left : left + self.block] = 255 if bit else 0
        return out

    def read(self, rgb: np.ndarray) -> int:
        """The number stamped in ``rgb`` (each block's centre, thresholded at mid-grey)."""
        x, y, _, _ = self.box(rgb.shape[1])
        c = self.block // 2
        number = 0
        for i in range(self.bits):
            patch = rgb[
                y + c - 2 : y + c + 2, x + i * self.block + c - 2 : x + i * self.block + c + 2
            ]
            number = number << 1 | int(patch.mean() > 128)
        return number


STAMP = Stamp()


def clip_to_y4m(
    clip: Path,
    out: Path,
    *,
    fps: int = 15,
    still_seconds: float = 3.0,
    max_size: int = 480,
    stamp: bool = False,
) -> tuple[Path, float]:
    """Write ``clip`` as raw 4:2:0 y4m at ``fps``, its last frame held ``still_seconds`` longer.

    Raw video is large (a 480x360 frame is 260 kB), so the clip is shrunk and
    resampled to ``fps`` by real timestamps. The held frame lets the last rep
    end and keeps the count steady before Chromium loops the file. With
    ``stamp`` every frame carries its number (`STAMP`). Returns the path and
    the y4m's duration in seconds.
    """
    import av  # PyAV: imported on first use, not at import

    with VideoReader(clip, max_size=max_size) as reader:
        info = reader.info
        container = av.open(str(out), "w", format="yuv4mpegpipe")
        stream = container.add_stream("rawvideo", rate=Fraction(fps))
        stream.width, stream.height = info.width // 2 * 2, info.height // 2 * 2
        stream.pix_fmt = "yuv420p"
        frames = 0

        def write(rgb: np.ndarray) -> None:
            nonlocal frames
            write_frame(container, stream, STAMP.draw(rgb, frames) if stamp else rgb)
            frames += 1

        last = None
        for frame in reader:
            last = np.ascontiguousarray(frame.rgb[: stream.height, : stream.width])
            while frames < frame.t * fps + 0.5:  # repeat or skip frames to keep real time
                write(last)
        for _ in range(round(still_seconds * fps)):
            write(last)
        for packet in stream.encode(None):
            container.mux(packet)
        container.close()
    return out, frames / fps


def write_frame(container, stream, rgb: np.ndarray) -> None:
    """Encode one ``(h, w, 3)`` RGB frame into a y4m ``stream`` of ``container`` (PyAV)."""
    import av

    frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
    for packet in stream.encode(frame):
        container.mux(packet)
