"""The Streamlit-free parts behind the pages: review runs, charts, the spec library, ICE setting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from formcheck.engine import analyze
from formcheck.errors import VideoError
from formcheck.review import Cancelled
from formcheck.simulate import simulate
from formcheck.specs import find_spec, load_specs
from formcheck.ui import charts
from formcheck.ui.library import SpecLibrary, guess_exercise, personalised
from formcheck.ui.reviewing import ClipInput, NoPersonError, ReviewRun, run_review
from formcheck.ui.rtc import RtcConfigError, rtc_configuration
from tests.factories import CyclingPoses, write_clip

SAMPLE = Path(__file__).resolve().parents[2] / "sample_videos" / "glute_bridge_side.mp4"


@pytest.mark.slow
def test_an_upload_is_written_under_a_fixed_name_and_only_the_outputs_are_kept(private_tmp):
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
    # The outputs stay, as files in the review's private folder, until the outcome goes;
    # the copy of the upload is gone as soon as it is decoded.
    (folder,) = private_tmp.iterdir()
    assert folder == outcome.folder.path and folder.stat().st_mode & 0o777 == 0o700
    assert sorted(p.name for p in folder.iterdir()) == ["annotated.mp4", "landmarks.jsonl"]
    assert (outcome.video.parent, outcome.landmarks.parent) == (folder, folder)
    assert outcome.video.read_bytes()[4:8] == b"ftyp"
    assert outcome.landmarks.read_bytes().startswith(b'{"format"')
    outcome.discard()
    assert list(private_tmp.iterdir()) == []
    outcome.discard()  # twice is harmless


def stand_in_review(folder: Path, frames: int = 60, **kwargs):
    """A cheap review through `run_review`: a small clip, simulated poses for the model."""
    clip = write_clip(folder / "slides.mp4", frames=frames, fps=5.0, size=(160, 120))
    upload = ClipInput.from_upload("slides.mp4", clip.read_bytes())
    return run_review(upload, find_spec("heel_slide"), estimator=CyclingPoses(fps=5.0), **kwargs)


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


def test_a_review_cancelled_while_guessing_the_exercise_leaves_nothing_behind(
    private_tmp, tmp_path_factory
):
    polls, checked = iter(range(10_000)), []
    with pytest.raises(Cancelled, match=r"^review cancelled"):
        stand_in_review(
            tmp_path_factory.mktemp("clips"),
            candidates=load_specs(),
            cancelled=lambda: next(polls) >= 60 + 100,  # the 60 frames, then into the guess
            checking=lambda done, total: checked.append((done, total)),
        )
    assert checked[-1][0] == 100 and checked[-1][1] == 60 * len(_guessable(load_specs()))
    assert list(private_tmp.iterdir()) == []


def _guessable(specs):
    return [n for n, s in specs.items() if s.judgeable and s.phase is not None]


def test_the_guess_reports_its_progress_over_every_candidate_and_frame(
    private_tmp, tmp_path_factory
):
    checked = []
    outcome = stand_in_review(
        tmp_path_factory.mktemp("clips"),
        candidates=load_specs(),
        checking=lambda done, total: checked.append((done, total)),
    )
    total = 60 * len(_guessable(load_specs()))
    assert [done for done, _ in checked] == list(range(1, total + 1))
    assert {t for _, t in checked} == {total}
    assert outcome.guess.reps["heel_slide"] == outcome.result.reps == 2
    assert sorted(p.name for p in outcome.folder.path.iterdir()) == [
        "annotated.mp4",
        "landmarks.jsonl",
    ]  # the spool is gone
    outcome.discard()


@pytest.mark.slow
def test_the_guess_reads_a_callable_once_per_candidate_and_matches_a_list():
    specs = load_specs()
    sim = simulate("heel_slide", reps=2, side="left", view="end_on", seed=5)
    passes = []

    def frames():
        passes.append(1)
        return iter(sim.frames)

    streamed = guess_exercise(frames, specs, frame_count=len(sim.frames))
    assert streamed == guess_exercise(sim.frames, specs)
    assert len(passes) == len(_guessable(specs))


@pytest.mark.slow
def test_an_outcome_leaving_its_store_takes_its_files_with_it(private_tmp, tmp_path_factory):
    import gc

    from formcheck.ui.page_review import OutcomeStore

    clips = tmp_path_factory.mktemp("clips")
    store = OutcomeStore(size=2)
    a, b, c = (stand_in_review(clips) for _ in range(3))
    store.put("a", a)
    store.put("b", b)
    assert store.get("a") is a  # now the most recent: b is evicted first
    store.put("c", c)
    assert store.get("b") is None and b.folder.removed and not b.video.exists()
    assert a.video.exists() and c.video.exists()
    # The same review, finished by a second browser session meanwhile: the stored one is
    # kept (it may be on screen) and the duplicate's files are deleted.
    twin = stand_in_review(clips)
    assert store.put("a", twin) is a
    assert twin.folder.removed and a.video.exists() and store.get("a") is a
    assert store.put("a", a) is a and a.video.exists()  # putting it again keeps it
    # A browser session that ends drops its store: its outcomes' files go with it.
    folders = [a.folder.path, c.folder.path]
    del store, a, b, c, twin
    gc.collect()
    assert not any(f.exists() for f in folders)
    assert list(private_tmp.iterdir()) == []


def test_a_review_run_is_cancelled_from_another_thread_and_waited_for():
    import threading

    run = ReviewRun("key")
    assert not run.is_cancelled() and not run.wait(0.01)
    stopped = []

    def review():  # polls the hook per frame, as run_review does, then cleans up
        for frame in range(1, 1_000_000):
            run.progress(frame, 1_000_000)
            if run.is_cancelled():
                stopped.append(frame)
                break
        run.finish()

    worker = threading.Thread(target=review)
    worker.start()
    run.cancel()
    assert run.wait(30)
    worker.join()
    assert run.is_cancelled() and stopped == [run.done] and run.total == 1_000_000


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
    assert rows == {"Pelvis movement (cm)", "Pelvis rotation (°)"}


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

    sim = simulate("glute_bridge", reps=3, side="both", view="side", seed=5)
    guess = guess_exercise(sim.frames, load_specs())
    assert guess.name == "glute_bridge"
    assert guess.reps["glute_bridge"] == 3


def test_the_guess_is_silent_when_two_exercises_fit_the_motion_alike():
    from formcheck.specs import load_specs

    # From beyond the feet a heel slide's knee straightens just as a seated leg
    # extension's does, and the view can't tell lying from sitting.
    sim = simulate("heel_slide", reps=2, side="left", view="end_on", seed=5)
    guess = guess_exercise(sim.frames, load_specs())
    assert guess.name is None
    assert guess.reps["heel_slide"] == guess.reps["seated_leg_extension"] == 2


def test_ice_servers_come_from_the_environment_or_secrets():
    assert rtc_configuration({}, {"ice_servers": [{"urls": ["stun:a:3478"]}]}) == {
        "iceServers": [{"urls": ["stun:a:3478"]}]
    }
    env = {"FORMCHECK_ICE_SERVERS": '[{"urls": "turn:t", "username": "u", "credential": "c"}]'}
    assert rtc_configuration(env, {"ice_servers": []})["iceServers"][0]["username"] == "u"
    with pytest.raises(RtcConfigError, match=r"FORMCHECK_ICE_SERVERS\[0\]\.urls: expected a URL"):
        rtc_configuration({"FORMCHECK_ICE_SERVERS": '[{"url": "stun:a"}]'})
