"""The session history: an embedded SQLite database of sessions, reps and flags.

Why plain ``sqlite3`` and not SQLAlchemy: the schema is four small tables, the
standard library ships the driver, and a list of SQL migrations applied in
order under ``PRAGMA user_version`` gives a versioned schema that survives
upgrades without another dependency. All SQL lives in this module; the UI
only calls `History` methods and gets frozen rows back.

- WAL mode: the live video worker writes each rep while the page reads, and
  readers never block the writer.
- Every write is one transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``), so a
  rep and its flags land together or not at all.
- A connection per call (cheap for SQLite) makes `History` safe to use from
  the webcam worker thread and the page thread at once, and several
  processes may share the file: a write waits up to `BUSY_TIMEOUT` for
  another's, and opening a new file at the same moment migrates it once.
- A live session can be continued by a later camera run (after a reload or a
  lost camera): `continue_session` reopens it, `append_rep` numbers the new
  reps after the saved ones. One left ``running`` by an app that died shows as
  ``interrupted`` (`SessionRow.state`).
- Only results derived from the landmarks are stored (sessions, reps, flags,
  limits), never the landmarks themselves. A session keeps a video only when
  the user chose so for that session (`History.attach_video`): an MP4 in a
  private folder beside the database (`History.videos_dir`), named from the
  session id alone.

>>> import tempfile, os
>>> h = History(os.path.join(tempfile.mkdtemp(), "h.sqlite3"))
>>> sid = h.start_session(exercise="heel_slide", side="left", source="live")
>>> h.record_rep(sid, {"rep": 1, "side": "left", "status": "full", "rom_min": 80, "rom_max": 170})
>>> h.session(sid).reps
1
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from formcheck.engine.result import RepCounts, judged
from formcheck.errors import FormcheckError

#: Environment variable naming the history database file (instead of the user's data dir).
DB_ENV = "FORMCHECK_DB"
SOURCES = ("live", "clip")
#: Kept videos live in a folder named after the database file plus this, beside it
#: (``history.sqlite3-videos/``, like SQLite's own ``-wal`` and ``-shm``): two
#: databases in one folder (one per person, say) never share or overwrite videos.
VIDEOS_SUFFIX = "-videos"

#: The schema, one migration per version. Never edit a released entry: append a new one.
MIGRATIONS: tuple[str, ...] = (
    # 1: sessions, their reps and their flags.
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        exercise TEXT NOT NULL,
        side TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('live', 'clip')),
        status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'finished')),
        view TEXT NOT NULL DEFAULT '',
        clip_name TEXT NOT NULL DEFAULT '',
        reps INTEGER NOT NULL DEFAULT 0,
        partial_reps INTEGER NOT NULL DEFAULT 0,
        settings TEXT NOT NULL DEFAULT '{}',
        result TEXT
    );
    CREATE INDEX sessions_by_exercise ON sessions (exercise, started_at);
    CREATE TABLE reps (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        rep INTEGER NOT NULL,
        side TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'full',
        start REAL,
        "end" REAL,
        duration REAL,
        rom_min REAL,
        rom_max REAL,
        flags TEXT NOT NULL DEFAULT '',
        UNIQUE (session_id, rep, side)
    );
    CREATE TABLE flags (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        rep INTEGER,
        side TEXT NOT NULL DEFAULT '',
        code TEXT NOT NULL,
        t REAL,
        value REAL,
        limit_value REAL,
        unit TEXT NOT NULL DEFAULT '',
        message TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX flags_by_session ON flags (session_id);
    """,
    # 2: per-person limits, shared by Live and Review.
    """
    CREATE TABLE overrides (
        exercise TEXT NOT NULL,
        code TEXT NOT NULL,
        limit_value REAL NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (exercise, code)
    );
    """,
    # 3: how many camera runs a live session spans (continuing it after a reload or
    # a lost camera adds one).
    """
    ALTER TABLE sessions ADD COLUMN runs INTEGER NOT NULL DEFAULT 1;
    """,
    # 4: a session may keep its video: the file's name in the videos folder, NULL when none.
    """
    ALTER TABLE sessions ADD COLUMN video TEXT
    """,
    # 5: uncertain reps are counted apart (`RepCounts`); until now ``reps`` counted them
    # with the full ones, so they move out of it.
    """
    ALTER TABLE sessions ADD COLUMN uncertain_reps INTEGER NOT NULL DEFAULT 0;
    UPDATE sessions SET uncertain_reps = (
        SELECT COUNT(*) FROM reps WHERE reps.session_id = sessions.id AND reps.status = 'uncertain'
    );
    UPDATE sessions SET reps = MAX(reps - uncertain_reps, 0)
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
#: Seconds a write waits for another connection (thread or process) to finish its own.
BUSY_TIMEOUT = 10.0
#: A live session being recorded has its ``updated_at`` refreshed at least this often.
HEARTBEAT_SECONDS = 15.0
#: A session still ``running`` with no update for this long was left behind by an app
#: that stopped without finishing it (killed, crashed): ``interrupted``.
INTERRUPTED_AFTER_SECONDS = 4 * HEARTBEAT_SECONDS


class HistoryError(FormcheckError):
    """The history database can't be opened, is from a newer formcheck, or stayed locked."""


