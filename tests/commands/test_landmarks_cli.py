"""`formcheck landmarks` as a user runs it: a real process, real files."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from formcheck.lmfile import read_landmarks
from formcheck.video import VideoReader, VideoWriter
from tests.factories import write_clip

# Each test runs the command in a subprocess, most through the real pose model.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLE = ROOT / "sample_videos" / "glute_bridge_side.mp4"


def formcheck(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "formcheck", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_landmarks_on_the_sample_with_annotation(tmp_path):
    result = formcheck("landmarks", SAMPLE, "-o", "lm.jsonl", "--annotate", "out.mp4", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # MediaPipe's native log lines must not leak
    assert result.stdout.startswith("glute_bridge_side.mp4: 91 frames, ")
    header, frames = read_landmarks(tmp_path / "lm.jsonl")
    frames = list(frames)
    assert (header.fps, header.width, header.height, header.model) == (30.0, 640, 480, "full")
    assert len(frames) == 91 and sum(f.has_pose for f in frames) >= 90
    with VideoReader(tmp_path / "out.mp4") as out, VideoReader(SAMPLE) as src:
        out_frames = sum(1 for _ in out)
        assert out.info.codec == "h264"
        assert out_frames == src.info.frame_count == 91
        assert out.info.duration == pytest.approx(src.info.duration, abs=1 / 30)


def _truncated_mp4(path: Path) -> Path:
    full = path.with_name("full.mp4")
    with VideoReader(SAMPLE) as reader, VideoWriter(full, 30, 640, 480) as writer:
        for frame in reader:
            writer.write(frame.rgb)
    path.write_bytes(full.read_bytes()[: full.stat().st_size * 3 // 5])
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p, r"clip\.mp4: no such file"),
        (lambda p: (p.write_text("meeting notes\n" * 40), p)[1], r"clip\.mp4: not a video file"),
        (lambda p: (p.write_bytes(b""), p)[1], r"clip\.mp4: the file is empty \(0 bytes\)"),
    ],
)
def test_bad_clips_give_one_line_and_status_1(tmp_path, make, message):
    make(tmp_path / "clip.mp4")
    result = formcheck("landmarks", "clip.mp4", "-o", "lm.jsonl", cwd=tmp_path)
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("formcheck: error: ")
    assert __import__("re").search(message, result.stderr)
    assert "Traceback" not in result.stderr


def test_truncated_mp4_keeps_the_frames_before_the_damage(tmp_path):
    _truncated_mp4(tmp_path / "clip.mp4")
    result = formcheck("landmarks", "clip.mp4", "-o", "lm.jsonl", cwd=tmp_path)
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "clip.mp4: the clip ends after frame" in result.stderr
    frames = list(read_landmarks(tmp_path / "lm.jsonl")[1])
    assert 20 <= len(frames) < 91
    assert f"clip.mp4: {len(frames)} frames" in result.stdout
    assert sum(f.has_pose for f in frames) >= len(frames) - 1


def test_unknown_model_is_one_line(tmp_path):
    result = formcheck("landmarks", SAMPLE, "-o", "lm.jsonl", "--model", "medium", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "formcheck: error: unknown model 'medium': expected one of lite, full, heavy "
        "or the path to a .task file"
    )


def test_a_clip_with_nobody_in_it(tmp_path):
    write_clip(tmp_path / "empty.mp4", frames=5, size=(160, 120))
    result = formcheck("landmarks", "empty.mp4", "-o", "lm.jsonl", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "formcheck: error: empty.mp4: no person was found in any frame"
    frames = list(read_landmarks(tmp_path / "lm.jsonl")[1])
    assert len(frames) == 5 and not any(f.has_pose for f in frames)
    assert np.all([f.image is None for f in frames])
