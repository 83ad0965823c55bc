"""Bundled-sample reviews kept on disk, so the worked example shows at once (Streamlit-free).

Reviewing the first-run sample takes about half a minute on a laptop CPU.
Its outcome is the same for every user until the clip, the spec, the settings
or formcheck's own code change, so it is computed once and kept in the user's
cache directory (``$FORMCHECK_CACHE``, else e.g. ``~/.cache/formcheck`` on
Linux), under a key made of all of those: a new version of formcheck, an
edited spec or a personal limit gives a new key, never a stale result.

Each entry is a folder holding the annotated video, the landmark file and the
rest of the outcome (a pickle: the cache is the user's own, as trusted as the
code beside it). A cached outcome is handed out as a copy in a fresh private
temporary folder, so the page's usual clean-up never touches the cache.
Anything wrong with the cache (unreadable, full disk) is logged and the
review simply runs.

Example::

    outcome = load(sample, spec, "auto", "full", key)  # None: not cached yet
    if outcome is None:
        outcome = run_review(ClipInput.from_path(sample), spec, ...)
        save(sample, spec, "auto", "full", outcome)
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import os
import pickle
import shutil
import tempfile
from pathlib import Path

from formcheck.scratch import REVIEW_PREFIX, ScratchFolder
from formcheck.specs import Spec
from formcheck.ui.reviewing import ReviewOutcome

log = logging.getLogger(__name__)

CACHE_ENV = "FORMCHECK_CACHE"
#: Bumped when the layout of an entry changes.
LAYOUT = "1"
_FILES = ("annotated.mp4", "landmarks.jsonl")


def cache_dir() -> Path:
    """Where reviewed samples are kept: ``$FORMCHECK_CACHE``, else the user's cache dir."""
    configured = os.environ.get(CACHE_ENV, "").strip()
    if configured:
        return Path(configured).expanduser() / "examples"
    from platformdirs import user_cache_path

    return user_cache_path("formcheck", appauthor=False) / "examples"


@functools.cache
def code_version() -> str:
    """A digest of formcheck's source: any change to the code gives a new one."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(LAYOUT.encode())
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def entry_key(sample: Path, spec: Spec, side: str, model: str) -> str:
    """The cache key of a sample's review: its bytes, the spec as used, settings and code."""
    digest = hashlib.sha256()
    with sample.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    for part in (repr(spec), side, model, code_version()):
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()


def load(sample: Path, spec: Spec, side: str, model: str, key: str) -> ReviewOutcome | None:
    """The cached review of ``sample`` (as a fresh copy, with the page's ``key``), or None."""
    try:
        entry = cache_dir() / entry_key(sample, spec, side, model)
        if not (entry / "outcome.pickle").is_file():
            return None
        fields = pickle.loads((entry / "outcome.pickle").read_bytes())
        folder = ScratchFolder(REVIEW_PREFIX)
        try:
            for name in _FILES:
                shutil.copyfile(entry / name, folder.path / name)
            return ReviewOutcome(
                **fields,
                key=key,
                video=folder.path / _FILES[0],
                landmarks=folder.path / _FILES[1],
                folder=folder,
            )
        except BaseException:
            folder.remove()
            raise
    except Exception:
        log.warning(
            "the cached review of %s could not be read; reviewing it", sample, exc_info=True
        )
        return None


def save(sample: Path, spec: Spec, side: str, model: str, outcome: ReviewOutcome) -> None:
    """Keep ``outcome``, the review of ``sample``, for the next start (never raises)."""
    skip = {"key", "video", "landmarks", "folder"}
    fields = {
        f.name: getattr(outcome, f.name) for f in dataclasses.fields(outcome) if f.name not in skip
    }
    try:
        root = cache_dir()
        root.mkdir(parents=True, exist_ok=True)
        entry = root / entry_key(sample, spec, side, model)
        if entry.exists():
            return
        # Written beside its place, then renamed: a reader never sees half an entry.
        staging = Path(tempfile.mkdtemp(prefix=".writing-", dir=root))
        try:
            shutil.copyfile(outcome.video, staging / _FILES[0])
            shutil.copyfile(outcome.landmarks, staging / _FILES[1])
            (staging / "outcome.pickle").write_bytes(pickle.dumps(fields))
            os.replace(staging, entry)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except Exception:
        log.warning("the review of %s could not be cached", sample, exc_info=True)
