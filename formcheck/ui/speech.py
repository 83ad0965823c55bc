"""Spoken cues through the browser's own speech synthesis, with a cooldown.

The text is spoken by the browser (``window.speechSynthesis``): no audio is
generated or sent by the server. A cue is spoken only if the same cue was
not spoken within the cooldown, so a fault that persists isn't nagged about.
"""

from __future__ import annotations

import json
from collections.abc import MutableMapping

import streamlit.components.v1 as components

#: Seconds before the same cue may be spoken again; any cue waits this long after another.
SAME_CUE_COOLDOWN = 12.0
ANY_CUE_COOLDOWN = 3.0


def should_speak(state: MutableMapping[str, float], text: str, now: float) -> bool:
    """True (and remember it) when ``text`` may be spoken at ``now`` seconds.

    >>> state = {}
    >>> should_speak(state, "Hold your hips still.", 0.0), should_speak(state, "Rep 2", 1.0)
    (True, False)
    >>> should_speak(state, "Rep 2", 4.0), should_speak(state, "Hold your hips still.", 6.0)
    (True, False)
    """
    if now - state.get("", -1e9) < ANY_CUE_COOLDOWN:
        return False
    if now - state.get(text, -1e9) < SAME_CUE_COOLDOWN:
        return False
    state[""] = state[text] = now
    return True


def speak(text: str) -> None:
    """Ask the browser to say ``text`` (cancels anything still being said)."""
    script = (
        "<script>const s = window.parent.speechSynthesis || window.speechSynthesis;"
        f"if (s) {{ s.cancel(); s.speak(new SpeechSynthesisUtterance({json.dumps(text)})); }}"
        "</script>"
    )
    components.html(script, height=0)
