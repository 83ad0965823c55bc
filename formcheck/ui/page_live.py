"""The Live page: the webcam in the browser, coached frame by frame.

The browser streams its camera to this process with streamlit-webrtc; each
frame runs through `formcheck.live.LiveProcessor` (the same pose model and
engine as Review) on a worker thread, and comes back annotated. The panel
beside the video reads the processor's thread-safe status twice a second.
Reps are saved to the history as they complete; the video only when
*Record this session's video* is on. When a recent session of the same
exercise and side exists (a reload, a lost camera, a short rest), the page
offers to continue it (`formcheck.live.continuable`), on by default.
"""

from __future__ import annotations

import os
import time
import uuid

import streamlit as st
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from formcheck.cues import Announcements, CueGate
from formcheck.engine.view import rom_withheld
from formcheck.errors import FormcheckError
from formcheck.history import History, SessionRow
from formcheck.live import (
    LiveProcessor,
    LiveStatus,
    LiveVideo,
    RepRecorder,
    continuable,
    continue_label,
    min_fps,
    rate_warning,
)
from formcheck.review import sentence
from formcheck.setup_check import hidden_checks
from formcheck.specs import Spec
from formcheck.ui import common, labels, setup_panel, speech
from formcheck.ui.rtc import rtc_configuration

#: Seconds without a frame, while streaming, before the page says the camera is gone.
STALL_SECONDS = 3.0
PROCESSOR = "live.processor"
#: ``(processor, CueGate)``: what the panel says and shows, for the camera run shown.
CUES = "live.cues"
#: ``(token, Announcements)``: what the browser is to say, numbered for this browser session.
SAID = "live.said"
#: The camera resolution asked of the browser, and the size of a recorded video.
CAMERA_SIZE = (640, 480)


def _rtc() -> dict:
    try:
        secrets = dict(st.secrets) if _has_secrets() else None
        return rtc_configuration(os.environ, secrets)
    except FormcheckError as exc:
        st.error(f"The STUN/TURN setting is ignored: {exc}. Using a direct connection.")
        return {"iceServers": []}


def _has_secrets() -> bool:
    try:
        return len(st.secrets) > 0
    except FileNotFoundError:
        return False
    except Exception:  # Streamlit raises its own error type for a malformed secrets.toml
        st.error("`.streamlit/secrets.toml` can't be read; its ICE servers are ignored.")
        return False


def _browser_session() -> bool:
    """streamlit-webrtc needs a real browser session; AppTest and bare runs have none."""
    from streamlit_webrtc.session_info import get_this_session_info

    try:
        return get_this_session_info() is not None
    except AttributeError:  # AppTest's stand-in runtime has no session manager
        return False


def render() -> None:
    """Draw the Live page."""
    st.title("Live coaching")
    lib = common.library()
    model = common.model_setting()
    picked = common.exercise_picker("live", lib)
    if picked is None:
        return
    spec, side = picked
    try:
        common.pose_model(model)
    except FormcheckError as exc:
        st.error(str(exc))
        return
    speak = st.sidebar.toggle(
        "Speak cues",
        value=False,
        key="live.speak",
        help="Your browser reads the cues aloud (a few seconds apart).",
    )
    store = common.history_or_error()
    offer = continuable(store, spec.name, side) if store is not None else None
    # The choice is read before the camera widget (whose Start creates the recorder)
    # and the box drawn after it, only while the camera is off: while streaming,
    # the offered session is the one being recorded.
    keep = offer is not None and st.session_state.get(_continue_key(offer), True)
    record = _record_toggle(store is not None)
    factory = _factory(spec, side, model, store, offer if keep else None, record)
    rtc = _rtc()
    video, panel = st.columns([3, 2])
    with video:
        if not _browser_session():
            st.info("The camera works when the app runs in a browser: `streamlit run app.py`.")
            with panel:
                _guide(spec)
                _camera(spec, None)
            return
        choice = st.container()
        ctx = webrtc_streamer(
            key="formcheck-live",
            mode=WebRtcMode.SENDRECV,
            rtc_configuration=rtc,
            media_stream_constraints={
                "video": {"width": CAMERA_SIZE[0], "height": CAMERA_SIZE[1]},
                "audio": False,
            },
            video_processor_factory=factory,
            async_processing=True,
            translations={
                "start": "Start camera",
                "stop": "Stop",
                "device_access_denied": "Camera access was denied. Allow the camera for this "
                "site in your browser's address bar and press Start camera again, or review a "
                "recorded clip on the Review page.",
                "device_not_available": "No camera was found. Connect one and press Start "
                "camera again, or review a recorded clip on the Review page.",
                "media_api_not_available": "This browser can't share a camera here (the page "
                "must be opened over https or on localhost).",
            },
        )
        if offer is not None and not (ctx.state.playing or ctx.state.signalling):
            choice.checkbox(
                continue_label(offer),
                value=True,
                key=_continue_key(offer),
                help="Carry on that set: its reps are kept and the new ones follow them. "
                "Untick to start a new session.",
            )
        st.caption(
            "The video stays between your browser and this machine. Rep results are saved; the "
            "video only if *Record this session's video* is on. If the camera doesn't start "
            "(*NotAllowedError*, *Permission denied*), allow the "
            "camera for this site from the icon in the browser's address bar and press "
            "**Start camera** again, or review a recorded clip on the Review page."
        )
    with panel:
        _guide(spec)
        _status_panel(ctx, spec, side, speak)


