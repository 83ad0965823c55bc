"""streamlit-webrtc glue: turns `av.VideoFrame`s into RGB for `LiveProcessor` and back.

Everything that matters happens in `formcheck.live.LiveProcessor`; this
adapter only converts frames and timestamps and never lets an exception
reach the WebRTC worker (which would freeze the returned video).
"""

from __future__ import annotations

import asyncio
import logging

import av
import numpy as np
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError
from streamlit_webrtc import VideoProcessorBase

from formcheck.errors import FormcheckError
from formcheck.live import LiveProcessor

log = logging.getLogger(__name__)


def to_video_frame(rgb: np.ndarray) -> av.VideoFrame:
    """``rgb`` as the 4:2:0 frame the VP8 encoder takes, converted here once.

    The stream sends a frame back for every camera frame, repeating the last
    analysed one until the next is ready: an RGB frame would be converted
    again for every send (30 a second), this one never is
    (`formcheck.bench.live_profile` has the costs). An odd size is trimmed to even.
    """
    import cv2  # OpenCV: imported on first use, not at import

    h, w = rgb.shape[0] // 2 * 2, rgb.shape[1] // 2 * 2
    yuv = cv2.cvtColor(np.ascontiguousarray(rgb[:h, :w]), cv2.COLOR_RGB2YUV_I420)
    return av.VideoFrame.from_ndarray(yuv, format="yuv420p")


class WebcamProcessor(VideoProcessorBase):
    """A streamlit-webrtc video processor running a `LiveProcessor` on each frame."""

    def __init__(self, live: LiveProcessor) -> None:
        self.live = live
        self._t0: float | None = None

    def _seconds(self, frame: av.VideoFrame) -> float | None:
        # The frame's capture time keeps the engine's timing true when the
        # worker drops frames it can't keep up with (async mode).
        if frame.time is None:
            return None
        if self._t0 is None:
            self._t0 = frame.time
        return frame.time - self._t0

    def recv(self, frame: av.VideoFrame) -> av.VideoFrame:
        """Analyse one frame and return it annotated (the input unchanged on failure)."""
        try:
            t = self._seconds(frame)
            if t is None:
                t = self.live.status().frames / 30.0
            shown = self.live.process(frame.to_ndarray(format="rgb24"), t)
        except FormcheckError as exc:
            self.live.report_error(str(exc))
            return frame
        except Exception as exc:
            log.exception("live: a frame failed")
            self.live.report_error(f"a frame could not be analysed ({type(exc).__name__}: {exc})")
            return frame
        out = to_video_frame(shown)
        out.pts, out.time_base = frame.pts, frame.time_base
        return out

    def on_ended(self) -> None:
        """The camera stopped (Stop, a closed tab, a lost connection): finish the session."""
        self.live.close()


class NewestFrame(MediaStreamTrack):
    """The camera's frames as fast as they come, handing on only the newest one.

    streamlit-webrtc reads the camera through a relay whose queue has no
    bound, once per frame sent back: when sending back falls behind the
    camera (a busy machine), every frame waits its turn and the coaching
    runs seconds late (`formcheck.bench.live_browser` measured 6 to 13 s).
    Reading the relay here as fast as it delivers keeps that queue empty;
    a frame not taken before the next arrives is dropped (``dropped``).
    """

    kind = "video"

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self.source = source
        self.dropped = 0
        self._frame: av.VideoFrame | None = None
        self._ended = False
        self._fresh: asyncio.Event | None = None
        self._pump: asyncio.Future | None = None

    async def _read(self) -> None:
        try:
            while True:
                frame = await self.source.recv()
                if self._frame is not None:
                    self.dropped += 1
                self._frame = frame
                self._fresh.set()
        except MediaStreamError:
            self._ended = True
            self._fresh.set()

    async def recv(self) -> av.VideoFrame:
        """The newest frame not handed on yet (waits for one)."""
        if self._pump is None:  # started here, on the event loop that reads the track
            self._fresh = asyncio.Event()
            self._pump = asyncio.ensure_future(self._read())
        while self._frame is None:
            if self._ended or self.readyState != "live":
                raise MediaStreamError
            await self._fresh.wait()
            self._fresh.clear()
        frame, self._frame = self._frame, None
        return frame

    def stop(self) -> None:
        log.info("live: %d stale camera frames dropped", self.dropped)
        super().stop()
        if self._pump is not None:
            self._pump.cancel()
        self.source.stop()


def drop_stale_frames(output_track: MediaStreamTrack | None) -> bool:
    """Make streamlit-webrtc's processing track read the camera through `NewestFrame`.

    ``output_track`` is the stream's ``output_video_track`` (None before it
    starts); its ``track`` is what it reads the camera from. Safe to call on
    every run of the page: True only the first time for a track.
    """
    source = getattr(output_track, "track", None)
    if source is None or isinstance(source, NewestFrame):
        return False
    output_track.track = NewestFrame(source)
    return True
