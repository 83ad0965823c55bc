"""Stress study: a gap hiding a rep's turn. Full reps must not read partial; partial
reps should. Run from the checkout: ``python tools/gap_turn_study.py`` (about a minute).

Three heel slides, rep 2 with a gap centred on its turn; rep 2 full or partial (turning
at 132 degrees), over tempo, frame rate, view, jitter, gap length and two seeds. Prints
how rep 2 was called, by truth. Documented in docs/engine.md (rep status).
"""

from __future__ import annotations

import collections
import itertools

from formcheck.engine import analyze
from formcheck.simulate import simulate
from formcheck.specs import load_specs


def main() -> int:
    spec = load_specs()["heel_slide"]
    tally: collections.Counter = collections.Counter()
    grid = itertools.product(
        ["side", "end_on"],
        [0.8, 1.2, 2.0, 4.0],
        [15, 30],
        [1.0, 2.5],
        [0.1, 0.2, 0.35, 0.5],
        [False, True],
        [0, 1],
    )
    for view, tempo, fps, jitter, gap, partial, seed in grid:
        lead, pause = 1.5, 0.5
        turn = lead + tempo + pause + tempo / 2
        sim = simulate(
            "heel_slide",
            reps=3,
            side="left",
            view=view,
            tempo=tempo,
            pause=pause,
            lead_in=lead,
            fps=fps,
            jitter=jitter,
            gaps=((turn - gap / 2, turn + gap / 2),),
            seed=seed,
            partial_reps=(2,) if partial else (),
            partial_frac=0.5,
        )
        rows = [r for r in analyze(sim.frames, spec, "left").rep_table if r.start < turn < r.end]
        tally[("partial" if partial else "full", rows[0].status if rows else "missed")] += 1
    for (truth, called), n in sorted(tally.items()):
        print(f"truth {truth:7} called {called:9} {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
