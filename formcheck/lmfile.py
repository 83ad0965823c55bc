"""Landmark files: JSON Lines, one pose frame a line, to re-analyse clips without the model.

Format (version 1)::

    {"format": "formcheck-landmarks", "version": 1, "fps": 30.0, "width": 640, "height": 480,
     "source": "clip.mp4", "model": "full"}
    {"t": 0.033, "pose": [[x, y, z, visibility], ...33 rows] or null,
     "world": [[x, y, z], ...33 rows] or null}

``x, y`` are MediaPipe's normalised image coordinates, ``t`` is seconds from
the start, and ``world`` may be absent. Floats are written with Python's
shortest round-tripping repr, so write → read → write is exact.

>>> import io
>>> buf = io.StringIO()
>>> header = LandmarkHeader(fps=30.0, width=640, height=480, source="clip.mp4", model="full")
>>> with LandmarkWriter(buf, header) as w:
...     w.write(PoseFrame.empty(t=0.0, width=640, height=480))
>>> buf.getvalue().splitlines()[1]
'{"t": 0.0, "pose": null, "world": null}'
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from formcheck.errors import LandmarkFileError
from formcheck.frame import PoseFrame
from formcheck.landmarks import COUNT

FORMAT = "formcheck-landmarks"
VERSION = 1
_FRAME_KEYS = {"t", "pose", "world"}


@dataclass(frozen=True)
class LandmarkHeader:
    """The first line of a landmark file: what the frames came from."""

    fps: float
    width: int
    height: int
    source: str = ""
    model: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.fps, bool) or not isinstance(self.fps, (int, float)):
            raise ValueError(f"fps: expected a positive number, got {self.fps!r}")
        if not (math.isfinite(self.fps) and self.fps > 0):
            raise ValueError(f"fps: expected a positive number, got {self.fps!r}")
        for name in ("width", "height"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"{name}: expected a positive integer, got {value!r}")
        for name in ("source", "model"):
            if not isinstance(getattr(self, name), str):
                raise ValueError(f"{name}: expected a string, got {getattr(self, name)!r}")
        object.__setattr__(self, "fps", float(self.fps))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "fps": self.fps,
            "width": self.width,
            "height": self.height,
            "source": self.source,
            "model": self.model,
        }


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed (numbers must be finite)")


def _loads(text: str) -> Any:
    # json accepts NaN and Infinity by default; a landmark file must not.
    return json.loads(text, parse_constant=_reject_constant)


def _rows(value: Any, columns: int, key: str) -> np.ndarray:
    shape = f"{COUNT} rows of {columns} numbers"
    if not isinstance(value, list) or len(value) != COUNT:
        got = f"{len(value)} rows" if isinstance(value, list) else type(value).__name__
        raise ValueError(f"{key}: expected {shape}, got {got}")
    for i, row in enumerate(value):
        if not isinstance(row, list) or len(row) != columns:
            got = f"{len(row)} numbers" if isinstance(row, list) else type(row).__name__
            raise ValueError(f"{key}[{i}]: expected {columns} numbers, got {got}")
        for number in row:
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                raise ValueError(f"{key}[{i}]: expected numbers, got {number!r}")
    return np.array(value, dtype=np.float64)


def parse_header(line: str) -> LandmarkHeader:
    """Parse and validate the first line of a landmark file."""
    try:
        data = _loads(line)
    except ValueError as exc:
        raise ValueError(f"not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object header, got {type(data).__name__}")
    if data.get("format") != FORMAT:
        raise ValueError(f'format: expected "{FORMAT}", got {data.get("format")!r}')
    if data.get("version") != VERSION:
        raise ValueError(f"version: expected {VERSION}, got {data.get('version')!r}")
    missing = [k for k in ("fps", "width", "height") if k not in data]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    return LandmarkHeader(
        fps=data["fps"],
        width=data["width"],
        height=data["height"],
        source=data.get("source", ""),
        model=data.get("model", ""),
    )


def parse_frame(line: str, header: LandmarkHeader) -> PoseFrame:
    """Parse one frame line into a `PoseFrame` (errors say which key is wrong)."""
    try:
        data = _loads(line)
    except ValueError as exc:
        raise ValueError(f"not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - _FRAME_KEYS)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r}; expected t, pose, world")
    t = data.get("t")
    if isinstance(t, bool) or not isinstance(t, (int, float)) or t < 0:
        raise ValueError(f"t: expected seconds >= 0, got {t!r}")
    if "pose" not in data:
        raise ValueError("pose: missing (use null when no person was found)")
    pose = data["pose"]
    world = data.get("world")
    image = None if pose is None else _rows(pose, 4, "pose")
    world_array = None if world is None else _rows(world, 3, "world")
    if image is None and world_array is not None:
        raise ValueError("world: expected null when pose is null")
    return PoseFrame(t=t, width=header.width, height=header.height, image=image, world=world_array)


class LandmarkReader:
    """Streams a landmark file: ``header`` at once, then frames on iteration.

    Errors are `LandmarkFileError` naming the file and line, e.g.
    ``lm.jsonl: line 7: pose: expected 33 rows of 4 numbers, got 32 rows``.
    Timestamps must not go backwards.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            self._file: IO[str] = self.path.open(encoding="utf-8")
        except FileNotFoundError:
            raise LandmarkFileError(f"{self.path}: no such file") from None
        except OSError as exc:
            raise LandmarkFileError(f"{self.path}: cannot be read ({exc.strerror})") from None
        try:
            first = self._file.readline()
        except UnicodeDecodeError:
            self.close()
            raise LandmarkFileError(f"{self.path}: line 1: not UTF-8 text") from None
        if not first.strip():
            self.close()
            raise LandmarkFileError(f"{self.path}: line 1: empty file, expected a header")
        try:
            self.header = parse_header(first)
        except ValueError as exc:
            self.close()
            raise LandmarkFileError(f"{self.path}: line 1: header: {exc}") from None

    def __iter__(self) -> Iterator[PoseFrame]:
        last_t = -math.inf
        for number, line in enumerate(self._file, start=2):
            if not line.strip():
                continue
            try:
                frame = parse_frame(line, self.header)
            except ValueError as exc:
                raise LandmarkFileError(f"{self.path}: line {number}: {exc}") from None
            if frame.t < last_t:
                raise LandmarkFileError(
                    f"{self.path}: line {number}: t: timestamps must not go backwards "
                    f"(got {frame.t} after {last_t})"
                )
            last_t = frame.t
            yield frame

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> LandmarkReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_landmarks(path: str | os.PathLike[str]) -> tuple[LandmarkHeader, Iterator[PoseFrame]]:
    """Open a landmark file: returns its header and a streaming iterator of frames.

    The file is closed when the iterator is exhausted.
    """
    reader = LandmarkReader(path)

    def frames() -> Iterator[PoseFrame]:
        with reader:
            yield from reader

    return reader.header, frames()


