"""The pose-frame spool: exact round trips, read in passes, in chunks."""

import numpy as np

from formcheck.frame import PoseFrame
from formcheck.spool import CHUNK, SpoolWriter, read_spool
from tests.factories import make_frame


def test_frames_come_back_exactly_with_their_missing_parts(tmp_path):
    nan = make_frame(0.3, seed=4).image.copy()
    nan[5] = np.nan  # a landmark that was not seen stays not seen
    frames = [
        make_frame(0.0, seed=1),
        PoseFrame.empty(t=0.1, width=320, height=240),
        make_frame(0.2, seed=2, world=False),
        PoseFrame(t=0.3, width=640, height=480, image=nan),
    ]
    path = tmp_path / "poses.spool"
    with SpoolWriter(path) as spool:
        for frame in frames:
            spool.write(frame)
    assert spool.frames_written == 4
    back = list(read_spool(path))
    assert [(f.t, f.width, f.height) for f in back] == [(f.t, f.width, f.height) for f in frames]
    assert [(f.image is None, f.world is None) for f in back] == [
        (False, False),
        (True, True),
        (False, True),
        (False, True),
    ]
    for ours, theirs in zip(back, frames, strict=True):
        if theirs.image is not None:
            np.testing.assert_array_equal(ours.image, theirs.image)  # bit for bit, NaN too
        if theirs.world is not None:
            np.testing.assert_array_equal(ours.world, theirs.world)


def test_a_spool_longer_than_a_chunk_is_read_whole_again_and_again(tmp_path):
    path = tmp_path / "poses.spool"
    count = 2 * CHUNK + 3  # two full chunks and a part
    with SpoolWriter(path) as spool:
        for i in range(count):
            spool.write(make_frame(i / 30, seed=i))
    for _ in range(2):  # each pass is a fresh read
        times = [f.t for f in read_spool(path)]
        assert times == [i / 30 for i in range(count)]


def test_an_empty_spool_has_no_frames(tmp_path):
    path = tmp_path / "poses.spool"
    SpoolWriter(path).close()
    assert list(read_spool(path)) == []
