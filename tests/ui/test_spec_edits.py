"""A spec file edited while the app runs: picked up whole, or rejected whole.

A physio tunes ``exercise_specs/heel_slide.toml`` with the app open. The next
page run must show the new limit; a file caught half-saved by the editor, or
an edit that doesn't validate, must be reported with the file and key, and
the last version that loaded kept in use: never half of an edit.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import TIMEOUT
from tests.ui.pages import exercises_page

SPECS = Path(__file__).resolve().parents[2] / "exercise_specs"
LIMIT = 'limit = 4.0\nunit = "cm"\nseverity = "warning"\nviews = ["end_on", "overhead"]'


@pytest.fixture
def specs(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "specs"
    shutil.copytree(SPECS, folder)
    monkeypatch.setenv("FORMCHECK_SPECS", str(folder))
    return folder


def heel_limits(at: AppTest) -> tuple[str, float]:
    """The heel-drift limit as the library table shows it, and as the limit editor does."""
    table = at.dataframe[0].value
    shown = table.loc[table["Check"] == "Sideways heel drift", "Limit"].item()
    return shown, at.number_input(key="limits.heel_slide.heel_off_line").value


def test_an_edited_spec_is_used_on_the_next_run_and_a_broken_one_never_half_applied(db, specs):
    path = specs / "heel_slide.toml"
    text = path.read_text()
    assert LIMIT in text  # the heel-drift check's limit, as shipped
    at = AppTest.from_function(exercises_page, default_timeout=TIMEOUT).run()
    assert heel_limits(at) == ("4 cm", 4.0)

    path.write_text(text.replace(LIMIT, LIMIT.replace("4.0", "5.5")))
    at.run()
    assert not at.exception and not at.error
    assert heel_limits(at) == ("5.5 cm", 5.5)

    # An editor caught mid-save: the first half of the file only.
    path.write_text(text[: len(text) // 2])
    at.run()
    assert not at.exception
    (error,) = at.error
    assert error.value.startswith("Exercise spec problem: ")
    assert "heel_slide.toml" in error.value
    assert error.value.endswith("(still using the last version that loaded)")
    assert heel_limits(at) == ("5.5 cm", 5.5)

    # A whole file that doesn't validate: the new limit is not taken, nor the rest of it.
    broken = text.replace(LIMIT, LIMIT.replace("4.0", '"five"')).replace(
        'display_name = "Heel slide"', 'display_name = "Heel slide (edited)"'
    )
    assert broken.count("edited") == 1
    path.write_text(broken)
    at.run()
    (error,) = at.error
    assert (
        'heel_slide.toml: exercise heel_slide: checks[0].limit: expected a number, got "five"'
        in (error.value)
    )
    assert at.header[0].value == "Heel slide"  # not the edited name: nothing of it applied
    assert heel_limits(at) == ("5.5 cm", 5.5)

    path.write_text(text)  # fixed: the file as shipped is back in use
    at.run()
    assert not at.error
    assert heel_limits(at) == ("4 cm", 4.0)
