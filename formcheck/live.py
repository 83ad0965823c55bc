"""Live coaching, frame by frame, without Streamlit: the webcam worker's whole job.

`LiveProcessor.process(rgb, t)` runs the same `PoseEstimator` and `Engine` as
clip review and returns the annotated frame. It runs on the video worker
thread; the page reads what happened through a thread-safe channel:

- `LiveProcessor.status()`: the latest `LiveStatus` (a frozen copy taken under a lock);
- `LiveProcessor.events`: a bounded `queue.Queue` of engine events (reps,
  flags, disabled checks) for cues and speech; the oldest are dropped if
  nobody reads them, so a closed tab never grows memory.

Each completed rep is written to the history as it happens (`RepRecorder`),
so closing the tab or losing the camera never loses the reps already done.
The writing runs on a thread of its own (`RepSaver`): the frame thread only
hands reps over, so a history another program keeps locked never freezes
the video.
A new camera run can carry on a recent session instead of opening another
(`continuable`, ``RepRecorder(continues=...)``): after a reload or a lost
camera, the set goes on where it stopped, its new reps numbered after the
saved ones.
Video is kept only when asked for (`LiveVideo`): the annotated frames are
encoded in a private temporary folder and attached to the history session
when the stream ends, or deleted if no rep was done.

Example::

    with LiveProcessor(spec, side="auto", recorder=RepRecorder(History(), spec, "auto")) as live:
        for t, rgb in camera:
            shown = live.process(rgb, t)
        print(live.status().snapshot.reps)
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.engine import (
    ChecksDisabled,
    Engine,
    FlagRaised,
    RepCompleted,
    RepCounts,
    Snapshot,
)
from formcheck.frame import PoseFrame
from formcheck.history import (
    HEARTBEAT_SECONDS,
    History,
    HistoryError,
    SessionRow,
    stamp,
    stamp_time,
)
from formcheck.picture import Picture, PictureMeter
from formcheck.pose import DEFAULT_MODEL, DEFAULT_ORIENTATION, PoseEstimator, people_in_view
from formcheck.scratch import LIVE_PREFIX
from formcheck.setup_watch import SetupWatch, resting
from formcheck.specs import Spec
from formcheck.video import VideoWriter, join_videos

log = logging.getLogger(__name__)

#: Engine events the page cares about (the rest stay inside the engine's result).
PAGE_EVENTS = (RepCompleted, FlagRaised, ChecksDisabled)
#: A live session updated this recently is offered to the next camera run to continue
#: (long enough for a reload, a reconnected camera or a short rest; a set after a
#: longer break is a new session).
CONTINUE_MINUTES = 15
#: Seconds between tries to save reps the history refused (each try can wait
#: the history's `BUSY_TIMEOUT` for a lock: the saving thread's time, not the video's).
RETRY_SECONDS = 15.0
#: Seconds the saving thread waits for work before it ends (the next hand-over
#: starts another): a processor that is never closed leaves no thread behind.
SAVER_IDLE_SECONDS = 5.0

Draw = Callable[[np.ndarray, PoseFrame, Snapshot, Spec], np.ndarray]


def default_draw(rgb: np.ndarray, frame: PoseFrame, snapshot: Snapshot, spec: Spec) -> np.ndarray:
    """The review video's drawing: skeleton, working leg, heel path, band, counter and cue."""
    from formcheck.annotate import draw_state  # OpenCV: imported on first use, not at import

    return draw_state(rgb, frame, snapshot, spec.display_name)


@dataclass(frozen=True)
class LiveStatus:
    """What the page shows beside the video, as of the last processed frame.

    ``fps`` is frames processed per second over the last few seconds;
    ``last_frame_at`` is ``time.monotonic()`` of the last frame (to notice a
    camera that stopped sending); ``session_id`` is the history session the
    reps are saved into (None until the first rep, unless continuing one);
    ``saved_reps`` the completed reps it holds, whatever their status (earlier
    runs' included); ``earlier`` what earlier camera runs of a continued
    session did (the snapshot counts this run only; `counts` adds them up);
    ``last_rep_number`` the session's number for the snapshot's last rep (the
    one it should get, until saved); ``error`` is the last problem (e.g. the history couldn't be
    written), shown on the page; ``picture`` how dark and grainy the camera's
    picture has been over the last few seconds; ``people`` the most people
    seen at once, and ``followed`` where the person coached is when there
    were others; ``fps_settled`` whether ``fps`` spans the rate's whole window
    (not the first seconds, while the model loads); ``behind`` how many
    seconds the frame analysed last was older, on arrival, than the first
    frame was (frames waiting in a queue somewhere before the analysis).
    """

    frames: int = 0
    frames_with_pose: int = 0
    fps: float = 0.0
    last_frame_at: float | None = None
    snapshot: Snapshot | None = None
    session_id: int | None = None
    saved_reps: int = 0
    earlier: RepCounts = field(default_factory=RepCounts)
    last_rep_number: int | None = None
    error: str | None = None
    picture: Picture | None = None
    people: int = 0
    followed: str = ""
    fps_settled: bool = False
    behind: float = 0.0

    @property
    def counts(self) -> RepCounts:
        """The session's reps so far: its earlier camera runs' and this run's."""
        return self.earlier + (self.snapshot.counts if self.snapshot else RepCounts())


