"""A separate OS process that writes into a history database, for the concurrency test.

``python -m tests.history.writer DB NAME SESSIONS REPS`` imports formcheck,
prints ``ready``, waits for a line on stdin (the start signal, so both
processes begin together), then opens the history (a fresh file: both
processes migrate it at once) and writes ``SESSIONS`` live sessions of
``REPS`` reps each, every other rep with a flag, plus one clip result per
session, reading the list of sessions between writes as the History page
does. It prints one JSON line: the ids it wrote and what each should hold.
"""

from __future__ import annotations

import json
import sys


def rep(n: int, flagged: bool) -> dict:
    return {
        "rep": n,
        "side": "left",
        "status": "full",
        "start": 4.0 * n,
        "end": 4.0 * n + 3.0,
        "duration": 3.0,
        "rom_min": 80.0,
        "rom_max": 170.0,
        "flags": ["heel_off_line"] if flagged else [],
    }


def flag(n: int) -> dict:
    return {"code": "heel_off_line", "rep": n, "t": 4.0 * n + 1.0, "value": 4.0, "limit": 3.0}


def main(argv: list[str]) -> int:
    from formcheck.history import History

    path, name, sessions, reps = argv[0], argv[1], int(argv[2]), int(argv[3])
    print("ready", flush=True)
    sys.stdin.readline()
    history = History(path)
    written = []
    for s in range(sessions):
        sid = history.start_session(
            exercise="heel_slide", side="left", source="live", settings={"writer": name, "n": s}
        )
        for n in range(1, reps + 1):
            flags = [flag(n)] if n % 2 == 0 else []
            history.record_rep(sid, rep(n, bool(flags)), flags)
            history.sessions()
        history.finish_session(sid, {"writer": name})
        written.append({"id": sid, "reps": reps, "flags": reps // 2})
        table = [rep(n, n == 1) for n in range(1, reps + 1)]
        result = {
            "exercise": "heel_slide",
            "side": "left",
            "rep_table": table,
            "flags": [flag(1)],
        }
        clip = history.save_result(result, source="clip", clip_name=f"{name}-{s}.mp4")
        written.append({"id": clip, "reps": reps, "flags": 1})
    print(json.dumps({"name": name, "sessions": written}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