def _continue_key(offer: SessionRow) -> str:
    return f"live.continue.{offer.id}"


def _record_toggle(available: bool) -> bool:
    """The choice to keep this session's video: off by default, shown above Start camera."""
    return st.toggle(
        "Record this session's video",
        value=False,
        key="live.record",
        disabled=not available,  # no history: no session to keep a video with
        help="The annotated video is recorded on this machine and kept with this session in "
        "the history (a private folder beside its database); it never leaves the machine. "
        "Off: only the reps and flags are saved. Takes effect when you press Start camera.",
    )


def _factory(
    spec: Spec,
    side: str,
    model: str,
    store: History | None,
    continues: SessionRow | None = None,
    record: bool = False,
):
    from formcheck.ui.webcam import WebcamProcessor

    settings = {"model": model, "limits": {c.code: c.limit for c in spec.checks}}

    def create() -> WebcamProcessor:
        recorder = None
        if store is not None:
            recorder = RepRecorder(store, spec, side, settings, continues=continues)
        video = LiveVideo(size=CAMERA_SIZE) if record and recorder is not None else None
        return WebcamProcessor(
            LiveProcessor(spec, side, model=model, recorder=recorder, video=video)
        )

    return create


def _guide(spec: Spec) -> None:
    st.subheader(spec.display_name)
    if spec.target.describe():
        st.caption(f"Target: {spec.target.describe()}")


def camera_advice(spec: Spec, view: str | None) -> tuple[str, str]:
    """The page's one camera message, for the camera view seen (None: not yet known).

    ``("info", "**Camera:** <where to put it>")`` while every check can be judged;
    ``("warning", ...)`` naming the checks the view hides and where to put the
    camera instead (only checks the recommended placement would judge: moving there
    is the advice). Where the camera is gets no name of its own: a camera
    beyond the feet but high sees a lying person as one above does, and was
    told it filmed "from the front".

    >>> from formcheck.specs import find_spec
    >>> camera_advice(find_spec("heel_slide"), "end_on")[0]
    'info'
    """
    # The spec's first sentence says where; the rest is for the Exercises page.
    place = spec.guidance.camera_placement.split(". ")[0].rstrip(".") + "."
    # Only what the recommended placement would judge (`hidden_checks`).
    hidden = [c.code for c in hidden_checks(spec, view)]
    if not hidden:
        return "info", f"**Camera:** {place}"
    names = labels.flag_names(spec, hidden)
    return (
        "warning",
        f"{names[0].upper()}{names[1:]} can't be judged from where the camera is. {place}",
    )


def _camera(spec: Spec, view: str | None) -> None:
    kind, text = camera_advice(spec, view)
    (st.warning if kind == "warning" else st.markdown)(text)


@st.fragment(run_every=0.5)
def _status_panel(ctx, spec: Spec, side: str, speak: bool) -> None:
    # The worker (and its processor) appears a moment after Start, between two runs
    # of this fragment; keep it in the session so the summary outlives Stop.
    if ctx.video_processor is not None:
        st.session_state[PROCESSOR] = ctx.video_processor.live
        from formcheck.ui.webcam import drop_stale_frames

        # Never queue the camera's frames: analyse and send back the newest.
        drop_stale_frames(ctx.output_video_track)
    show_status(st.session_state.get(PROCESSOR), bool(ctx.state.playing), spec, side, speak)


def show_status(
    live: LiveProcessor | None,
    playing: bool,
    spec: Spec,
    side: str,
    speak: bool = False,
    now: float | None = None,
) -> None:
    """The panel beside the video, from the processor's thread-safe status.

    ``now`` is ``time.monotonic()`` (given by tests to simulate a stalled camera).
    """
    now = time.monotonic() if now is None else now
    if live is None:
        _camera(spec, None)
        st.markdown(
            "Press **Start camera** and get into position in view: the page says what to fix "
            "first, and counting starts by itself when you move."
        )
        return
    status = live.status()
    gate = _gate(live)
    words = gate.feed(live.drain_events())
    # Fixed slots: the setup panel and the voice come and go. Had they shifted the
    # elements below them, this fragment's next run would show its new count beside
    # the old one until the run ended (two "Reps" on the page at once).
    setup_slot, voice_slot, body = st.container(), st.container(), st.container()
    with setup_slot:
        setting_up, prompts = setup_panel.show_live(live, playing)  # what to fix, until counting
    words += prompts
    if speak:
        token, said = st.session_state.setdefault(SAID, (uuid.uuid4().hex, Announcements()))
        said.add(words)
        with voice_slot:
            speech.speak(said, token)
    with body:
        _readout(live, status, playing, spec, side, gate, setting_up, now)


