"""Issue 15 in a real browser: what AppTest can't see (requests, stale elements).

Run alone with ``python -m pytest tests/e2e/test_walkthrough_browser.py -m slow``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from formcheck.history import History
from tests.e2e.conftest import keep_screenshot
from tests.e2e.test_browser import metric

pytestmark = pytest.mark.slow


def test_no_request_leaves_the_machine(app_server, page, artifacts):
    url, _ = app_server
    host = urlsplit(url).netloc
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{url}/")
    expect(metric(page, "Reps")).to_be_visible(timeout=120_000)  # the worked example
    # A short walk: another page, its widgets, and back.
    page.get_by_role("link", name="Exercises").click()
    expect(page.get_by_role("heading", name="Exercises")).to_be_visible()
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    page.get_by_role("link", name="Review").click()
    expect(metric(page, "Reps")).to_be_visible()
    page.wait_for_timeout(1500)  # late fetches: icons, fonts
    outside = sorted(
        {
            u
            for u in requests
            if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc != host
        }
    )
    if outside:
        keep_screenshot(page, "requests-outside", artifacts)
    assert outside == [], f"requests to other hosts: {outside}"
    assert any(urlsplit(u).netloc == host for u in requests)  # the recorder did record


def test_a_rejected_upload_error_clears_when_a_new_file_is_chosen(
    app_server, page, camera, tmp_path, artifacts
):
    url, _ = app_server
    _, clip, _ = camera
    notes = tmp_path / "notes.mp4"
    notes.write_text("these are my notes, not a video\n" * 20)
    page.goto(f"{url}/")
    expect(metric(page, "Reps")).to_be_visible(timeout=120_000)
    page.get_by_text("My own clip", exact=True).click()
    upload = page.locator('input[type="file"]')
    upload.set_input_files(str(notes))
    error = page.get_by_text("notes.mp4: not a video file that can be read")
    expect(error).to_be_visible()
    upload.set_input_files(str(clip))  # a new file, while the old error is on the page
    expect(page.get_by_text(re.compile(r"Analysing .*frame"))).to_be_visible()
    # Gone while the new clip is analysed, not only once its results are drawn.
    expect(error).to_have_count(0, timeout=3_000)
    keep_screenshot(page, "review-new-upload-after-error", artifacts)
    expect(page.get_by_role("button", name="Save to history")).to_be_visible(timeout=120_000)


def test_resetting_limits_shows_the_exercise_value_in_the_box(app_server, page):
    # AppTest draws every run afresh; a browser keeps a box's value across runs,
    # which is how the old limit stayed on screen after the reset.
    url, db = app_server
    History(db).set_overrides("heel_slide", {"heel_off_line": 6.0})
    page.goto(f"{url}/exercises")
    box = page.get_by_role("spinbutton", name=re.compile("^sideways heel drift", re.I))
    expect(box).to_have_value("6.00")
    page.get_by_role("button", name="Back to the exercise's limits").click()
    expect(page.get_by_text("Back to the exercise's own limits.")).to_be_visible()
    expect(box).to_have_value("4.00")
    assert History(db).overrides("heel_slide") == {}
