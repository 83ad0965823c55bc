"""The Review page's progress text: frame N of M, time taken, time left (a fake clock)."""

from __future__ import annotations

import re

import pytest

from formcheck.ui.progress import ProgressText, clock_time, progress_line, time_left


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_30_minute_review_at_a_steady_pace_counts_down_to_the_end():
    clock = FakeClock()
    text = ProgressText("Analysing long.mp4", clock=clock)
    total = 54_000  # 30 minutes at 30 fps, reviewed at 45 fps: 20 minutes of work
    lines = {}
    for done in (0, 45, 4_500, 27_000, 53_100, 54_000):
        clock.now = 1000.0 + done / 45
        lines[done] = text(done, total)
    assert lines == {
        0: "Analysing long.mp4: frame 0 of 54,000 · 0:00 elapsed · estimating the time left",
        45: "Analysing long.mp4: frame 45 of 54,000 · 0:01 elapsed · estimating the time left",
        4_500: "Analysing long.mp4: frame 4,500 of 54,000 · 1:40 elapsed · about 18 min left",
        27_000: "Analysing long.mp4: frame 27,000 of 54,000 · 10:00 elapsed · about 10 min left",
        53_100: "Analysing long.mp4: frame 53,100 of 54,000 · 19:40 elapsed · about 20 s left",
        54_000: "Analysing long.mp4: frame 54,000 of 54,000 · 20:00 elapsed · finishing",
    }


def test_the_time_left_follows_the_pace_so_far():
    clock = FakeClock(0.0)
    text = ProgressText("Analysing a.mp4", clock=clock)
    clock.now = 60.0  # a slow start: 600 frames in the first minute
    assert text(600, 6_000).endswith("about 9 min left")
    clock.now = 120.0  # then faster: 3,000 frames in two minutes
    assert text(3_000, 6_000).endswith("about 2 min left")


def test_a_clip_whose_length_is_unknown_shows_the_count_and_the_time_taken():
    clock = FakeClock(0.0)
    text = ProgressText("Analysing phone.webm", clock=clock)
    clock.now = 3725.0
    assert text(90_000, 0) == "Analysing phone.webm: frame 90,000 · 1:02:05 elapsed"


def test_the_exercise_guess_counts_in_percent():
    clock = FakeClock(0.0)
    text = ProgressText("Checking which exercise the motion fits", unit=None, clock=clock)
    clock.now = 20.0
    assert text(216_000, 648_000) == (
        "Checking which exercise the motion fits: 33% · 0:20 elapsed · about 40 s left"
    )


@pytest.mark.parametrize(
    ("seconds", "clock", "left"),
    [
        (0, "0:00", "about 5 s left"),
        (59.9, "0:59", "about 1 min left"),
        (61, "1:01", "about 1 min left"),
        (599, "9:59", "about 10 min left"),
        (3599, "59:59", "about 1 h left"),
        (3600, "1:00:00", "about 1 h left"),
        (5 * 3600 + 7 * 60, "5:07:00", "about 5 h 7 min left"),
    ],
)
def test_times_are_written_the_way_a_clock_and_a_person_say_them(seconds, clock, left):
    assert clock_time(seconds) == clock
    assert time_left(seconds) == left


def test_every_line_has_one_shape():
    # What the browser test reads: "frame N of M", the time taken, then the estimate.
    shape = re.compile(r"^.+: frame [\d,]+ of [\d,]+ · \d+:\d\d(:\d\d)? elapsed · .+$")
    for done, elapsed in ((0, 0.0), (10, 5.0), (9_000, 700.0), (4_000, 301.0)):
        assert shape.match(progress_line("Analysing x.mp4", done, 9_000, elapsed))
