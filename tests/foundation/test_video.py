import threading

import numpy as np
import pytest

from formcheck.errors import VideoError
from formcheck.video import VideoReader, VideoWriter, join_videos
from tests.factories import PausedWriter, pattern, write_audio_only, write_clip


def read_all(path, **kwargs):
    with VideoReader(path, **kwargs) as reader:
        frames = list(reader)
    return reader, frames


@pytest.mark.parametrize(
    ("suffix", "codec"),
    [(".mp4", "libx264"), (".mov", "libx264"), (".webm", "libvpx-vp9"), (".avi", "mpeg4")],
)
def test_reads_common_containers_with_timestamps(tmp_path, suffix, codec):
    path = write_clip(tmp_path / f"clip{suffix}", frames=8, fps=25, codec=codec)
    reader, frames = read_all(path)
    assert len(frames) == 8
    assert reader.info.width == 64 and reader.info.height == 48
    assert reader.info.fps == pytest.approx(25)
    np.testing.assert_allclose([f.t for f in frames], np.arange(8) / 25, atol=1e-3)
    assert frames[0].rgb.shape == (48, 64, 3) and frames[0].rgb.dtype == np.uint8
    assert not reader.truncated


def test_variable_frame_rate_keeps_real_timestamps(tmp_path):
    times = [0.0, 0.030, 0.050, 0.200, 0.233, 0.500]
    _, frames = read_all(write_clip(tmp_path / "vfr.mp4", frames=6, times=times))
    np.testing.assert_allclose([f.t for f in frames], times, atol=1e-3)


@pytest.mark.parametrize("rotation", [90, 270, 180])
def test_rotation_metadata_is_applied(tmp_path, rotation):
    path = write_clip(tmp_path / "phone.mp4", frames=3, rotation=rotation)
    reader, frames = read_all(path)
    expected = np.rot90(pattern(0), k=rotation // 90)
    assert reader.info.rotation == rotation
    assert (reader.info.width, reader.info.height) == expected.shape[1::-1]
    # Compare where the red marker block ended up (codec noise aside).
    red = lambda img: np.argwhere((img[..., 0] > 200) & (img[..., 1] < 60)).mean(axis=0)  # noqa: E731
    np.testing.assert_allclose(red(frames[0].rgb), red(expected), atol=1.0)


def test_large_frames_are_downscaled_on_decode(tmp_path):
    path = write_clip(tmp_path / "big.mp4", frames=2, size=(1920, 1080))
    reader, frames = read_all(path, max_size=640)
    assert frames[0].rgb.shape == (360, 640, 3)
    assert (reader.info.width, reader.info.height) == (640, 360)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p, r"nope\.mp4: no such file"),
        (lambda p: (p.write_bytes(b""), p)[1], r"nope\.mp4: the file is empty \(0 bytes\)"),
        (
            lambda p: (p.write_text("just some notes\n" * 50), p)[1],
            r"nope\.mp4: not a video file that can be read",
        ),
        (lambda p: write_audio_only(p), r"nope\.mp4: has no video stream \(audio only\?\)"),
    ],
)
def test_unreadable_files_raise_one_clear_error(tmp_path, make, message):
    path = make(tmp_path / "nope.mp4")
    with pytest.raises(VideoError, match=message):
        VideoReader(path)


def test_truncated_mp4_yields_the_frames_before_the_damage(tmp_path):
    full = tmp_path / "full.mp4"
    with VideoWriter(full, fps=30, width=160, height=120) as writer:  # index first (faststart)
        for i in range(60):
            writer.write(np.random.default_rng(i).integers(0, 255, (120, 160, 3), np.uint8))
    data = full.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    reader, frames = read_all(cut)
    assert 10 <= len(frames) < 60
    assert reader.truncated
    assert reader.truncation_reason.startswith(
        f"cut.mp4: the clip ends after frame {len(frames)} of the 60"
    )


def test_truncated_mp4_without_its_index_says_so(tmp_path):
    path = write_clip(tmp_path / "full.mp4", frames=30, size=(160, 120))  # index last
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(
        VideoError, match=r"cut\.mp4: an MP4 whose index is missing: the file was cut short"
    ):
        VideoReader(cut)


