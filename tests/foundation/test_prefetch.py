"""The decode-ahead thread: same frames, same order, bounded, errors surface, stops on close."""

import threading
import time

import pytest

from formcheck.pipeline import prefetched


def test_yields_everything_in_order():
    assert list(prefetched(iter(range(100)), depth=3)) == list(range(100))


def test_producer_errors_reach_the_consumer():
    def broken():
        yield 1
        raise OSError("disk gone")

    out = []
    with pytest.raises(OSError, match="disk gone"):
        for item in prefetched(broken()):
            out.append(item)
    assert out == [1]


def test_never_more_than_depth_ahead():
    produced = []

    def source():
        for i in range(50):
            produced.append(i)
            yield i

    it = prefetched(source(), depth=4)
    assert next(it) == 0
    time.sleep(0.2)  # let the producer run as far ahead as it may
    assert len(produced) <= 1 + 4 + 1  # the one consumed, the buffer, the one it holds
    it.close()


def test_closing_early_stops_the_producer():
    before = threading.active_count()
    it = prefetched(iter(range(10_000)), depth=2)
    assert next(it) == 0
    it.close()
    assert threading.active_count() == before
