"""Running a clip review for the app: temp files, outputs as bytes, the exercise guess.

Streamlit-free (the page passes a progress callback), so it is tested
directly. Uploaded bytes go to a private temporary folder under a fixed
name: the uploaded file's name never decides a path on disk. The folder and
everything in it are removed when the review ends, whether it worked or not.

Example::

    clip = ClipInput.from_upload("my slides.mov", data)
    outcome = run_review(clip, spec, side="auto", model="full")
    outcome.result.reps, len(outcome.video)
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from formcheck.engine import AnalysisResult
from formcheck.errors import FormcheckError
from formcheck.lmfile import read_landmarks
from formcheck.pipeline import ClipStats, ProgressCallback
from formcheck.review import review_clip
from formcheck.specs import Spec
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
        """The clip as a file: the sample itself, or the bytes written into ``folder``."""
        if self.path is not None:
            yield self.path
            return
        suffix = Path(self.label).suffix.lower().lstrip(".")
        # FFmpeg probes the content, so the ending is only a hint; an unknown one becomes .mp4.
        target = folder / f"clip.{suffix if suffix in UPLOAD_TYPES else 'mp4'}"
        target.write_bytes(self.data or b"")
        yield target


@dataclass(frozen=True, eq=False)
class ReviewOutcome:
    """A finished review: the result, the clip's stats, and the downloads as bytes.

    ``key`` identifies what was reviewed how (`review_key`).
    """

    key: str
    clip: str
    spec: Spec
    side: str
    model: str
    result: AnalysisResult
    stats: ClipStats
    video: bytes
    landmarks: bytes
    warnings: tuple[str, ...]
    guess: Guess | None


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
) -> ReviewOutcome:
    """Review ``clip`` with ``spec``; with ``candidates``, also guess the exercise from the motion.

    Raises a `FormcheckError` with a message fit for the page: the clip
    can't be read (`VideoError`), nobody is in it (`NoPersonError`).
    """
    with tempfile.TemporaryDirectory(prefix="formcheck-review-") as tmp:
        folder = Path(tmp)
        with clip.on_disk(folder) as path:
            try:
                review = review_clip(
                    path,
                    spec,
                    side=side,
                    model=model,
                    annotate_to=folder / "annotated.mp4",
                    landmarks_to=folder / "landmarks.jsonl",
                    progress=progress,
                    cancelled=cancelled,
                )
            except FormcheckError as exc:
                # Messages name the file: show the user's name for it, not our temp path.
                message = str(exc).replace(str(path), clip.label).replace(path.name, clip.label)
                raise type(exc)(message) from None
        if review.stats.frames_with_pose == 0:
            advice = review.picture_advice
            hint = (
                f"{advice[0].upper()}{advice[1:]}."
                if advice
                else "Film the whole body, lit from the front, with the camera held still."
            )
            raise NoPersonError(
                f"{clip.label}: no person was found in any of its {review.stats.frames} "
                f"frames. {hint}"
            )
        guess = None
        if candidates and len([s for s in candidates.values() if s.judgeable]) > 1:
            _, frames = read_landmarks(folder / "landmarks.jsonl")
            guess = guess_exercise(frames, candidates)
        warnings = tuple(w.replace(path.name, clip.label) for w in review.warnings)
        return ReviewOutcome(
            key=review_key(clip, spec, side, model),
            clip=clip.label,
            spec=spec,
            side=side,
            model=model,
            result=review.result,
            stats=review.stats,
            video=(folder / "annotated.mp4").read_bytes(),
            landmarks=(folder / "landmarks.jsonl").read_bytes(),
            warnings=warnings,
            guess=guess,
        )
