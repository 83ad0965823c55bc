"""The analysis engine: pose frames in; reps, holds, form flags and a rep table out.

Pure numpy: no MediaPipe, OpenCV or Streamlit here, so the same engine runs
for clips, landmark files, the simulator and the live webcam.

Example::

    from formcheck.engine import Engine, analyze
    eng = Engine(spec, side="auto")
    events = eng.update(frame)      # per frame
    snap = eng.snapshot()           # live state for overlays
    res = eng.result()              # AnalysisResult; res.to_dict() is JSON-able
    res = analyze(frames, spec)     # the same, for a whole sequence
"""

from formcheck.engine.core import Engine, Snapshot, analyze
from formcheck.engine.events import (
    BaselineSet,
    ChecksDisabled,
    Event,
    FlagRaised,
    HoldEnded,
    HoldProgress,
    PersonReturned,
    RepCompleted,
    RepDiscarded,
    RepStarted,
)
from formcheck.engine.result import (
    AnalysisResult,
    Gap,
    HoldRecord,
    RepCounts,
    RepRecord,
    Series,
    judged,
)
from formcheck.engine.signal import Conditioning

__all__ = [
    "AnalysisResult",
    "BaselineSet",
    "ChecksDisabled",
    "Conditioning",
    "Engine",
    "Event",
    "FlagRaised",
    "Gap",
    "HoldEnded",
    "HoldProgress",
    "HoldRecord",
    "PersonReturned",
    "RepCompleted",
    "RepCounts",
    "RepDiscarded",
    "RepRecord",
    "RepStarted",
    "Series",
    "Snapshot",
    "analyze",
    "judged",
]
