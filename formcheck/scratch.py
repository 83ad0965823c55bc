"""Private temporary folders: made for one clip review, always removed.

A clip review keeps its outputs (the annotated video, the landmark file) in
a `ScratchFolder` for as long as the app shows them. The folder is removed
when its owner says so, when the object holding it is garbage-collected (a
browser session that ended), or when the interpreter exits.

Every folder is made by `tempfile.mkdtemp` (readable by its user only) under
the system's temporary folder, named from a fixed prefix and random letters:
no outside name decides a path.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path

REVIEW_PREFIX = "formcheck-review-"


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
