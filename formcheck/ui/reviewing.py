"""Running a clip review for the app: temp files, outputs as files, the exercise guess, cancel.

Streamlit-free (the page passes its callbacks), so it is tested directly.
Each review gets a private temporary folder (`formcheck.scratch`). Uploaded
bytes are written there under a fixed name (the uploaded file's name never
decides a path on disk) and deleted once the clip is reviewed; the
annotated video and the landmark file stay there, as files, for as long as
the page keeps the `ReviewOutcome`. A review that fails or is cancelled
leaves nothing behind.

Example::

    clip = ClipInput.from_upload("my slides.mov", data)
    outcome = run_review(clip, spec, side="auto", model="full")
    outcome.result.reps, outcome.video.stat().st_size
    outcome.discard()  # its files are gone
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from formcheck.engine import AnalysisResult
from formcheck.errors import FormcheckError
from formcheck.lmfile import read_landmarks
from formcheck.pipeline import ClipStats, ProgressCallback
from formcheck.pose import PoseEstimator
from formcheck.review import review_clip, sentence
from formcheck.scratch import REVIEW_PREFIX, ScratchFolder
from formcheck.specs import Spec
from formcheck.spool import SpoolWriter, read_spool
from formcheck.ui.library import Guess, guess_exercise

UPLOAD_TYPES = ("mp4", "mov", "webm", "avi")


class NoPersonError(FormcheckError):
    """Nobody was found in any frame of the clip."""


@dataclass(frozen=True, eq=False)
class ClipInput:
    """A clip to review: a bundled file (``path``) or uploaded bytes (``data``).

    ``label`` is what the user sees; ``key`` identifies the content for caching.
    """

    label: str
    key: str
    path: Path | None = None
    data: bytes | None = None

    @classmethod
    def from_path(cls, path: Path) -> ClipInput:
        """A clip on disk (a bundled sample); its key changes when the file does."""
        stat = path.stat()
        return cls(label=path.name, key=f"{path}:{stat.st_size}:{stat.st_mtime_ns}", path=path)

    @classmethod
    def from_upload(cls, name: str, data: bytes) -> ClipInput:
        """Uploaded bytes; the key is their SHA-256, so the same clip is never analysed twice."""
        return cls(
            label=Path(name).name or "upload", key=hashlib.sha256(data).hexdigest(), data=data
        )

    @contextlib.contextmanager
    def on_disk(self, folder: Path) -> Iterator[Path]:
        """The clip as a file: the sample itself, or the bytes written into ``folder``.

        The written copy is deleted on leaving the context.
        """
        if self.path is not None:
            yield self.path
            return
        suffix = Path(self.label).suffix.lower().lstrip(".")
        # FFmpeg probes the content, so the ending is only a hint; an unknown one becomes .mp4.
        target = folder / f"clip.{suffix if suffix in UPLOAD_TYPES else 'mp4'}"
        try:
            target.write_bytes(self.data or b"")
            yield target
        finally:  # a copy of the upload is needed only while it is decoded
            target.unlink(missing_ok=True)


@dataclass(frozen=True, eq=False)
class ReviewOutcome:
    """A finished review: the result, the clip's stats, and the downloads as files.

    ``video`` and ``landmarks`` are in the review's private temporary
    folder, which lives as long as this outcome: `discard` removes it (the
    page does when the outcome leaves its store), and so does garbage
    collection or the app's exit. ``key`` identifies what was reviewed how
    (`review_key`).
    """

    key: str
    clip: str
    spec: Spec
    side: str
    model: str
    result: AnalysisResult
    stats: ClipStats
    video: Path
    landmarks: Path
    warnings: tuple[str, ...]
    guess: Guess | None
    folder: ScratchFolder = field(repr=False)

    def discard(self) -> None:
        """Remove the outcome's files; safe to call twice."""
        self.folder.remove()


