"""streamlit-webrtc glue: turns `av.VideoFrame`s into RGB for `LiveProcessor` and back.

Everything that matters happens in `formcheck.live.LiveProcessor`; this
adapter only converts frames and timestamps and never lets an exception
reach the WebRTC worker (which would freeze the returned video).
"""

from __future__ import annotations

import logging

import av
import numpy as np
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