def test_writer_output_is_h264_with_same_frame_count_and_duration(tmp_path):
    out = tmp_path / "out.mp4"
    with VideoWriter(out, fps=30, width=64, height=48) as writer:
        for i in range(45):
            writer.write(pattern(i))
    reader, frames = read_all(out)
    assert reader.info.codec == "h264"
    assert len(frames) == 45
    assert reader.info.duration == pytest.approx(1.5, abs=0.04)


def test_writer_rejects_wrong_frame_shape(tmp_path):
    with (
        VideoWriter(tmp_path / "o.mp4", fps=30, width=64, height=48) as writer,
        pytest.raises(ValueError, match=r"frame: expected shape \(48, 64, 3\), got \(10, 10, 3\)"),
    ):
        writer.write(np.zeros((10, 10, 3), np.uint8))


def test_writer_keeps_its_own_copy_so_callers_may_reuse_a_buffer(tmp_path):
    out = tmp_path / "reuse.mp4"
    buffer = np.zeros((48, 64, 3), np.uint8)
    with VideoWriter(out, fps=30, width=64, height=48) as writer:
        for level in (0, 100, 200):
            buffer[:] = level  # encoding happens later, on another thread
            writer.write(buffer)
    _, frames = read_all(out)
    assert [round(float(f.rgb.mean()) / 50) * 50 for f in frames] == [0, 100, 200]


def test_a_writer_that_must_not_wait_leaves_frames_out_while_the_encoder_is_behind(tmp_path):
    out = tmp_path / "live.mp4"
    writer = PausedWriter(out, fps=30, width=64, height=48, queue_depth=2)
    accepted = []
    # On a thread only so that a write that did wait fails this test instead of hanging it.
    worker = threading.Thread(
        target=lambda: accepted.extend(writer.write_nowait(pattern(i), t=i / 30) for i in range(6)),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=60)  # a guard against a deadlock, not a timing
    assert not worker.is_alive()
    assert accepted == [True, True, False, False, False, False]
    assert writer.frames_written == 2
    writer.close()  # the encoder catches up and the file is whole
    _, frames = read_all(out)
    assert len(frames) == 2


def test_writer_refuses_frames_after_close(tmp_path):
    writer = VideoWriter(tmp_path / "o.mp4", fps=30, width=64, height=48)
    writer.close()
    writer.close()  # closing twice is harmless
    with pytest.raises(ValueError, match="the writer is closed"):
        writer.write(np.zeros((48, 64, 3), np.uint8))


def test_videos_are_joined_end_to_end_without_re_encoding(tmp_path):
    parts = []
    for k, count in enumerate((10, 15)):
        parts.append(tmp_path / f"part{k}.mp4")
        with VideoWriter(parts[-1], fps=30, width=64, height=48) as writer:
            for i in range(count):  # each part's own clock starts anywhere
                writer.write(np.full((48, 64, 3), 100 * k + 2 * i, np.uint8), t=7.0 * k + i / 30)
    joined = join_videos(parts, tmp_path / "joined.mp4")
    with VideoReader(joined) as reader:
        frames = [(f.t, int(np.median(f.rgb))) for f in reader]
    assert reader.info.codec == "h264" and len(frames) == 25
    times = [t for t, _ in frames]
    assert times == pytest.approx([i / 30 for i in range(25)], abs=1e-3)  # no gap, no overlap
    assert [shade for _, shade in frames][9:11] == pytest.approx([18, 100], abs=3)


def test_videos_of_different_sizes_are_not_joined(tmp_path):
    parts = [tmp_path / "a.mp4", tmp_path / "b.mp4"]
    for path, (w, h) in zip(parts, ((64, 48), (32, 24)), strict=True):
        with VideoWriter(path, fps=30, width=w, height=h) as writer:
            writer.write(np.zeros((h, w, 3), np.uint8))
    with pytest.raises(
        VideoError, match=r"b.mp4: expected h264 at 64x48 to join the videos, got h264 at 32x24"
    ):
        join_videos(parts, tmp_path / "joined.mp4")