class ReviewRun:
    """A review under way in one browser session, which another script run can cancel.

    The page's *Cancel* button calls `cancel` from the script run its click
    starts, while the review's own run may still be between frames; the
    review polls `is_cancelled` every frame and calls `finish` once its
    temporary files are gone, which `wait` waits for. ``done`` and ``total``
    are the frames reviewed so far (`progress` keeps them).
    """

    def __init__(self, key: str) -> None:
        self.key = key
        self.done = self.total = 0
        self._cancel = threading.Event()
        self._finished = threading.Event()

    def progress(self, done: int, total: int) -> None:
        """Record how far the review got (a `ProgressCallback`)."""
        self.done, self.total = done, total

    def cancel(self) -> None:
        """Ask the review to stop at its next frame."""
        self._cancel.set()

    def is_cancelled(self) -> bool:
        """True once `cancel` was called (the review's ``cancelled`` hook)."""
        return self._cancel.is_set()

    def finish(self) -> None:
        """Say the review has ended, however it ended, and left nothing behind."""
        self._finished.set()

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for `finish`; True if it came."""
        return self._finished.wait(timeout)


def review_key(clip: ClipInput, spec: Spec, side: str, model: str) -> str:
    """A digest of the clip's content and every setting that changes the analysis."""
    text = "\n".join((clip.key, repr(spec), side, model))
    return hashlib.sha256(text.encode()).hexdigest()


def run_review(
    clip: ClipInput,
    spec: Spec,
    *,
    side: str = "auto",
    model: str = "full",
    progress: ProgressCallback | None = None,
    candidates: Mapping[str, Spec] | None = None,
    cancelled: Callable[[], bool] | None = None,
    checking: ProgressCallback | None = None,
    estimator: PoseEstimator | None = None,
) -> ReviewOutcome:
    """Review ``clip`` with ``spec``; with ``candidates``, also guess the exercise from the motion.

    Memory does not grow with the clip's length beyond the engine's small
    per-frame series: frames are streamed, the outputs stay on disk in the
    review's private folder (`ReviewOutcome.folder`), and the guess reads
    the poses back from a spool file, one candidate at a time.

    Args:
        progress: ``progress(done, total)`` after every frame of the review.
        cancelled: polled every frame, of the review and of the guess; when
            it returns True the review stops with `Cancelled`.
        checking: ``checking(done, total)`` while the candidates are run
            over the poses after the review (``total`` counts every
            candidate's pass over every frame).
        estimator: a stand-in for the pose model (tests); by default each
            review makes its own.

    Raises a `FormcheckError` with a message fit for the page: the clip
    can't be read (`VideoError`), nobody is in it (`NoPersonError`), the
    review was cancelled (`formcheck.review.Cancelled`). Whenever it raises,
    the review's private folder and everything in it are removed.
    """
    folder = ScratchFolder(REVIEW_PREFIX)
    video, landmarks = folder.path / "annotated.mp4", folder.path / "landmarks.jsonl"
    try:
        with clip.on_disk(folder.path) as path:
            try:
                review = review_clip(
                    path,
                    spec,
                    side=side,
                    model=model,
                    annotate_to=video,
                    landmarks_to=landmarks,
                    progress=progress,
                    cancelled=cancelled,
                    estimator=estimator,
                )
            except FormcheckError as exc:
                # Messages name the file: show the user's name for it, not our temp path.
                message = str(exc).replace(str(path), clip.label).replace(path.name, clip.label)
                raise type(exc)(message) from None
        if review.stats.frames_with_pose == 0:
            advice = review.picture_advice
            hint = (
                sentence(advice)
                if advice
                else "Film the whole body, lit from the front, with the camera held still."
            )
            raise NoPersonError(
                f"{clip.label}: no person was found in any of its {review.stats.frames} "
                f"frames. {hint}"
            )
        guess = None
        if candidates and len([s for s in candidates.values() if s.judgeable]) > 1:
            guess = _guess(folder.path, landmarks, candidates, checking, cancelled)
    except BaseException:  # failed, cancelled, or the page's script was stopped
        folder.remove()
        raise
    return ReviewOutcome(
        key=review_key(clip, spec, side, model),
        clip=clip.label,
        spec=spec,
        side=side,
        model=model,
        result=review.result,
        stats=review.stats,
        video=video,
        landmarks=landmarks,
        warnings=tuple(w.replace(path.name, clip.label) for w in review.warnings),
        guess=guess,
        folder=folder,
    )


def _guess(
    folder: Path,
    landmarks: Path,
    candidates: Mapping[str, Spec],
    checking: ProgressCallback | None,
    cancelled: Callable[[], bool] | None,
) -> Guess:
    # The landmark file is parsed once into a binary spool that each candidate reads
    # back: never a list of every frame (a 30-minute clip holds about 54,000).
    spool = folder / "poses.spool"
    try:
        _, frames = read_landmarks(landmarks)
        with SpoolWriter(spool) as writer:
            for frame in frames:
                writer.write(frame)
        return guess_exercise(
            lambda: read_spool(spool),
            candidates,
            frame_count=writer.frames_written,
            progress=checking,
            cancelled=cancelled,
        )
    finally:
        spool.unlink(missing_ok=True)