def _frame_line(frame: PoseFrame) -> str:
    record: dict[str, Any] = {
        "t": frame.t,
        "pose": None if frame.image is None else frame.image.tolist(),
        "world": None if frame.world is None else frame.world.tolist(),
    }
    return json.dumps(record, allow_nan=False)


class LandmarkWriter:
    """Writes a landmark file line by line (to a path or an open text stream)."""

    def __init__(self, target: str | os.PathLike[str] | IO[str], header: LandmarkHeader) -> None:
        self._owns = not hasattr(target, "write")
        if self._owns:  # closed in close(): the writer is itself the context manager
            self._file: IO[str] = Path(target).open("w", encoding="utf-8")  # noqa: SIM115
        else:
            self._file = target  # type: ignore[assignment]
        self.header = header
        self._file.write(json.dumps(header.to_dict()) + "\n")
        self.frames_written = 0

    def write(self, frame: PoseFrame) -> None:
        """Append one frame. Non-finite coordinates are refused (JSON has no NaN)."""
        try:
            line = _frame_line(frame)
        except ValueError:
            raise LandmarkFileError(
                f"frame at t={frame.t}: landmarks contain NaN or infinite values"
            ) from None
        self._file.write(line + "\n")
        self.frames_written += 1

    def close(self) -> None:
        if self._owns:
            self._file.close()
        else:
            self._file.flush()

    def __enter__(self) -> LandmarkWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
