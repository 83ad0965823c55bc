"""The Review page: a clip in (bundled sample or upload), rep-by-rep feedback out.

On a fresh install this page opens first, already showing the analysis of
the bundled sample: no webcam and no upload needed.

A review runs inside the page's script run, with a progress bar (frame N of
M, time taken, time left) and a *Cancel* button. A click on a widget while
a script runs makes Streamlit (fast reruns, its default) stop that run at
its next ``st.*`` call and start a new one at once, in another thread,
which first runs the widget's callback. So *Cancel*'s callback sets the
review's cancel flag (polled every frame: the review stops within a frame,
even between two updates of the bar) and remembers that this review was
cancelled, and the new run says so, after waiting for the old run to have
removed its temporary files, instead of starting the same review again.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from collections import OrderedDict

import pandas as pd
import streamlit as st

from formcheck.engine import AnalysisResult
from formcheck.errors import FormcheckError
from formcheck.history import HistoryError
from formcheck.review import Cancelled, sentence
from formcheck.ui import charts, common, examples, labels, setup_panel
from formcheck.ui.library import Library
from formcheck.ui.progress import ProgressText
from formcheck.ui.reviewing import (
    UPLOAD_TYPES,
    ClipInput,
    ReviewOutcome,
    ReviewRun,
    review_key,
    run_review,
)

SAMPLE = "A bundled sample"
UPLOAD = "My own clip"
#: The `ReviewRun` the user cancelled last in this browser session: it is not restarted.
CANCELLED = "review.cancelled"
#: How long the run started by *Cancel* waits for the cancelled review to clean up (s).
STOP_WAIT = 30.0
OTHER_SIDE = {"left": "right", "right": "left"}


class OutcomeStore:
    """A small, thread-safe LRU of finished reviews.

    One is shared by every browser session for the bundled samples (their
    results are the same for everyone, so the first-run example is computed
    once per server); each browser session has its own for its uploads. An
    outcome that leaves the store (evicted, or a duplicate of one stored) has
    its files deleted; the outcomes still in a store when it is dropped (a
    browser session that ended) go with it, by garbage collection (Streamlit
    has no hook for the end of a session).
    """

    def __init__(self, size: int = 8) -> None:
        self._items: OrderedDict[str, ReviewOutcome] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: str) -> ReviewOutcome | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
            return self._items.get(key)

    def put(self, key: str, outcome: ReviewOutcome) -> ReviewOutcome:
        """Keep ``outcome`` under ``key`` and return the outcome to show.

        If another browser session stored the same review meanwhile (two
        first visits at once), that one is kept, since it may be on screen,
        and ``outcome``, identical to it, is discarded.
        """
        with self._lock:
            kept = self._items.setdefault(key, outcome)
            self._items.move_to_end(key)
            gone = [outcome] if kept is not outcome else []
            while len(self._items) > self._size:
                gone.append(self._items.popitem(last=False)[1])
        for old in gone:
            old.discard()
        return kept


@st.cache_resource(show_spinner=False)
def _sample_outcomes() -> OutcomeStore:
    return OutcomeStore()


def _upload_outcomes() -> OutcomeStore:
    # Uploads stay private to the browser session that sent them.
    if "review.outcomes" not in st.session_state:
        st.session_state["review.outcomes"] = OutcomeStore(size=3)
    return st.session_state["review.outcomes"]


def _choose_clip() -> ClipInput | None:
    clips = common.samples()
    options = [SAMPLE, UPLOAD] if clips else [UPLOAD]
    source = st.radio("Clip", options, horizontal=True, key="review.source")
    if source == SAMPLE:
        path = st.selectbox("Sample", clips, format_func=common.sample_label, key="review.sample")
        return ClipInput.from_path(path)
    upload = st.file_uploader(
        "Upload a clip (mp4, mov, webm or avi)",
        type=list(UPLOAD_TYPES),
        key="review.upload",
        help="The clip is analysed on this machine and never stored as uploaded. Saving to the "
        "history keeps the results, and the annotated video only if you choose to keep it.",
    )
    if upload is None:
        st.info("Choose a clip to review, or pick a bundled sample above.")
        return None
    return ClipInput.from_upload(upload.name, upload.getvalue())


def _analyse(clip: ClipInput, spec, side: str, model: str, lib: Library) -> ReviewOutcome | None:
    shared = clip.path is not None
    store = _sample_outcomes() if shared else _upload_outcomes()
    key = review_key(clip, spec, side, model)
    outcome = store.get(key)
    if outcome is None and shared:  # a sample reviewed before, by any earlier run of the app
        outcome = examples.load(clip.path, spec, side, model, key)
        if outcome is not None:
            return store.put(key, outcome)
    if outcome is not None:
        return outcome
    stopped = st.session_state.get(CANCELLED)
    if stopped is not None and stopped.key == key:
        _show_cancelled(stopped, clip.label)  # never restarted on its own: the user said stop
        return None
    run = ReviewRun(key)
    panel = st.empty()
    with panel.container():
        bar = st.progress(0.0, text=f"Analysing {clip.label}…")
        st.button(
            "Cancel",
            key="review.cancel",
            on_click=_cancel,
            args=(run,),
            help="Stop this review. Nothing is saved and its temporary files are deleted.",
        )
    analysing = ProgressText(f"Analysing {clip.label}")
    checking: list[ProgressText] = []  # started when the frames are done

    def progress(done: int, total: int) -> None:
        run.progress(done, total)
        if done % 5 and done != total:  # every 5th frame: keep the page's websocket quiet
            return
        share = min(done / total, 1.0) if total else 0.0
        bar.progress(share, text=analysing(done, total))

    def guessing(done: int, total: int) -> None:
        if not checking:
            checking.append(ProgressText("Checking which exercise the motion fits", unit=None))
        if done % 50 and done != total:
            return
        bar.progress(min(done / total, 1.0) if total else 0.0, text=checking[0](done, total))

    try:
        common.pose_model(model)
        outcome = run_review(
            clip,
            spec,
            side=side,
            model=model,
            progress=progress,
            candidates=lib.specs,
            cancelled=run.is_cancelled,
            checking=guessing,
        )
    except Cancelled:
        outcome = None
    except FormcheckError as exc:
        # In the progress panel's place: the next review's progress bar takes it over at
        # once, so the error never lingers beside a new clip while that one is analysed.
        panel.error(str(exc))
        return None
    finally:
        run.finish()  # run_review has removed its temporary files, however it ended
    panel.empty()
    if outcome is None:
        st.session_state[CANCELLED] = run
        _show_cancelled(run, clip.label)
        return None
    if shared:
        examples.save(clip.path, spec, side, model, outcome)
    return store.put(key, outcome)


def _cancel(run: ReviewRun) -> None:
    # Runs first in the script run the click starts, while the review's own run may
    # still be on a frame: the flag stops that review at its next frame, and this run
    # sees CANCELLED and says so instead of starting the same review again.
    run.cancel()
    st.session_state[CANCELLED] = run


def _analyse_again() -> None:
    st.session_state.pop(CANCELLED, None)


def cancelled_message(label: str, done: int, total: int) -> str:
    """What the page says after a review was cancelled at frame ``done`` of ``total``.

    >>> cancelled_message("long.mp4", 1234, 9000)
    'The review of long.mp4 was cancelled at frame 1,234 of 9,000. Nothing was kept.'
    >>> cancelled_message("long.mp4", 9000, 9000).split(", while")[0]
    'The review of long.mp4 was cancelled after its 9,000 frames'
    """
    if total and done >= total:
        where = f"after its {total:,} frames, while checking which exercise the motion fits"
    else:
        where = f"at frame {done:,} of {total:,}" if total else f"at frame {done:,}"
    return f"The review of {label} was cancelled {where}. Nothing was kept."


def _show_cancelled(run: ReviewRun, label: str) -> None:
    with st.spinner("Stopping the review…"):
        run.wait(STOP_WAIT)  # at once, unless the cancelled run is still on its last frame
    st.warning(cancelled_message(label, run.done, run.total))
    st.button("Analyse again", key="review.again", on_click=_analyse_again, type="primary")


def render() -> None:
    """Draw the Review page."""
    st.title("Review a clip")
    st.caption(
        "Pick a clip and the exercise in it: formcheck counts the reps and checks each one "
        "against the exercise's limits. Everything runs on this machine."
    )
    lib = common.library()
    model = common.model_setting()
    clip = _choose_clip()
    picked = common.exercise_picker("review", lib)
    if clip is None or picked is None:
        return
    spec, side = picked
    if clip.path is not None:
        st.info(
            "**A worked example:** formcheck's review of a bundled sample clip, "
            f"{common.sample_label(clip.path)}. To review your own set, switch **Clip** above to "
            "your own and upload it, or open **Live** in the sidebar to be coached on camera."
        )
    outcome = _analyse(clip, spec, side, model, lib)
    if outcome is not None:
        show_outcome(outcome, lib, example=clip.path is not None)


def show_outcome(outcome: ReviewOutcome, lib: Library, example: bool = False) -> None:
    """The results of one review: summary, video, table, plots, flags, downloads.

    For the worked ``example`` (a bundled sample) what its camera view can't judge
    is a note under the video, not a warning: the person did not film it.
    """
    result = outcome.result
    for warning in outcome.warnings:
        # Most begin with the clip's name; the others are phrases: make them sentences.
        st.warning(warning if warning.startswith(outcome.clip) else sentence(warning))
    done = _done_in_full(result)
    if done:
        _guess_hint(outcome, lib)  # with no full rep counted, `_nothing_counted` offers it
    # One note per reason: the engine gives the checks that want the same camera one reason.
    # The reason names the checks it hides ("pelvis lift can't be seen from ...: place ...").
    view_notes = [
        sentence(reason) for reason in dict.fromkeys(r for _, r in result.checks_disabled)
    ]
    for note in [] if example else view_notes:
        st.warning(note)
    if result.gaps:
        st.warning(
            "The person was out of view "
            + "; ".join(g.describe() for g in result.gaps)
            + ": reps there couldn't be counted, and a rep it cut into is marked uncertain. "
            "Keep the whole body in the frame for the whole set."
        )
    seen = result.frames_with_pose / result.frames if result.frames else 0.0
    if 0 < seen < 0.6:
        st.warning(
            f"A person was found in only {seen:.0%} of the frames: keep the whole body in view."
        )

    setup_panel.show_review(outcome, example)  # what the camera's placement lets formcheck judge
    counts = result.counts
    cols = st.columns(6)
    cols[0].metric("Reps", counts.full)
    cols[1].metric("Partial reps", counts.partial)
    cols[2].metric("Uncertain reps", counts.uncertain)
    cols[3].metric("Flags", len(result.flags))
    cols[4].metric("Side", result.side)
    cols[5].metric("Camera view", (result.view or "unknown").replace("_", "-"))

    # The video at a comfortable size; the tables under it at the page's full width.
    video, _ = st.columns([3, 2])
    with video:
        # Streamlit serves media from memory: the file is read while the page shows it.
        st.video(outcome.video, format="video/mp4")
        for note in view_notes if example else []:
            st.caption(note)
    if not done:
        _nothing_counted(outcome, lib)
    if result.rep_table or result.hold_table:  # partial reps too: what was found
        _tables(outcome)
        _plots(outcome)
    _downloads(outcome)
    _save(outcome, empty=not done)


def _done_in_full(result: AnalysisResult) -> bool:
    """Whether anything was done in full: a full rep, or a hold held long enough."""
    return bool(result.counts.full or result.holds)


def _tables(outcome: ReviewOutcome) -> None:
    result, spec = outcome.result, outcome.spec
    if result.rep_table:  # a hold exercise has none
        st.subheader("Reps")
        withheld = result.rom_withheld_reason
        hidden = [code for code, _ in result.checks_disabled]
        rows = labels.rep_rows(result.rep_table, spec, withheld=bool(withheld), hidden=hidden)
        st.dataframe(pd.DataFrame(rows), hide_index=True, key="review.rep_table")
        if withheld:
            st.caption(f"Range of motion not shown: {withheld}.")
        elif result.rom_uncertainty_deg is not None:
            st.caption(
                "Range of motion: the whole rep, rest to rest, "
                f"within ±{result.rom_uncertainty_deg:.0f}° from this view."
            )
    st.subheader("Flags")
    if result.flags:
        rows = labels.flag_rows(result.flags, spec)
        st.dataframe(pd.DataFrame(rows), hide_index=True, key="review.flags")
    else:
        st.success("No flags: every check held.")


def _nothing_counted(outcome: ReviewOutcome, lib: Library) -> None:
    """With no full rep counted: what was found, and what to try instead (side, exercise)."""
    spec, side, guess = outcome.spec, outcome.side, outcome.guess
    leg = f" on the {side} leg" if side in OTHER_SIDE else ""
    what = "holds" if spec.phase is None else "reps"
    counts = outcome.result.counts
    found = labels.short_of_full(outcome.result, spec)
    if found:
        st.warning(
            f"No full {spec.display_name.lower()} {what} were counted in this clip{leg}, "
            f"only {' and '.join(found)}."
        )
    else:
        st.warning(f"No {spec.display_name.lower()} {what} were counted in this clip{leg}.")
    # The guess ran this exercise with either leg: more reps there (partial ones too) than
    # the chosen leg did means the other leg did them.
    either = guess.reps.get(spec.name, 0) if guess is not None else 0
    tried = False
    if side in OTHER_SIDE and either > counts.full + counts.partial:
        other = OTHER_SIDE[side]
        st.info(
            f"The {other} leg did move like a {spec.display_name.lower()}: {_reps(either)} "
            f"with either leg. Try the {other} side."
        )
        st.button(
            f"Analyse the {other} leg",
            key="review.other_side",
            on_click=_use_side,
            args=(other,),
            type="primary",
        )
        tried = True
    if _guess_hint(outcome, lib) or _full_elsewhere(outcome, lib):
        tried = True
    if not tried:
        st.info(
            "Check the exercise and the side, and that the camera sees the whole movement "
            "from start to end."
        )


def _use_side(side: str) -> None:
    st.session_state["review.side"] = side


def _guess_hint(outcome: ReviewOutcome, lib: Library) -> bool:
    """Offer the exercise the motion fits better, if there is one; True if offered."""
    guess = outcome.guess
    better = guess.instead_of(outcome.spec.name) if guess is not None else None
    if better is None:
        return False
    other = lib.specs.get(better)
    if other is None:
        return False
    theirs, ours = guess.reps[guess.name], guess.reps.get(outcome.spec.name, 0)
    st.info(
        f"The motion looks more like **{other.display_name}** ({_reps(theirs)} against "
        f"{_reps(ours)} as {outcome.spec.display_name})."
    )
    if st.button(f"Analyse as {other.display_name}", key="review.use_guess"):
        st.session_state["exercise"] = guess.name
        st.session_state.pop("review.exercise", None)
        st.rerun()
    return True


def _full_elsewhere(outcome: ReviewOutcome, lib: Library) -> bool:
    """Where the guess is unsure: name the exercises this motion gave full reps as."""
    guess = outcome.guess
    names = guess.full_elsewhere(outcome.spec.name) if guess is not None else []
    shown = [
        f"{lib.specs[n].display_name} ({_reps(guess.full[n])})" for n in names if n in lib.specs
    ][:3]
    if not shown:
        return False
    st.info(
        "This motion does count as full reps of "
        + ", ".join(shown)
        + ". If the exercise being done is there, choose it above."
    )
    return True


def _reps(n: int) -> str:
    return f"{n} rep" if n == 1 else f"{n} reps"


def _plots(outcome: ReviewOutcome) -> None:
    result, spec = outcome.result, outcome.spec
    metric = charts.metric_chart(result, spec)
    path = charts.path_chart(result, spec)
    still = charts.stillness_chart(result, spec)
    if metric is None and path is None and still is None:
        return
    st.subheader("Plots")
    if metric is not None:
        st.altair_chart(metric, width="stretch")
    # Side by side, filling from the left: a view without a heel path (from the side)
    # leaves no blank half beside the pelvis plot.
    shown = [chart for chart in (path, still) if chart is not None]
    for column, chart in zip(st.columns(2), shown, strict=False):
        column.altair_chart(chart, width="stretch")


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()


def _downloads(outcome: ReviewOutcome) -> None:
    stem = outcome.clip.rsplit(".", 1)[0] or "clip"
    st.subheader("Downloads")
    # Every button is on_click="ignore": a click that reran the page gave each deferred
    # button a new file and dropped the old ones, so a second click made before the
    # browser had the new ones asked for a file that was gone, and nothing came.
    cols = st.columns(4)
    cols[0].download_button(
        "Rep table (CSV)",
        _csv(outcome.result.rep_table_rows()),
        file_name=f"{stem}.reps.csv",
        mime="text/csv",
        key="review.dl_csv",
        on_click="ignore",
    )
    # The rest are made or read when clicked (a callable): a long clip's result, video
    # and landmark file are large, and eager data would be held in memory on every run.
    cols[1].download_button(
        "Full result (JSON)",
        lambda: json.dumps(outcome.result.to_dict(), indent=2),
        file_name=f"{stem}.result.json",
        mime="application/json",
        key="review.dl_json",
        on_click="ignore",
    )
    cols[2].download_button(
        "Annotated video (MP4)",
        outcome.video.read_bytes,
        file_name=f"{stem}.annotated.mp4",
        mime="video/mp4",
        key="review.dl_mp4",
        on_click="ignore",
    )
    cols[3].download_button(
        "Landmark file (JSONL)",
        outcome.landmarks.read_bytes,
        file_name=f"{stem}.landmarks.jsonl",
        mime="application/jsonl",
        key="review.dl_landmarks",
        on_click="ignore",
    )


def _save(outcome: ReviewOutcome, empty: bool = False) -> None:
    saved = st.session_state.setdefault("review.saved", {})
    key = outcome.key
    if key in saved:
        st.success(saved[key])
        return
    sure = True
    if empty:  # a session of nothing is most likely a mistake: ask first
        sure = st.checkbox(
            "Save it anyway: this session has no full reps",
            value=False,
            key="review.save_empty",
        )
    button, choice = st.columns([1, 3], vertical_alignment="center")
    keep_video = choice.checkbox(
        "Keep the annotated video with this session",
        value=False,  # storing video is a choice made per session, never the default
        key="review.keep_video",
        help="The annotated video shows you. If kept, it is stored on this machine, in a "
        "private folder beside the history database, and never leaves it; deleting the "
        "session deletes it. Off: only the results (reps, flags, limits) are saved.",
    )
    if not button.button("Save to history", key="review.save", type="primary", disabled=not sure):
        return
    store = common.history_or_error()
    if store is None:
        return
    settings = {
        "model": outcome.model,
        "side": outcome.side,
        "limits": {c.code: c.limit for c in outcome.spec.checks},
    }
    try:
        session = store.save_result(
            outcome.result.to_dict(), source="clip", settings=settings, clip_name=outcome.clip
        )
    except HistoryError as exc:
        # Nothing was written; the review stays on the page, and the button with it.
        st.error(f"Not saved: {exc}")
        return
    message = f"Saved to the history (session {session}): the results only, no video."
    if keep_video:
        try:
            store.attach_video(session, outcome.video)
        except HistoryError as exc:
            # The results are saved either way: say plainly that the video is not.
            st.error(f"The annotated video was not kept: {exc}")
        else:
            message = f"Saved to the history (session {session}), with the annotated video."
    saved[key] = message
    st.success(message)
