"""The History page: past sessions, their reps, flags and kept videos, trends per exercise."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from formcheck.history import History, HistoryError, SessionRow, TrendPoint
from formcheck.ui import common, labels
from formcheck.ui.library import Library

ALL = "All exercises"
#: Sessions are minutes to days apart: label them by day and time, never by seconds.
DATE_AXIS = alt.Axis(format="%d %b %H:%M", labelAngle=-30, tickCount=6)


def _when(stamp: str) -> str:
    # Stored in UTC ISO form; shown as "2025-03-01 14:05" (UTC, said in the column name).
    return stamp.replace("T", " ")[:16]


#: How each `SessionRow.state` reads in the table.
STATES = {"finished": "finished", "running": "in progress", "interrupted": "interrupted"}


def _state(s: SessionRow) -> str:
    # "interrupted": left running by an app that stopped without finishing it (killed,
    # crashed); its reps up to then are all here.
    text = STATES[s.state()]
    return text + (f", {s.runs} camera runs" if s.runs > 1 else "")


def _session_label(s: SessionRow, names: dict[str, str]) -> str:
    reps = s.counts.describe()
    exercise = names.get(s.exercise, s.exercise)
    state = "" if s.status == "finished" else f" · {STATES[s.state()]}"
    source = f"clip {s.clip_name}" if s.source == "clip" and s.clip_name else s.source
    return f"#{s.id} · {_when(s.started_at)} · {exercise} · {source} · {reps}{state}"


def render() -> None:
    """Draw the History page."""
    st.title("History")
    store = common.history_or_error()
    if store is None:
        return
    st.caption(
        f"Sessions are kept on this machine in `{store.path}` (set `FORMCHECK_DB` to move it). "
        "Results are stored, not video: a session keeps its video only if you chose so for it, "
        f"in `{store.videos_dir}`."
    )
    lib = common.library()
    names = {n: s.display_name for n, s in lib.specs.items()}
    sessions = store.sessions()
    if not sessions:
        st.info(
            "No sessions yet. Save a review from the Review page, or do a set on the Live page: "
            "live reps are saved as you go."
        )
        return
    exercises = sorted({s.exercise for s in sessions})
    choice = st.selectbox(
        "Exercise", [ALL, *exercises], format_func=lambda n: names.get(n, n), key="history.exercise"
    )
    shown = [s for s in sessions if choice in (ALL, s.exercise)]
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "session": s.id,
                    "date (UTC)": _when(s.started_at),
                    "exercise": names.get(s.exercise, s.exercise),
                    "side": s.side,
                    "source": s.source,
                    "clip": s.clip_name,
                    "state": _state(s),
                    "reps": s.reps,
                    "partial reps": s.partial_reps,
                    "uncertain reps": s.uncertain_reps,
                    "flags per rep": round(s.flags_per_rep, 2),
                    "flags": ", ".join(
                        f"{_check(lib, s.exercise, c)} ×{n}" for c, n in s.flag_counts.items()
                    ),
                    "video": _video_mark(store, s),
                }
                for s in shown
            ]
        ),
        hide_index=True,
        key="history.sessions",
    )
    # Trends show at once: the chosen exercise's, else the most recent session's.
    trended = choice if choice != ALL else sessions[0].exercise
    _trends(store, lib, trended, names.get(trended, trended), hint=choice == ALL)
    _details(store, lib, shown, names)


def _check(lib: Library, exercise: str, code: str) -> str:
    """A flag code as its check's label (the code itself if the spec is gone)."""
    spec = lib.specs.get(exercise)
    return labels.check_name(spec, code) if spec is not None else code


def _details(store: History, lib: Library, shown: list[SessionRow], names: dict[str, str]) -> None:
    st.subheader("One session")
    by_id = {s.id: s for s in shown}
    sid = st.selectbox(
        "Session",
        list(by_id),
        format_func=lambda i: _session_label(by_id[i], names),
        key="history.session",
    )
    if sid is None:
        return
    reps = store.reps(sid)
    exercise = by_id[sid].exercise
    if reps:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "rep": r.rep,
                        "side": r.side,
                        "status": r.status,
                        "start (s)": r.start,
                        "duration (s)": r.duration,
                        "ROM from": _rom(lib, exercise, r.rom_min),
                        "ROM to": _rom(lib, exercise, r.rom_max),
                        "flags": ", ".join(_check(lib, exercise, c) for c in r.flags),
                    }
                    for r in reps
                ]
            ),
            hide_index=True,
            key="history.reps",
        )
    else:
        st.info("This session has no reps.")
    flags = store.flags(sid)
    if flags:
        with st.expander(f"{len(flags)} flags"):
            for f in flags:
                when = f"{f.t:.1f} s" if f.t is not None else "?"
                value, limit = labels.amount(f.value, f.unit), labels.amount(f.limit, f.unit)
                name = _check(lib, exercise, f.code)
                st.markdown(
                    f"- **{when}**, rep {f.rep}: {f.message} ({name} {value}, limit {limit})"
                )
    video = _video(store, by_id[sid])
    left, right = st.columns(2)
    left.download_button(
        "Export CSV",
        store.export_csv(sid),
        file_name=f"formcheck-session-{sid}.csv",
        mime="text/csv",
        key="history.export",
        on_click="ignore",  # no rerun: see page_review._downloads
    )
    if video is not None:
        left.download_button(
            "Download the video (MP4)",
            video.read_bytes,  # read on click, not on every run of the page
            file_name=f"formcheck-session-{sid}.mp4",
            mime="video/mp4",
            key="history.video",
            on_click="ignore",  # no rerun: see page_review._downloads
        )
    what = "this session and its video" if by_id[sid].video else "this session"
    confirm = right.checkbox(f"Yes, delete {what}", key=f"history.confirm.{sid}")
    if right.button("Delete session", key="history.delete", disabled=not confirm):
        try:
            store.delete_session(sid)
        except HistoryError as exc:
            st.error(str(exc))
            return
        st.toast(f"Session {sid} deleted.")
        st.rerun()