def default_db_path() -> Path:
    """``$FORMCHECK_DB`` if set, else ``history.sqlite3`` in the user's data directory."""
    configured = os.environ.get(DB_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_data_path

    return user_data_path("formcheck", appauthor=False) / "history.sqlite3"


def _now() -> str:
    return stamp(datetime.now(UTC))


def stamp(when: datetime) -> str:
    """How times are stored: UTC ISO 8601 to the second (``2025-03-01T14:05:09+00:00``)."""
    return when.astimezone(UTC).isoformat(timespec="seconds")


def stamp_time(text: str) -> datetime:
    """A stored time back as an aware `datetime` (a stamp without a zone is taken as UTC)."""
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _number(value: object) -> float | None:
    """A finite float, or None (SQLite has no NaN; missing values stay missing)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


@dataclass(frozen=True)
class SessionRow:
    """One session: what was done, when, and how it went."""

    id: int
    started_at: str
    updated_at: str
    exercise: str
    side: str
    source: str
    status: str
    view: str
    clip_name: str
    reps: int
    partial_reps: int
    settings: Mapping[str, Any]
    flag_counts: Mapping[str, int]
    runs: int = 1
    #: The kept video's file name in `History.videos_dir` (None: no video was kept);
    #: `History.video_path` gives the file, or None if it went missing.
    video: str | None = None
    uncertain_reps: int = 0

    @property
    def counts(self) -> RepCounts:
        """The session's `RepCounts` (``reps`` are its full reps)."""
        return RepCounts(self.reps, self.partial_reps, self.uncertain_reps)

    def state(self, now: datetime | None = None) -> str:
        """``finished``, ``running``, or ``interrupted``: still marked running but not
        updated for `INTERRUPTED_AFTER_SECONDS` (its app stopped without finishing it).

        ``now`` defaults to the current time.
        """
        if self.status == "finished":
            return "finished"
        return "interrupted" if self.idle_seconds(now) > INTERRUPTED_AFTER_SECONDS else "running"

    def idle_seconds(self, now: datetime | None = None) -> float:
        """Seconds since the session was last updated (``now`` defaults to the current time)."""
        now = datetime.now(UTC) if now is None else now
        return (now - stamp_time(self.updated_at)).total_seconds()

    @property
    def flags_per_rep(self) -> float:
        """Flags raised per completed rep, whatever its status (0 when there were no reps)."""
        done = self.counts.total
        return sum(self.flag_counts.values()) / done if done else 0.0


@dataclass(frozen=True)
class RepRow:
    """One rep of a session, with the flag codes it raised."""

    rep: int
    side: str
    status: str
    start: float | None
    end: float | None
    duration: float | None
    rom_min: float | None
    rom_max: float | None
    flags: tuple[str, ...]


@dataclass(frozen=True)
class FlagRow:
    """One flag of a session: ``value`` against ``limit`` in ``unit`` at ``t`` seconds."""

    rep: int | None
    side: str
    code: str
    t: float | None
    value: float | None
    limit: float | None
    unit: str
    message: str


@dataclass(frozen=True)
class TrendPoint:
    """One session's totals on one side, for an exercise's trend over time.

    ``rom`` is the mean range of the driving metric over the side's `judged`
    reps (``rom_max - rom_min``; an uncertain rep's far end was not seen),
    ``peak`` the mean of their ``rom_max``; ``flag_share`` maps every flag code
    raised in any session of the exercise to the share of this side's reps
    (0-1) that raised it, 0 included, so an improvement to no flags shows.
    ``side`` is the side the reps were done with (the session's side when it
    has none), ``source`` ``live`` or ``clip``, and ``clip_name`` a clip's file
    name.
    """

    session_id: int
    started_at: str
    reps: int
    partial_reps: int
    rom: float | None
    peak: float | None
    flag_share: Mapping[str, float]
    uncertain_reps: int = 0
    side: str = ""
    source: str = ""
    clip_name: str = ""


class History:
    """The history database at ``path`` (default: `default_db_path`), migrated on open.

    Raises `HistoryError` when the file can't be opened as a database or was
    written by a newer formcheck (its schema version is above ours). Any
    method raises it, saying "busy", when another program keeps the file
    locked for longer than `BUSY_TIMEOUT`; nothing is then half written.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as conn:
                _enable_wal(conn)
                self._migrate(conn)
        except sqlite3.DatabaseError as exc:
            raise HistoryError(f"{self.path}: not a formcheck history database ({exc})") from None
        except OSError as exc:
            raise HistoryError(f"{self.path}: can't be opened ({exc.strerror})") from None

    # -- plumbing ---------------------------------------------------------------

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # Autocommit mode: transactions are explicit (`_write`), never implicit.
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
        try:
            conn.execute("PRAGMA foreign_keys=ON")
            conn.row_factory = sqlite3.Row
            yield conn
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
            # Not a damaged file: another program (a database browser, a backup) has
            # held a lock for longer than we wait. Say so, so the user can retry.
            raise HistoryError(
                f"{self.path}: busy: another program has kept the history locked for "
                f"more than {BUSY_TIMEOUT:g} s; close it or wait, then try again"
            ) from None
        finally:
            conn.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"{self.path}: schema version {version} is newer than this formcheck's "
                f"({SCHEMA_VERSION}); upgrade formcheck or set {DB_ENV} to another file"
            )
        for number in range(version + 1, SCHEMA_VERSION + 1):
            # One transaction per migration: a failure leaves the previous version intact.
            conn.execute("BEGIN IMMEDIATE")
            try:
                # Read again under the write lock: another process opening the same
                # file at the same moment may have applied this migration already.
                if conn.execute("PRAGMA user_version").fetchone()[0] >= number:
                    conn.execute("COMMIT")
                    continue
                for statement in _statements(MIGRATIONS[number - 1]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def schema_version(self) -> int:
        """The database's schema version (``PRAGMA user_version``)."""
        with self._connect() as conn:
            return conn.execute("PRAGMA user_version").fetchone()[0]

    def journal_mode(self) -> str:
        """SQLite's journal mode for this file (``"wal"``)."""
        with self._connect() as conn:
            return conn.execute("PRAGMA journal_mode").fetchone()[0]

    # -- writing ----------------------------------------------------------------

    def start_session(
        self,
        *,
        exercise: str,
        side: str,
        source: str,
        settings: Mapping[str, Any] | None = None,
        clip_name: str = "",
        started_at: str | None = None,
    ) -> int:
        """Open a session (status ``running``) and return its id."""
        if source not in SOURCES:
            raise ValueError(f"source: expected one of {', '.join(SOURCES)}, got {source!r}")
        stamp = started_at or _now()
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO sessions (started_at, updated_at, exercise, side, source, "
                "clip_name, settings) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (stamp, stamp, exercise, side, source, clip_name, json.dumps(settings or {})),
            )
            return int(cursor.lastrowid)

    def record_rep(
        self,
        session_id: int,
        rep: Mapping[str, Any],
        flags: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        """Store one completed rep and the flags it raised, in one transaction.

        ``rep`` is a rep-table row (``rep``, ``side``, ``status``, ``start``,
        ``end``, ``duration``, ``rom_min``, ``rom_max``, ``flags``); recording
        the same rep again replaces it. The session's counts follow.
        """
        with self._write() as conn:
            self._insert_rep(conn, session_id, rep, flags)
            self._recount(conn, session_id)

    def append_rep(
        self,
        session_id: int,
        rep: Mapping[str, Any],
        flags: Sequence[Mapping[str, Any]] = (),
    ) -> int:
        """Store a new rep numbered after the session's last one on its side; return its number.

        ``rep["rep"]`` is ignored: a continued live session's engine counts from
        1 again, and its reps must follow the saved ones. The number is chosen
        inside the write, so two writers never take the same one.
        """
        side = str(rep.get("side") or "")
        with self._write() as conn:
            number = conn.execute(
                "SELECT COALESCE(MAX(rep), 0) + 1 FROM reps WHERE session_id = ? AND side = ?",
                (session_id, side),
            ).fetchone()[0]
            numbered = [{**f, "rep": number} for f in flags]
            self._insert_rep(conn, session_id, {**rep, "rep": number}, numbered)
            self._recount(conn, session_id)
        return number

    def update_session(
        self, session_id: int, *, view: str | None = None, side: str | None = None
    ) -> None:
        """Record what the engine learned mid-session (the camera view, the working side).

        With neither, only marks the session as still being recorded (a heartbeat).
        """
        with self._write() as conn:
            if view is not None:
                conn.execute("UPDATE sessions SET view = ? WHERE id = ?", (view, session_id))
            if side is not None:
                conn.execute("UPDATE sessions SET side = ? WHERE id = ?", (side, session_id))
            conn.execute("UPDATE sessions SET updated_at = ? WHERE id = ?", (_now(), session_id))

    def finish_session(
        self,
        session_id: int,
        result: Mapping[str, Any] | None = None,
        *,
        run: int | None = None,
    ) -> None:
        """Mark a session finished, keeping the full result (``AnalysisResult.to_dict()``).

        ``run`` is the camera run that ends (from `continue_session`; None: the
        latest). A continued session keeps every run's result: the latest run's
        at the top, the others in ``earlier_runs``, each with its ``run``. If a
        later run has continued the session meanwhile (a reloaded tab's old
        stream ending late), this run's result is kept but the session stays
        ``running``. Finishing a run twice replaces its result.
        """
        with self._write() as conn:
            row = conn.execute(
                "SELECT runs, result FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
            if row is None:
                return
            latest = run is None or run >= row["runs"]
            if row["runs"] > 1:
                old = json.loads(row["result"]) if row["result"] else None
                result = _merge_runs(old, result, run or row["runs"])
            stored = None if result is None else json.dumps(result)
            if latest:
                conn.execute(
                    "UPDATE sessions SET status = 'finished', updated_at = ?, result = ? "
                    "WHERE id = ?",
                    (_now(), stored, session_id),
                )
            else:
                conn.execute("UPDATE sessions SET result = ? WHERE id = ?", (stored, session_id))

    def continue_session(self, session_id: int, *, started_at: str | None = None) -> int:
        """Reopen a session for one more camera run (status back to ``running``).

        Returns the run's number (2 for the first continuation), to pass to
        `finish_session`. Raises `HistoryError` if the session is gone, or is
        another one by now: the id of a deleted session is used again, so give
        the ``started_at`` of the session meant.
        """
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE sessions SET status = 'running', runs = runs + 1, updated_at = ? "
                "WHERE id = ? AND (? IS NULL OR started_at = ?)",
                (_now(), session_id, started_at, started_at),
            )
            if cursor.rowcount == 0:
                raise HistoryError(f"session {session_id}: no such session (deleted?)")
            row = conn.execute("SELECT runs FROM sessions WHERE id = ?", (session_id,)).fetchone()
            return int(row["runs"])

    def continuable(
        self, exercise: str, side: str, *, within_seconds: float, now: datetime | None = None
    ) -> SessionRow | None:
        """The live session of ``exercise`` and ``side`` with reps, updated in the last
        ``within_seconds``, that a new camera run could continue (the latest), or None."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT * FROM sessions WHERE source = 'live' AND exercise = ? AND side = ? "
                "AND reps + partial_reps + uncertain_reps > 0 "
                "ORDER BY updated_at DESC, id DESC LIMIT 1",
                (exercise, side),
            ).fetchone()
            if row is None:
                return None
            counts = self._flag_counts(conn, row["id"])
        session = _session_row(row, counts.get(row["id"], {}))
        return session if session.idle_seconds(now) <= within_seconds else None

    def save_result(
        self,
        result: Mapping[str, Any],
        *,
        source: str,
        settings: Mapping[str, Any] | None = None,
        clip_name: str = "",
    ) -> int:
        """Store a whole analysis (``AnalysisResult.to_dict()``) as one finished session."""
        session_id = self.start_session(
            exercise=str(result.get("exercise", "")),
            side=str(result.get("side", "")),
            source=source,
            settings=settings,
            clip_name=clip_name,
        )
        flags = list(result.get("flags", ()))
        try:
            with self._write() as conn:
                conn.execute(
                    "UPDATE sessions SET view = ? WHERE id = ?",
                    (str(result.get("view") or ""), session_id),
                )
                for row in result.get("rep_table", ()):
                    mine = [f for f in flags if f.get("rep") == row.get("rep")]
                    self._insert_rep(conn, session_id, row, mine)
                unmatched = [f for f in flags if f.get("rep") is None]
                self._insert_flags(conn, session_id, unmatched)
                self._recount(conn, session_id)
        except BaseException:
            self.delete_session(session_id)  # never leave a half-saved session behind
            raise
        self.finish_session(session_id, result)
        return session_id

    def _insert_rep(
        self,
        conn: sqlite3.Connection,
        session_id: int,
        rep: Mapping[str, Any],
        flags: Sequence[Mapping[str, Any]],
    ) -> None:
        number = int(rep["rep"])
        side = str(rep.get("side") or "")
        codes = rep.get("flags")
        if codes is None:
            codes = [f["code"] for f in flags]
        if isinstance(codes, str):
            codes = [c for c in codes.split(";") if c]
        conn.execute(
            "DELETE FROM flags WHERE session_id = ? AND rep = ? AND side = ?",
            (session_id, number, side),
        )
        conn.execute(
            'INSERT OR REPLACE INTO reps (session_id, rep, side, status, start, "end", duration, '
            "rom_min, rom_max, flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session_id,
                number,
                side,
                str(rep.get("status") or "full"),
                _number(rep.get("start")),
                _number(rep.get("end")),
                _number(rep.get("duration")),
                _number(rep.get("rom_min")),
                _number(rep.get("rom_max")),
                ";".join(dict.fromkeys(str(c) for c in codes)),
            ),
        )
        self._insert_flags(conn, session_id, [{**f, "side": f.get("side", side)} for f in flags])

    @staticmethod
    def _insert_flags(
        conn: sqlite3.Connection, session_id: int, flags: Sequence[Mapping[str, Any]]
    ) -> None:
        conn.executemany(
            "INSERT INTO flags (session_id, rep, side, code, t, value, limit_value, unit, message) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    session_id,
                    f.get("rep"),
                    str(f.get("side") or ""),
                    str(f["code"]),
                    _number(f.get("t")),
                    _number(f.get("value")),
                    _number(f.get("limit")),
                    str(f.get("unit") or ""),
                    str(f.get("message") or ""),
                )
                for f in flags
            ],
        )

    def restatus(self, session_id: int, statuses: Mapping[tuple[int, str], str]) -> None:
        """Set reps' statuses, by ``(rep number, side)`` in the session, and recount it.

        Live saves each rep as the engine judged it then, against the reps so far; at
        the end of the run the engine judges every rep against all of them (a first rep
        short of the person's later full reps is partial), and this brings the saved
        reps in line. Reps not in the session are left alone.
        """
        RepCounts.of(statuses.values())  # refuses an unknown status before any write
        with self._write() as conn:
            conn.executemany(
                "UPDATE reps SET status = ? WHERE session_id = ? AND rep = ? AND side = ?",
                [(s, session_id, n, side) for (n, side), s in statuses.items()],
            )
            self._recount(conn, session_id)

    @staticmethod
    def _recount(conn: sqlite3.Connection, session_id: int) -> None:
        # Counted by `RepCounts`, the engine's own definition, not again in SQL.
        statuses = conn.execute("SELECT status FROM reps WHERE session_id = ?", (session_id,))
        counts = RepCounts.of(row["status"] for row in statuses)
        conn.execute(
            "UPDATE sessions SET updated_at = ?, reps = ?, partial_reps = ?, uncertain_reps = ? "
            "WHERE id = ?",
            (_now(), counts.full, counts.partial, counts.uncertain, session_id),
        )

    def delete_session(self, session_id: int) -> bool:
        """Delete a session with its reps, flags and kept video; False if there was none.

        The video file is removed inside the transaction: if it can't be
        (`HistoryError`), the session stays, so no video is ever left behind
        without a session that shows it.
        """
        with self._write() as conn:
            row = conn.execute("SELECT video FROM sessions WHERE id = ?", (session_id,)).fetchone()
            cursor = conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            video = self._video_file(session_id, row["video"]) if row is not None else None
            if video is not None:
                try:
                    video.unlink(missing_ok=True)
                except OSError as exc:
                    raise HistoryError(
                        f"session {session_id}: not deleted, its video {video} can't be "
                        f"removed ({exc.strerror or exc})"
                    ) from None
            return cursor.rowcount > 0

    # -- kept videos --------------------------------------------------------------

    @property
    def videos_dir(self) -> Path:
        """The folder of kept videos, beside the database (created on the first one)."""
        return self.path.with_name(self.path.name + VIDEOS_SUFFIX)

    def attach_video(self, session_id: int, source: bytes | str | os.PathLike[str]) -> Path:
        """Keep ``source`` (an MP4's bytes, or the path of one) as the session's video.

        The file is named from the session id alone (``session-12.mp4``): no
        outside name ever decides a path. It is written to a temporary file in
        the videos folder, then moved into place with ``os.replace`` in the
        same transaction that records its name, so a failure leaves no partial
        file, no row naming a missing one, and any earlier video of the session
        as it was. Attaching again replaces the video. Returns the file's path;
        raises `HistoryError` (one line) when the session doesn't exist or the
        file can't be written.
        """
        name = self._video_name(session_id)
        folder = self.videos_dir
        final = folder / name
        temp: Path | None = None
        placed, had = False, None
        try:
            # Private: the video shows the person (0700 folder; mkstemp files are 0600).
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
            temp = Path(temp_name)
            with os.fdopen(fd, "wb") as out:
                if isinstance(source, (bytes, bytearray, memoryview)):
                    out.write(source)
                else:
                    with open(source, "rb") as src:  # streamed: a long session's video is large
                        shutil.copyfileobj(src, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
            with self._write() as conn:
                row = conn.execute(
                    "SELECT video FROM sessions WHERE id = ?", (session_id,)
                ).fetchone()
                if row is None:
                    raise HistoryError(f"session {session_id}: no such session (deleted?)")
                had = row["video"]
                conn.execute("UPDATE sessions SET video = ? WHERE id = ?", (name, session_id))
                os.replace(temp, final)  # a failure here rolls the row back
                placed = True
        except BaseException as exc:
            if placed and had is None:  # the commit failed after the move: no orphan file
                final.unlink(missing_ok=True)
            if isinstance(exc, (OSError, sqlite3.Error)):
                reason = getattr(exc, "strerror", None) or str(exc)
                raise HistoryError(
                    f"session {session_id}: the video couldn't be kept in {folder} ({reason})"
                ) from None
            raise
        finally:
            if temp is not None:
                temp.unlink(missing_ok=True)
        return final

    def video_path(self, session_id: int) -> Path | None:
        """The session's kept video, or None if none was kept or the file went missing."""
        with self._connect() as conn:
            row = conn.execute("SELECT video FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return self._existing(session_id, row["video"]) if row is not None else None

    def kept_video(self, session: SessionRow) -> Path | None:
        """`video_path` of a session already read (no query: for pages listing many)."""
        return self._existing(session.id, session.video)

    def _existing(self, session_id: int, name: str | None) -> Path | None:
        video = self._video_file(session_id, name)
        return video if video is not None and video.is_file() else None

    @staticmethod
    def _video_name(session_id: int) -> str:
        return f"session-{int(session_id)}.mp4"

    def _video_file(self, session_id: int, name: str | None) -> Path | None:
        # Only the name this session's video is always given: a row edited to
        # hold "../notes" or another session's file never makes formcheck read
        # or delete anything else.
        if name != self._video_name(session_id):
            return None
        return self.videos_dir / name

    # -- reading ----------------------------------------------------------------

    def sessions(self, exercise: str | None = None) -> list[SessionRow]:
        """Sessions, newest first (only ``exercise``'s if given)."""
        query = "SELECT * FROM sessions"
        params: tuple[object, ...] = ()
        if exercise is not None:
            query += " WHERE exercise = ?"
            params = (exercise,)
        with self._connect() as conn:
            rows = conn.execute(query + " ORDER BY started_at DESC, id DESC", params).fetchall()
            counts = self._flag_counts(conn)
        return [_session_row(row, counts.get(row["id"], {})) for row in rows]

    def session(self, session_id: int) -> SessionRow:
        """One session; `HistoryError` if it doesn't exist (e.g. was deleted)."""
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
            counts = self._flag_counts(conn, session_id)
        if row is None:
            raise HistoryError(f"session {session_id}: no such session (deleted?)")
        return _session_row(row, counts.get(session_id, {}))

    def result(self, session_id: int) -> Mapping[str, Any] | None:
        """The full stored result of a finished clip session, if any."""
        with self._connect() as conn:
            row = conn.execute("SELECT result FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return json.loads(row["result"]) if row and row["result"] else None

    @staticmethod
    def _flag_counts(
        conn: sqlite3.Connection, session_id: int | None = None
    ) -> dict[int, dict[str, int]]:
        query = "SELECT session_id, code, COUNT(*) AS n FROM flags"
        params: tuple[object, ...] = ()
        if session_id is not None:
            query += " WHERE session_id = ?"
            params = (session_id,)
        counts: dict[int, dict[str, int]] = {}
        for row in conn.execute(query + " GROUP BY session_id, code ORDER BY code", params):
            counts.setdefault(row["session_id"], {})[row["code"]] = row["n"]
        return counts

    def reps(self, session_id: int) -> list[RepRow]:
        """A session's reps in order."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT * FROM reps WHERE session_id = ? ORDER BY rep, side", (session_id,)
            ).fetchall()
        return [
            RepRow(
                rep=row["rep"],
                side=row["side"],
                status=row["status"],
                start=row["start"],
                end=row["end"],
                duration=row["duration"],
                rom_min=row["rom_min"],
                rom_max=row["rom_max"],
                flags=tuple(c for c in row["flags"].split(";") if c),
            )
            for row in rows
        ]

    def flags(self, session_id: int) -> list[FlagRow]:
        """A session's flags in time order."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT * FROM flags WHERE session_id = ? ORDER BY t, id", (session_id,)
            ).fetchall()
        return [
            FlagRow(
                rep=row["rep"],
                side=row["side"],
                code=row["code"],
                t=row["t"],
                value=row["value"],
                limit=row["limit_value"],
                unit=row["unit"],
                message=row["message"],
            )
            for row in rows
        ]

    def export_csv(self, session_id: int) -> str:
        """A session's reps as CSV text, one row per rep, with the session's details."""
        session = self.session(session_id)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                "session",
                "date",
                "exercise",
                "source",
                "rep",
                "side",
                "status",
                "start_s",
                "end_s",
                "duration_s",
                "rom_min",
                "rom_max",
                "flags",
            ]
        )
        for rep in self.reps(session_id):
            writer.writerow(
                [
                    session.id,
                    session.started_at,
                    session.exercise,
                    session.source,
                    rep.rep,
                    rep.side,
                    rep.status,
                    *(_csv_number(v) for v in (rep.start, rep.end, rep.duration)),
                    *(_csv_number(v) for v in (rep.rom_min, rep.rom_max)),
                    ";".join(rep.flags),
                ]
            )
        return out.getvalue()

    def trends(self, exercise: str) -> list[TrendPoint]:
        """One point per session of ``exercise`` and side, oldest first: reps, ROM, flag shares.

        Left and right are separate points (a session of ``auto`` side splits by the
        side of each rep), so each side's trend can be drawn on its own.
        """
        sessions = list(reversed(self.sessions(exercise)))
        reps_of = {s.id: self.reps(s.id) for s in sessions}
        codes = sorted({c for reps in reps_of.values() for r in reps for c in r.flags})
        points = []
        for session in sessions:
            by_side: dict[str, list[RepRow]] = {}
            for r in reps_of[session.id]:
                by_side.setdefault(r.side or session.side, []).append(r)
            split = len(by_side) > 1  # else the session's own counts hold, whatever they count
            for side, reps in sorted(by_side.items()) or [(session.side, [])]:
                seen = [r for r in reps if judged(r.status)]
                spans = [r.rom_max - r.rom_min for r in seen if None not in (r.rom_min, r.rom_max)]
                peaks = [r.rom_max for r in seen if r.rom_max is not None]
                share = {c: sum(c in r.flags for r in reps) / len(reps) for c in codes if reps}
                counts = RepCounts.of(r.status for r in reps) if split else session.counts
                points.append(
                    TrendPoint(
                        session_id=session.id,
                        started_at=session.started_at,
                        reps=counts.full,
                        partial_reps=counts.partial,
                        uncertain_reps=counts.uncertain,
                        rom=sum(spans) / len(spans) if spans else None,
                        peak=sum(peaks) / len(peaks) if peaks else None,
                        flag_share=share,
                        side=side,
                        source=session.source,
                        clip_name=session.clip_name,
                    )
                )
        return points

    # -- per-person limits ------------------------------------------------------

    def overrides(self, exercise: str) -> dict[str, float]:
        """The saved per-person limits of ``exercise``: ``{check_code: limit}``."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT code, limit_value FROM overrides WHERE exercise = ? ORDER BY code",
                (exercise,),
            ).fetchall()
        return {row["code"]: row["limit_value"] for row in rows}

    def set_overrides(self, exercise: str, limits: Mapping[str, float]) -> None:
        """Replace ``exercise``'s per-person limits with ``limits`` (empty: back to the spec)."""
        stamp = _now()
        with self._write() as conn:
            conn.execute("DELETE FROM overrides WHERE exercise = ?", (exercise,))
            conn.executemany(
                "INSERT INTO overrides (exercise, code, limit_value, updated_at) "
                "VALUES (?, ?, ?, ?)",
                [(exercise, code, float(value), stamp) for code, value in limits.items()],
            )


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    """Whether ``exc`` is SQLite giving up on a lock another connection holds."""
    name = getattr(exc, "sqlite_errorname", "")
    return name in ("SQLITE_BUSY", "SQLITE_LOCKED") or "locked" in str(exc)


def _enable_wal(conn: sqlite3.Connection) -> None:
    """Put the file in WAL mode (persistent: a no-op once set).

    Switching a new file to WAL takes an exclusive lock that SQLite does not
    wait for with the busy timeout, so two processes opening a new file at the
    same moment would get "database is locked": retry for as long as a write
    would wait.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _statements(script: str) -> list[str]:
    # Plain `;` splitting is enough: migrations hold no triggers or string literals with `;`.
    return [s.strip() for s in script.split(";") if s.strip()]


def _csv_number(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}".rstrip("0").rstrip(".")


def _session_row(row: sqlite3.Row, flag_counts: Mapping[str, int]) -> SessionRow:
    return SessionRow(
        id=row["id"],
        started_at=row["started_at"],
        updated_at=row["updated_at"],
        exercise=row["exercise"],
        side=row["side"],
        source=row["source"],
        status=row["status"],
        view=row["view"],
        clip_name=row["clip_name"],
        reps=row["reps"],
        partial_reps=row["partial_reps"],
        settings=json.loads(row["settings"] or "{}"),
        flag_counts=dict(flag_counts),
        runs=row["runs"],
        video=row["video"],
        uncertain_reps=row["uncertain_reps"],
    )


def _merge_runs(
    old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, run: int
) -> dict[str, Any] | None:
    """A continued session's stored result with run ``run``'s result (``new``) in it.

    Every run's result is kept, keyed by its ``run`` (a result stored before the
    session was continued is run 1): the latest at the top, the others in
    ``earlier_runs``, oldest first.
    """
    by_run: dict[int, Mapping[str, Any]] = {}
    if old:
        top = {k: v for k, v in old.items() if k != "earlier_runs"}
        for part in [*old.get("earlier_runs", ()), top]:
            if part:
                number = int(part.get("run", 1))
                by_run[number] = {**part, "run": number}
    if new is not None:
        by_run[run] = {**new, "run": run}
    if not by_run:
        return None
    order = sorted(by_run)
    return {**by_run[order[-1]], "earlier_runs": [by_run[k] for k in order[:-1]]}
