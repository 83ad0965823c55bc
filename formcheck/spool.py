"""A pose-frame spool: frames written once to a binary file, then read back in passes.

For work that goes over a long clip's poses several times (the Review
page's exercise guess runs every candidate exercise over them) without
holding them in memory: a 30-minute clip has about 54,000 frames. A spool
keeps each frame exactly (float64), so every pass sees what the first did,
and reading it back is much cheaper than parsing a landmark file again.

>>> import os, tempfile
>>> from formcheck.frame import PoseFrame
>>> path = os.path.join(tempfile.mkdtemp(), "poses.spool")
>>> with SpoolWriter(path) as spool:
...     spool.write(PoseFrame.empty(t=0.5, width=64, height=48))
>>> [(f.t, f.has_pose) for f in read_spool(path)]
[(0.5, False)]
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from formcheck.frame import PoseFrame
from formcheck.landmarks import COUNT

_RECORD = np.dtype(
    [
        ("t", "<f8"),
        ("width", "<i4"),
        ("height", "<i4"),
        ("has_image", "?"),
        ("has_world", "?"),
        ("image", "<f8", (COUNT, 4)),
        ("world", "<f8", (COUNT, 3)),
    ]
)
#: Frames written or read in one go: a few hundred kilobytes, whatever the clip's length.
CHUNK = 256


class SpoolWriter:
    """Appends `PoseFrame`s to a spool file; a context manager that closes it."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._file = self.path.open("wb")
        self._buffer = np.zeros(CHUNK, _RECORD)
        self._used = 0
        self.frames_written = 0

    def write(self, frame: PoseFrame) -> None:
        """Add one frame."""
        record = self._buffer[self._used]
        record["t"], record["width"], record["height"] = frame.t, frame.width, frame.height
        record["has_image"] = frame.image is not None
        record["has_world"] = frame.world is not None
        record["image"] = frame.image if frame.image is not None else 0.0
        record["world"] = frame.world if frame.world is not None else 0.0
        self._used += 1
        self.frames_written += 1
        if self._used == CHUNK:
            self._flush()

    def _flush(self) -> None:
        self._buffer[: self._used].tofile(self._file)
        self._used = 0

    def close(self) -> None:
        """Write what is buffered and close the file; safe to call twice."""
        if self._file.closed:
            return
        try:
            self._flush()
        finally:
            self._file.close()

    def __enter__(self) -> SpoolWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_spool(path: str | os.PathLike[str]) -> Iterator[PoseFrame]:
    """The frames of a spool, in order, read a chunk at a time."""
    with Path(path).open("rb") as file:
        while True:
            chunk = np.fromfile(file, _RECORD, count=CHUNK)
            if len(chunk) == 0:
                return
            for record in chunk:
                yield PoseFrame(
                    t=float(record["t"]),
                    width=int(record["width"]),
                    height=int(record["height"]),
                    image=record["image"] if record["has_image"] else None,
                    world=record["world"] if record["has_world"] else None,
                )
