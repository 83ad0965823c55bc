"""Live's setup panel before counting starts, fed by a real LiveProcessor (simulated poses
in place of the camera), and Review's verdicts for a reviewed clip (cached landmarks in
place of the pose model)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from formcheck.setup_watch import READY_WORDS
from tests.ui.conftest import TIMEOUT

RENDERED = Path(__file__).resolve().parents[1] / "validation" / "rendered"


def setup_panel(view: str, until: float, speak: bool, shade: int = 110):
    import numpy as np

    from formcheck.live import LiveProcessor
    from formcheck.simulate import simulate
    from formcheck.specs import find_spec
    from formcheck.ui.page_live import show_status
    from tests.factories import ReplayPoses

    spec = find_spec("heel_slide")
    sim = simulate("heel_slide", reps=1, side="left", view=view, seed=4, lead_in=3.0)
    live = LiveProcessor(spec, "auto", estimator=ReplayPoses(sim.frames))
    for frame in [f for f in sim.frames if f.t <= until]:
        live.process(np.full((frame.height, frame.width, 3), shade, np.uint8), frame.t)
    show_status(live, True, spec, "auto", speak)
    live.close()


def run(**kwargs):
    args = {"view": "end_on", "until": 2.9, "speak": True, **kwargs}
    return AppTest.from_function(setup_panel, kwargs=args, default_timeout=TIMEOUT).run()


def markdown(at) -> str:
    """The markdown on the page as text (tags stripped; each element's on its own)."""
    return " | ".join(re.sub(r"<[^>]+>", "", m.value) for m in at.markdown)


def raw(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_lying_still_in_a_good_place_says_ready_and_so_does_the_voice():
    at = run()
    assert not at.exception
    text = markdown(at)
    assert "Ready. Start your first rep when you like: counting starts by itself." in text
    for label in ("Whole body in the picture", "Hips, knees and heels seen", "Camera view",
                  "Distance", "Light", "Lie still for 2 seconds"):  # fmt: skip
        assert f"✔ {label}" in text
    assert "⚠ Can't be judged from here: pelvis lift" in text  # only seen from the side
    assert "<svg" in raw(at)  # with the top view of where the camera would go
    (html,) = at.get("iframe")
    assert f'"text": "{READY_WORDS}"' in html.proto.srcdoc
    assert not at.warning  # the camera advice is the panel's, not said twice


def test_a_camera_at_the_side_is_told_where_to_go_in_words_a_picture_and_speech():
    at = run(view="side")
    assert not at.exception
    text = markdown(at)
    assert "⚠ Camera view — place the camera beyond your feet" in text
    assert "Filmed from the side: sideways heel drift" in text
    assert "Before you start" in text and "Ready." not in text
    (html,) = at.get("iframe")
    assert "Camera view: place the camera beyond your feet" in html.proto.srcdoc
    camera = [w.value for w in at.warning if "camera" in w.value]
    assert camera == []  # said once, by the setup panel


def test_a_dark_room_is_a_setup_item_not_a_second_warning():
    at = run(shade=6, speak=False)
    assert not at.exception
    assert "⚠ Light — light the room" in markdown(at)
    assert "The picture is very dark (brightness 2 %)" in markdown(at)
    assert not at.warning
    assert not at.get("iframe")  # speech off: nothing sent to the browser


def test_once_a_rep_is_under_way_the_panel_gives_way_to_the_counter():
    at = run(until=5.0)
    assert not at.exception
    assert "Before you start" not in markdown(at) and "Ready." not in markdown(at)
    assert at.metric[0].label == "Reps"


def place(at, label: str) -> tuple[int, ...]:
    """Where the metric called ``label`` sits in the page's element tree."""

    def walk(node, path=()):
        for key, child in getattr(node, "children", {}).items():
            yield from walk(child, (*path, key))
        yield path, node

    (found,) = [p for p, n in walk(at._tree) if getattr(n, "label", None) == label]
    return found


def test_the_counter_keeps_its_place_when_the_setup_panel_goes():
    # The panel runs in a fragment every 0.5 s. Had the count moved when the panel
    # went, the browser would show the new count beside the old one until the run ended.
    before, after = run(until=2.9), run(until=5.0)
    assert "Ready." in markdown(before) and "Ready." not in markdown(after)
    assert place(before, "Reps") == place(after, "Reps")


def review_section(path: str):
    from pathlib import Path

    from formcheck.engine import analyze
    from formcheck.lmfile import read_landmarks
    from formcheck.picture import Picture
    from formcheck.specs import find_spec
    from formcheck.ui.setup_panel import show_review

    class Outcome:  # the fields of a ReviewOutcome the section reads
        def __init__(self, path: Path) -> None:
            self.key, self.landmarks, self.side = path.name, path, "auto"
            self.spec = find_spec("heel_slide")
            self.result = analyze(read_landmarks(path)[1], self.spec, "auto")
            self.stats = type("Stats", (), {"picture": Picture(0.4, 2.0, 5)})()

    show_review(Outcome(Path(path)))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # From the side: everything seen, but the drift checks need the camera beyond the feet.
        ("rs06_side_chair_left", ["⚠ Camera view — place the camera beyond your feet",
                                  "Can be judged from here: knee straightening"]),
        # A floor camera beyond the feet: small in the picture, the knee misread.
        ("rs20_end_on_table_left", ["⚠ Distance — bring the camera closer",
                                    "You fill only 14 % of the picture",
                                    "Can't be judged from here: sideways heel drift"]),
    ],
)  # fmt: skip
def test_review_shows_the_same_verdicts_for_a_clip(name, expected):
    path = str(RENDERED / f"{name}.landmarks.jsonl")
    at = AppTest.from_function(review_section, kwargs={"path": path}, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    (box,) = at.expander
    assert box.label.startswith("Camera setup: ") and box.label.endswith("to fix or not judged")
    text = markdown(at)
    for part in expected:
        assert part in text
