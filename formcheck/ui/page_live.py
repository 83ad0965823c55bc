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

import streamlit as st
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from formcheck.errors import FormcheckError
from formcheck.history import History, SessionRow
from formcheck.live import (
    LiveProcessor,
    LiveStatus,
    LiveVideo,
    RepRecorder,
    continuable,
    continue_label,
)
from formcheck.review import sentence
from formcheck.specs import Spec
from formcheck.specs.kinds import VIEW_ADVICE, VIEW_FROM
from formcheck.ui import common, speech
from formcheck.ui.rtc import rtc_configuration

#: Seconds without a frame, while streaming, before the page says the camera is gone.
STALL_SECONDS = 3.0
PROCESSOR = "live.processor"
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
    view = spec.guidance.camera_view
    st.info(f"Camera: {VIEW_ADVICE.get(view, view)}. {spec.guidance.camera_placement}")
    if spec.target.describe():
        st.caption(f"Target: {spec.target.describe()}")


@st.fragment(run_every=0.5)
def _status_panel(ctx, spec: Spec, side: str, speak: bool) -> None:
    # The worker (and its processor) appears a moment after Start, between two runs
    # of this fragment; keep it in the session so the summary outlives Stop.
    if ctx.video_processor is not None:
        st.session_state[PROCESSOR] = ctx.video_processor.live
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
        st.markdown(
            "Press **Start camera**, lie down in view and hold still for a moment: "
            "counting starts once you are settled."
        )
        return
    status = live.status()
    snap = status.snapshot
    if playing and (live.spec != spec or live.side != side):
        st.info(
            f"Still coaching {live.spec.display_name} ({live.side}): press Stop, then Start "
            "camera, to switch."
        )
    # A continued session's count goes on from its earlier camera runs.
    cols = st.columns(3)
    cols[0].metric("Reps", status.earlier_reps + (snap.reps if snap else 0))
    cols[1].metric("Partial", status.earlier_partial_reps + (snap.partial_reps if snap else 0))
    cols[2].metric("Side", (snap.side if snap and snap.side else "-"))
    if snap is not None:
        view = (snap.view or "not yet known").replace("_", "-")
        st.markdown(f"**Phase:** {snap.phase} · **view:** {view}")
        if snap.view and snap.view != spec.guidance.camera_view:
            advice = VIEW_ADVICE.get(spec.guidance.camera_view, "")
            seen = VIEW_FROM.get(snap.view, snap.view)
            st.warning(f"The camera sees you from {seen}; to judge every check, {advice}.")
        if playing and snap.away_seconds >= 1.0:
            st.warning(
                f"You have been out of view for {snap.away_seconds:.0f} s: come back into the "
                "frame; counting carries on when you are back."
            )
        for warning in snap.warnings:  # e.g. moving, but no rep counted
            st.warning(sentence(warning))
        if snap.cue:
            colour = {"error": "red", "warning": "orange"}.get(snap.cue_severity or "", "green")
            st.markdown(f":{colour}[**{snap.cue}**]")
        if snap.last_rep is not None:
            r = snap.last_rep
            flags = ", ".join(r.flags) or "no flags"
            number = status.last_rep_number or r.rep
            st.markdown(
                f"**Last rep:** #{number} ({r.side}) {r.status}, {r.duration:.1f} s, "
                f"range {r.rom_min:.0f}-{r.rom_max:.0f} {snap.unit}, {flags}"
            )
    if status.session_id is not None:
        earlier = status.earlier_reps + status.earlier_partial_reps
        before = f" ({earlier} from before, continued)" if earlier else ""
        st.caption(
            f"Saved to the history as you go: {status.saved_reps} reps in session "
            f"{status.session_id}{before}."
        )
    if status.error:
        st.error(status.error)
    if status.people >= 2:
        st.info(
            f"{status.people} people in view: coaching the person {status.followed}, where "
            "formcheck first found someone. The others are left out."
        )
    advice = status.picture.advice() if playing and status.picture is not None else None
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
    events = live.drain_events()
    if speak and events:
        _speak(events)


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


def _speak(events: list) -> None:
    from formcheck.engine import FlagRaised, RepCompleted

    state = st.session_state.setdefault("live.spoken", {})
    for event in reversed(events):  # the newest cue wins
        if isinstance(event, FlagRaised):
            text = event.message
        elif isinstance(event, RepCompleted):
            text = f"Rep {event.rep}" if event.status == "full" else "Partial rep"
        else:
            continue
        if speech.should_speak(state, text, time.monotonic()):
            speech.speak(text)
        return