class RepRecorder:
    """Saves each completed rep (with its flags) to the history as it happens.

    The history session is opened on the first rep, so a camera test with no
    reps leaves no empty session behind. With ``continues`` (a session from
    `continuable`) the first rep reopens that session instead: the new reps
    are numbered after its saved ones, and their times count from the
    session's first camera start (after its last saved rep at the least).
    If that session was deleted meanwhile, a new one is opened. A rep that
    can't be saved (the history locked by another program, say) is kept, in
    order, and tried again with the next rep, every `RETRY_SECONDS` and at
    `finish`. Call `finish` when the stream ends.

    Its methods write to the history and can wait for it: during a stream it
    is used by `RepSaver`'s thread only, never by the frame thread.
    """

    def __init__(
        self,
        history: History,
        spec: Spec,
        side: str,
        settings: Mapping[str, Any] | None = None,
        *,
        continues: SessionRow | None = None,
    ) -> None:
        self.history, self.spec, self.side = history, spec, side
        self.settings = dict(settings or {})
        self.continues = continues
        self.session_id: int | None = None
        self.run: int | None = None  # this camera run's number in the session
        self.saved = 0  # reps saved by this run
        self.earlier = continues.counts if continues else RepCounts()  # earlier runs' reps
        #: The session's number for each rep of this run: ``(engine rep, side) -> number``.
        self.numbers: dict[tuple[int, str], int] = {}
        #: Per side, the session's number before this run's first rep there, as
        #: last seen: this run's n-th rep on that side is expected to be base + n.
        self.bases: dict[str, int] = _last_numbers(history, continues) if continues else {}
        self._saved_on: dict[str, int] = {}  # this run's reps saved, per side
        self._offset = 0.0  # seconds from the session's start to this run's first frame
        self._pending_flags: dict[tuple[int, str], list[dict[str, Any]]] = {}
        self._view: str | None = None
        self._written_at: float | None = None  # time.monotonic() of the last write
        #: Completed reps not yet in the history, oldest first, with when they completed
        #: (``time.time()``).
        self._unsaved: list[tuple[RepCompleted, Snapshot, float]] = []
        self._tried_at = 0.0  # time.monotonic() of the last try to save them

    @property
    def target(self) -> int | None:
        """The session the reps go into: the open one, else the one to continue."""
        if self.session_id is not None:
            return self.session_id
        return self.continues.id if self.continues else None

    @property
    def unsaved(self) -> int:
        """Completed reps waiting to be saved (the history could not be written)."""
        return len(self._unsaved)

    @property
    def session_reps(self) -> int:
        """Reps saved in the session, earlier runs' included."""
        return self.earlier.total + self.saved

    def add(self, events: list, snapshot: Snapshot, at: float | None = None) -> None:
        """Record a frame's events without saving them (flags first: a rep's end-of-rep
        flags come with it); ``at`` is when they happened (``time.time()``, default now)."""
        at = time.time() if at is None else at
        for event in events:
            if isinstance(event, FlagRaised):
                flag = {k: v for k, v in event.as_dict().items() if k != "kind"}
                self._pending_flags.setdefault((event.rep, event.side), []).append(flag)
        self._unsaved += [(e, snapshot, at) for e in events if isinstance(e, RepCompleted)]

    def flush(self) -> None:
        """Save the reps still waiting, oldest first; raises if the history can't take them.

        Each rep leaves the queue only once it is in the history, so a failure
        part way keeps the rest (and that rep's flags) for the next try.
        """
        self._tried_at = time.monotonic()
        while self._unsaved:
            event, snapshot, at = self._unsaved[0]
            self._save(event, at)
            del self._unsaved[0]
            if snapshot.view and snapshot.view != self._view:
                self._view = snapshot.view
                self.history.update_session(self.session_id, view=snapshot.view)

    def keep_alive(self, now: float) -> None:
        """Refresh the session's ``updated_at`` if nothing was written for a heartbeat.

        ``now`` is ``time.monotonic()``. Called on every frame: a session whose
        app dies stops beating and shows as interrupted (`SessionRow.state`).
        Reps left unsaved by a failure are tried again every `RETRY_SECONDS`.
        """
        if self._unsaved:
            # Not every frame: with the history locked, each try waits for the lock.
            if now - self._tried_at >= RETRY_SECONDS:
                self.flush()
            return
        if self.session_id is None or self._written_at is None:
            return
        if now - self._written_at >= HEARTBEAT_SECONDS:
            self._written_at = now
            self.history.update_session(self.session_id)

    def _open(self, event: RepCompleted, at: float) -> None:
        # The run's first frame is engine time 0: on the wall clock, `event.end` before
        # the rep completed (not before now: a locked history may have held it up).
        run_started = at - event.end
        if self.continues is not None:
            try:
                self.run = self.history.continue_session(
                    self.continues.id, started_at=self.continues.started_at
                )
            except HistoryError:
                # Deleted since it was offered: a new session, rather than losing the rep.
                log.warning("live: session %s is gone; starting a new one", self.continues.id)
                self.continues = None
                self.earlier = RepCounts()
            else:
                self.session_id = self.continues.id
                # Times count from the session's first camera start, and never go back
                # (the wall clock and the camera's clock can disagree a little).
                since_start = run_started - stamp_time(self.continues.started_at).timestamp()
                ends = [r.end for r in self.history.reps(self.session_id) if r.end is not None]
                self._offset = max(since_start, *ends, 0.0)
                return
        self.session_id = self.history.start_session(
            exercise=self.spec.name,
            side=self.side,
            source="live",
            settings=self.settings,
            started_at=stamp(datetime.fromtimestamp(run_started, UTC)),
        )

    def _save(self, event: RepCompleted, at: float) -> None:
        if self.session_id is None:
            self._open(event, at)
        session_id = self.session_id
        shift = self._offset
        key = (event.rep, event.side)
        flags = [
            {**f, "t": f["t"] + shift if f.get("t") is not None else None}
            for f in self._pending_flags.get(key, [])
        ]
        row = {
            "rep": event.rep,
            "side": event.side,
            "status": event.status,
            "start": event.start + shift,
            "end": event.end + shift,
            "duration": event.end - event.start,
            "rom_min": event.rom_min,
            "rom_max": event.rom_max,
            "flags": list(dict.fromkeys(f["code"] for f in flags)),
        }
        # The engine completes each rep once; the history gives it the session's number.
        self.numbers[key] = number = self.history.append_rep(session_id, row, flags)
        self._pending_flags.pop(key, None)  # only now: a failed save keeps them for the retry
        self._saved_on[event.side] = count = self._saved_on.get(event.side, 0) + 1
        self.bases[event.side] = number - count
        self.saved += 1
        self._written_at = time.monotonic()

    def finish(self, result: Mapping[str, Any] | None = None) -> None:
        """Save any reps still waiting, then mark the session finished; safe to call twice.

        ``result`` (the engine's full result) is kept with the session, and the saved
        reps take its statuses: live, each rep was judged against the reps before it
        only (from beyond the feet, a first rep with none to compare to is full).
        """
        self.flush()
        if self.session_id is not None:
            if result is not None:
                self._restatus(result)
            self.history.finish_session(self.session_id, result, run=self.run)

    def _restatus(self, result: Mapping[str, Any]) -> None:
        """Give this run's saved reps the statuses of the engine's final result."""
        statuses = {}
        for row in result.get("rep_table", ()):
            number = self.numbers.get((row["rep"], row["side"]))
            if number is not None:
                statuses[(number, row["side"])] = row["status"]
        if not statuses:
            return
        try:
            self.history.restatus(self.session_id, statuses)
        except HistoryError:
            # The reps stay as judged live; the session must still be finished.
            log.exception("live: the reps' final statuses could not be saved")


