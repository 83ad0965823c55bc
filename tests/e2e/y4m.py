"""Turn a clip into the y4m file Chromium's fake camera plays (PyAV, no ffmpeg binary)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av

from formcheck.video import VideoReader


def clip_to_y4m(
    clip: Path, out: Path, *, fps: int = 15, still_seconds: float = 3.0, max_size: int = 480
) -> tuple[Path, float]:
    """Write ``clip`` as raw 4:2:0 y4m at ``fps``, its last frame held ``still_seconds`` longer.

    Raw video is large (a 480x360 frame is 260 kB), so the clip is shrunk and
    resampled to ``fps`` by real timestamps. The held frame lets the last rep
    end and keeps the count steady before Chromium loops the file. Returns
    the path and the y4m's duration in seconds.
    """
    with VideoReader(clip, max_size=max_size) as reader:
        info = reader.info
        container = av.open(str(out), "w", format="yuv4mpegpipe")
        stream = container.add_stream("rawvideo", rate=Fraction(fps))
        stream.width, stream.height = info.width // 2 * 2, info.height // 2 * 2
        stream.pix_fmt = "yuv420p"
        frames = 0
        last = None
        for frame in reader:
            last = frame.rgb[: stream.height, : stream.width]
            while frames < frame.t * fps + 0.5:  # repeat or skip frames to keep real time
                _write(container, stream, last)
                frames += 1
        for _ in range(round(still_seconds * fps)):
            _write(container, stream, last)
            frames += 1
        for packet in stream.encode(None):
            container.mux(packet)
        container.close()
    return out, frames / fps


def _write(container, stream, rgb) -> None:
    frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
    for packet in stream.encode(frame):
        container.mux(packet)
