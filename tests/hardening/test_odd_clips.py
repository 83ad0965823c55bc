"""Odd but valid clips through the pose pipeline: one frame, 4K, portrait phone clips."""

from pathlib import Path

import pytest

from formcheck.pipeline import ClipPoses
from tests.factories import write_clip

# Every clip here goes through the real pose model (MediaPipe).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent.parent


def test_one_frame_clip(tmp_path):
    clip = ClipPoses(write_clip(tmp_path / "one.mp4", frames=1, size=(160, 120)), model="lite")
    frames = [frame for _, frame in clip]
    assert len(frames) == 1 and not frames[0].has_pose
    assert clip.stats.frames == 1 and not clip.stats.truncated


def test_4k_clip_is_downscaled_for_inference(tmp_path):
    clip = ClipPoses(write_clip(tmp_path / "uhd.mp4", frames=2, size=(3840, 2160)), model="lite")
    shapes = [rgb.shape for rgb, _ in clip]
    assert shapes == [(720, 1280, 3)] * 2  # never a 4K frame in memory past the decoder
    assert (clip.info.width, clip.info.height) == (1280, 720)


def test_portrait_phone_clip_is_analysed_upright(tmp_path):
    """The real sample, stored sideways with rotation metadata, gives upright landmarks."""
    import av
    import numpy as np

    from formcheck.video import VideoReader

    stored = tmp_path / "phone.mp4"
    with VideoReader(ROOT / "sample_videos" / "glute_bridge_side.mp4") as reader:
        out = av.open(str(stored), "w")
        stream = out.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 480, 640, "yuv420p"
        stream.set_display_rotation(90)  # a player turns it back 90° counter-clockwise
        for i, frame in enumerate(reader):
            if i >= 15:
                break
            sideways = np.ascontiguousarray(np.rot90(frame.rgb, k=-1))  # as the phone stored it
            for packet in stream.encode(av.VideoFrame.from_ndarray(sideways, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
        out.close()
    upright = [
        f for _, f in ClipPoses(ROOT / "sample_videos" / "glute_bridge_side.mp4", model="lite")
    ][:15]
    turned = [f for _, f in ClipPoses(stored, model="lite")]
    assert (turned[0].width, turned[0].height) == (640, 480)
    hips = [23, 24]
    diff = [
        np.abs(a.pixels()[hips] - b.pixels()[hips]).max()
        for a, b in zip(upright, turned, strict=True)
    ]
    assert np.median(diff) < 10  # px; the same person in the same place