def _last_numbers(history: History, session: SessionRow) -> dict[str, int]:
    """The last rep number on each side of ``session`` (nothing if it is gone or unreadable).

    Only a guess for numbering the reps to come before they are saved, so a
    failure is logged, not raised.
    """
    try:
        if history.session(session.id).started_at != session.started_at:
            return {}  # deleted, and its id taken by another session: a new one will be opened
        reps = history.reps(session.id)
    except Exception:
        log.warning("live: can't read session %s's reps", session.id, exc_info=True)
        return {}
    last: dict[str, int] = {}
    for rep in reps:
        last[rep.side] = max(last.get(rep.side, 0), rep.rep)
    return last


@dataclass(frozen=True)
class SaveState:
    """What the history holds of a camera run, as the saving thread last left it.

    ``session_id`` is the session the reps go into (None until the first rep,
    unless continuing one); ``session_reps`` the reps it holds, earlier runs'
    included; ``earlier`` what earlier camera runs of a continued session did;
    ``numbers`` and ``bases`` as in
    `RepRecorder`; ``unsaved`` the reps waiting to be saved; ``error`` the last
    problem saving, None once every rep is saved.
    """

    session_id: int | None = None
    session_reps: int = 0
    earlier: RepCounts = field(default_factory=RepCounts)
    numbers: Mapping[tuple[int, str], int] = field(default_factory=dict)
    bases: Mapping[str, int] = field(default_factory=dict)
    unsaved: int = 0
    error: str | None = None


