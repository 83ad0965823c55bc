"""Clip review: decode → pose → engine, streamed, with optional annotated video and landmarks.

The one loop behind ``formcheck analyze``, the app's Review page and the
benchmarks, so all three measure and show the same thing. Frames flow
through one at a time; nothing but the engine's small per-frame series is
kept, so a long clip never sits in memory.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.engine import AnalysisResult, Engine
from formcheck.errors import FormcheckError
from formcheck.frame import PoseFrame
from formcheck.lmfile import LandmarkHeader, LandmarkWriter
from formcheck.pipeline import ClipPoses, ClipStats, ProgressCallback
from formcheck.pose import DEFAULT_MODEL, DEFAULT_ORIENTATION, PoseEstimator, model_label
from formcheck.specs import Spec
from formcheck.video import VideoWriter


class Cancelled(FormcheckError):
    """The user stopped a review part-way."""


@dataclass(frozen=True)
class Review:
    """What a clip review produced."""

    result: AnalysisResult
    stats: ClipStats
    annotated: Path | None
    landmarks: Path | None

    @property
    def warnings(self) -> tuple[str, ...]:
        """Things the user should know about the input (e.g. the clip was cut short), then
        the engine's own warnings (`AnalysisResult.warnings`)."""
        notes = []
        if self.stats.truncated:
            notes.append(self.stats.truncation_reason)
        if self.stats.frames and self.stats.frames_with_pose == 0:
            notes.append("no person was found in any frame")
        if self.picture_advice:
            notes.append(self.picture_advice)
        if self.stats.people >= 2:
            notes.append(people_note(self.stats.people, self.stats.followed))
        notes += self.result.warnings  # the engine's: no view, or movement but no rep
        return tuple(notes)

    @property
    def picture_advice(self) -> str | None:
        """What to change when the clip is too dark or grainy to analyse well, else None."""
        picture = self.stats.picture
        return picture.advice() if picture is not None else None


def sentence(phrase: str) -> str:
    """A warning phrase (`Review.warnings`, `Picture.advice`) as a sentence on its own.

    >>> sentence("the picture is very dark")
    'The picture is very dark.'
    """
    return f"{phrase[:1].upper()}{phrase[1:]}."


def people_note(people: int, followed: str) -> str:
    """What to say when others were in view too.

    >>> people_note(2, "at the top of the picture").split(",")[0]
    '2 people were in view: formcheck followed the person at the top of the picture'
    """
    others = "the other" if people == 2 else "the others"
    return (
        f"{people} people were in view: formcheck followed the person {followed}, where it "
        f"first found someone, and left {others} out (while that person was away, nothing "
        "was counted)"
    )


def _draw(rgb: np.ndarray, frame: PoseFrame, engine: Engine) -> np.ndarray:
    # Imported when drawing is asked for: OpenCV drawing is not needed otherwise.
    from formcheck.annotate import draw_state

    return draw_state(rgb, frame, engine.snapshot(), engine.spec.display_name)


def review_clip(
    path: str | os.PathLike[str],
    spec: Spec,
    *,
    side: str = "auto",
    model: str = DEFAULT_MODEL,
    orientation: str = DEFAULT_ORIENTATION,
    stride: int = 1,
    annotate_to: str | os.PathLike[str] | None = None,
    landmarks_to: str | os.PathLike[str] | None = None,
    progress: ProgressCallback | None = None,
    cancelled: Callable[[], bool] | None = None,
    estimator: PoseEstimator | None = None,
    engine_options: dict | None = None,
) -> Review:
    """Analyse a clip with ``spec`` and return the `Review`.

    Args:
        stride: run the pose model and engine on every ``stride``-th frame
            (fast review); skipped frames still go to the annotated video,
            drawn with the latest state, so it keeps the clip's length.
        annotate_to: write the clip with the engine's overlay (H.264 MP4).
        landmarks_to: write a landmark file of the analysed frames.
        progress: ``progress(done, total)`` after every frame.
        cancelled: polled every frame; when it returns True, the review stops
            with `Cancelled` and partial outputs are removed.
    """
    if stride < 1:
        raise ValueError(f"stride: expected an integer >= 1, got {stride!r}")
    clip = ClipPoses(
        path,
        model=model,
        orientation=orientation,
        progress=progress,
        estimator=estimator,
        stride=stride,
    )
    engine = Engine(spec, side, **(engine_options or {}))
    info = clip.info
    outputs: list[Path] = []
    try:
        with contextlib.ExitStack() as stack:  # closes the writers however the loop ends
            writer = lm_writer = None
            if annotate_to is not None:
                writer = stack.enter_context(
                    VideoWriter(annotate_to, info.fps, info.width // 2 * 2, info.height // 2 * 2)
                )
                outputs.append(Path(annotate_to))
            if landmarks_to is not None:
                header = LandmarkHeader(
                    fps=info.fps / stride,
                    width=info.width,
                    height=info.height,
                    source=Path(path).name,
                    model=model_label(model),
                )
                lm_writer = stack.enter_context(LandmarkWriter(landmarks_to, header))
                outputs.append(Path(landmarks_to))
            last = None
            for t, rgb, frame in clip.timed():
                if cancelled is not None and cancelled():
                    raise Cancelled("review cancelled; nothing was saved")
                if frame is not None:
                    engine.update(frame)
                    last = frame
                    if lm_writer is not None:
                        lm_writer.write(frame)
                if writer is not None and last is not None:
                    drawn = _draw(rgb, last, engine)
                    # The source time, so variable-rate clips keep their timing.
                    writer.write(drawn[: writer.height, : writer.width], t=t)
    except BaseException:
        for output in outputs:  # never leave a half-written file that looks complete
            output.unlink(missing_ok=True)
        raise
    assert clip.stats is not None  # set when iteration ends
    if clip.stats.frames == 0:
        raise FormcheckError(f"{Path(path).name}: no frames could be decoded")
    return Review(
        engine.result(),
        clip.stats,
        Path(annotate_to) if annotate_to else None,
        Path(landmarks_to) if landmarks_to else None,
    )
