"""A program whose live stream is never closed, for the test that it still exits.

``python -m tests.live.abandoned DB`` feeds simulated heel slides through a
`LiveProcessor` from a daemon thread, endlessly, as a WebRTC worker would
while the server stops. Once two reps are saved it prints ``saved`` and its
main thread ends, without closing the processor: the program must exit.
"""

from __future__ import annotations

import sys
import threading


def main(argv: list[str]) -> int:
    import numpy as np

    from formcheck.history import History
    from formcheck.live import LiveProcessor, RepRecorder
    from formcheck.specs import find_spec
    from tests.factories import CyclingPoses

    spec = find_spec("heel_slide")
    recorder = RepRecorder(History(argv[0]), spec, "auto")
    live = LiveProcessor(
        spec, "auto", recorder=recorder, estimator=CyclingPoses(fps=30.0), draw=lambda rgb, *_: rgb
    )
    black = np.zeros((48, 64, 3), np.uint8)

    def camera() -> None:
        n = 0
        while True:
            live.process(black, n / 30.0)
            n += 1

    threading.Thread(target=camera, daemon=True).start()
    while live.status().saved_reps < 2:
        live.settle()  # waits for the saver's turn, not for time to pass
    print("saved", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
