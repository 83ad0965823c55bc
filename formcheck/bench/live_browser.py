"""Live in a real browser, end to end: Chromium's fake camera plays a clip into the Live page.

`measure` starts the app (``streamlit run app.py``, a history of its own), opens
the Live page in headless Chromium whose fake camera plays the clip as a
stamped y4m (`formcheck.bench.fake_camera`: each frame carries its number),
presses Start camera and lets the clip play ``plays`` times. A script in the
page reads the number back from two places with requestVideoFrameCallback:
the camera's own stream (the frame leaving the camera) and the video the page
shows (the annotated copy coming back). From those it reports:

- the camera's rate and the rate of distinct annotated frames shown
  (frames analysed, as the user sees them);
- glass-to-glass latency, p50 and p95: from a frame's capture to its
  annotated copy's display, on the browser's one clock;
- the reps on the page against the clip's truth (times the plays);
- CPU per process tree (browser, server), in % of one core.

Needs Chromium at /usr/bin/chromium and Playwright (a development
dependency); `available` says why not when they are missing.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.bench.fake_camera import STAMP, clip_to_y4m

CHROMIUM = "/usr/bin/chromium"
WEBRTC = 'iframe[title="streamlit_webrtc.component.webrtc_streamer"]'
#: Headless Chromium without its background traffic (the browser tests' too).
BASE_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: A fake camera, allowed without asking: add ``--use-file-for-fake-video-capture=<y4m>``.
CHROMIUM_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", *BASE_ARGS]
#: Runs in every frame (the webrtc iframe too): watches the camera's stream and every
#: other video shown, and logs ``[number, performance time]`` once per new stamp.
PROBE = """
(() => {
  const devices = navigator.mediaDevices;
  if (!devices || !devices.getUserMedia) return;
  const BITS = $BITS, BLOCK = $BLOCK, MARGIN = $MARGIN;
  const probe = window.__g2g = {local: [], remote: []};
  const canvas = document.createElement('canvas');
  canvas.width = BITS * BLOCK; canvas.height = BLOCK;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const read = (video) => {
    const w = video.videoWidth;
    if (!w) return null;
    ctx.drawImage(video, w - MARGIN - BITS * BLOCK, MARGIN, BITS * BLOCK, BLOCK,
                  0, 0, BITS * BLOCK, BLOCK);
    const data = ctx.getImageData(0, 0, BITS * BLOCK, BLOCK).data;
    const c = BLOCK >> 1;
    let n = 0;
    for (let i = 0; i < BITS; i++) {
      const p = (c * BITS * BLOCK + i * BLOCK + c) * 4;
      n = (n << 1) | ((data[p] + data[p + 1] + data[p + 2]) / 3 > 128 ? 1 : 0);
    }
    return n;
  };
  const watch = (video, list, capture) => {
    let last = -1;
    const step = (now, meta) => {
      const n = read(video);
      if (n !== null && n !== last) {
        last = n;
        const shown = meta.expectedDisplayTime || now;
        list.push([n, capture && meta.captureTime ? meta.captureTime : shown]);
      }
      video.requestVideoFrameCallback(step);
    };
    video.requestVideoFrameCallback(step);
  };
  const open = devices.getUserMedia.bind(devices);
  devices.getUserMedia = async (constraints) => {
    const stream = await open(constraints);
    const own = document.createElement('video');
    own.muted = true; own.playsInline = true; own.dataset.g2g = 'camera';
    own.style.cssText = 'position:fixed;left:0;top:0;width:64px;height:48px;opacity:0.01';
    own.srcObject = stream;
    document.body.appendChild(own);
    own.play();
    watch(own, probe.local, true);
    return stream;
  };
  const seen = new WeakSet();
  setInterval(() => {
    for (const v of document.querySelectorAll('video')) {
      if (v.dataset.g2g || seen.has(v) || !v.srcObject) continue;
      seen.add(v);
      watch(v, probe.remote, false);
    }
  }, 200);
})();
"""
PROBE = (
    PROBE.replace("$BITS", str(STAMP.bits))
    .replace("$BLOCK", str(STAMP.block))
    .replace("$MARGIN", str(STAMP.margin))
)
READ_PROBE = "() => window.__g2g && window.__g2g.local.length ? window.__g2g : null"
#: The camera's frame number, as the probe last read it (None before the camera starts).
CAMERA_AT = """() => {
  const seen = window.__g2g && window.__g2g.local;
  return seen && seen.length ? seen[seen.length - 1][0] : null;
}"""
STOPPED = re.compile(r"Camera stopped after (\d+) frames")
#: How far behind the camera the analysed frames arrive, as the Live page shows it (s).
PAGE_BEHIND = r"""() => {
  const m = document.body.innerText.match(/frames\/s, ([\d.]+) s behind/);
  return m ? Number(m[1]) : 0;
}"""
#: The analysed rate the Live page shows (None before the first analysed frame).
PAGE_RATE = r"""() => {
  const m = document.body.innerText.match(/analysed:\s*(\d+) frames\/s/);
  return m ? Number(m[1]) : null;
}"""


@dataclass(frozen=True)
class Measurement:
    """One run of the Live page in Chromium (see the module's docstring).

    ``warm_up`` is the seconds from the camera's first frame to the first
    analysed one (the model loading); the rest is over whole plays of the clip
    after it: ``reps`` counted in them, ``shown_fps`` distinct annotated frames shown,
    ``page_fps`` the median of the analysed rate the page shows; latencies over
    every annotated frame matched to its camera frame; CPU in % of one core.
    """

    seconds: float
    warm_up: float
    camera_fps: float
    shown_fps: float
    page_fps: float
    server_frames: int
    latency_ms: tuple[float, ...]
    latency_growth: float
    misread: int
    server_behind: float
    reps: int
    truth: int | None
    cpu_browser: float
    cpu_server: float

    def line(self) -> str:
        """The run on one line."""
        return (
            f"camera {self.camera_fps:.1f} fps, shown {self.shown_fps:.1f} fps, page says "
            f"{self.page_fps:.0f} fps ({self.server_frames} frames in {self.seconds:.1f} s, "
            f"warm-up {self.warm_up:.1f} s), g2g p50 {self.latency(50):.0f} ms p95 "
            f"{self.latency(95):.0f} ms (n={len(self.latency_ms)}, {self.misread} misread, growing "
            f"{self.latency_growth:.0f} ms/s; frames reached the worker up to "
            f"{self.server_behind:.1f} s late), reps {self.reps}/"
            f"{self.truth}, cpu browser {self.cpu_browser:.0f} % server {self.cpu_server:.0f} %"
        )

    def latency(self, q: float) -> float:
        """The ``q``-th percentile of glass-to-glass latency, ms (nan without any)."""
        return float(np.percentile(self.latency_ms, q)) if self.latency_ms else float("nan")


def available() -> str:
    """'' when the browser benchmark can run here, else why not."""
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install formcheck[dev])"
    return ""


def expected_reps(truth: dict) -> int:
    """Full reps in a rendered clip's truth record."""
    reps = truth["reps"]
    if isinstance(reps, int):
        return reps
    return sum(1 for r in reps if r.get("status", "full") == "full")


def measure(
    clip: Path, *, plays: int = 1, fps: int = 30, model: str = "full", root: Path | None = None
) -> Measurement:
    """Play ``clip`` ``plays`` times at ``fps`` into the Live page of the app in ``root``,
    with the pose ``model`` chosen in the sidebar.

    ``root`` is a formcheck checkout (default: this one), so two versions can
    be measured side by side.
    """
    from playwright.sync_api import sync_playwright

    root = root or Path(__file__).resolve().parents[2]
    truth_file = clip.with_suffix(".truth.json")
    truth = (
        expected_reps(json.loads(truth_file.read_text())) * plays if truth_file.exists() else None
    )
    with tempfile.TemporaryDirectory(prefix="formcheck-live-bench-") as tmp:
        folder = Path(tmp)
        y4m, duration = clip_to_y4m(clip, folder / "camera.y4m", fps=fps, max_size=640, stamp=True)
        log = Path(tempfile.gettempdir()) / "formcheck-live-bench.log"
        env = {"FORMCHECK_CACHE": str(folder / "cache")}
        with (
            serve(root, folder / "history.sqlite3", log, env) as (url, server),
            sync_playwright() as p,
        ):
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=[*CHROMIUM_ARGS, f"--use-file-for-fake-video-capture={y4m}"],
            )
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(120_000)
                page.add_init_script(PROBE)
                page.goto(f"{url}/live")
                page.get_by_role("heading", name="Live coaching").wait_for()
                _choose_model(page, model)
                page.frame_locator(WEBRTC).get_by_role("button", name="Start camera").click()
                frame = _probe_frame(page)
                page.wait_for_function(PAGE_RATE, timeout=300_000)  # the model has loaded
                loaded = frame.evaluate("performance.now()")
                # Whole plays from the start of the next: the count is the clip's truth.
                play = Play(frame, page, round(duration * fps), fps)
                play.wait_for(0, fps // 2)
                cpu, before = _cpu_now(server.pid), int(_metric(page, "Reps"))
                began = frame.evaluate("performance.now()")
                started = time.monotonic()
                for _ in range(plays):
                    play.wait_for(0, fps // 2)
                    play.wait_for(play.frames - fps, play.frames)  # the held last frame
                time.sleep(0.6)  # the panel refreshes twice a second
                reps = int(_metric(page, "Reps")) - before
                cpu_end = _cpu_now(server.pid)
                wall = time.monotonic() - started
                ended = frame.evaluate("performance.now()")
                probe = frame.evaluate(READ_PROBE)
                page.frame_locator(WEBRTC).get_by_role("button", name="Stop").click()
                stopped = page.get_by_text(STOPPED)
                stopped.wait_for()
                server_frames = int(STOPPED.search(stopped.inner_text()).group(1))
            finally:
                browser.close()
    local, remote = probe["local"], probe["remote"]
    span = (ended - began) / 1000
    matched = [(ms, t) for ms, t in _latencies(local, remote) if began <= t <= ended]
    # A stamp the video's compression garbled reads as another frame's number, one the
    # camera last sent about a play ago: not a latency, a misread (counted apart).
    timed = [(ms, t) for ms, t in matched if ms < duration * 1000 / 2]
    return Measurement(
        seconds=wall,
        warm_up=(loaded - local[0][1]) / 1000,
        camera_fps=sum(began <= t <= ended for _, t in local) / span,
        shown_fps=sum(began <= t <= ended for _, t in remote) / span,
        page_fps=float(np.median(play.rates)),
        server_frames=server_frames,
        latency_ms=tuple(ms for ms, _ in timed),
        latency_growth=_growth(timed),
        misread=len(matched) - len(timed),
        server_behind=max(play.behind, default=0.0),
        reps=reps,
        truth=truth,
        cpu_browser=100 * (cpu_end[0] - cpu[0]) / wall,
        cpu_server=100 * (cpu_end[1] - cpu[1]) / wall,
    )


class Play:
    """Where Chromium's fake camera is in the stamped clip, read by the page's probe.

    ``frames`` is the y4m's length; `wait_for` also samples the analysed rate
    the page shows (`rates`) while it waits.
    """

    def __init__(self, frame, page, frames: int, fps: int) -> None:
        self.frame, self.page, self.frames, self.fps = frame, page, frames, fps
        self.rates: list[float] = []
        self.behind: list[float] = []  # seconds behind the camera, as the page said
        self._sampled = 0.0

    def wait_for(self, at_least: int, below: int, timeout: float = 120.0) -> None:
        """Wait until the camera plays a frame numbered in ``[at_least, below)``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            number = self.frame.evaluate(CAMERA_AT)
            if number is not None and at_least <= number < below:
                return
            if time.monotonic() - self._sampled >= 0.5:
                self._sampled = time.monotonic()
                rate = self.page.evaluate(PAGE_RATE)
                if rate is not None:
                    self.rates.append(rate)
                    self.behind.append(self.page.evaluate(PAGE_BEHIND))
            time.sleep(0.03)
        raise RuntimeError(f"the camera never played frames {at_least}-{below - 1}")


def _growth(timed: list[tuple[float, float]]) -> float:
    """How fast latency grows over the run, ms per second (a least-squares slope): near 0
    when frames are dropped as they should be, about 1000 - 1000 x (rate drained / rate
    sent) when they queue up somewhere."""
    if len(timed) < 3:
        return float("nan")
    ms, t = np.array(timed).T
    return float(np.polyfit(t / 1000, ms, 1)[0])


def _latencies(local: list, remote: list) -> list[tuple[float, float]]:
    """Each annotated frame's delay after the latest camera frame with its number, ms,
    and when it was shown."""
    latest: dict[int, float] = {}
    out = []
    i = 0
    for n, shown in remote:
        while i < len(local) and local[i][1] <= shown:
            latest[local[i][0]] = local[i][1]
            i += 1
        if n in latest:
            out.append((shown - latest[n], shown))
    return out


def _probe_frame(page):
    """The frame whose probe saw the camera start (the webrtc iframe), once it has."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for frame in page.frames:
            with contextlib.suppress(Exception):  # a frame navigating away
                if frame.evaluate(READ_PROBE):
                    return frame
        time.sleep(0.2)
    raise RuntimeError("the camera never started in the Live page")


def _choose_model(page, model: str) -> None:
    """Pick ``model`` in the sidebar's Pose model box (Streamlit's combobox)."""
    combo = page.get_by_role("combobox", name="Pose model")
    if combo.input_value() == model:
        return
    combo.click()
    page.get_by_role("option", name=model, exact=True).click()
    page.wait_for_timeout(1500)  # the page runs again with the new model


def _metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(f"^{label}$"))
    )
    return box.locator('[data-testid="stMetricValue"]').inner_text()


