"""The decode-ahead thread: same frames, same order, bounded, errors surface, stops on close."""

import threading

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
    depth = 4
    asked = 0  # next() calls begun: the consumer has taken at most this many items
    ahead = []  # for each item the source gives: its index past the items asked for
    at_limit, past_limit = threading.Event(), threading.Event()

    def source():
        for i in range(50):
            # Item i is only asked of the source once items 0..i-1 are taken or buffered.
            lead = i - asked
            ahead.append(lead)
            if lead == depth:
                at_limit.set()
            elif lead > depth:
                past_limit.set()
            yield i

    it = prefetched(source(), depth=depth)
    asked = 1
    assert next(it) == 0
    assert at_limit.wait(timeout=30), f"the producer stopped short, at {ahead}"
    # The consumer now pauses: a producer not held back by the buffer would run on.
    assert not past_limit.wait(timeout=0.3), f"the producer ran past the buffer: {ahead}"
    for expected in range(1, 50):
        asked += 1
        assert next(it) == expected
    assert max(ahead) == depth
    it.close()


def test_closing_early_stops_the_producer():
    before = threading.active_count()
    it = prefetched(iter(range(10_000)), depth=2)
    assert next(it) == 0
    it.close()
    assert threading.active_count() == before
