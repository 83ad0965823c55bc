"""Runs the Live page's speech script (`formcheck.ui.speech`) under Node, against a stub
``speechSynthesis`` that keeps a queue as a browser does, and says what it was asked.

A page run's component is a fresh iframe, so each run's script is run afresh, with the
same parent window (where the script keeps what it has said) and the same speech queue.
Between two runs the browser may finish some of what it was saying (``finished``) while
time goes by (``after``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass

import pytest

NODE = shutil.which("node")

#: Reads the runs as JSON on stdin; prints what happened, in order, as JSON.
HARNESS = r"""
const vm = require("vm");
const runs = JSON.parse(require("fs").readFileSync(0, "utf8"));
const events = [];
let queue = [];  // what the browser has still to say; the first is being said
let now = 1e12;
class Utterance { constructor(text) { this.text = text; } }
const speechSynthesis = {
  get speaking() { return queue.length > 0; },
  get pending() { return queue.length > 1; },
  speak(u) { queue.push(u.text); events.push(["queued", u.text]); },
  cancel() { events.push(["cancelled", ...queue]); queue = []; },
};
const parent = { speechSynthesis, SpeechSynthesisUtterance: Utterance };
for (const run of runs) {
  now += run.after_ms;
  for (const text of queue.splice(0, run.finished)) events.push(["heard", text]);
  vm.runInNewContext(run.js, { window: { parent }, Date: { now: () => now } });
}
for (const text of queue) events.push(["heard", text]);  // the rest, once the page is left
process.stdout.write(JSON.stringify(events));
"""


@dataclass(frozen=True)
class Run:
    """One page run's speech component, as the browser gets it."""

    html: str
    #: Seconds since the run before.
    after: float = 0.5
    #: Utterances the browser finished saying since the run before (-1: all of them).
    finished: int = -1


def script_of(html: str) -> str:
    """The JavaScript in a speech component's HTML."""
    (js,) = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    return js


def browser_says(runs: list[Run]) -> list[tuple[str, ...]]:
    """What the page asks of the browser's speech, and what is heard, in order:
    ``("queued", text)``, ``("cancelled", *texts it dropped)``, ``("heard", text)``;
    whatever is still queued after the last run is heard at the end."""
    if NODE is None:
        pytest.skip("node is not installed: the speech script's behaviour is not tested")
    payload = [
        {
            "js": script_of(r.html),
            "after_ms": round(r.after * 1000),
            "finished": 10**6 if r.finished < 0 else r.finished,
        }
        for r in runs
    ]
    done = subprocess.run(
        [NODE, "-e", HARNESS],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return [tuple(e) for e in json.loads(done.stdout)]


def texts(events: list[tuple[str, ...]], what: str) -> list[str]:
    """The texts "queued" or "heard", in order."""
    return [e[1] for e in events if e[0] == what]


def cancels(events: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Each cancel, as the texts it dropped."""
    return [e[1:] for e in events if e[0] == "cancelled"]
