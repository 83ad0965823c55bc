"""Spoken cues through the browser's own speech synthesis, each said exactly once.

The text is spoken by the browser (``window.speechSynthesis``): no audio is
generated or sent by the server. Every page run hands the browser the most
recent numbered utterances (`formcheck.cues.Announcements`); the script
keeps, in the page's window, the last sequence id it spoke and speaks only
the newer ones, in order. So an utterance that arrives in a run the browser
never saw is said with the next run's, and one that arrives in two runs is
said once. What the browser is still saying is dropped only when newer
speech arrives and the old has waited more than `STALE_SECONDS`: it is
out of date by then.
"""

from __future__ import annotations

import json

import streamlit.components.v1 as components

from formcheck.cues import Announcements

#: Seconds queued speech may lag behind before newer speech drops it.
STALE_SECONDS = 4.0

#: Speaks what is newer than the last id spoken by this page (``token``: one browser
#: session; a new session starts counting again).
_SCRIPT = """<script>
(() => {
  const w = window.parent, s = w.speechSynthesis, items = %(items)s, token = %(token)s;
  if (!s) return;
  let said = w.__formcheckSaid;
  if (!said || said.token !== token) said = w.__formcheckSaid = {token, last: 0, at: 0};
  const fresh = items.filter((i) => i.seq > said.last);
  if (!fresh.length) return;
  const now = Date.now();
  if ((s.speaking || s.pending) && now - said.at > %(stale_ms)d) s.cancel();
  const Utterance = w.SpeechSynthesisUtterance || SpeechSynthesisUtterance;
  for (const i of fresh) s.speak(new Utterance(i.text));
  said.last = fresh[fresh.length - 1].seq;
  said.at = now;
})();
</script>"""


def script(announcements: Announcements, token: str) -> str:
    """The component's HTML: speaks ``announcements`` newer than the last spoken."""
    return _SCRIPT % {
        "items": json.dumps(announcements.to_json()),
        "token": json.dumps(token),
        "stale_ms": round(STALE_SECONDS * 1000),
    }


def speak(announcements: Announcements, token: str) -> None:
    """Have the browser say the utterances it hasn't said yet."""
    if announcements.recent:
        components.html(script(announcements, token), height=0)