def _cpu_now(server: int) -> tuple[float, float]:
    """CPU seconds so far of (this process's Chromium tree, the server's tree)."""
    parents, names, used = {}, {}, {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # ended meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        used[pid] = (int(fields[11]) + int(fields[12])) / tick
        names[pid] = cmd.split(b"\0")[0].decode(errors="replace")

    def under(pid: int, root: int) -> bool:
        while pid > 1:
            if pid == root:
                return True
            pid = parents.get(pid, 1)
        return False

    me = os.getpid()
    browser = sum(
        t for p, t in used.items() if "chrom" in names[p] and under(p, me) and not under(p, server)
    )
    return browser, sum(t for p, t in used.items() if under(p, server))


@contextlib.contextmanager
def serve(
    root: Path, db: Path, log_path: Path, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen]]:
    """``streamlit run app.py`` from the checkout ``root`` on a free localhost port, with
    ``db`` as its history (the browser tests' app too).

    ``env`` adds to its environment (e.g. its own ``TMPDIR``). Yields the URL
    once the server answers, and the process (a test may kill it).
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(root), "FORMCHECK_DB": str(db), **(env or {})}
    env.pop("FORMCHECK_ICE_SERVERS", None)
    log = log_path.open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(root / "app.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r,
            ):
                if r.read() == b"ok":
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start; see {log_path}")
            time.sleep(0.3)
        yield url, server
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        log.close()


METHOD = (
    "Live in a browser: the app (`streamlit run`) and headless Chromium on this machine; "
    "Chromium's fake camera plays the clip as a y4m at 30 fps, each frame's number stamped in "
    "its top-right corner as a row of blocks; a script in the page reads the number back with "
    "requestVideoFrameCallback from the camera's stream and from the annotated video shown. "
    "Analysed: the median of the rate the page shows (the server's frames analysed over its "
    "last 3 s); shown: distinct annotated frames displayed per second; glass-to-glass: from a "
    "frame's capture to its annotated copy's display. All over whole plays of the clip "
    "once the model has loaded (its loading time reported apart), so the count is the "
    "truth's; CPU: each process tree's user+system time over the run, in % of one "
    "core. Server profile: `formcheck.bench.live_profile`, the server's stages with the same "
    "code (aiortc's VP8 decoder and encoder) in one process, median ms per analysed frame."
)


def bench_rows(clip: Path, spec, model: str, plays: int, offline: int | None) -> list:
    """The report's rows for Live in a browser (``offline``: clip review's full reps)."""
    from formcheck.bench.live_profile import profile
    from formcheck.bench.report import Row
    from formcheck.bench.speed import Decoded

    section = "5 live in a browser"
    if why := available():
        return [Row(section, f"{model}, fake camera at 30 fps", "not run", note=why)]
    m = measure(clip, plays=plays, model=model)
    expected = offline * plays if offline is not None else m.truth
    p95 = m.latency(95)
    server = profile(Decoded.load(clip), spec, model, frames=120)
    stages = ", ".join(f"{s} {server.median(s):.1f}" for s in server.ms)
    cpu = f"; CPU {server.cpu_total:.1f} ms per analysed frame"
    return [
        Row(section, f"{model}, frames analysed from a 30 fps camera",
            f"{m.page_fps:.1f} fps", ">= 24 fps", m.page_fps >= 24,
            f"camera {m.camera_fps:.1f} fps, annotated frames shown {m.shown_fps:.1f} fps; "
            f"model loading {m.warm_up:.1f} s"),
        Row(section, f"{model}, glass-to-glass p50 / p95",
            f"{m.latency(50):.0f} / {p95:.0f} ms", "p95 <= 150 ms", p95 <= 150,
            f"{len(m.latency_ms)} frames ({m.misread} stamps misread); growing "
            f"{m.latency_growth:.0f} ms/s over the run; "
            f"frames reached the server's worker up to {m.server_behind:.1f} s late"),
        Row(section, f"{model}, reps counted", f"{m.reps}", "= offline review's",
            m.reps == expected,
            f"offline review {expected}, truth {m.truth} ({plays} play(s) of the clip)"),
        Row(section, f"{model}, CPU (% of one core)",
            f"browser {m.cpu_browser:.0f}, server {m.cpu_server:.0f}"),
        Row(section, f"{model}, server time per analysed frame", f"{server.total:.1f} ms",
            note=f"median ms: {stages}{cpu}"),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """``python -m formcheck.bench.live_browser [clip] [--root DIR]... [--model M]...``:
    one line per run, the checkouts and models interleaved."""
    import argparse

    from formcheck.ui.common import samples_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "clip", nargs="?", type=Path, default=samples_dir() / "heel_slide_left_side.mp4"
    )
    parser.add_argument("--plays", type=int, default=1)
    parser.add_argument(
        "--root", type=Path, action="append", help="checkouts to compare, interleaved"
    )
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--model", action="append", help="pose models to compare, interleaved")
    args = parser.parse_args(argv)
    if why := available():
        print(f"error: {why}", file=sys.stderr)
        return 1
    for run in range(args.runs):
        for root, model in itertools.product(args.root or [None], args.model or ["full"]):
            m = measure(args.clip, plays=args.plays, root=root, model=model)
            print(f"run {run} {root or 'this'} {model}: {m.line()}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