def _readout(
    live: LiveProcessor,
    status: LiveStatus,
    playing: bool,
    spec: Spec,
    side: str,
    gate: CueGate,
    setting_up: bool,
    now: float,
) -> None:
    """The count, the view, the cue and the last rep, below the setup panel."""
    snap = status.snapshot
    notice = st.container()  # its own slot: coming and going, it never moves the count
    if playing and (live.spec != spec or live.side != side):
        notice.info(
            f"Still coaching {live.spec.display_name} ({live.side}): press Stop, then Start "
            "camera, to switch."
        )
    # A continued session's count goes on from its earlier camera runs.
    counts = status.counts
    cols = st.columns(4)
    cols[0].metric("Reps", counts.full)
    cols[1].metric("Partial", counts.partial)
    cols[2].metric("Uncertain", counts.uncertain)
    cols[3].metric("Side", (snap.side if snap and snap.side else "-"))
    if snap is not None:
        view = (snap.view or "not yet known").replace("_", "-")
        rate = f" · **analysed:** {status.fps:.0f} frames/s" if playing and status.fps else ""
        if playing and status.behind >= 0.5:  # frames waited somewhere before the analysis
            rate += f", {status.behind:.1f} s behind"
        st.markdown(f"**Phase:** {snap.phase} · **view:** {view}{rate}")
    slow = rate_warning(status, min_fps(spec.name), live.model) if playing else None
    if slow:
        st.warning(slow)
    if not setting_up:  # the setup panel says where the camera goes, and why
        _camera(spec, snap.view if snap is not None else None)
    if snap is not None:
        if playing and snap.away_seconds >= 1.0:
            st.warning(
                f"You have been out of view for {snap.away_seconds:.0f} s: come back into the "
                "frame; counting carries on when you are back."
            )
        for warning in snap.warnings:  # e.g. moving, but no rep counted
            st.warning(sentence(warning))
        cue = gate.shown  # from the fault until the end of the next rep
        if cue is not None:
            colour = {"error": "red", "warning": "orange"}.get(cue.severity, "green")
            st.markdown(f":{colour}[**{cue.message}**]")
        if snap.last_rep is not None:
            r = snap.last_rep
            flags = labels.flag_names(spec, r.flags) or "no flags"
            number = status.last_rep_number or r.rep
            withheld = rom_withheld(snap.view, spec.metric(spec.phase.metric).kind, spec.posture)
            low, high = labels.amount(r.rom_min, snap.unit), labels.amount(r.rom_max, snap.unit)
            rom = "range –" if withheld else f"range {low} to {high}"
            st.markdown(
                f"**Last rep:** #{number} ({r.side}) {r.status}, {r.duration:.1f} s, {rom}, {flags}"
            )
            if withheld:
                st.caption(f"Range of motion not shown: {withheld}.")
    if status.session_id is not None:
        earlier = status.earlier.total
        before = f" ({earlier} from before, continued)" if earlier else ""
        st.caption(
            f"Saved to the history as you go: {status.saved_reps} completed reps in session "
            f"{status.session_id}{before}."
        )
    if status.error:
        st.error(status.error)
    if status.people >= 2:
        st.info(
            f"{status.people} people in view: coaching the person {status.followed}, where "
            "formcheck first found someone. The others are left out."
        )
    # While setting up, the panel's light item says it.
    picture = status.picture if playing and not setting_up else None
    advice = picture.advice() if picture is not None else None
    if advice:
        st.warning(sentence(advice))
    stalled = status.last_frame_at is not None and now - status.last_frame_at
    if playing and stalled and stalled > STALL_SECONDS:
        st.warning(
            f"No video from the camera for {stalled:.0f} s: is it still connected? "
            "The reps so far are saved."
        )
    if playing and live.video is not None and not live.video.stopped:
        st.caption("Recording: the video is kept with the session when you press Stop.")
    if not playing and status.frames:
        st.info(
            f"Camera stopped after {status.frames} frames. "
            + ("The reps are in the History." if status.session_id else "No reps were done.")
            + _video_note(live, status)
        )
    if playing and status.frames and status.frames_with_pose == 0 and status.frames > 30:
        st.warning("No person found yet: move back until your whole body is in view.")


def _gate(live: LiveProcessor) -> CueGate:
    """The `CueGate` of the camera run ``live`` (a new run starts a new one)."""
    kept = st.session_state.get(CUES)
    if kept is None or kept[0] is not live:
        kept = st.session_state[CUES] = (live, CueGate())
    return kept[1]


def _video_note(live: LiveProcessor, status: LiveStatus) -> str:
    """What became of the recording once the camera stopped ("" when there was none)."""
    if live.video is None:
        return ""
    if status.session_id is None:
        return " No video is kept."
    if live.recorder is not None and live.recorder.history.video_path(status.session_id):
        return " The video is kept with them."
    # close() runs on the WebRTC thread: until it has attached the file, say so (a
    # recording that failed has already said why, in an error).
    return "" if live.video.stopped else " Saving the video…"
