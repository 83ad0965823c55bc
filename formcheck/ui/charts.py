"""The Review page's plots, as Altair charts built from an `AnalysisResult`.

Streamlit-free: each function takes engine output and returns a chart (or
None when there is nothing to draw), so they are tested without a browser.

- `metric_chart`: the driving metric (e.g. knee angle) over time, rep spans shaded;
- `path_chart`: the tracked point (the heel) seen from above in the body
  frame, with the ideal straight track and the tolerance band;
- `stillness_chart`: pelvis shift and rotation over time against their limits.
"""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from formcheck.engine import AnalysisResult
from formcheck.specs import Spec
from formcheck.specs.kinds import limit_text
from formcheck.ui.labels import amount, check_heading, heading

#: Rep status colours, shared with the tables (green, amber, grey).
STATUS_COLOURS = {"full": "#3cb45a", "partial": "#f0a020", "uncertain": "#9a9a9a"}
_MAX_POINTS = 1500  # plots stay light on long clips: decimate beyond this


def _finite(values: np.ndarray) -> list[float | None]:
    return [float(v) if math.isfinite(v) else None for v in values]


def _stride(n: int) -> int:
    return max(1, math.ceil(n / _MAX_POINTS))


def _full_judged(result: AnalysisResult, spec: Spec) -> bool:
    """False when the clip's view turned off a check on the spec's target
    (`Spec.target_checks`): there the spec's ``full`` was not judged (reps were judged
    against the person's own), so a line at it would mislead."""
    off = {code for code, _ in result.checks_disabled}
    return not any(c.code in off for c in spec.target_checks())


def metric_chart(result: AnalysisResult, spec: Spec) -> alt.Chart | None:
    """The driving metric per side over time, with each rep's span shaded by its status."""
    series = result.series
    if len(series.t) == 0 or not series.metric:
        return None
    step = _stride(len(series.t))
    metric = spec.metric(spec.phase.metric if spec.phase else spec.hold.metric)
    frames = [
        pd.DataFrame({"t": series.t[::step], "value": _finite(v[::step]), "side": side})
        for side, v in series.metric.items()
    ]
    data = pd.concat(frames, ignore_index=True)
    title = heading(metric.name.replace("_", " "), metric.unit)
    line = (
        alt.Chart(data)
        .mark_line()
        .encode(
            x=alt.X("t:Q", title="time (s)"),
            y=alt.Y("value:Q", title=title, scale=alt.Scale(zero=False)),
            color=alt.Color("side:N", title="side"),
        )
    )
    layers: list[alt.Chart] = []
    if result.rep_table:
        spans = pd.DataFrame(
            [
                {"start": r.start, "end": r.end, "rep": f"rep {r.rep}", "status": r.status}
                for r in result.rep_table
            ]
        )
        layers.append(
            alt.Chart(spans)
            .mark_rect(opacity=0.18)
            .encode(
                x="start:Q",
                x2="end:Q",
                color=alt.Color(
                    "status:N",
                    scale=alt.Scale(
                        domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())
                    ),
                    legend=alt.Legend(title="rep"),
                ),
                tooltip=["rep", "status", "start", "end"],
            )
        )
    if spec.phase is not None and _full_judged(result, spec):
        full = f"full range: {amount(spec.phase.full, metric.unit)}"
        rules = pd.DataFrame({"value": [spec.phase.full], "label": [full]})
        rule = alt.Chart(rules).encode(y="value:Q")
        layers.append(rule.mark_rule(strokeDash=[4, 4], color="#666").encode(tooltip=["label"]))
        # Said on the plot, not only in a tooltip: what the dashed line is.
        layers.append(
            rule.mark_text(align="left", baseline="bottom", dx=4, dy=-3, color="#666").encode(
                x=alt.value(0), text="label:N"
            )
        )
    return alt.layer(*layers, line).resolve_scale(color="independent").properties(height=260)


