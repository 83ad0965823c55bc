"""Helpers every page shares: the history, the spec library, samples, the pickers.

Cached objects are the ones safe to share between browser sessions and
threads: `History` (a connection per call), `SpecLibrary` (lock-guarded) and
the pose model's *path*. Pose estimators themselves are never cached: a
VIDEO-mode MediaPipe landmarker carries its tracking state and needs
increasing timestamps, so one shared between two clips (or two users) would
mix their tracking and reject or distort timestamps. Creating one costs
about 0.2 s (measured with ``full``), so each clip review and each live
stream gets its own.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import streamlit as st

from formcheck.errors import ModelError
from formcheck.history import History, HistoryError, default_db_path
from formcheck.pose import DEFAULT_MODEL, MODEL_NAMES, resolve_model
from formcheck.scratch import sweep_stale
from formcheck.specs import Spec
from formcheck.ui.library import Library, SpecLibrary, personalised

log = logging.getLogger(__name__)

SAMPLES_ENV = "FORMCHECK_SAMPLES"
SAMPLES_DIR = Path(__file__).resolve().parents[2] / "sample_videos"
#: The first-run example: three clean heel slides filmed from the side, all full, no
#: flag, with the knee's range within ±5° and its plot. No one camera judges every
#: heel-slide check (the heel's drift needs one beyond the feet, a pelvis lift one at
#: the side); the side view's limits are a single note, and the clips from beyond the
#: feet, read as filmed from above, lose the pelvis rotation and the knee's range too.
DEFAULT_SAMPLE = "heel_slide_left_side.mp4"
SIDE_LABELS = {
    "auto": "Whichever leg moves",
    "left": "Left",
    "right": "Right",
    "both": "Both",
}


@st.cache_resource(show_spinner=False)
def _history(path: str) -> History:
    return History(path)


def history() -> History:
    """The history database (``$FORMCHECK_DB`` or the user's data dir), opened once.

    Raises `HistoryError` (shown by the caller) when it can't be opened.
    """
    return _history(str(default_db_path()))


def history_or_error() -> History | None:
    """The history, or None after showing why it can't be opened."""
    try:
        return history()
    except HistoryError as exc:
        st.error(f"The history can't be used: {exc}")
        return None


@st.cache_resource(show_spinner=False)
def _spec_library(directory: str) -> SpecLibrary:
    return SpecLibrary(directory or None)


def library() -> Library:
    """The exercise specs as they are now, with any loading problems shown on the page."""
    lib = _spec_library(os.environ.get("FORMCHECK_SPECS", "")).load()
    for message in lib.errors:
        st.error(f"Exercise spec problem: {message}")
    return lib


def personal_spec(spec: Spec) -> Spec:
    """``spec`` with this person's saved limits (or its own, with a message, if they don't fit)."""
    store = history_or_error()
    limits = store.overrides(spec.name) if store is not None else {}
    mine, problem = personalised(spec, limits)
    if problem:
        st.warning(f"Your saved limits don't fit this exercise: {problem}")
    return mine


@st.cache_resource(show_spinner=False)
def pose_model(name: str) -> str:
    """Validate a model name once per server and warm MediaPipe's import.

    Returns the ``.task`` path as a string. See the module doc for why the
    estimator itself is not cached.
    """
    path = resolve_model(name)
    import mediapipe  # noqa: F401  # the first import takes about a second: pay it once

    return str(path)


@st.cache_resource(show_spinner=False)
def _swept(folder: str) -> int:
    removed = sweep_stale(folder)
    if removed:
        log.info("removed %d temporary folders left by a stopped app in %s", len(removed), folder)
    return len(removed)


def sweep_temporary_files() -> None:
    """Once per server: remove the temporary folders a killed app left (`sweep_stale`)."""
    _swept(tempfile.gettempdir())


def samples_dir() -> Path:
    """``$FORMCHECK_SAMPLES`` (e.g. a physio's own example clips), else the bundled folder."""
    configured = os.environ.get(SAMPLES_ENV, "").strip()
    return Path(configured).expanduser() if configured else SAMPLES_DIR


def samples() -> list[Path]:
    """The sample clips: the default first-run example, then heel slides, then the rest."""
    folder = samples_dir()
    if not folder.is_dir():
        return []
    clips = [p for p in folder.iterdir() if p.suffix.lower() in (".mp4", ".mov", ".webm")]
    return sorted(
        clips,
        key=lambda p: (p.name != DEFAULT_SAMPLE, not p.name.startswith("heel_slide"), p.name),
    )


def sample_label(path: Path) -> str:
    """``heel_slide_end_on.mp4`` -> ``heel slide end on``."""
    return path.stem.replace("_", " ")


def exercise_picker(page: str, lib: Library) -> tuple[Spec, str] | None:
    """Exercise and side selectors shared by Live and Review (the choice carries over)."""
    names = [n for n in lib.names() if lib.specs[n].judgeable]
    if not names:
        st.error("No exercise spec could be loaded, so nothing can be analysed.")
        return None
    remembered = st.session_state.get("exercise")
    default = remembered if remembered in names else names[0]
    left, right = st.columns(2)
    name = left.selectbox(
        "Exercise",
        names,
        index=names.index(default),
        format_func=lambda n: lib.specs[n].display_name,
        key=f"{page}.exercise",
    )
    st.session_state["exercise"] = name
    spec = lib.specs[name]
    sides = list(spec.allowed_sides())
    sides.sort(key=lambda s: list(SIDE_LABELS).index(s))
    side = right.selectbox(
        "Side", sides, format_func=lambda s: SIDE_LABELS.get(s, s), key=f"{page}.side"
    )
    return personal_spec(spec), side


def model_setting() -> str:
    """The pose model chosen in the sidebar (shared by Live and Review)."""
    names = [n for n in MODEL_NAMES if n != "heavy" or _installed(n)]
    return st.sidebar.selectbox(
        "Pose model",
        names,
        index=names.index(DEFAULT_MODEL),
        key="model",
        help="full: the best balance on a laptop CPU. lite: faster, a little less steady.",
    )


def _installed(name: str) -> bool:
    try:
        resolve_model(name)
    except ModelError:
        return False
    return True
