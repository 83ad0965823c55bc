"""A small top view of a person lying down and where the camera is, or should be.

Drawn from data (`SPOTS`: where each camera view films from, seen from
above), as an inline SVG string: no files, no network. The camera the
setup check saw is grey and crossed out; the place to move it is green,
with a dashed arrow from one to the other.

>>> svg = top_view("end_on", "side")
>>> svg.startswith("<svg") and "move the camera here" in svg
True
"""

from __future__ import annotations

import math

from formcheck.specs.kinds import VIEW_FROM

#: Where a camera of each view stands, seen from above (the person's head at the
#: left, feet at the right, in a 260 x 150 box), and what it points at.
SPOTS: dict[str, tuple[float, float]] = {
    "end_on": (242.0, 75.0),  # beyond the feet, aimed along the body
    "side": (128.0, 138.0),  # level with the hips, to one side
    "oblique": (236.0, 136.0),  # at a corner
    "overhead": (128.0, 75.0),  # above the hips
}
AIM = (128.0, 75.0)
GOOD, OLD = "#1a7f37", "#8a8a8a"

_PERSON = (
    '<rect x="18" y="44" width="200" height="62" rx="6" fill="#eef0f2"/>'
    '<circle cx="36" cy="75" r="11" fill="#c9a27e"/>'
    '<rect x="48" y="58" width="78" height="34" rx="10" fill="#4a78a8"/>'
    '<line x1="124" y1="66" x2="200" y2="66" stroke="#c9a27e" stroke-width="9" '
    'stroke-linecap="round"/>'
    '<line x1="124" y1="84" x2="200" y2="84" stroke="#c9a27e" stroke-width="9" '
    'stroke-linecap="round"/>'
)


def _camera(view: str, colour: str, crossed: bool) -> str:
    x, y = SPOTS[view]
    if view == "overhead":  # above the person: a ring where it hangs
        body = (
            f'<circle cx="{x}" cy="{y}" r="16" fill="none" stroke="{colour}" stroke-width="3" '
            'stroke-dasharray="4 3"/>'
        )
    else:
        turn = math.degrees(math.atan2(AIM[1] - y, AIM[0] - x))
        body = (
            f'<g transform="translate({x} {y}) rotate({turn:.0f})" fill="{colour}">'
            '<rect x="-9" y="-7" width="14" height="14" rx="2"/>'
            '<polygon points="5,-4 12,-8 12,8 5,4"/></g>'
        )
    if crossed:
        body += (
            f'<path d="M{x - 10} {y - 10}L{x + 10} {y + 10}M{x + 10} {y - 10}L{x - 10} {y + 10}" '
            'stroke="#c62828" stroke-width="3"/>'
        )
    return body


def top_view(target: str, current: str | None = None) -> str:
    """An SVG top view: the camera at ``target``'s place (green) and, when
    ``current`` is another view, where it is now (grey, crossed out)."""
    if target not in SPOTS or (current is not None and current not in SPOTS):
        raise ValueError(f"view: expected one of {', '.join(SPOTS)}, got {target!r}/{current!r}")
    parts = [_PERSON]
    if current is not None and current != target:
        (x1, y1), (x2, y2) = SPOTS[current], SPOTS[target]
        parts.append(
            f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{GOOD}" stroke-width="2" '
            'stroke-dasharray="6 4" marker-end="url(#fc-arrow)"/>'
        )
        parts.append(_camera(current, OLD, crossed=True))
    parts.append(_camera(target, GOOD, crossed=False))
    tx, ty = SPOTS[target]
    anchor = "end" if tx > 200 else "middle"
    label_y = ty - 18 if ty > 100 else ty + 30
    parts.append(
        f'<text x="{min(tx + 12, 258)}" y="{label_y}" font-size="11" text-anchor="{anchor}" '
        f'fill="{GOOD}">move the camera here</text>'
    )
    where = VIEW_FROM[target]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 260 150" width="260" '
        f'height="150" role="img"><title>Seen from above: the camera at {where}</title>'
        '<defs><marker id="fc-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" '
        f'markerHeight="6" orient="auto"><path d="M0 0L10 5L0 10z" fill="{GOOD}"/></marker>'
        "</defs>" + "".join(parts) + "</svg>"
    )
