"""Browser fixtures: the app as a real `streamlit run` subprocess, and Debian's Chromium.

Every test here needs Debian's Chromium at /usr/bin/chromium (Playwright's own
browser download needs the internet). A run as root, or with passwordless sudo,
installs it with apt-get once when it is missing; ``FORMCHECK_INSTALL_CHROMIUM=0``
turns that off. Without it every browser test skips, giving the one reason
``NO_CHROMIUM``.

Under pytest-xdist (the README's test command runs on both cores) each test
here runs ``alone`` (tests/conftest.py): no other test takes the CPU while the
fake camera plays in real time. They are also one ``xdist_group`` (with
``--dist loadgroup`` from pyproject's addopts), so that one worker, one app
server and one Chromium serve them all; pytest 9.2 with pytest-xdist 3.8
ignores the group (pytest-xdist issue 1386), and then each worker that gets
one starts its own, which only costs the start-up. The Chromium install holds
a file lock, so two workers or two runs never meet in apt-get's dpkg lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from formcheck.bench.live_browser import BASE_ARGS, expected_reps, serve
from tests.e2e.y4m import clip_to_y4m

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
#: Set to 0 and a test run never installs Chromium: the browser tests skip instead.
INSTALL_ENV = "FORMCHECK_INSTALL_CHROMIUM"
NO_CHROMIUM = (
    f"Chromium not found at {CHROMIUM}: install it with `apt-get install chromium` (as root)"
)
#: Clean heel slides from the side: the fake camera plays it, and it is uploaded on Review.
CAMERA_CLIP = "heel_slide_left_side.mp4"


#: Every browser test runs on the same xdist worker, alone (see the module doc).
XDIST_GROUP = "browser"


def pytest_itemcollected(item) -> None:
    # As each test is collected: xdist reads xdist_group in pytest_collection_modifyitems,
    # before this folder's own would run.
    if HERE in item.path.parents:
        item.add_marker(pytest.mark.xdist_group(XDIST_GROUP))
        item.add_marker(pytest.mark.alone)


def camera_clip() -> tuple[Path, int]:
    """The clip the fake camera plays and the reps in it (from its truth file)."""
    from formcheck.ui.common import samples_dir

    clip = samples_dir() / CAMERA_CLIP
    if not clip.exists():
        pytest.skip(f"{clip.name} is not bundled yet")
    truth = json.loads(clip.with_suffix(".truth.json").read_text())
    return clip, expected_reps(truth)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sudo_prefix() -> list[str] | None:
    """How this run may install system packages: ``[]`` as root, ``["sudo", "-n"]`` with
    passwordless sudo, None when it may not (or ``FORMCHECK_INSTALL_CHROMIUM=0``)."""
    if os.environ.get(INSTALL_ENV) == "0" or shutil.which("apt-get") is None:
        return None
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") is None:
        return None
    probe = subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False)
    return ["sudo", "-n"] if probe.returncode == 0 else None


def _say(config, line: str) -> None:
    """Show ``line`` now, even while pytest captures the output."""
    capture = config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        print(f"\n[tests/e2e] {line}", file=sys.stderr, flush=True)


def _install_chromium(prefix: list[str], config) -> None:
    """``apt-get update`` then ``apt-get install chromium``; a failure is said, not raised
    (the browser tests then skip)."""
    _say(config, f"{CHROMIUM} is missing: installing Debian's chromium with apt-get, once "
                 f"({INSTALL_ENV}=0 turns this off)")  # fmt: skip
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    apt = [*prefix, "apt-get", "-o", "DPkg::Lock::Timeout=300"]
    for step in (["update", "-qq"], ["install", "-y", "-qq", "chromium"]):
        done = subprocess.run(
            [*apt, *step], env=env, capture_output=True, text=True, check=False, timeout=1800
        )
        if done.returncode != 0:
            tail = " / ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
            _say(config, f"apt-get {step[0]} failed (exit {done.returncode}): {tail}")
            return
    _say(config, f"installed {CHROMIUM}")


@pytest.fixture(scope="session", autouse=True)
def chromium(request) -> str:
    """Debian's Chromium, installed once per run if missing and allowed; else every
    browser test skips with ``NO_CHROMIUM`` (a skip here is cached for the session)."""
    if not Path(CHROMIUM).exists():
        prefix = _sudo_prefix()
        if prefix is not None:
            lock = Path(tempfile.gettempdir()) / "formcheck-chromium-install.lock"
            with lock.open("w") as held:
                fcntl.flock(held, fcntl.LOCK_EX)  # another run may be installing it now
                if not Path(CHROMIUM).exists():
                    _install_chromium(prefix, request.config)
    if not Path(CHROMIUM).exists():
        pytest.skip(NO_CHROMIUM)
    return CHROMIUM


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def running_app(
    db: Path, log_path: Path, env: dict[str, str] | None = None
) -> contextlib.AbstractContextManager[tuple[str, subprocess.Popen]]:
    """``streamlit run app.py`` of this checkout on a free localhost port with ``db`` as its
    history (`formcheck.bench.live_browser.serve`, which the browser benchmark shares)."""
    return serve(ROOT, db, log_path, env)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory, artifacts):
    """The app for the whole run, with its own history database."""
    folder = tmp_path_factory.mktemp("app")
    db = folder / "history.sqlite3"
    # Reviewed samples are cached for the run, not in the user's cache directory.
    env = {"FORMCHECK_CACHE": str(folder / "cache")}
    with running_app(db, artifacts / "streamlit.log", env=env) as (url, _):
        yield url, db


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import expect, sync_playwright

    # Every page run analyses on a CPU shared with the browser: 5 s is too short a wait.
    expect.set_options(timeout=30_000)
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def camera(tmp_path_factory):
    """The y4m the fake camera plays, and the reps it holds."""
    clip, reps = camera_clip()
    y4m, _ = clip_to_y4m(clip, tmp_path_factory.mktemp("camera") / "camera.y4m")
    return y4m, clip, reps


@pytest.fixture(scope="session")
def browser(playwright_instance, camera):
    y4m, _, _ = camera
    args = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={y4m}",
        *BASE_ARGS,
    ]
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=args)
    yield browser
    browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Lets `page` know whether the test failed, to keep a screenshot of the failure.
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.failed_call = report.failed


@pytest.fixture
def page(browser, request, artifacts):
    """A fresh browser tab; if the test fails, its last state goes to test-artifacts/."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    if getattr(request.node, "failed_call", False):
        with contextlib.suppress(Exception):  # a crashed page can't be shot: keep the error
            keep_screenshot(page, f"failed-{request.node.name}", artifacts)
    context.close()


def keep_screenshot(page, name: str, artifacts: Path, readme: bool = False) -> Path:
    """Save a screenshot in test-artifacts/; a ``readme`` one also goes to docs/screenshots/
    when ``FORMCHECK_UPDATE_SCREENSHOTS=1``."""
    path = artifacts / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if readme and os.environ.get("FORMCHECK_UPDATE_SCREENSHOTS") == "1":
        docs = ROOT / "docs" / "screenshots"
        docs.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, docs / path.name)
    return path
