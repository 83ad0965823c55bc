"""The live processor without Streamlit: frames in, annotated frames and status out.

The page thread reads results only through the processor's channel
(`status()` and the events queue) while a worker feeds frames, as the
WebRTC worker does in the app. Each test marked slow runs whole simulated
camera sessions through the worker (seconds each); the fast tier keeps one.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from datetime import timedelta
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from formcheck.engine import RepCompleted, RepCounts
from formcheck.history import BUSY_TIMEOUT, HEARTBEAT_SECONDS, History, stamp_time
from formcheck.live import (
    CONTINUE_MINUTES,
    LiveProcessor,
    LiveVideo,
    RepRecorder,
    continuable,
    continue_label,
)
from formcheck.simulate import simulate
from formcheck.specs import find_spec
from formcheck.video import VideoReader, VideoWriter
from tests.factories import HeldLock, PausedWriter

SAMPLES = Path(__file__).resolve().parents[2] / "sample_videos"


class ReplayPoses:
    """Plays back pose frames made by the simulator, in place of the pose model.

    The simulator is a real component with exact ground truth: this tests the
    live loop's counting and saving without needing a clip of every case.
    """

    def __init__(self, frames):
        self.frames = iter(frames)
        self.closed = False

    def process(self, rgb, t):
        return next(self.frames)

    def close(self):
        self.closed = True


@pytest.fixture
def spec():
    return find_spec("heel_slide")


@pytest.fixture
def history(tmp_path):
    return History(tmp_path / "history.sqlite3")


def blank(frame):
    return np.zeros((frame.height, frame.width, 3), np.uint8)


def small(size=(120, 160)):
    """A small camera frame: the replayed poses ignore the pixels, the recording keeps them."""
    return np.zeros((*size, 3), np.uint8)


def test_reps_are_counted_and_each_one_is_saved_as_it_completes(spec, history, private_tmp):
    sim = simulate("heel_slide", reps=3, side="left", view="end_on", seed=3)
    recorder = RepRecorder(history, spec, "auto", {"model": "full"})
    live = LiveProcessor(spec, "auto", recorder=recorder, estimator=ReplayPoses(sim.frames))
    saved_at_each_rep = []
    for frame in sim.frames:
        shown = live.process(blank(frame), frame.t)
        assert shown.shape == (frame.height, frame.width, 3)
        for event in live.drain_events():
            if isinstance(event, RepCompleted):
                # In the database while the stream goes on, once the saver had its turn.
                assert live.settle(timeout=60)
                saved_at_each_rep.append(history.session(live.status().session_id).reps)
    status = live.status()
    assert status.snapshot.reps == 3
    assert saved_at_each_rep == [1, 2, 3]
    session = history.session(status.session_id)
    assert (session.status, session.source, session.view) == ("running", "live", "end_on")
    live.close()
    assert history.session(status.session_id).status == "finished"
    assert history.result(status.session_id)["reps"] == 3
    live.close()  # twice is fine
    # No video unless asked for: nothing recorded, not even temporarily.
    assert live.video is None and history.video_path(status.session_id) is None
    assert list(private_tmp.iterdir()) == [] and not history.videos_dir.exists()


@pytest.mark.slow
def test_saved_reps_take_the_final_judgement_when_the_stream_ends(spec, history):
    # Beyond the feet a rep is judged against the person's own reps only: live, the
    # first one has none to compare to and is saved full; at the end it is partial
    # beside the full reps that followed, in the history's rows and counts too.
    sim = simulate("heel_slide", reps=4, side="left", view="end_on", partial_reps=(1,), seed=3)
    live = LiveProcessor(
        spec, "auto", recorder=RepRecorder(history, spec, "auto"), estimator=ReplayPoses(sim.frames)
    )
    for frame in sim.frames:
        live.process(blank(frame), frame.t)
    assert live.settle(timeout=60)
    session_id = live.status().session_id
    assert [r.status for r in history.reps(session_id)] == ["full"] * 4
    live.close()
    assert [r.status for r in history.reps(session_id)] == ["partial", "full", "full", "full"]
    assert history.session(session_id).counts == RepCounts(full=3, partial=1)


def test_the_page_thread_reads_status_while_the_worker_processes(spec, history):
    sim = simulate("heel_slide", reps=2, side="left", view="end_on", seed=1)
    live = LiveProcessor(spec, "auto", estimator=ReplayPoses(sim.frames))
    seen_frames = []
    done = threading.Event()

    def worker():
        for frame in sim.frames:
            live.process(blank(frame), frame.t)
        done.set()

    thread = threading.Thread(target=worker)
    thread.start()
    while not done.is_set():
        seen_frames.append(live.status().frames)
    thread.join()
    assert seen_frames == sorted(seen_frames)  # never goes backwards
    assert live.status().frames == len(sim.frames)
    assert live.status().snapshot.reps == 2
    assert live.status().session_id is None  # no recorder: nothing saved


@pytest.mark.slow
def test_unread_events_are_bounded_and_the_newest_kept(spec):
    sim = simulate("heel_slide", reps=3, side="left", view="end_on", seed=2)
    live = LiveProcessor(spec, "auto", estimator=ReplayPoses(sim.frames), event_buffer=2)
    for frame in sim.frames:
        live.process(blank(frame), frame.t)
    events = live.drain_events()
    assert len(events) <= 2
    assert [e.rep for e in events if isinstance(e, RepCompleted)][-1] == 3


@pytest.mark.slow
def test_one_saving_thread_not_a_daemon_ends_when_idle_and_is_joined_at_the_end(
    spec, history, monkeypatch
):
    import formcheck.live

    monkeypatch.setattr(formcheck.live, "SAVER_IDLE_SECONDS", 2.0)
    before = set(threading.enumerate())

    def savers():
        return [t for t in set(threading.enumerate()) - before if t.name == "formcheck-saver"]

    sim = simulate("heel_slide", reps=2, side="left", view="end_on", seed=4)
    half = len(sim.frames) // 2
    live = LiveProcessor(
        spec, "auto", recorder=RepRecorder(history, spec, "auto"), estimator=ReplayPoses(sim.frames)
    )
    # The first half from a daemon thread, as the WebRTC worker's frame callback runs.
    camera = threading.Thread(
        target=lambda: [live.process(blank(f), f.t) for f in sim.frames[:half]], daemon=True
    )
    camera.start()
    camera.join()
    (saver,) = savers()
    assert not saver.daemon  # what it has queued is saved before the program exits
    saver.join(timeout=60)  # no frames for 2 s: it ends by itself
    assert not saver.is_alive() and live.status().saved_reps == 1
    for frame in sim.frames[half:]:
        live.process(blank(frame), frame.t)  # the next hand-over starts another
    assert len(savers()) == 1
    live.close()
    assert savers() == []  # joined: nothing left running
    assert [r.rep for r in history.reps(live.status().session_id)] == [1, 2]


@pytest.mark.slow
def test_a_program_whose_stream_was_never_closed_still_exits(tmp_path):
    # Frames still coming at exit (the WebRTC worker is a daemon) must not keep the
    # saving thread, which is not one, waiting for more work forever.
    path = tmp_path / "history.sqlite3"
    program = subprocess.Popen(
        [sys.executable, "-m", "tests.live.abandoned", str(path)],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = program.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        program.kill()
        out, err = program.communicate()
        pytest.fail(f"the program did not exit: {out!r}")
    assert (program.returncode, out) == (0, "saved\n"), err
    (session,) = History(path).sessions()
    assert session.reps >= 2  # what was saved stays; the session is left to go quiet


@pytest.mark.slow
def test_a_history_that_fails_is_reported_and_counting_goes_on(spec, tmp_path):
    path = tmp_path / "history.sqlite3"
    history = History(path)
    for leftover in tmp_path.glob("history.sqlite3*"):
        leftover.unlink()
    path.mkdir()  # the database file is now a folder: every write fails
    sim = simulate("heel_slide", reps=2, side="left", view="end_on", seed=4)
    live = LiveProcessor(
        spec, "auto", recorder=RepRecorder(history, spec, "auto"), estimator=ReplayPoses(sim.frames)
    )
    for frame in sim.frames:
        live.process(blank(frame), frame.t)
    assert live.settle(timeout=60)
    status = live.status()
    assert status.snapshot.reps == 2
    assert "couldn't save to the history" in status.error
    live.close()  # finishing fails too, quietly: the stream is over anyway


@pytest.mark.slow
def test_reps_the_locked_history_refused_are_saved_in_order_once_it_is_free(
    spec, history, short_wait
):
    sim = simulate(
        "heel_slide", reps=3, side="left", view="end_on", seed=3, veer_cm=8.0, veer_reps=(1,)
    )
    live = LiveProcessor(
        spec, "auto", recorder=RepRecorder(history, spec, "auto"), estimator=ReplayPoses(sim.frames)
    )
    lock = HeldLock(history.path)
    errors = []
    try:
        for frame in sim.frames:
            live.process(blank(frame), frame.t)
            done = [e for e in live.drain_events() if isinstance(e, RepCompleted)]
            if done:
                assert live.settle(timeout=60)  # saved, or refused by the lock
                errors.append(live.status().error)
                if done[0].rep == 2:
                    lock.release()  # before rep 3: it saves all three
    finally:
        lock.release()
    assert "2 not yet saved will be saved once it can be written" in errors[1]
    assert "busy" in errors[1]
    assert errors[2] is None and live.status().error is None  # all saved: the warning goes
    session_id = live.status().session_id
    assert [(r.rep, r.status) for r in history.reps(session_id)] == [(i, "full") for i in (1, 2, 3)]
    assert {f.rep for f in history.flags(session_id) if f.code == "heel_off_line"} == {1}
    live.close()
    assert history.session(session_id).status == "finished"


@pytest.mark.slow
def test_reps_waiting_are_tried_again_on_a_timer_when_no_rep_follows(
    spec, history, short_wait, monkeypatch
):
    import formcheck.live

    sim = simulate("heel_slide", reps=2, side="left", view="end_on", seed=4, lead_out=2.0)
    recorder = RepRecorder(history, spec, "auto")
    live = LiveProcessor(spec, "auto", recorder=recorder, estimator=ReplayPoses(sim.frames))
    lock = HeldLock(history.path)
    waiting = None
    try:
        for frame in sim.frames:
            live.process(blank(frame), frame.t)
            if any(isinstance(e, RepCompleted) and e.rep == 2 for e in live.drain_events()):
                assert live.settle(timeout=60)  # both refused by the lock
                waiting = recorder.unsaved
                lock.release()  # no rep follows: the timed retry saves them
                monkeypatch.setattr(formcheck.live, "RETRY_SECONDS", 0.0)  # on the next frame
        assert live.settle(timeout=60)
    finally:
        lock.release()
    assert waiting == 2
    assert recorder.unsaved == 0 and live.status().error is None
    assert history.session(live.status().session_id).reps == 2  # before the stream ends
    live.close()


@pytest.mark.slow
def test_reps_still_waiting_when_the_stream_ends_are_saved_then(spec, history, short_wait):
    sim = simulate("heel_slide", reps=2, side="left", view="end_on", seed=4)
    recorder = RepRecorder(history, spec, "auto")
    live = LiveProcessor(spec, "auto", recorder=recorder, estimator=ReplayPoses(sim.frames))
    lock = HeldLock(history.path)
    try:
        for frame in sim.frames:
            live.process(blank(frame), frame.t)
        assert live.settle(timeout=60)  # tried while locked, not after
    finally:
        lock.release()
    assert live.status().snapshot.reps == 2 and recorder.unsaved == 2
    assert history.sessions() == []
    live.close()
    (session,) = history.sessions()
    assert (session.reps, session.status) == (2, "finished")


@pytest.mark.slow
def test_a_history_another_process_keeps_locked_never_holds_up_a_frame(spec, history):
    # Locked for longer than the history waits for a lock (BUSY_TIMEOUT, 10 s): a save
    # on the frame thread froze the video that long, and the rep was refused anyway.
    sim = simulate(
        "heel_slide", reps=3, side="left", view="end_on", seed=3, veer_cm=8.0, veer_reps=(1,)
    )
    live = LiveProcessor(
        spec,
        "auto",
        recorder=RepRecorder(history, spec, "auto"),
        estimator=ReplayPoses(sim.frames),
        draw=lambda rgb, *_: rgb,  # no drawing: a frame's own work is a millisecond or so
    )
    locker = subprocess.Popen(
        [sys.executable, "-m", "tests.live.locker", str(history.path), str(BUSY_TIMEOUT + 2)],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert locker.stdout.readline().strip() == "locked"
        slowest = 0.0
        for frame in sim.frames:
            started = time.perf_counter()
            live.process(blank(frame), frame.t)
            slowest = max(slowest, time.perf_counter() - started)
        saved_while_locked = history.sessions()  # reading is never blocked (WAL)
        streamed_while_locked = locker.poll() is None
        out, err = locker.communicate(timeout=120)  # until the other process lets go
    finally:
        if locker.poll() is None:
            locker.kill()
            locker.wait()
    assert slowest < 0.2, f"a frame waited {slowest:.1f} s for the history"
    assert streamed_while_locked and saved_while_locked == []  # the lock did refuse them
    assert (locker.returncode, out) == (0, "released\n"), err
    live.close()  # saves whatever the retries have not
    session_id = live.status().session_id
    assert [(r.rep, r.status) for r in history.reps(session_id)] == [(i, "full") for i in (1, 2, 3)]
    assert {f.rep for f in history.flags(session_id) if f.code == "heel_off_line"} == {1}
    assert history.session(session_id).status == "finished" and live.status().error is None


def recorded(
    spec, history, frames, video, size=lambda i: (120, 160), fill=0, recorder=None, **options
):
    """Stream ``frames`` through a live processor that records into ``video``."""
    live = LiveProcessor(
        spec,
        "auto",
        recorder=recorder or RepRecorder(history, spec, "auto"),
        estimator=ReplayPoses(frames),
        video=video,
        **options,
    )
    for i, frame in enumerate(frames):
        shown = live.process(np.full((*size(i), 3), fill, np.uint8), frame.t)
        assert shown.shape == (*size(i), 3)  # the live video goes on, whatever the recording does
    assert live.settle(timeout=60)  # the reps saved so far are in the history
    return live


@pytest.mark.slow
def test_a_recorded_session_keeps_its_annotated_video_when_the_stream_ends(
    spec, history, private_tmp
):
    sim = simulate("heel_slide", reps=2, side="left", view="end_on", seed=5)
    # A deep queue: on a busy machine no frame is left out, so the counts below are exact.
    video = LiveVideo(writer=functools.partial(VideoWriter, queue_depth=len(sim.frames)))
    live = recorded(spec, history, sim.frames, video)
    (folder,) = private_tmp.iterdir()  # while streaming: a private temporary file
    assert folder == video.folder and folder.name.startswith("formcheck-live-")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert [p.name for p in folder.iterdir()] == ["live.mp4"]
    sid = live.status().session_id
    assert history.session(sid).reps == 2
    assert history.video_path(sid) is None  # attached when the stream ends
    live.close()
    stored = history.video_path(sid)
    assert stored == history.videos_dir / f"session-{sid}.mp4"
    with VideoReader(stored) as reader:
        frames = list(reader)
    assert (reader.info.codec, reader.info.width, reader.info.height) == ("h264", 160, 120)
    assert (video.frames, video.dropped, len(frames)) == (len(sim.frames), 0, len(sim.frames))
    span = sim.frames[-1].t - sim.frames[0].t
    assert frames[-1].t == pytest.approx(span, abs=0.02)  # the frames' own times
    assert frames[-1].rgb.any()  # the overlay, drawn on black camera frames
    assert list(private_tmp.iterdir()) == []


@pytest.mark.slow
def test_a_continued_session_keeps_the_video_of_every_camera_run(spec, history, private_tmp):
    # Attaching replaces a session's video: a second run must add to the first's, not drop it.
    deep = functools.partial(VideoWriter, queue_depth=1000)  # no frame left out
    first = simulate("heel_slide", reps=1, side="left", view="end_on", seed=5)
    recorded(spec, history, first.frames, LiveVideo(writer=deep), fill=40).close()
    (session,) = history.sessions()
    second = simulate("heel_slide", reps=1, side="left", view="end_on", seed=6)
    recorder = RepRecorder(
        history, spec, "auto", continues=continuable(history, "heel_slide", "auto")
    )
    live = recorded(
        spec, history, second.frames, LiveVideo(writer=deep), fill=200, recorder=recorder
    )
    live.close()
    assert [s.id for s in history.sessions()] == [session.id]  # continued, not a new one
    with VideoReader(history.video_path(session.id)) as reader:
        frames = list(reader)
    assert len(frames) == len(first.frames) + len(second.frames)
    times = [f.t for f in frames]
    assert times == sorted(times) and len(set(times)) == len(times)
    # The camera frames were grey (40) in the first run and light (200) in the second.
    shades = [int(np.median(f.rgb)) for f in frames]
    assert max(shades[: len(first.frames)]) < 100 < min(shades[len(first.frames) :])
    assert list(private_tmp.iterdir()) == []


def test_a_recording_without_a_rep_is_deleted(spec, history, private_tmp):
    sim = simulate("heel_slide", reps=1, side="left", view="end_on", seed=6)
    live = recorded(spec, history, sim.frames[:20], LiveVideo())  # stopped before any rep
    assert len(list(private_tmp.iterdir())) == 1
    live.close()
    assert live.status().session_id is None and history.sessions() == []
    assert list(private_tmp.iterdir()) == [] and not history.videos_dir.exists()


class FullDisk(VideoWriter):
    """A real writer on a disk that fills up after 10 frames."""

    def write_nowait(self, rgb, t=None):
        if self.frames_written == 10:
            raise OSError(28, "No space left on device")
        return super().write_nowait(rgb, t)


@pytest.mark.slow
def test_a_recording_that_fails_is_reported_and_counting_and_saving_go_on(
    spec, history, private_tmp
):
    sim = simulate("heel_slide", reps=2, side="left", view="end_on", seed=4)
    live = recorded(spec, history, sim.frames, LiveVideo(writer=FullDisk))
    status = live.status()
    assert status.error == (
        "couldn't record the video ([Errno 28] No space left on device); "
        "reps are still counted and saved"
    )
    assert status.frames == len(sim.frames) and status.snapshot.reps == 2
    assert list(private_tmp.iterdir()) == []  # the partial file is gone at once
    live.close()
    assert history.session(status.session_id).reps == 2
    assert history.video_path(status.session_id) is None


def test_an_encoder_that_falls_behind_never_holds_up_the_live_video(spec, history, private_tmp):
    sim = simulate("heel_slide", reps=1, side="left", view="end_on", seed=8)
    video = LiveVideo(writer=functools.partial(PausedWriter, queue_depth=2))
    done = []
    # On a thread only so that a frame that did wait fails this test instead of hanging it.
    worker = threading.Thread(
        target=lambda: done.append(recorded(spec, history, sim.frames, video)), daemon=True
    )
    worker.start()
    worker.join(timeout=120)  # a guard against a deadlock, not a timing
    assert not worker.is_alive()
    (live,) = done
    assert (video.frames, video.dropped) == (2, len(sim.frames) - 2)
    assert live.status().frames == len(sim.frames) and live.status().snapshot.reps == 1
    live.close()  # the encoder catches up: the frames it took are kept
    with VideoReader(history.video_path(live.status().session_id)) as reader:
        assert len(list(reader)) == 2


def test_a_stream_that_changes_resolution_is_recorded_at_the_size_asked_for(
    spec, history, private_tmp
):
    # WebRTC starts small and raises the resolution; a camera may also change its shape.
    sim = simulate("heel_slide", reps=1, side="left", view="end_on", seed=9)
    third = len(sim.frames) // 3
    sizes = [(90, 120), (120, 160), (90, 160)]  # 4:3 small, 4:3 as asked, then 16:9
    video = LiveVideo(
        size=(160, 120), writer=functools.partial(VideoWriter, queue_depth=len(sim.frames))
    )
    live = recorded(
        spec,
        history,
        sim.frames,
        video,
        size=lambda i: sizes[min(i // third, 2)],
        fill=200,
        draw=lambda rgb, *_: rgb,  # the camera's own pixels, to see where they land
    )
    live.close()
    assert live.status().error is None
    with VideoReader(history.video_path(live.status().session_id)) as reader:
        frames = list(reader)
    assert (reader.info.width, reader.info.height, len(frames)) == (160, 120, len(sim.frames))
    first, last = frames[0].rgb.astype(float), frames[-1].rgb.astype(float)
    assert first.mean() == pytest.approx(200, abs=4)  # scaled up to fill the frame
    assert last[:12].mean() < 8 and last[-12:].mean() < 8  # 16:9 in 4:3: black bars
    assert last[20:100].mean() == pytest.approx(200, abs=4)


def test_a_video_needs_a_session_to_be_kept_with(spec):
    with pytest.raises(ValueError, match="video: expected a recorder whose session keeps it"):
        LiveProcessor(spec, "auto", video=LiveVideo())
    with pytest.raises(ValueError, match="fps: expected a positive number, got 0"):
        LiveVideo(fps=0)
    with pytest.raises(ValueError, match=r"size: expected \(width, height\) .*, got \(1, 1\)"):
        LiveVideo(size=(1, 1))


def test_an_unknown_side_is_refused_before_any_frame(spec):
    with pytest.raises(Exception, match="side 'middle'"):
        LiveProcessor(spec, "middle")


def test_a_closed_processor_refuses_frames_and_releases_the_model(spec):
    sim = simulate("heel_slide", reps=1, side="left", view="end_on")
    replay = ReplayPoses(sim.frames)
    live = LiveProcessor(spec, "auto", estimator=replay)
    live.close()
    assert replay.closed
    with pytest.raises(RuntimeError, match="closed"):
        live.process(blank(sim.frames[0]), 0.0)


@pytest.mark.slow
def test_a_rendered_clip_through_the_real_pose_model_counts_its_reps(spec, history):
    clip = SAMPLES / "heel_slide_left_side.mp4"
    if not clip.exists():
        pytest.skip(f"{clip.name} is not bundled yet")
    truth = json.loads(clip.with_suffix(".truth.json").read_text())
    reps = sum(r["status"] == "full" for r in truth["reps"])
    with VideoReader(clip) as reader:
        frames = list(reader)
    recorder = RepRecorder(history, spec, "auto")
    live = LiveProcessor(spec, "auto", recorder=recorder)
    changed = []
    completed = []

    def worker():  # the WebRTC worker's part
        for frame in frames:
            shown = live.process(frame.rgb, frame.t)
            changed.append(bool((shown != frame.rgb).any()))

    thread = threading.Thread(target=worker)
    thread.start()
    while thread.is_alive():  # the page's part: only the channel, never the worker's state
        completed += [e.rep for e in live.drain_events() if isinstance(e, RepCompleted)]
        thread.join(timeout=0.05)
    completed += [e.rep for e in live.drain_events() if isinstance(e, RepCompleted)]
    assert live.settle(timeout=60)
    status = live.status()
    live.close()
    assert status.frames == len(frames)
    assert status.frames_with_pose >= 0.9 * len(frames)
    assert status.snapshot.view == "side"
    assert status.snapshot.reps == reps == 3
    assert completed == [1, 2, 3]
    assert sum(changed) >= 0.9 * len(frames)  # the overlay was drawn
    assert history.session(status.session_id).reps == reps


def test_the_webrtc_adapter_converts_frames_and_survives_bad_ones(spec):
    from formcheck.ui.webcam import WebcamProcessor

    sim = simulate("heel_slide", reps=1, side="left", view="end_on")
    live = LiveProcessor(spec, "auto", estimator=ReplayPoses(sim.frames))
    adapter = WebcamProcessor(live)
    frame = av.VideoFrame.from_ndarray(blank(sim.frames[0]), format="rgb24")
    frame.pts, frame.time_base = 3000, Fraction(1, 90000)
    out = adapter.recv(frame)
    assert (out.width, out.height, out.pts) == (640, 480, 3000)
    # Ready for the VP8 encoder, which re-sends it until the next analysed frame:
    # converted once here, not on every send.
    assert out.format.name == "yuv420p"
    assert live.status().frames == 1
    odd = av.VideoFrame.from_ndarray(np.zeros((4, 4, 3), np.uint8), format="rgb24")
    odd.pts, odd.time_base = 6000, Fraction(1, 90000)
    live.close()  # the next frame fails: the adapter returns it untouched and reports why
    assert adapter.recv(odd) is odd
    assert "could not be analysed" in live.status().error
    adapter.on_ended()


@pytest.mark.parametrize(("width", "height"), [(640, 480), (7, 5)])
def test_a_frame_sent_back_keeps_its_colours_and_an_even_size(width, height):
    from formcheck.ui.webcam import to_video_frame

    rng = np.random.default_rng(1)
    rgb = np.repeat(np.repeat(rng.integers(0, 256, (height, width, 3), np.uint8), 2, 0), 2, 1)
    rgb = rgb[:height, :width]  # 2x2 blocks of one colour survive 4:2:0 subsampling
    frame = to_video_frame(rgb)
    even = rgb[: height // 2 * 2, : width // 2 * 2]
    assert (frame.height, frame.width) == even.shape[:2]
    back = frame.to_ndarray(format="rgb24").astype(int)
    assert np.abs(back - even).mean() < 3


class Camera:
    """A stand-in camera track: ``count`` numbered frames, ``gap`` seconds apart, then ends."""

    kind = "video"

    def __init__(self, count: int, gap: float) -> None:
        self.count, self.gap, self.sent, self.stopped = count, gap, 0, False

    async def recv(self):
        import asyncio

        from aiortc.mediastreams import MediaStreamError

        if self.sent == self.count:
            raise MediaStreamError
        await asyncio.sleep(self.gap)
        self.sent += 1
        frame = av.VideoFrame(16, 16, "yuv420p")
        frame.pts = self.sent
        return frame

    def stop(self) -> None:
        self.stopped = True


def test_a_slow_reader_gets_the_newest_camera_frame_and_the_stale_ones_are_dropped():
    import asyncio
    import concurrent.futures

    from aiortc.mediastreams import MediaStreamError

    from formcheck.ui.webcam import NewestFrame

    async def read_slowly(track):
        got = []
        try:
            while True:
                got.append((await track.recv()).pts)
                await asyncio.sleep(0.035)  # a reader 3.5x slower than the camera
        except MediaStreamError:
            return got

    camera = Camera(count=60, gap=0.01)
    newest = NewestFrame(camera)
    # In a thread of its own: a browser test earlier in the same worker leaves
    # Playwright's event loop running on this one, and asyncio.run refuses to nest.
    with concurrent.futures.ThreadPoolExecutor(1) as apart:
        got = apart.submit(asyncio.run, read_slowly(newest)).result()
    # Read directly, the reader would fall further behind with every frame; here each
    # frame it gets is at most one frame old, and the rest are dropped, not queued.
    assert got == sorted(got) and len(got) < 30
    assert got[-1] == 60  # the last frame is handed on, then the end
    assert newest.dropped == 60 - len(got)
    newest.stop()
    assert camera.stopped


def test_the_processing_track_is_switched_to_the_newest_frame_once():
    from formcheck.ui.webcam import NewestFrame, drop_stale_frames

    class Processing:  # streamlit-webrtc's processing track reads the camera from .track
        track = Camera(count=1, gap=0.0)

    output = Processing()
    camera = output.track
    assert drop_stale_frames(output)
    assert isinstance(output.track, NewestFrame) and output.track.source is camera
    assert not drop_stale_frames(output)  # the page calls it on every run
    assert not drop_stale_frames(None)  # before the stream starts


def run_camera(spec, recorder, reps, seed):
    """One camera run of ``reps`` simulated heel slides; returns the closed processor
    and the rep numbers its page events carried."""
    sim = simulate("heel_slide", reps=reps, side="left", view="end_on", seed=seed)
    live = LiveProcessor(spec, "auto", recorder=recorder, estimator=ReplayPoses(sim.frames))
    announced = []
    for frame in sim.frames:
        live.process(blank(frame), frame.t)
        announced += [e.rep for e in live.drain_events() if isinstance(e, RepCompleted)]
    live.close()
    return live, announced


@pytest.mark.slow
def test_a_new_camera_run_continues_the_session_and_numbers_reps_after_the_saved_ones(
    spec, history
):
    first, _ = run_camera(spec, RepRecorder(history, spec, "auto"), reps=2, seed=5)
    sid = first.status().session_id
    before = history.reps(sid)
    offer = continuable(history, "heel_slide", "auto")
    assert (offer.id, offer.reps, offer.status) == (sid, 2, "finished")
    recorder = RepRecorder(history, spec, "auto", continues=offer)
    second, announced = run_camera(spec, recorder, reps=3, seed=6)
    status = second.status()
    assert (status.session_id, status.earlier.full, status.snapshot.reps) == (sid, 2, 3)
    assert status.counts == RepCounts(full=5)  # earlier runs' and this one's, once each
    assert (status.saved_reps, status.last_rep_number) == (5, 5)
    assert announced == [3, 4, 5]  # spoken and shown with the session's numbers
    assert [s.id for s in history.sessions()] == [sid]  # one session, not two
    session = history.session(sid)
    assert (session.reps, session.runs, session.status) == (5, 2, "finished")
    reps = history.reps(sid)
    assert [r.rep for r in reps] == [1, 2, 3, 4, 5]
    assert reps[:2] == before  # the earlier run's reps are kept as they were
    starts = [r.start for r in reps]
    assert starts == sorted(starts) and reps[2].start >= reps[1].end
    assert [r["run"] for r in history.result(sid)["earlier_runs"]] == [1]
    assert history.result(sid)["reps"] == 3  # the latest run's own result on top


@pytest.mark.slow
def test_a_session_deleted_after_it_was_offered_gets_a_new_one_and_no_rep_is_lost(spec, history):
    run_camera(spec, RepRecorder(history, spec, "auto"), reps=1, seed=5)
    offer = continuable(history, "heel_slide", "auto")
    history.delete_session(offer.id)
    # Another set in another tab meanwhile: it gets the freed id, and must be left alone.
    other = history.start_session(exercise="heel_slide", side="auto", source="live")
    history.record_rep(other, {"rep": 1, "side": "left", "status": "full"})
    second, _ = run_camera(spec, RepRecorder(history, spec, "auto", continues=offer), 2, 6)
    status = second.status()
    assert (status.earlier, status.saved_reps, status.error) == (RepCounts(), 2, None)
    assert [r.rep for r in history.reps(status.session_id)] == [1, 2]
    assert [(r.rep, r.start) for r in history.reps(other)] == [(1, None)]
    assert (history.session(other).runs, len(history.sessions())) == (1, 2)


def test_only_a_recent_session_of_the_same_exercise_and_side_is_offered(spec, history):
    first, _ = run_camera(spec, RepRecorder(history, spec, "auto"), reps=1, seed=5)
    session = history.session(first.status().session_id)
    updated = stamp_time(session.updated_at)
    assert continuable(history, "heel_slide", "auto", now=updated).id == session.id
    assert continuable(history, "heel_slide", "left", now=updated) is None
    later = updated + timedelta(minutes=CONTINUE_MINUTES, seconds=1)
    assert continuable(history, "heel_slide", "auto", now=later) is None


def test_the_offer_says_which_session_how_much_and_how_long_ago(history):
    sid = history.start_session(exercise="heel_slide", side="auto", source="live")
    statuses = ("full", "full", "uncertain", "full", "partial")
    for n, status in enumerate(statuses, 1):
        history.record_rep(sid, {"rep": n, "side": "left", "status": status})
    offer = history.session(sid)
    updated = stamp_time(offer.updated_at)
    done = f"Continue session {sid} (3 reps, 1 partial, 1 uncertain"
    assert continue_label(offer, updated) == f"{done}; just now)"
    assert (
        continue_label(offer, updated + timedelta(minutes=2, seconds=30)) == f"{done}; 2 min ago)"
    )


def test_a_recording_session_beats_and_a_dead_one_goes_quiet(spec, history):
    recorder = RepRecorder(history, spec, "auto")
    run_camera(spec, recorder, reps=1, seed=5)
    sid = recorder.session_id
    with sqlite3.connect(history.path) as conn:  # as if the last write were long ago
        conn.execute("UPDATE sessions SET updated_at = '2020-01-01T00:00:00+00:00'")
    written = time.monotonic()
    recorder.keep_alive(written)  # just written: nothing to do
    assert history.session(sid).updated_at == "2020-01-01T00:00:00+00:00"
    recorder.keep_alive(written + HEARTBEAT_SECONDS)
    beat = history.session(sid)
    assert stamp_time(beat.updated_at).year > 2020
    assert beat.state() == "finished"  # finished by close(): never shown as interrupted
