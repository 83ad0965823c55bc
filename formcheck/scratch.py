"""Private temporary folders: made for one review or live recording, always removed.

A clip review keeps its outputs (the annotated video, the landmark file) in
a `ScratchFolder` for as long as the app shows them; a live recording is
encoded into a folder of its own until the stream ends
(`formcheck.live.LiveVideo`). Each is removed by its owner when done with
it, or, for a review, when the object holding it is garbage-collected (a
browser session that ended) or the interpreter exits. Only a killed app
(SIGKILL, a power cut) leaves them behind: `sweep_stale`, run when the app
starts, removes those once untouched for hours.

Every folder is made by `tempfile.mkdtemp` (readable by its user only) under
the system's temporary folder, named from a fixed prefix and random letters:
no outside name decides a path.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import time
import weakref
from pathlib import Path

REVIEW_PREFIX = "formcheck-review-"
LIVE_PREFIX = "formcheck-live-"
#: The folders `sweep_stale` may remove: these prefixes, and nothing else.
PREFIXES = (REVIEW_PREFIX, LIVE_PREFIX)
#: A folder untouched for this long (itself and everything directly in it) is left from a
#: dead app: a review or a recording under way writes its files all the time, and a review
#: still shown is removed by its own app when its browser session ends.
STALE_SECONDS = 6 * 3600


class ScratchFolder:
    """A private temporary folder, removed by `remove`, by garbage collection or at exit.

    >>> folder = ScratchFolder(REVIEW_PREFIX)
    >>> folder.path.name.startswith("formcheck-review-"), folder.path.is_dir()
    (True, True)
    >>> folder.remove()
    >>> folder.removed, folder.path.exists()
    (True, False)
    """

    def __init__(self, prefix: str) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=prefix))
        # A finalizer, not __del__: it runs once, at whichever comes first of
        # remove(), garbage collection and interpreter exit.
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.path, ignore_errors=True)

    def remove(self) -> None:
        """Delete the folder and everything in it; safe to call twice."""
        self._finalizer()

    @property
    def removed(self) -> bool:
        """True once the folder has been removed."""
        return not self._finalizer.alive


def _newest_change(path: Path, own: os.stat_result) -> float:
    """The latest modification time of ``path`` and of the entries directly in it."""
    newest = own.st_mtime
    with os.scandir(path) as entries:
        for entry in entries:
            try:
                newest = max(newest, entry.stat(follow_symlinks=False).st_mtime)
            except OSError:
                continue  # removed while we looked: not ours to judge
    return newest


def sweep_stale(
    folder: str | os.PathLike[str] | None = None,
    *,
    max_age: float = STALE_SECONDS,
    now: float | None = None,
) -> list[Path]:
    """Remove formcheck's temporary folders that a killed app left behind; return them.

    Looks only directly in ``folder`` (default: the system's temporary
    folder) and removes an entry only if all of these hold: its name starts
    with one of `PREFIXES`; it is a real directory (never a symlink, which
    is not followed either); it belongs to this user; and neither it nor
    anything directly in it changed for ``max_age`` seconds. Anything that
    can't be removed is left as it is.
    """
    root = Path(folder if folder is not None else tempfile.gettempdir())
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return removed
    uid = os.getuid() if hasattr(os, "getuid") else None
    for entry in entries:
        if not entry.name.startswith(PREFIXES):
            continue
        path = Path(entry.path)
        try:
            own = entry.stat(follow_symlinks=False)
            if not stat.S_ISDIR(own.st_mode):  # a symlink or a file of that name: not ours
                continue
            if uid is not None and own.st_uid != uid:
                continue
            if now - _newest_change(path, own) < max_age:
                continue
            # rmtree never follows a symlink inside the folder (it removes the link itself).
            shutil.rmtree(path)
        except OSError:
            continue
        removed.append(path)
    return removed
