"""The setup check on the page: Live's panel before counting starts, Review's verdicts.

Both draw a `formcheck.setup_check.SetupReport`: each item ready or to fix
(in large type on Live, readable from a mat 2-3 m away), then which of the
exercise's checks can be judged from where the camera is, and for those that
can't, how to move it, in words and as a top view (`placement_svg`).
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import streamlit as st

from formcheck.lmfile import read_landmarks
from formcheck.setup_check import FIX, READY, SetupReport, SetupVerdict
from formcheck.setup_watch import SetupPrompts, review_setup, started
from formcheck.ui.placement_svg import top_view

#: ``(processor, SetupPrompts)``: what was said about the setup, for the camera run shown.
PROMPTS = "live.setup_prompts"
#: ``{review key: SetupReport}``: the verdicts of the reviews shown in this browser session.
REVIEWED = "review.setup"
#: Marks that every browser's fonts draw (a colour emoji may be missing on a bare system).
MARK = {READY: ("✔", "#1a7f37"), FIX: ("⚠", "#b35c00")}
WAITING = ("…", "#6b6b6b")
#: Live's items: big enough to read lying on a mat, 2-3 m from the screen.
LARGE, SMALL = "1.9rem", "1.05rem"


def _line(state: str, label: str, message: str, fix: str, size: str) -> str:
    """One item: the mark, what, and how to fix it in ``size``; what was found smaller."""
    mark, colour = MARK.get(state, WAITING)
    tail = f" — {html.escape(fix, quote=False)}" if fix else ""
    small = "0.9rem" if size == SMALL else SMALL
    return (
        f'<div style="margin:0.3em 0"><div style="font-size:{size};line-height:1.25">'
        f'<span style="color:{colour}">{mark}</span> <b>{html.escape(label, quote=False)}'
        f"{tail}</b></div>"
        f'<div style="font-size:{small};color:#555">{html.escape(message, quote=False)}</div></div>'
    )


def items_html(report: SetupReport, size: str = LARGE) -> str:
    """The report's items: mark, what and how to fix it, then what was found."""
    return "".join(
        _line(i.state, i.label, i.message, i.fix if i.state == FIX else "", size)
        for i in report.items
    )


def _moves(checks: Iterable[SetupVerdict]) -> dict[str | None, list[SetupVerdict]]:
    groups: dict[str | None, list[SetupVerdict]] = {}
    for c in checks:
        groups.setdefault(c.move_to, []).append(c)
    return groups


def show_checks(report: SetupReport, size: str = SMALL) -> None:
    """Which checks can be judged from here; for the others why, and where the camera goes."""
    judged = [c.label for c in report.checks if c.state == READY]
    waiting = [c.label for c in report.checks if c.state not in (READY, FIX)]
    if judged:
        text = f"Can be judged from here: {', '.join(judged)}"
        st.markdown(_line(READY, text, "", "", size), unsafe_allow_html=True)
    if waiting:
        text = f"Not known yet: {', '.join(waiting)}"
        st.markdown(_line("wait", text, "", "", size), unsafe_allow_html=True)
    for move_to, checks in _moves(report.not_judged).items():
        names = ", ".join(c.label for c in checks)
        why = "; ".join(dict.fromkeys(c.message for c in checks))
        line = _line(FIX, f"Can't be judged from here: {names}", why, checks[0].how, size)
        if move_to is None:
            st.markdown(line, unsafe_allow_html=True)
            continue
        words, picture = st.columns([3, 2], vertical_alignment="center")
        words.markdown(line, unsafe_allow_html=True)
        picture.markdown(top_view(move_to, report.view), unsafe_allow_html=True)


def counting(live) -> bool:
    """True once the engine has started counting in this camera run (a rep under way or
    done). A continued session's earlier reps don't count: the camera may have moved."""
    snap = live.status().snapshot
    return snap is not None and started(snap)


def show_live(live, playing: bool) -> tuple[bool, list[str]]:
    """Live's setup panel, until counting starts: ``(drawn, new prompts to say)``.

    Drawn only while the camera plays and no rep has started: from then on the
    page's own camera advice says what the view can't judge.
    """
    if live is None or not playing or counting(live):
        return False, []
    status = live.status()
    report = live.setup.report(status.picture)
    # Moved as told, the camera sees another view: the engine calibrates again before
    # counting, instead of keeping the view it settled on where the camera was.
    live.setup.compare(report, status.snapshot.view if status.snapshot else None)
    if report.ready:
        st.markdown(
            f'<div style="font-size:{LARGE};color:#1a7f37"><b>Ready.</b> Start your first rep '
            "when you like: counting starts by itself.</div>",
            unsafe_allow_html=True,
        )
    else:
        st.markdown(
            f'<div style="font-size:{LARGE}"><b>Before you start</b>: fix what is marked ⚠. '
            "Counting starts by itself when you move.</div>",
            unsafe_allow_html=True,
        )
    st.markdown(items_html(report, LARGE), unsafe_allow_html=True)
    show_checks(report, SMALL)
    kept = st.session_state.get(PROMPTS)
    if kept is None or kept[0] is not live:
        kept = st.session_state[PROMPTS] = (live, SetupPrompts())
    return True, kept[1].feed(report)


def show_review(outcome, example: bool = False) -> SetupReport:
    """Review's verdicts for a reviewed clip, from its first seconds (kept per review).

    Open when something is to fix, except for the worked ``example`` (a bundled
    sample): the person did not place that camera, so it opens closed."""
    reports = st.session_state.setdefault(REVIEWED, {})
    report = reports.get(outcome.key)
    if report is None:
        _, frames = read_landmarks(outcome.landmarks)
        reps = [(r.start, r.end) for r in outcome.result.rep_table]
        floors = {f.code: f for f in outcome.result.noise_floors}  # the whole clip's
        report = review_setup(
            frames, outcome.spec, outcome.side, outcome.stats.picture, reps, floors
        )
        reports.clear()  # only the review on screen: a report holds no frames, but keep it small
        reports[outcome.key] = report
    fixes = len(report.to_fix) + len(report.not_judged)
    with st.expander(
        "Camera setup: ready" if not fixes else f"Camera setup: {fixes} to fix or not judged",
        expanded=bool(fixes) and not example,
    ):
        st.markdown(items_html(report, SMALL), unsafe_allow_html=True)
        show_checks(report, SMALL)
    return report
