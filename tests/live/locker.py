"""Another program keeping the history locked, in a separate OS process.

``python -m tests.live.locker DB SECONDS`` takes the database's write lock
(as a database browser or a backup would), prints ``locked``, keeps it for
``SECONDS``, then lets go and prints ``released``.
"""

from __future__ import annotations

import sys
import time


def main(argv: list[str]) -> int:
    from tests.factories import HeldLock

    path, seconds = argv[0], float(argv[1])
    lock = HeldLock(path)
    print("locked", flush=True)
    time.sleep(seconds)  # the other program's own business, not a wait for a thread
    lock.release()
    print("released", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