_BEAT = object()  # a frame went by: time for a heartbeat, or to retry refused reps?
_STOP = object()  # the stream ended: hand the rest over and stop


class RepSaver:
    """Gives a `RepRecorder` what the frames did, on a thread of its own.

    The frame thread calls `add` and `beat`, which only queue and return at
    once: it never waits on the disk, even when the history is locked by
    another program for longer than its `BUSY_TIMEOUT`. One worker thread
    (not a daemon: what is queued is saved before the program exits), started
    by the first hand-over, gives the queue to the recorder in order and ends
    after `SAVER_IDLE_SECONDS` without work, or once the program's main thread
    is done (frames still coming must not keep the program alive). `state`
    (any thread) says what the history holds; `settle` waits for the queue to
    be handled; `close` stops the worker, saves what is left and finishes the
    session.

    Example::

        saver = RepSaver(RepRecorder(History(), spec, "auto"))
        saver.add(events, snapshot)  # on the frame thread: returns at once
        saver.beat()
        saver.close(result)  # when the stream ends
    """

    def __init__(self, recorder: RepRecorder) -> None:
        self.recorder = recorder
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        # Guards _thread (its start and its idle end), _closed, _ending and _state.
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._ending = False  # the program is exiting: take no more work
        self._beat_queued = threading.Event()  # one heartbeat in the queue is enough
        self._state = self._read(error=None)
        # The frame thread's own count of each side's completed reps, to number them.
        self._ordinals: dict[tuple[int, str], int] = {}
        self._counts: dict[str, int] = {}

    def add(self, events: list, snapshot: Snapshot) -> None:
        """Queue a frame's reps and flags for saving (frame thread; never waits)."""
        kept = [e for e in events if isinstance(e, RepCompleted | FlagRaised)]
        if not kept:
            return
        for event in kept:
            if isinstance(event, RepCompleted):
                count = self._counts[event.side] = self._counts.get(event.side, 0) + 1
                self._ordinals[(event.rep, event.side)] = count
        self._put((kept, snapshot, time.time()))

    def beat(self) -> None:
        """Ask for a heartbeat, or a retry of refused reps when due (frame thread)."""
        if not self._beat_queued.is_set():
            self._beat_queued.set()
            self._put(_BEAT)

    def number(self, rep: int, side: str) -> int:
        """The session's number for the engine's ``rep`` on ``side`` (frame thread).

        The history's number once saved; until then the one it should get
        (numbered on from the side's last saved rep), so cues never wait.
        """
        state = self.state()
        key = (rep, side)
        if key in state.numbers:
            return state.numbers[key]
        return state.bases.get(side, 0) + self._ordinals.get(key, rep)

    def state(self) -> SaveState:
        """What the history holds, as of the last save or try (any thread)."""
        with self._lock:
            return self._state

    def settle(self, timeout: float | None = None) -> bool:
        """Wait until everything queued so far was tried (saved, or kept for a retry).

        Any thread; False if ``timeout`` seconds passed first.
        """
        done = threading.Event()
        return done.wait(timeout) if self._put(done) else True

    def close(self, result: Mapping[str, Any] | None = None) -> None:
        """Let the worker hand over what is queued, then save the rest and finish
        the session with ``result``; safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            thread = self._thread
            if thread is not None:
                self._queue.put(_STOP)
        if thread is not None:
            thread.join()
        # From here on the recorder is this thread's alone.
        error = None
        try:
            self.recorder.finish(result)
        except Exception as exc:
            log.exception("live: finishing the history session failed")
            if waiting := self.recorder.unsaved:
                error = f"couldn't save the last {waiting} reps ({exc})"
        self._publish(error)

    def _put(self, item: object) -> bool:
        with self._lock:
            if self._closed or self._ending:
                return False
            self._queue.put(item)
            if self._thread is None:
                # Not a daemon, even when started from one (the WebRTC worker's thread):
                # the program waits for what is queued to be saved before it exits.
                self._thread = threading.Thread(
                    target=self._run, name="formcheck-saver", daemon=False
                )
                self._thread.start()
            return True

    def _run(self) -> None:
        while True:
            try:
                batch = [self._queue.get(timeout=SAVER_IDLE_SECONDS)]
            except queue.Empty:
                with self._lock:  # nothing can be queued meanwhile without a new thread
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            with contextlib.suppress(queue.Empty):
                while True:  # all that came while the last save waited: one try for them all
                    batch.append(self._queue.get_nowait())
            if not self._handle(batch):
                return
            if not threading.main_thread().is_alive():
                # The program is exiting and waits for this thread: what was queued
                # has had its try; take no more, or the frames would keep it alive.
                with self._lock:
                    self._ending = True
                    self._thread = None
                return

    def _handle(self, batch: list) -> bool:
        """Give ``batch`` to the recorder and try saving; False when told to stop."""
        settled = [item for item in batch if isinstance(item, threading.Event)]
        try:
            added = beat = False
            for item in batch:
                if item is _STOP:
                    return False  # close() saves the rest: one try, not two
                if item is _BEAT:
                    self._beat_queued.clear()
                    beat = True
                elif isinstance(item, tuple):
                    self.recorder.add(*item)
                    added = True
            self._save(added, beat)
            return True
        finally:
            for done in settled:
                done.set()

    def _save(self, added: bool, beat: bool) -> None:
        error = self.state().error
        try:
            if added:
                self.recorder.flush()
            if beat:
                self.recorder.keep_alive(time.monotonic())
        except Exception as exc:
            # The video goes on even if the disk is full or the history locked:
            # say so on the page, and keep counting (and the reps, to try again).
            log.exception("live: saving a rep to the history failed")
            waiting = self.recorder.unsaved
            error = f"couldn't save to the history ({exc}); reps are still counted" + (
                f", and the {waiting} not yet saved will be saved once it can be written"
                if waiting
                else ""
            )
        else:
            if not self.recorder.unsaved:
                error = None
        self._publish(error)

    def _read(self, error: str | None) -> SaveState:
        recorder = self.recorder
        return SaveState(
            session_id=recorder.target,
            session_reps=recorder.session_reps,
            earlier=recorder.earlier,
            numbers=dict(recorder.numbers),
            bases=dict(recorder.bases),
            unsaved=recorder.unsaved,
            error=error,
        )

    def _publish(self, error: str | None) -> None:
        state = self._read(error)
        with self._lock:
            self._state = state


def continuable(
    history: History, exercise: str, side: str, now: datetime | None = None
) -> SessionRow | None:
    """The live session of ``exercise`` and ``side`` updated in the last
    `CONTINUE_MINUTES` that a new camera run can carry on, or None."""
    return history.continuable(exercise, side, within_seconds=CONTINUE_MINUTES * 60, now=now)


def continue_label(session: SessionRow, now: datetime | None = None) -> str:
    """``Continue session 12 (3 reps, 1 partial; 2 min ago)``: the offer to carry ``session`` on."""
    minutes = int(session.idle_seconds(now) // 60)
    when = "just now" if minutes < 1 else f"{minutes} min ago"
    return f"Continue session {session.id} ({session.counts.describe()}; {when})"


def min_fps(exercise: str, path: Path | None = None) -> float | None:
    """The lowest analysed rate at which ``exercise`` counts reliably (None: not measured).

    Data from the simulator study `formcheck.bench.rates` (``data/min_fps.toml``).
    """
    import tomllib

    path = path or Path(__file__).resolve().parent / "data" / "min_fps.toml"
    try:
        table = tomllib.loads(path.read_text())["min_fps"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        log.warning("live: can't read the minimum frame rates in %s", path, exc_info=True)
        return None
    value = table.get(exercise)
    return float(value) if value is not None else None


def rate_warning(status: LiveStatus, minimum: float | None, model: str) -> str | None:
    """What to tell the user when frames are analysed too slowly to count reliably.

    None while the rate is at least ``minimum`` (see `min_fps`), not yet
    settled, or unknown. The lite model is suggested unless already in use.

    >>> rate_warning(LiveStatus(frames=90, fps=5.6, fps_settled=True), 6.0, "full")[:44]
    'Only 5.6 frames a second are being analysed:'
    """
    if minimum is None or not status.fps_settled or status.fps >= minimum:
        return None
    faster = (
        "choose the lite pose model in the sidebar (then Stop and Start camera), and close "
        "other programs"
        if model != "lite"
        else "close other programs, or use a faster computer"
    )
    return (
        f"Only {status.fps:.1f} frames a second are being analysed: this exercise needs "
        f"{minimum:g} to be counted reliably, so reps may be missed. To speed it up, {faster}."
    )


class LiveVideo:
    """The annotated frames of one live stream, as an H.264 MP4 kept with its history session.

    The file is written in a private temporary folder (made on the first
    frame, readable by this user only). The live video comes first: `write`
    never waits for the encoder (a frame that finds it busy is left out, so
    the recording shows the previous frame a little longer) and a failure
    stops only the recording (`LiveProcessor` reports it and calls `discard`).
    At the end, `keep` attaches the file to the session (after the video of
    its earlier camera runs, when the session was continued); the temporary
    folder is removed whatever happens.

    Args:
        size: the recording's ``(width, height)``; frames of another size are
            scaled to fit, keeping their shape (black bars if it differs).
            WebRTC starts a stream small and raises the resolution as the
            connection allows, so the first frame is a poor guide: give the
            size the camera was asked for. None: the first frame's size.
        fps: the nominal rate (frames keep their own timestamps).
        writer: how the file is written (default: `VideoWriter`).
    """

    def __init__(
        self,
        size: tuple[int, int] | None = None,
        fps: float = 30.0,
        writer: Callable[..., VideoWriter] = VideoWriter,
    ) -> None:
        if size is not None and not (len(size) == 2 and min(size) >= 2):
            raise ValueError(f"size: expected (width, height) of at least 2 pixels, got {size!r}")
        if not fps > 0:
            raise ValueError(f"fps: expected a positive number, got {fps!r}")
        self.size, self.fps = size, fps
        self.folder: Path | None = None
        self.frames = self.dropped = 0
        self.stopped = False
        self._open = writer
        self._writer: VideoWriter | None = None
        self._t0 = 0.0

    @property
    def path(self) -> Path | None:
        """The file being written (None before the first frame)."""
        return self.folder / "live.mp4" if self.folder is not None else None

    def write(self, rgb: np.ndarray, t: float) -> None:
        """Add one annotated ``(h, w, 3)`` frame seen at ``t`` s; raises if recording fails."""
        if self.stopped:
            return
        if self._writer is None:
            self.folder = Path(tempfile.mkdtemp(prefix=LIVE_PREFIX))
            width, height = self.size or (rgb.shape[1], rgb.shape[0])
            self._t0 = t
            self._writer = self._open(self.path, self.fps, width // 2 * 2, height // 2 * 2)
        writer = self._writer
        frame = _fit(rgb, writer.width, writer.height)
        if writer.write_nowait(frame, t=t - self._t0):
            self.frames += 1
        else:
            self.dropped += 1

    def keep(self, history: History, session_id: int | None) -> Path | None:
        """Finish the file and attach it to ``session_id``; None (and nothing kept) without one.

        The temporary folder is removed afterwards, whether keeping worked or not.
        """
        try:
            if self.stopped or self._writer is None:
                return None
            self._writer.close()  # flush the encoder; raises its error, if any
            if session_id is None or self.frames == 0:
                return None
            path = self.path
            earlier = history.video_path(session_id)
            if earlier is not None:  # a continued session: this run follows the earlier ones
                path = join_videos([earlier, path], self.folder / "joined.mp4")
            return history.attach_video(session_id, path)
        finally:
            self.discard()

    def discard(self) -> None:
        """Stop recording and delete what was written; safe to call twice."""
        self.stopped = True
        if self._writer is not None:
            with contextlib.suppress(Exception):  # the file is going anyway
                self._writer.close()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def _fit(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    """``rgb`` scaled to fit ``width`` x ``height``, keeping its shape, centred on black."""
    h, w = rgb.shape[:2]
    if 0 <= w - width <= 1 and 0 <= h - height <= 1:
        return rgb[:height, :width]  # the size itself, or an odd size trimmed to even
    import cv2  # OpenCV: imported on first use, not at import

    scale = min(width / w, height / h)
    fw, fh = min(width, max(1, round(w * scale))), min(height, max(1, round(h * scale)))
    smooth = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    scaled = cv2.resize(rgb, (fw, fh), interpolation=smooth)
    if (fw, fh) == (width, height):
        return scaled
    canvas = np.zeros((height, width, 3), np.uint8)
    top, left = (height - fh) // 2, (width - fw) // 2
    canvas[top : top + fh, left : left + fw] = scaled
    return canvas


@dataclass
class _Rate:
    """Frames per second over a sliding window of recent frame times."""

    window: float = 3.0
    times: list[float] = field(default_factory=list)
    settled: bool = False  # the frames have spanned (most of) a window once

    def tick(self, now: float) -> float:
        self.times.append(now)
        while self.times and now - self.times[0] > self.window:
            self.times.pop(0)
        span = self.times[-1] - self.times[0]
        self.settled = self.settled or span >= 0.9 * self.window
        return (len(self.times) - 1) / span if span > 0 else 0.0


class LiveProcessor:
    """Runs pose + engine on each webcam frame and returns the annotated frame.

    Args:
        spec: the exercise (with any per-person limits already applied).
        side: ``left``, ``right``, ``both`` or ``auto``.
        model, orientation: as for `PoseEstimator`.
        recorder: saves reps as they complete, on a `RepSaver`'s thread
            (None: nothing is saved).
        draw: how a frame is annotated (default: the review video's drawing).
        estimator: a ready `PoseEstimator` to use (and close); by default one
            is created on the first frame, on the worker thread that uses it.
        event_buffer: how many page events are kept when nobody reads them.
        video: records the annotated frames, kept with the recorder's session
            when the stream ends (None, the default: no video is kept).
    """

    def __init__(
        self,
        spec: Spec,
        side: str = "auto",
        *,
        model: str = DEFAULT_MODEL,
        orientation: str = DEFAULT_ORIENTATION,
        recorder: RepRecorder | None = None,
        draw: Draw = default_draw,
        estimator: PoseEstimator | None = None,
        event_buffer: int = 256,
        video: LiveVideo | None = None,
    ) -> None:
        if video is not None and recorder is None:
            raise ValueError("video: expected a recorder whose session keeps it, got none")
        self.spec, self.side = spec, side
        self.engine = Engine(spec, side)  # validates side against the spec before any frame
        self.model, self.orientation = model, orientation
        self.recorder = recorder
        self._saver = RepSaver(recorder) if recorder is not None else None
        self.video = video
        self.events: queue.Queue = queue.Queue(maxsize=event_buffer)
        self._draw = draw
        self._estimator = estimator
        self._lock = threading.Lock()  # guards _status, read by the page thread
        # Serialises process() and close(): the stream can end (closing the
        # model) from another thread while a frame is still being analysed.
        self._work = threading.Lock()
        self._status = LiveStatus()
        #: The last seconds of poses, for the setup check the page shows before counting.
        self.setup = SetupWatch(spec, side)
        self._rate = _Rate()
        self._picture = PictureMeter(every=1.0, keep=5)  # the last few seconds
        self._picture_now: Picture | None = None
        self._frames = self._with_pose = 0
        self._last_t = -1.0
        self._start: tuple[float, float] | None = None  # (time.monotonic(), t) of the first frame
        self._error: str | None = None
        self._closed = False

    def process(self, rgb: np.ndarray, t: float) -> np.ndarray:
        """Analyse one ``(h, w, 3)`` uint8 RGB frame seen at ``t`` seconds; return it annotated.

        Timestamps that don't increase are nudged forward (webcams repeat them).
        """
        with self._work:
            if self._closed:
                raise RuntimeError("LiveProcessor is closed")
            return self._process(rgb, t)

    def _process(self, rgb: np.ndarray, t: float) -> np.ndarray:
        if self._estimator is None:
            self._estimator = PoseEstimator(self.model, orientation=self.orientation)
        t = max(float(t), self._last_t + 1e-3)
        arrived = time.monotonic()
        if self._start is None:
            self._start = (arrived, t)
        # Camera seconds since the first frame against this clock's: the rest is waiting.
        behind = max(0.0, (arrived - self._start[0]) - (t - self._start[1]))
        self._last_t = t
        frame = self._estimator.process(rgb, t)
        self.setup.recalibrate(self.engine)  # the camera was moved before the first rep
        if self._picture.offer(rgb, t):  # once a second: recompute the median then only
            self._picture_now = self._picture.picture()
        events = self.engine.update(frame)
        snapshot = self.engine.snapshot()
        self.setup.add(frame, resting(snapshot.phase))
        self._frames += 1
        self._with_pose += frame.has_pose
        now = time.monotonic()
        saver = self._saver
        if saver is not None:  # handed over, never waited for: the disk can be slow or locked
            saver.add(events, snapshot)
            saver.beat()
        self._publish(events)
        shown = self._draw(rgb, frame, snapshot, self.spec)
        self._record(shown, t)
        last = snapshot.last_rep
        people, followed = people_in_view(self._estimator)
        status = LiveStatus(
            frames=self._frames,
            frames_with_pose=self._with_pose,
            fps=self._rate.tick(now),
            last_frame_at=now,
            snapshot=snapshot,
            last_rep_number=saver.number(last.rep, last.side) if saver and last else None,
            error=self._error,
            picture=self._picture_now,
            people=people,
            followed=followed,
            fps_settled=self._rate.settled,
            behind=behind,
        )
        with self._lock:
            self._status = status
        return shown

    def _publish(self, events: list) -> None:
        for event in events:
            if not isinstance(event, PAGE_EVENTS):
                continue
            if isinstance(event, RepCompleted) and self._saver is not None:
                # The session's number (a continued session's reps follow the saved ones).
                event = dataclasses.replace(event, rep=self._saver.number(event.rep, event.side))
            if self.events.full():  # nobody is reading: drop the oldest, keep the newest
                with contextlib.suppress(queue.Empty):
                    self.events.get_nowait()
            with contextlib.suppress(queue.Full):
                self.events.put_nowait(event)

    def _record(self, shown: np.ndarray, t: float) -> None:
        if self.video is None or self.video.stopped:
            return
        try:
            self.video.write(shown, t)
        except Exception as exc:
            # As for the history: the live video and the counting go on without it.
            log.exception("live: recording the video failed")
            self.video.discard()
            self._error = f"couldn't record the video ({exc}); reps are still counted and saved"

    def report_error(self, message: str) -> None:
        """Show ``message`` on the page (e.g. a frame the adapter couldn't convert)."""
        self._error = message
        with self._lock:
            self._status = dataclasses.replace(self._status, error=message)

    def status(self) -> LiveStatus:
        """The latest `LiveStatus`, with what is saved so far (safe to call from any thread)."""
        with self._lock:
            status = self._status
        if self._saver is None:
            return status
        saved = self._saver.state()
        last = status.snapshot.last_rep if status.snapshot else None
        number = saved.numbers.get((last.rep, last.side)) if last else None
        return dataclasses.replace(
            status,
            session_id=saved.session_id,
            saved_reps=saved.session_reps,
            earlier=saved.earlier,
            last_rep_number=number or status.last_rep_number,
            error=" ".join(e for e in (status.error, saved.error) if e) or None,
        )

    def settle(self, timeout: float | None = None) -> bool:
        """Wait until the reps of the frames processed so far were saved, or tried and
        kept for a retry (`RepSaver.settle`); False if ``timeout`` s passed first."""
        return self._saver.settle(timeout) if self._saver is not None else True

    def drain_events(self) -> list:
        """Every page event queued since the last call, oldest first (any thread)."""
        drained = []
        while True:
            try:
                drained.append(self.events.get_nowait())
            except queue.Empty:
                return drained

    def close(self) -> None:
        """Finish the session (keeping its video, if recorded), free the model; safe twice."""
        with self._work:
            if self._closed:
                return
            self._closed = True
        if self._estimator is not None:
            self._estimator.close()
        if self._saver is not None:
            self._saver.close(self.engine.result().to_dict())
        if self.video is not None and self.recorder is not None:
            session_id = self.recorder.session_id
            try:
                self.video.keep(self.recorder.history, session_id)
            except Exception as exc:
                log.exception("live: keeping the video failed")
                self.report_error(
                    f"couldn't keep the video ({exc}); the reps of session {session_id} are saved"
                )

    def __enter__(self) -> LiveProcessor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
