"""Clip → pose frames: decoding and pose estimation, streamed, with progress.

This glues two adapters (`video` and `pose`) together and nothing more; the
engine consumes the `PoseFrame`s it yields exactly as it consumes live ones.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from formcheck.frame import PoseFrame
from formcheck.picture import Picture, PictureMeter
from formcheck.pose import DEFAULT_MODEL, DEFAULT_ORIENTATION, PoseEstimator, people_in_view
from formcheck.video import VideoInfo, VideoReader

#: Frames larger than this on their long side are downscaled before inference.
#: BlazePose sees 256x256 crops, so a 4K frame gains nothing but cost and memory.
DEFAULT_MAX_SIZE = 1280

T = TypeVar("T")

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(frames_done, frames_expected)``; ``frames_expected`` may be 0 (unknown)."""


@dataclass(frozen=True)
class ClipStats:
    """What a finished pass over a clip saw."""

    frames: int
    frames_with_pose: int
    frames_analysed: int  # frames that went through the pose model (all, unless strided)
    seconds: float
    truncated: bool
    truncation_reason: str
    picture: Picture | None = None  # how dark and grainy the clip is (sampled each second)
    people: int = 0  # the most people seen at once (counted every few seconds)
    followed: str = ""  # where the person followed was, when others were in view too

    @property
    def fps(self) -> float:
        """Frames processed per wall-clock second."""
        return self.frames / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        """One line for the terminal, e.g. ``91 frames, 91 with a pose, 58.3 fps``."""
        return f"{self.frames} frames, {self.frames_with_pose} with a pose, {self.fps:.1f} fps"


class ClipPoses:
    """Iterates ``(rgb, PoseFrame)`` over a clip; ``stats`` is set when iteration ends.

    With ``stride`` > 1 only every ``stride``-th frame goes through the pose
    model; the others are yielded as ``(rgb, None)`` (fast review).

    Example::

        run = ClipPoses("clip.mp4", model="full")
        for rgb, frame in run:
            ...
        print(run.stats.summary())
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        model: str = DEFAULT_MODEL,
        orientation: str = DEFAULT_ORIENTATION,
        progress: ProgressCallback | None = None,
        max_size: int | None = DEFAULT_MAX_SIZE,
        estimator: PoseEstimator | None = None,
        stride: int = 1,
    ) -> None:
        if stride < 1:
            raise ValueError(f"stride: expected an integer >= 1, got {stride!r}")
        self._stride = stride
        # Open the clip first: a bad file should fail before the model loads.
        self._reader = VideoReader(path, max_size=max_size)
        self.info: VideoInfo = self._reader.info
        self._model, self._orientation = model, orientation
        self._estimator = estimator
        self._progress = progress
        self.stats: ClipStats | None = None

    def __iter__(self) -> Iterator[tuple[np.ndarray, PoseFrame | None]]:
        for _, rgb, pose in self.timed():
            yield rgb, pose

    def timed(self) -> Iterator[tuple[float, np.ndarray, PoseFrame | None]]:
        """Like iterating, with each frame's time (seconds) first, skipped frames included."""
        owns = self._estimator is None
        estimator = self._estimator or PoseEstimator(self._model, orientation=self._orientation)
        started = time.perf_counter()
        frames = with_pose = analysed = 0
        expected = self.info.frame_count
        meter = PictureMeter()
        try:
            with self._reader:
                for video_frame in prefetched(self._reader):
                    pose = None
                    if video_frame.index % self._stride == 0:
                        pose = estimator.process(video_frame.rgb, video_frame.t)
                        with_pose += pose.has_pose
                        analysed += 1
                    frames += 1
                    meter.offer(video_frame.rgb, video_frame.t)
                    if self._progress is not None:
                        self._progress(frames, max(expected, frames))
                    yield video_frame.t, video_frame.rgb, pose
        finally:
            if owns:
                estimator.close()
            people, followed = people_in_view(estimator)
            self.stats = ClipStats(
                frames=frames,
                frames_with_pose=with_pose,
                frames_analysed=analysed,
                seconds=time.perf_counter() - started,
                truncated=self._reader.truncated,
                truncation_reason=self._reader.truncation_reason,
                picture=meter.picture(),
                people=people,
                followed=followed,
            )


_DONE = object()


def prefetched(frames: Iterable[T], depth: int = 4) -> Iterator[T]:
    """Iterate ``frames`` on a background thread, at most ``depth`` items ahead.

    Decoding and colour conversion (FFmpeg, which releases the GIL) then run
    while the pose model works on the previous frame, instead of between
    frames. At most ``depth`` decoded frames wait in memory. An exception in
    the producer is re-raised here; closing this iterator early (a cancelled
    review) stops the producer.

    >>> list(prefetched(range(5)))
    [0, 1, 2, 3, 4]
    """
    buffer: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in frames:
                while not stop.is_set():
                    try:
                        buffer.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            buffer.put(_DONE)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            buffer.put(exc)

    worker = threading.Thread(target=produce, name="formcheck-decode", daemon=True)
    worker.start()
    try:
        while True:
            item = buffer.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full buffer
            try:
                buffer.get_nowait()
            except queue.Empty:
                worker.join(timeout=0.05)


def terminal_progress(description: str) -> tuple[ProgressCallback | None, Callable[[], None]]:
    """A tqdm progress callback when stderr is a terminal, else none.

    Returns ``(callback, close)``; call ``close()`` when done.
    """
    if not sys.stderr.isatty():
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(desc=description, unit="frame", leave=False, dynamic_ncols=True)

    def update(done: int, total: int) -> None:
        if total and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    return update, bar.close
