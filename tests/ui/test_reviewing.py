"""The Streamlit-free parts behind the pages: review runs, charts, the spec library, ICE setting."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from formcheck.engine import analyze
from formcheck.errors import VideoError
from formcheck.review import Cancelled
from formcheck.simulate import simulate
from formcheck.specs import find_spec
from formcheck.ui import charts
from formcheck.ui.library import SpecLibrary, guess_exercise, personalised
from formcheck.ui.reviewing import ClipInput, NoPersonError, run_review
from formcheck.ui.rtc import RtcConfigError, rtc_configuration
from tests.factories import write_clip

SAMPLE = Path(__file__).resolve().parents[2] / "sample_videos" / "glute_bridge_side.mp4"


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_an_upload_is_written_under_a_fixed_name_and_everything_is_removed(private_tmp):
    seen = []

    def look():  # polled every frame: what is in the review's private folder right now?
        if not seen:
            (folder,) = private_tmp.glob("formcheck-review-*")
            seen.extend(sorted(p.name for p in folder.iterdir()))
        return False

    upload = ClipInput.from_upload("../../my clip.MOV", SAMPLE.read_bytes())
    outcome = run_review(upload, find_spec("heel_slide"), cancelled=look)
    assert "clip.mov" in seen
    assert set(seen) <= {"annotated.mp4", "clip.mov", "landmarks.jsonl"}
    assert outcome.clip == "my clip.MOV"
    assert outcome.video[4:8] == b"ftyp" and outcome.landmarks.startswith(b'{"format"')
    assert list(private_tmp.iterdir()) == []


def _blank_clip(folder: Path) -> bytes:
    return write_clip(folder / "blank.mp4", frames=12, size=(160, 120)).read_bytes()


def _stop_at_frame(n: int):
    polls = iter(range(10_000))
    return lambda: next(polls) >= n


@pytest.mark.parametrize(
    ("name", "content", "cancel_at", "error", "message"),
    [
        ("holiday.webm", lambda _: b"\x00not a video" * 100, None, VideoError,
         r"^holiday\.webm: not a video file that can be read"),
        ("empty room.mp4", _blank_clip, None, NoPersonError,
         r"^empty room\.mp4: no person was found in any of its 12 frames"),
        ("my clip.MOV", lambda _: SAMPLE.read_bytes(), 5, Cancelled, r"^review cancelled"),
    ],
    ids=["not a video", "nobody in it", "cancelled part-way"],
)  # fmt: skip
def test_a_failed_review_leaves_nothing_behind_and_names_the_upload(
    private_tmp, tmp_path_factory, name, content, cancel_at, error, message
):
    upload = ClipInput.from_upload(name, content(tmp_path_factory.mktemp("clips")))
    cancelled = _stop_at_frame(cancel_at) if cancel_at is not None else None
    with pytest.raises(error, match=message):
        run_review(upload, find_spec("heel_slide"), cancelled=cancelled)
    assert list(private_tmp.iterdir()) == []


def test_the_same_bytes_have_the_same_key_whatever_their_name():
    data = b"same bytes"
    assert ClipInput.from_upload("a.mp4", data).key == ClipInput.from_upload("b.mov", data).key


@pytest.fixture(scope="module")
def end_on_result():
    spec = find_spec("heel_slide")
    sim = simulate("heel_slide", reps=3, side="left", view="end_on", veer_cm=6.0, veer_reps=(2,))
    return analyze(sim.frames, spec), spec


def test_the_metric_chart_shades_each_rep(end_on_result):
    result, spec = end_on_result
    chart = charts.metric_chart(result, spec).to_dict()
    spans = next(layer for layer in chart["layer"] if layer["mark"]["type"] == "rect")
    assert len(chart["datasets"][spans["data"]["name"]]) == result.reps == 3


def test_the_path_chart_draws_the_heel_with_its_band(end_on_result):
    result, spec = end_on_result
    chart = charts.path_chart(result, spec).to_dict()
    assert f"within ±{spec.check('heel_off_line').limit:g} cm" in chart["title"]
    assert [layer["mark"]["type"] for layer in chart["layer"]] == ["rect", "line", "circle"]


def test_the_stillness_chart_has_a_row_per_check(end_on_result):
    result, spec = end_on_result
    chart = charts.stillness_chart(result, spec).to_dict()
    rows = {r["check"] for r in chart["datasets"][chart["data"]["name"]]}
    assert rows == {"pelvis movement (cm)", "pelvis rotation (deg)"}


def test_charts_have_nothing_to_draw_for_an_empty_result():
    spec = find_spec("heel_slide")
    result = analyze([], spec)
    assert charts.metric_chart(result, spec) is None
    assert charts.path_chart(result, spec) is None
    assert charts.stillness_chart(result, spec) is None


def test_a_spec_that_breaks_keeps_its_last_good_version(tmp_path):
    good = Path(find_spec("heel_slide").source)
    if not good.is_absolute():
        good = Path(__file__).resolve().parents[2] / "exercise_specs" / good.name
    target = tmp_path / "heel_slide.toml"
    target.write_text(good.read_text())
    library = SpecLibrary(tmp_path)
    first = library.load()
    assert first.errors == () and "heel_slide" in first.specs
    broken = re.sub(r"(?m)^limit = .*$", 'limit = "three"', good.read_text(), count=1)
    target.write_text(broken)
    second = library.load()
    assert second.specs["heel_slide"] is first.specs["heel_slide"]
    (error,) = second.errors
    assert "heel_slide.toml" in error and "limit" in error
    assert "still using the last version that loaded" in error


def test_limits_that_do_not_fit_fall_back_to_the_spec_with_the_key_named():
    spec = find_spec("heel_slide")
    mine, problem = personalised(spec, {"no_such_check": 2.0})
    assert mine is spec
    assert "overrides.no_such_check: unknown check" in problem


def test_the_exercise_is_guessed_from_the_motion():
    from formcheck.specs import load_specs

    sim = simulate("heel_slide", reps=2, side="left", view="end_on", seed=5)
    guess = guess_exercise(sim.frames, load_specs())
    assert guess.name == "heel_slide"
    assert guess.reps["heel_slide"] == 2


def test_ice_servers_come_from_the_environment_or_secrets():
    assert rtc_configuration({}, {"ice_servers": [{"urls": ["stun:a:3478"]}]}) == {
        "iceServers": [{"urls": ["stun:a:3478"]}]
    }
    env = {"FORMCHECK_ICE_SERVERS": '[{"urls": "turn:t", "username": "u", "credential": "c"}]'}
    assert rtc_configuration(env, {"ice_servers": []})["iceServers"][0]["username"] == "u"
    with pytest.raises(RtcConfigError, match=r"FORMCHECK_ICE_SERVERS\[0\]\.urls: expected a URL"):
        rtc_configuration({"FORMCHECK_ICE_SERVERS": '[{"url": "stun:a"}]'})
