"""PNG frames -> H.264 MP4 (yuv420p, faststart) that browsers play, with PyAV.

Optionally adds seeded Gaussian sensor noise (the "dim" lighting).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def encode_png_dir(
    frames_dir: Path, count: int, out: Path, fps: int, crf: int, noise_sigma: float, seed: int
) -> None:
    """Encode frame_00000.png ... into out (overwritten)."""
    rng = np.random.default_rng(seed + 7919)
    out.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(out), mode="w", options={"movflags": "+faststart"}) as container:
        stream = container.add_stream("libx264", rate=Fraction(fps, 1))
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": str(crf), "preset": "slow", "tune": "film"}
        for i in range(count):
            with av.open(str(frames_dir / f"frame_{i:05d}.png")) as png:
                rgb = next(png.decode(video=0)).to_ndarray(format="rgb24")
            if i == 0:
                stream.width, stream.height = rgb.shape[1], rgb.shape[0]
            if noise_sigma > 0:
                noisy = rgb.astype(np.float32) + rng.normal(0.0, noise_sigma, rgb.shape)
                rgb = np.clip(noisy, 0, 255).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
