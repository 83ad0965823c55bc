"""Issue 15: what a patient and a physio hit walking through the app in a browser.

One test per defect, each failing before its fix (AppTest; the request
check, which needs a real browser, is in ``tests/e2e``).
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.ui.conftest import TIMEOUT
from tests.ui.pages import exercises_page

HEEL = "limits.heel_slide.heel_off_line"


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_resetting_limits_shows_the_exercise_value_and_says_so(db):
    db.set_overrides("heel_slide", {"heel_off_line": 6.0})
    at = AppTest.from_function(exercises_page, default_timeout=TIMEOUT).run()
    assert at.number_input(key=HEEL).value == 6.0
    _button(at, "Back to the exercise's limits").click().run()
    assert not at.exception
    assert db.overrides("heel_slide") == {}
    assert at.number_input(key=HEEL).value == 4.0  # the box shows the spec's value
    assert [s.value for s in at.success] == ["Back to the exercise's own limits."]
    _button(at, "Save my limits").click().run()  # saving now keeps the exercise's limits
    assert db.overrides("heel_slide") == {}


def test_what_is_checked_shows_the_exercise_limit_and_the_personal_one(db):
    db.set_overrides("heel_slide", {"heel_off_line": 6.0})
    at = AppTest.from_function(exercises_page, default_timeout=TIMEOUT).run()
    checks = at.dataframe[0].value.set_index("code")
    assert checks.loc["heel_off_line", "limit"] == "4 cm"
    assert checks.loc["heel_off_line", "your limit"] == "6 cm"
    assert checks.loc["pelvis_shift", "your limit"] == ""


def test_a_limit_out_of_range_is_refused_in_the_ui_words(db):
    at = AppTest.from_function(exercises_page, default_timeout=TIMEOUT).run()
    at.number_input(key=HEEL).set_value(-1.0)
    _button(at, "Save my limits").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Not saved: Sideways heel drift limit must be between 0 and 50 cm, got -1. "
        "The previous limits are still in use."
    ]
    assert db.overrides("heel_slide") == {}