def _video_mark(store: History, s: SessionRow) -> str:
    if s.video is None:
        return ""
    return "kept" if store.kept_video(s) is not None else "missing"


def _video(store: History, s: SessionRow) -> Path | None:
    """Show the session's kept video, if it has one; return its file."""
    if s.video is None:
        return None
    path = store.kept_video(s)
    if path is None:
        st.warning(
            f"This session's video is missing from `{store.videos_dir}`: it was moved or "
            "deleted outside formcheck."
        )
        return None
    st.video(path, format="video/mp4")
    return path


def _rom(lib: Library, exercise: str, value: float | None) -> float | None:
    spec = lib.specs.get(exercise)
    unit = spec.metric(spec.phase.metric).unit if spec is not None and spec.phase else ""
    return labels.rounded(value, unit)


def _series(p: TrendPoint) -> str:
    """Which line a point is on: each side, live and clip apart (``left · live``)."""
    return f"{p.side} · {p.source}"


def _trends(store: History, lib: Library, exercise: str, title: str, hint: bool) -> None:
    points = store.trends(exercise)
    if len(points) < 1:
        return
    st.subheader(f"Trends: {title}")
    if hint:
        st.caption(
            f"{title} was done most recently. Choose an exercise above to see its trends; "
            "each side, and live and clip sessions, have their own line."
        )
    rows = pd.DataFrame(
        [
            {
                "date": p.started_at,
                "session": p.session_id,
                "series": _series(p),
                "clip": p.clip_name,
                "reps": p.reps,
                "partial reps": p.partial_reps,
                "uncertain reps": p.uncertain_reps,
                "range of motion": p.rom,
                "peak": p.peak,
            }
            for p in points
        ]
    )
    rows["date"] = pd.to_datetime(rows["date"])
    ids = ["date", "session", "series", "clip"]
    reps = rows.melt(id_vars=ids, value_vars=["reps", "partial reps", "uncertain reps"])
    rom = rows.melt(id_vars=ids, value_vars=["range of motion", "peak"])
    share = pd.DataFrame(
        [
            {
                "date": p.started_at,
                "session": p.session_id,
                "series": _series(p),
                "clip": p.clip_name,
                "flag": _check(lib, exercise, code),
                "share of reps": v,
            }
            for p in points
            for code, v in p.flag_share.items()
        ]
    )
    cols = st.columns(3)
    cols[0].altair_chart(_line(reps, "count", "Reps per session"), width="stretch")
    cols[1].altair_chart(_line(rom, "degrees", "Range of motion"), width="stretch")
    if not share.empty:
        share["date"] = pd.to_datetime(share["date"])
        chart = (
            alt.Chart(share)
            .mark_line(point=True)
            .encode(
                x=alt.X("date:T", title=None, axis=DATE_AXIS),
                y=alt.Y(
                    "share of reps:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])
                ),
                color="flag:N",
                strokeDash=alt.StrokeDash("series:N", title=None),
                detail="series:N",
                tooltip=[
                    "session",
                    "series",
                    "clip",
                    "flag",
                    alt.Tooltip("share of reps:Q", format=".0%"),
                ],
            )
            .properties(title="Share of reps with each flag", height=220)
        )
        cols[2].altair_chart(chart, width="stretch")
    else:
        cols[2].success("No flags in any session.")


def _line(data: pd.DataFrame, unit: str, title: str) -> alt.Chart:
    return (
        alt.Chart(data.dropna())
        .mark_line(point=True)
        .encode(
            x=alt.X("date:T", title=None, axis=DATE_AXIS),
            y=alt.Y("value:Q", title=unit),
            color=alt.Color("variable:N", title=None),
            # Each side, and live and clip sessions, are their own line, never joined.
            strokeDash=alt.StrokeDash("series:N", title=None),
            detail="series:N",
            tooltip=["session", "series", "clip", "variable", "value"],
        )
        .properties(title=title, height=220)
    )