def path_chart(result: AnalysisResult, spec: Spec) -> alt.Chart | None:
    """The first path check's point seen from above (body frame, cm), with the ideal track.

    The ideal track is straight along the body through the point's lateral
    position at the start of the reps; the band is the check's limit either side.
    """
    series = result.series
    code = next((c for c in series.path if len(series.path[c])), None)
    if code is None:
        return None
    xy = series.path[code]
    t = series.t[: len(xy)]
    in_rep = np.zeros(len(xy), bool)
    rep_of = np.zeros(len(xy), int)
    starts = []
    for rep in result.rep_table:
        mask = (t >= rep.start) & (t <= rep.end)
        in_rep |= mask
        rep_of[mask] = rep.rep
        first = np.flatnonzero(mask & np.isfinite(xy[:, 0]))
        if first.size:
            starts.append(xy[first[0], 0])
    finite = np.isfinite(xy).all(axis=1)
    shown = in_rep & finite if in_rep.any() else finite
    if not shown.any():
        return None
    step = _stride(int(shown.sum()))
    pts = xy[shown][::step]
    data = pd.DataFrame(
        {
            "across": pts[:, 0],
            "along": pts[:, 1],
            "t": t[shown][::step],
            "rep": [f"rep {n}" if n else "between reps" for n in rep_of[shown][::step]],
        }
    )
    centre = float(np.median(starts)) if starts else float(np.median(pts[:, 0]))
    limit = spec.check(code).limit
    low, high = float(np.min(pts[:, 1])), float(np.max(pts[:, 1]))
    band = pd.DataFrame({"x": [centre - limit], "x2": [centre + limit], "y": [low], "y2": [high]})
    ideal = pd.DataFrame({"across": [centre, centre], "along": [low, high]})
    x = alt.X("across:Q", title="across the body (cm)", scale=alt.Scale(zero=False))
    y = alt.Y("along:Q", title="along the body (cm)", scale=alt.Scale(zero=False))
    return alt.layer(
        alt.Chart(band)
        .mark_rect(opacity=0.15, color="#3cb45a")
        .encode(x="x:Q", x2="x2:Q", y="y:Q", y2="y2:Q"),
        alt.Chart(ideal).mark_line(strokeDash=[6, 4], color="#3cb45a").encode(x=x, y=y),
        alt.Chart(data)
        .mark_circle(size=16)
        .encode(
            x=x,
            y=y,
            color=alt.Color("rep:N", title="heel", scale=alt.Scale(scheme="dark2")),
            tooltip=["rep", alt.Tooltip("t:Q", format=".2f", title="time (s)")],
        ),
    ).properties(
        height=320,
        title=f"{spec.check(code).label}: within ±{limit_text(limit, spec.check(code).unit)}",
    )


def stillness_chart(result: AnalysisResult, spec: Spec) -> alt.Chart | None:
    """Each stillness check (pelvis shift, rotation) over time, one row each, with its limit."""
    series = result.series
    rows = []
    for code, values in series.checks.items():
        try:
            check = spec.check(code)
        except KeyError:
            continue
        if check.kind != "stillness" or not np.isfinite(values).any():
            continue
        step = _stride(len(values))
        rows.append(
            pd.DataFrame(
                {
                    "t": series.t[: len(values)][::step],
                    "value": _finite(values[::step]),
                    "check": check_heading(check),
                    "limit": check.limit_for(result.view),
                }
            )
        )
    if not rows:
        return None
    data = pd.concat(rows, ignore_index=True)
    line = (
        alt.Chart()
        .mark_line()
        .encode(x=alt.X("t:Q", title="time (s)"), y=alt.Y("value:Q", title=None))
    )
    limit = alt.Chart().mark_rule(color="#e03c3c", strokeDash=[4, 4]).encode(y="mean(limit):Q")
    return (
        alt.layer(line, limit, data=data)
        .properties(height=150)
        .facet(row=alt.Row("check:N", title=None))
        .resolve_scale(y="independent")
    )
