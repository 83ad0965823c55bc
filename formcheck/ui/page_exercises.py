"""The Exercises page: the library from the specs, and per-person limits."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from formcheck.errors import SpecError
from formcheck.specs import Spec, with_overrides
from formcheck.specs.kinds import UNIT_SIGNS, limit_text, view_advice, view_from
from formcheck.ui import common
from formcheck.ui.labels import capitalised, check_heading, check_name, limit_problem


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
    store = common.history_or_error()
    saved = store.overrides(spec.name) if store is not None else {}
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Check": capitalised(c.label),
                    "Limit": limit_text(c.limit, c.unit),
                    # A personal limit in force beside the exercise's own, never instead of it.
                    "Your limit": limit_text(saved[c.code], c.unit) if c.code in saved else "",
                    "Seen from": "; ".join(view_from(v, spec.posture) for v in c.views)
                    or "any view",
                    "Severity": c.severity,
                    "Cue": c.cue,
                }
                for c in spec.checks
            ]
        ),
        hide_index=True,
        key="exercises.checks",
    )
    if spec.phase is not None:
        p = spec.phase
        unit = spec.metric(p.metric).unit
        st.caption(
            f"A rep is counted on {p.metric.replace('_', ' ')}: it starts past {p.enter:g}, "
            f"is full range at {p.full:g}, and ends back past {p.exit:g} "
            f"({UNIT_SIGNS.get(unit, unit)}); shorter than {p.min_duration:g} s doesn't count."
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
                # The spec file was edited (or the saved limit changed, or was reset) since
                # the box was drawn: show the new value, or saving would pin the old one as
                # this person's limit. Set through the session state, before the box is
                # drawn: only that overrides the value the browser still holds.
                st.session_state[key] = default
                shown[key] = default
            edited[check.code] = st.number_input(
                f"{check_heading(check)} [exercise: {check.limit:g}]",
                step=0.5 if check.unit == "cm" else 1.0,
                key=key,
                help=_limit_help(spec, check.code),
            )
        save = st.form_submit_button("Save my limits", type="primary", key="limits.save")
        st.form_submit_button(
            "Back to the exercise's limits",
            key="limits.reset",
            on_click=_reset,
            args=(store, spec),
        )
    if st.session_state.pop("limits.was_reset", None) == spec.name:
        st.success("Back to the exercise's own limits.")
    if save:
        changed = {code: v for code, v in edited.items() if v != spec.check(code).limit}
        problems = [p for c, v in changed.items() if (p := limit_problem(spec.check(c), v))]
        try:
            if problems:  # said in the page's words, not as the spec file's key trail
                raise SpecError("; ".join(problems))
            with_overrides(spec, changed)  # validate before saving: bad limits never land
        except SpecError as exc:
            st.error(f"Not saved: {exc}. The previous limits are still in use.")
            return
        store.set_overrides(spec.name, changed)
        st.success(
            "Saved: " + _limits_text(spec, changed)
            if changed
            else "Saved: the exercise's own limits."
        )
    elif saved:
        st.caption("In use: " + _limits_text(spec, saved))


def _reset(store, spec: Spec) -> None:
    # A callback: it runs before the page is drawn, so the boxes show the exercise's
    # values in the very run that confirms the reset.
    store.set_overrides(spec.name, {})
    for check in spec.checks:
        st.session_state[f"limits.{spec.name}.{check.code}"] = float(check.limit)
        st.session_state.setdefault("limits.defaults", {})[f"limits.{spec.name}.{check.code}"] = (
            float(check.limit)
        )
    st.session_state["limits.was_reset"] = spec.name


def _limits_text(spec: Spec, limits: dict[str, float]) -> str:
    # "sideways heel drift 6 cm": the label and unit, never the code.
    return ", ".join(
        f"{check_name(spec, c)} {v:g} {_unit(spec, c)}".rstrip() for c, v in limits.items()
    )


def _unit(spec: Spec, code: str) -> str:
    try:
        return spec.check(code).unit
    except KeyError:  # a saved limit for a check the spec no longer has
        return ""


def _limit_help(spec: Spec, code: str) -> str:
    check = spec.check(code)
    text = check.cue
    if check.views:
        ways = " or ".join(view_advice(v, spec.posture) for v in check.views)
        text += f" Judged only when you {ways}."
    return text
