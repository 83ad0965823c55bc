"""Turn a clip into the y4m file Chromium's fake camera plays (now `formcheck.bench.fake_camera`,
which the browser benchmark shares)."""

from formcheck.bench.fake_camera import clip_to_y4m
from formcheck.bench.fake_camera import write_frame as _write

__all__ = ["_write", "clip_to_y4m"]
