"""The exercise library as the app sees it: specs, per-person limits, last good versions.

Streamlit-free, so the rules are unit-tested directly:

- a spec file that stops loading (a bad edit) is reported, and the last
  version that loaded keeps being used;
- per-person limits (saved in the history database) are applied to both Live
  and Review; limits that no longer fit the spec are reported by key and the
  spec's own limits are used instead;
- the exercise in a clip can be guessed from the motion.
"""

from __future__ import annotations

import logging
import math
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from formcheck.engine import AnalysisResult, Engine
from formcheck.errors import SpecError
from formcheck.frame import PoseFrame
from formcheck.guess import Uprightness, choose
from formcheck.pipeline import ProgressCallback
from formcheck.review import Cancelled
from formcheck.specs import Spec, default_spec_dir, load_spec, with_overrides

log = logging.getLogger(__name__)

#: The exercise offered first (formcheck is built around heel slides first).
FIRST_EXERCISE = "heel_slide"


@dataclass(frozen=True)
class Library:
    """The usable specs by name, and one message per spec file that failed to load."""

    specs: Mapping[str, Spec]
    errors: tuple[str, ...] = ()

    def names(self) -> list[str]:
        """Exercise names: heel slides (the first focus) first, then judgeable ones by name."""
        specs = self.specs
        return sorted(
            specs,
            key=lambda n: (n != FIRST_EXERCISE, not specs[n].judgeable, specs[n].display_name),
        )


class SpecLibrary:
    """Loads a folder of specs on demand, remembering the last good version of each.

    One instance lives for the whole app (thread-safe); `load` re-reads the
    folder, so an edited spec takes effect on the next page run.
    """

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = Path(directory) if directory is not None else None
        self._last_good: dict[str, Spec] = {}
        self._lock = threading.Lock()

    def load(self) -> Library:
        """The specs as they are now; a broken file falls back to its last good version."""
        folder = self.directory or default_spec_dir()
        if not folder.is_dir():
            return Library({}, (f"{folder}: no such folder of exercise specs",))
        specs: dict[str, Spec] = {}
        errors: list[str] = []
        with self._lock:
            for path in sorted(folder.glob("*.toml")):
                try:
                    spec = load_spec(path)
                except SpecError as exc:
                    previous = self._last_good.get(path.stem)
                    if previous is not None:
                        specs[path.stem] = previous
                        errors.append(f"{exc} (still using the last version that loaded)")
                    else:
                        errors.append(f"{exc} (this exercise is unavailable until it is fixed)")
                    continue
                specs[path.stem] = self._last_good[path.stem] = spec
        return Library(specs, tuple(errors))


def personalised(spec: Spec, limits: Mapping[str, float]) -> tuple[Spec, str | None]:
    """``spec`` with a person's limits, or ``spec`` unchanged and the reason they don't fit.

    >>> from formcheck.specs import find_spec
    >>> spec = find_spec("heel_slide")
    >>> mine, problem = personalised(spec, {"heel_off_line": 4.0})
    >>> mine.check("heel_off_line").limit, problem
    (4.0, None)
    >>> _, problem = personalised(spec, {"heel_off_line": -1})
    >>> "overrides.heel_off_line" in problem
    True
    """
    if not limits:
        return spec, None
    try:
        return with_overrides(spec, limits), None
    except SpecError as exc:
        return spec, f"{exc}; using the exercise's own limits"


@dataclass(frozen=True)
class Guess:
    """The exercise the motion fits best (None when unsure), with each candidate's rep count
    (``reps``: partial reps included) and full reps by the guess's own rule (``full``:
    `Choice.full`, only the candidates whose posture fits the body seen)."""

    name: str | None
    reps: Mapping[str, int]
    full: Mapping[str, int] = field(default_factory=dict)

    def full_elsewhere(self, chosen: str) -> list[str]:
        """Other candidates that counted full reps where ``chosen`` counted none, most first.

        >>> Guess(None, {}, {"heel_slide": 3, "clamshell": 0, "glute_bridge": 2}).full_elsewhere(
        ...     "clamshell")
        ['heel_slide', 'glute_bridge']
        """
        if self.full.get(chosen, 0):
            return []
        found = [n for n, full in self.full.items() if full and n != chosen]
        return sorted(found, key=lambda n: -self.full[n])

    def instead_of(self, chosen: str) -> str | None:
        """The exercise to suggest instead of ``chosen``: only one that counted more reps.

        A tie keeps the user's choice (simulated heel slides count the same as
        adductor squeezes, and the first by name must not win).

        >>> Guess("adductor_squeeze", {"adductor_squeeze": 3, "heel_slide": 3}).instead_of(
        ...     "heel_slide") is None
        True
        >>> Guess("clamshell", {"clamshell": 5, "heel_slide": 1}).instead_of("heel_slide")
        'clamshell'
        """
        if self.name is None or self.name == chosen:
            return None
        return self.name if self.reps[self.name] > self.reps.get(chosen, 0) else None


def guess_exercise(
    frames: Iterable[PoseFrame] | Callable[[], Iterable[PoseFrame]],
    specs: Mapping[str, Spec],
    *,
    frame_count: int = 0,
    progress: ProgressCallback | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Guess:
    """Run every judgeable spec over the frames and `formcheck.guess.choose` among them.

    The motion must fit the exercise (its posture, where the view tells it;
    reps from its own rest; sides that take turns do), with a clear margin
    over the runner-up: ``name`` is None when unsure. ``reps`` is each
    candidate's count (partial reps included).

    Args:
        frames: the frames, held in memory for the passes; or, for a long
            clip, a callable that gives a fresh iterator of them for each
            candidate (e.g. `formcheck.spool.read_spool`), so only one
            frame and one engine's per-frame series are in memory at a time.
        frame_count: how many frames there are (for ``progress``; worked
            out when ``frames`` is not a callable).
        progress: ``progress(done, total)`` after every frame of every
            candidate's pass.
        cancelled: polled every frame; when it returns True, raises
            `formcheck.review.Cancelled`.
    """
    if callable(frames):
        passes = frames
    else:
        held = list(frames)
        frame_count = len(held)

        def passes() -> Iterable[PoseFrame]:
            return held

    candidates = [n for n, s in specs.items() if s.judgeable and s.phase is not None]
    total = frame_count * len(candidates)
    results: dict[str, AnalysisResult] = {}
    reps: dict[str, int] = {}
    upright: Uprightness | None = None
    done = 0
    for name in candidates:
        try:
            engine = Engine(specs[name], "auto")
            body = Uprightness() if upright is None else None
            for frame in passes():
                if cancelled is not None and cancelled():
                    raise Cancelled("review cancelled; nothing was saved")
                engine.update(frame)
                if body is not None:
                    body.update(frame)
                done += 1
                if progress is not None:
                    progress(done, max(total, done))
            result = engine.result()
        except Cancelled:
            raise
        except Exception:
            # The guess is a convenience beside the real analysis (which runs unguarded):
            # one candidate spec failing must not cost the user their review.
            log.exception("guessing the exercise: %s failed; skipped", name)
            continue
        upright = upright or body
        reps[name] = result.reps + result.partial_reps
        results[name] = result
    uprightness = upright.value() if upright is not None else math.nan
    choice = choose(results, specs, uprightness)
    return Guess(choice.name, reps, choice.full)
