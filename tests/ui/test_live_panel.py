"""The Live page's panel, fed by a real LiveProcessor (simulated poses in place of the camera).

The WebRTC component itself only runs in a browser (tests/e2e); the panel it
sits beside is a function of the processor's status, tested here. Each test runs
a simulated camera session through the processor, seconds each, so all but the
first are marked slow.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from formcheck.specs import find_spec
from tests.ui.conftest import TIMEOUT
from tests.ui.speech_js import Run, browser_says, cancels, texts


def panel(
    stalled_for: float,
    playing: bool,
    speak: bool,
    db_path: str,
    record: bool = False,
    earlier: int = 0,
    away: float = 0.0,
    shade: int = 110,
    view: str = "end_on",
    veer_first: bool = False,
    until: float = 1e9,
):
    import time

    import numpy as np

    from formcheck.history import History
    from formcheck.live import LiveProcessor, LiveVideo, RepRecorder, continuable
    from formcheck.simulate import simulate
    from formcheck.specs import find_spec
    from formcheck.ui.page_live import show_status
    from tests.factories import ReplayPoses

    def camera(reps, seed, continues=None, video=None, away=0.0):
        # ``away``: the person walks out of view for the last ``away`` seconds.
        sim = simulate(
            "heel_slide",
            reps=reps,
            side="left",
            view=view,
            seed=seed,
            lead_out=1.0 + away,
            gaps=((2.0 + 4.5 * reps, 60.0),) if away else (),
            veer_cm=8.0 if veer_first else 0.0,  # the first rep's heel drifts out
            veer_reps=(1,),
        )
        recorder = RepRecorder(History(db_path), spec, "auto", continues=continues)
        estimator = ReplayPoses(sim.frames)  # the simulator's poses stand in for the model
        live = LiveProcessor(spec, "auto", recorder=recorder, estimator=estimator, video=video)
        for frame in [f for f in sim.frames if f.t <= until]:
            # A plain picture of the given shade stands in for the camera's.
            live.process(np.full((frame.height, frame.width, 3), shade, np.uint8), frame.t)
        live.settle()  # the reps go to the history on the saver's thread: let it catch up
        return live

    spec = find_spec("heel_slide")
    offer = None
    if earlier:  # a first camera run, then this one carrying its session on
        camera(earlier, seed=3).close()
        offer = continuable(History(db_path), "heel_slide", "auto")
    video = LiveVideo() if record else None
    live = camera(2, seed=7, continues=offer, video=video, away=away)
    if not playing:
        live.close()  # what Stop does (WebcamProcessor.on_ended)
    show_status(live, playing, spec, "auto", speak, now=time.monotonic() + stalled_for)
    if video is not None and playing:
        video.discard()  # the page is drawn; don't leave the recording behind in the temp folder


def run(db, **kwargs):
    args = {
        "stalled_for": 0.0,
        "playing": True,
        "speak": False,
        "db_path": str(db.path),
        "record": False,
    }
    return AppTest.from_function(panel, kwargs={**args, **kwargs}, default_timeout=TIMEOUT).run()


def test_the_panel_shows_the_count_the_last_rep_and_that_reps_are_saved(db):
    at = run(db)
    assert not at.exception
    assert [(m.label, m.value) for m in at.metric] == [
        ("Reps", "2"),
        ("Partial", "0"),
        ("Uncertain", "0"),
        ("Side", "left"),
    ]
    text = " ".join(m.value for m in at.markdown)
    assert "**Last rep:** #2 (left) full" in text
    captions = [c.value for c in at.caption]
    assert "Saved to the history as you go: 2 completed reps" in captions[-1]
    # Filmed from beyond the feet: the knee's range is withheld, and the panel says why.
    assert ", range –, " in text
    assert captions[0].startswith("Range of motion not shown: range of motion can't be")
    assert not at.warning
    assert db.sessions()[0].reps == 2


@pytest.mark.slow
def test_a_continued_session_counts_on_from_its_earlier_reps(db):
    at = run(db, earlier=3)
    assert not at.exception
    assert [(m.label, m.value) for m in at.metric][:2] == [("Reps", "5"), ("Partial", "0")]
    text = " ".join(m.value for m in at.markdown)
    assert "**Last rep:** #5 (left) full" in text
    (session,) = db.sessions()
    assert at.caption[-1].value == (
        f"Saved to the history as you go: 5 completed reps in session {session.id} "
        "(3 from before, continued)."
    )
    assert (session.reps, session.runs) == (5, 2)


@pytest.mark.slow
def test_a_camera_that_stops_sending_is_noticed_and_the_reps_are_kept(db):
    at = run(db, stalled_for=8.0)
    (warning,) = at.warning
    assert warning.value.startswith("No video from the camera for 8 s")
    assert "The reps so far are saved" in warning.value
    assert db.sessions()[0].reps == 2


@pytest.mark.slow
def test_someone_who_walks_out_of_view_is_asked_back_and_their_reps_are_kept(db):
    at = run(db, away=4.0)
    assert not at.exception
    (warning,) = at.warning
    assert warning.value == (
        "You have been out of view for 4 s: come back into the frame; counting carries on "
        "when you are back."
    )
    assert at.metric[0].value == "2" and db.sessions()[0].reps == 2


@pytest.mark.slow
def test_a_camera_in_the_dark_is_told_to_light_the_room(db):
    at = run(db, shade=6)
    assert [w.value for w in at.warning] == [
        "The picture is very dark (brightness 2 %): light the room, with the light in front "
        "of you rather than behind."
    ]


@pytest.mark.slow
def test_a_stopped_camera_leaves_a_summary(db):
    at = run(db, playing=False)
    assert at.info[0].value.startswith("Camera stopped after")
    assert at.info[0].value.endswith("The reps are in the History.")  # and nothing of a video
    assert db.video_path(db.sessions()[0].id) is None


@pytest.mark.slow
def test_a_recorded_session_says_so_and_keeps_its_video_when_stopped(db):
    at = run(db, record=True)
    assert "Recording: the video is kept with the session when you press Stop." in [
        c.value for c in at.caption
    ]
    at = run(db, record=True, playing=False)
    assert not at.exception and not at.error
    assert at.info[0].value.endswith("The reps are in the History. The video is kept with them.")
    newest = db.sessions()[0]
    assert db.video_path(newest.id) == db.videos_dir / f"session-{newest.id}.mp4"


@pytest.mark.slow
def test_spoken_cues_go_to_the_browser(db):
    at = run(db, speak=True)
    assert not at.exception
    html = at.get("iframe")
    assert html and "speechSynthesis" in html[0].proto.srcdoc


def test_every_rep_and_cue_of_a_run_is_said_by_the_browser_once_in_order(db):
    # Two reps and the first one's cue drained in one page run: the old panel passed only the
    # newest ("Rep 2") to the browser, and dropped the others (issue 15 item 10). The page's
    # own speech component, run as the browser would (tests/ui/speech_js.py), twice: a run
    # the browser gets again says nothing again.
    at = run(db, speak=True, veer_first=True)
    (html,) = at.get("iframe")
    events = browser_says([Run(html.proto.srcdoc), Run(html.proto.srcdoc)])
    cue = find_spec("heel_slide").check("heel_off_line").cue
    assert texts(events, "queued") == [cue, "Rep 1", "Rep 2"]
    assert texts(events, "heard") == [cue, "Rep 1", "Rep 2"]
    assert cancels(events) == []  # nothing was waiting: nothing is cut short


PLACE = (
    "Raise the camera beyond your feet to about the chest height of a standing adult (a shelf or "
    "a tripod, 1.2 to 1.8 metres up), about one and a half metres past your heels, and tilt it "
    "down along your body so both hips and both heels are in view."
)


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (None, ("info", f"**Camera:** {PLACE}")),
        ("end_on", ("info", f"**Camera:** {PLACE}")),
        # A camera beyond the feet but high sees a lying person as one above does: it is
        # told what can't be judged and where to go, not that it films "from the front".
        ("overhead", ("warning", "Pelvis rotation can't be judged from where the camera is. "
                                 f"{PLACE}")),
        ("side", ("warning", "Sideways heel drift, pelvis movement, pelvis rotation can't be "
                             f"judged from where the camera is. {PLACE}")),
    ],
)  # fmt: skip
def test_one_short_camera_message(view, expected):
    from formcheck.specs import find_spec
    from formcheck.ui.page_live import camera_advice

    assert camera_advice(find_spec("heel_slide"), view) == expected


def test_a_camera_from_the_side_is_told_once_where_to_go(db):
    # The page said it twice: a long blue paragraph beside the video and a yellow box.
    at = run(db, view="side")
    assert not at.exception
    camera = [e.value for e in [*at.info, *at.warning, *at.markdown] if "camera" in e.value]
    assert camera == [
        "Sideways heel drift, pelvis movement, pelvis rotation can't be judged from where the "
        f"camera is. {PLACE}"
    ]


def test_a_fault_s_cue_stays_on_screen_through_the_next_rep(db):
    # The first rep drifts (flagged at 2.8 s, the rep ends at 4.8 s); at 8.5 s the second,
    # clean rep is under way. The engine's cue lasts 3 s: the old panel showed nothing.
    at = run(db, veer_first=True, until=8.5)
    assert not at.exception
    shown = [m.value for m in at.markdown if m.value.startswith(":orange[")]
    assert shown == [f":orange[**{find_spec('heel_slide').check('heel_off_line').cue}**]"]
    # Once the second rep is over, it goes.
    at = run(db, veer_first=True)
    assert not [m.value for m in at.markdown if m.value.startswith(":orange[")]
