"""The live processor without Streamlit: frames in, annotated frames and status out.

The page thread reads results only through the processor's channel
(`status()` and the events queue) while a worker feeds frames, as the
WebRTC worker does in the app.
"""

from __future__ import annotations

import json
import threading
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from formcheck.engine import RepCompleted
from formcheck.history import History
from formcheck.live import LiveProcessor, RepRecorder
from formcheck.simulate import simulate
from formcheck.specs import find_spec
from formcheck.video import VideoReader

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


def test_reps_are_counted_and_each_one_is_saved_as_it_completes(spec, history):
    sim = simulate("heel_slide", reps=3, side="left", view="end_on", seed=3)
    recorder = RepRecorder(history, spec, "auto", {"model": "full"})
    live = LiveProcessor(spec, "auto", recorder=recorder, estimator=ReplayPoses(sim.frames))
    saved_at_each_rep = []
    for frame in sim.frames:
        shown = live.process(blank(frame), frame.t)
        assert shown.shape == (frame.height, frame.width, 3)
        for event in live.drain_events():
            if isinstance(event, RepCompleted):
                # Already in the database while the stream goes on.
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


def test_unread_events_are_bounded_and_the_newest_kept(spec):
    sim = simulate("heel_slide", reps=3, side="left", view="end_on", seed=2)
    live = LiveProcessor(spec, "auto", estimator=ReplayPoses(sim.frames), event_buffer=2)
    for frame in sim.frames:
        live.process(blank(frame), frame.t)
    events = live.drain_events()
    assert len(events) <= 2
    assert [e.rep for e in events if isinstance(e, RepCompleted)][-1] == 3


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
    status = live.status()
    assert status.snapshot.reps == 2
    assert "couldn't save to the history" in status.error
    live.close()  # finishing fails too, quietly: the stream is over anyway


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
    assert live.status().frames == 1
    odd = av.VideoFrame.from_ndarray(np.zeros((4, 4, 3), np.uint8), format="rgb24")
    odd.pts, odd.time_base = 6000, Fraction(1, 90000)
    live.close()  # the next frame fails: the adapter returns it untouched and reports why
    assert adapter.recv(odd) is odd
    assert "could not be analysed" in live.status().error
    adapter.on_ended()
