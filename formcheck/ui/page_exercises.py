"""The Exercises page: the library from the specs, and per-person limits."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from formcheck.errors import SpecError
from formcheck.specs import Spec, with_overrides
from formcheck.specs.kinds import VIEW_ADVICE, VIEW_FROM
from formcheck.ui import common


def render() -> None:
    """Draw the Exercises page."""
    st.title("Exercises")
    lib = common.library()
    if not lib.specs:
        st.error("No exercise specs could be loaded.")
        return
    names = lib.names()
    remembered = st.session_state.get("exercise")
    name = st.selectbox(
        "Exercise",
        names,
        index=names.index(remembered) if remembered in names else 0,
        format_func=lambda n: lib.specs[n].display_name,
        key="exercises.exercise",
    )
    spec = lib.specs[name]
    _guidance(spec)
    if spec.judgeable:
        _checks(spec)
    else:
        st.warning(f"A camera can't judge this exercise: {spec.reason}")


def _guidance(spec: Spec) -> None:
    g = spec.guidance
    st.header(spec.display_name)
    st.write(g.purpose)
    if spec.target.describe():
        st.markdown(f"**Target:** {spec.target.describe()}")
    left, right = st.columns(2)
    with left:
        st.subheader("Setup")
        st.markdown("\n".join(f"{i}. {step}" for i, step in enumerate(g.setup, 1)))
    with right:
        st.subheader("Cues")
        st.markdown("\n".join(f"- {cue}" for cue in g.cues))
    st.subheader("Camera placement")
    st.info(g.camera_placement)


def _checks(spec: Spec) -> None:
    st.subheader("What is checked")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "check": c.label,
                    "code": c.code,
                    "limit": f"{c.limit:g} {c.unit}",
                    "seen from": ", ".join(VIEW_FROM.get(v, v) for v in c.views) or "any view",
                    "severity": c.severity,
                    "cue": c.cue,
                }
                for c in spec.checks
            ]
        ),
        hide_index=True,
        key="exercises.checks",
    )
    if spec.phase is not None:
        p = spec.phase
        st.caption(
            f"A rep is counted on {p.metric.replace('_', ' ')}: it starts past {p.enter:g}, "
            f"is full range at {p.full:g}, and ends back past {p.exit:g} "
            f"({spec.metric(p.metric).unit}); shorter than {p.min_duration:g} s doesn't count."
        )
    _limits(spec)


def _limits(spec: Spec) -> None:
    st.subheader("Your limits")
    st.caption(
        "A physiotherapist can tighten or loosen a limit for one person. Saved limits are used "
        "by both Live and Review; the exercise's own limits are shown in brackets."
    )
    store = common.history_or_error()
    if store is None:
        return
    saved = store.overrides(spec.name)
    edited: dict[str, float] = {}
    shown = st.session_state.setdefault("limits.defaults", {})
    with st.form(f"limits.{spec.name}"):
        for check in spec.checks:
            key = f"limits.{spec.name}.{check.code}"
            default = float(saved.get(check.code, check.limit))
            if shown.get(key) != default:
                # The spec file was edited (or the saved limit changed) since the box was
                # drawn: show the new value, or saving would pin the old one as this
                # person's limit.
                st.session_state.pop(key, None)
                shown[key] = default
            edited[check.code] = st.number_input(
                f"{check.label} ({check.unit}) [exercise: {check.limit:g}]",
                value=default,
                step=0.5 if check.unit == "cm" else 1.0,
                key=key,
                help=_limit_help(spec, check.code),
            )
        save = st.form_submit_button("Save my limits", type="primary")
        reset = st.form_submit_button("Back to the exercise's limits")
    if reset:
        store.set_overrides(spec.name, {})
        for check in spec.checks:
            st.session_state.pop(f"limits.{spec.name}.{check.code}", None)
        st.success("Back to the exercise's own limits.")
        st.rerun()
    if save:
        changed = {code: v for code, v in edited.items() if v != spec.check(code).limit}
        try:
            with_overrides(spec, changed)  # validate before saving: bad limits never land
        except SpecError as exc:
            st.error(f"Not saved: {exc}. The previous limits are still in use.")
            return
        store.set_overrides(spec.name, changed)
        st.success(
            "Saved: " + ", ".join(f"{c} = {v:g}" for c, v in changed.items())
            if changed
            else "Saved: the exercise's own limits."
        )
    elif saved:
        st.caption("In use: " + ", ".join(f"{c} = {v:g}" for c, v in saved.items()))


def _limit_help(spec: Spec, code: str) -> str:
    check = spec.check(code)
    text = check.cue
    if check.views:
        text += " Judged only when you " + " or ".join(VIEW_ADVICE[v] for v in check.views) + "."
    return text
