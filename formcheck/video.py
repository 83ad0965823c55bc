"""Video files in and out, streamed: the clip is never held in memory.

Reading uses PyAV (FFmpeg), which gives each frame its real presentation
time (so variable-frame-rate phone clips keep true timing) and the rotation
stored in a phone clip's display matrix. Writing produces H.264 in MP4 with
yuv420p pixels, the combination every browser plays.
"""

from __future__ import annotations

import math
import os
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from formcheck.errors import VideoError

#: File endings offered in file pickers. Decoding does not depend on the
#: ending: FFmpeg probes the content, so a mislabelled file still fails clearly.
VIDEO_SUFFIXES = (".mp4", ".mov", ".webm", ".avi", ".m4v", ".mkv")


@dataclass(frozen=True)
class VideoInfo:
    """What is known about a clip before decoding it.

    ``width`` and ``height`` are the size of the frames as yielded: after the
    rotation is applied and after any downscaling.
    """

    path: str
    width: int
    height: int
    fps: float
    frame_count: int  # from the container; 0 when it doesn't say
    duration: float  # seconds; 0.0 when unknown
    rotation: int  # degrees counter-clockwise applied to display upright
    codec: str


@dataclass(frozen=True, eq=False)
class VideoFrame:
    """One decoded frame: ``rgb`` is ``(height, width, 3)`` uint8, ``t`` seconds from the start."""

    index: int
    t: float
    rgb: np.ndarray


def _open_error(path: Path, exc: Exception) -> VideoError:
    if not path.exists():
        return VideoError(f"{path}: no such file")
    if path.is_dir():
        return VideoError(f"{path}: is a directory, expected a video file")
    if path.stat().st_size == 0:
        return VideoError(f"{path}: the file is empty (0 bytes)")
    with path.open("rb") as file:
        head = file.read(12)
    if head[4:8] == b"ftyp":  # an MP4/MOV that FFmpeg can't index: its moov box never got written
        return VideoError(
            f"{path}: an MP4 whose index is missing: the file was cut short or not fully "
            "saved, and no frames can be recovered"
        )
    return VideoError(f"{path}: not a video file that can be read ({_ffmpeg_reason(exc)})")


def _ffmpeg_reason(exc: Exception) -> str:
    reason = getattr(exc, "strerror", None) or str(exc)
    return reason.strip().rstrip(".") or type(exc).__name__


def _scaled_size(width: int, height: int, max_size: int | None) -> tuple[int, int]:
    """Fit (width, height) inside max_size on the long side, keeping even sizes for YUV."""
    if not max_size or max(width, height) <= max_size:
        return width, height
    scale = max_size / max(width, height)
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


class VideoReader:
    """Streams the frames of a clip as RGB arrays with real timestamps.

    Use as a context manager::

        with VideoReader("clip.mp4") as reader:
            for frame in reader:
                ...
        if reader.truncated:
            print(reader.truncation_reason)

    A clip that is damaged part-way is read up to the damage: iteration stops,
    ``truncated`` becomes True and ``truncation_reason`` says where and why.

    Args:
        path: the clip.
        max_size: if given, frames whose long side exceeds it are downscaled
            (in FFmpeg, before conversion to RGB) so that 4K clips stay cheap.
    """

    def __init__(self, path: str | os.PathLike[str], max_size: int | None = None) -> None:
        self.path = Path(path)
        self.truncated = False
        self.truncation_reason = ""
        self.frames_read = 0
        try:
            self._container = av.open(str(self.path), mode="r")
        except (av.FFmpegError, OSError, UnicodeDecodeError, ValueError) as exc:
            raise _open_error(self.path, exc) from None
        if not self._container.streams.video:
            self._container.close()
            raise VideoError(f"{self.path}: has no video stream (audio only?)")
        self._stream = self._container.streams.video[0]
        self._stream.thread_type = "AUTO"  # frame threading: decoding runs beside inference
        ctx = self._stream.codec_context
        if not ctx.width or not ctx.height:
            self._container.close()
            raise VideoError(f"{self.path}: the video stream has no frame size")
        self._size = _scaled_size(ctx.width, ctx.height, max_size)
        self._decoded = self._container.decode(self._stream)
        # PyAV reports a phone clip's rotation on frames, not on the stream, and
        # the upright size must be known before iteration: peek at frame one.
        self._first, rotation = self._peek_first_frame()
        self.info = self._probe_info(rotation)

    def _peek_first_frame(self) -> tuple[av.VideoFrame | None, int]:
        try:
            first = next(self._decoded)
        except StopIteration:
            return None, 0
        except (av.FFmpegError, EOFError) as exc:
            self._fail(exc)
            return None, 0
        rotation = round(getattr(first, "rotation", 0) or 0) % 360 // 90 * 90
        return first, rotation

    def _probe_info(self, rotation: int) -> VideoInfo:
        stream = self._stream
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else 0.0
        duration = 0.0
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif self._container.duration is not None:
            duration = self._container.duration / av.time_base
        width, height = self._size
        if rotation % 180:
            width, height = height, width
        return VideoInfo(
            path=str(self.path),
            width=width,
            height=height,
            fps=fps if math.isfinite(fps) and fps > 0 else 30.0,
            frame_count=int(stream.frames or 0),
            duration=duration,
            rotation=rotation,
            codec=stream.codec_context.name,
        )

    def _fail(self, exc: Exception) -> None:
        self.truncated = True
        self.truncation_reason = (
            f"{self.path.name}: the clip is damaged or cut short after frame "
            f"{self.frames_read} ({_ffmpeg_reason(exc)}); analysed the frames before it"
        )

    def _raw_frames(self) -> Iterator[av.VideoFrame]:
        if self._first is None:
            return
        yield self._first
        self._first = None
        try:
            yield from self._decoded
        except (av.FFmpegError, EOFError) as exc:
            self._fail(exc)

    def __iter__(self) -> Iterator[VideoFrame]:
        stream = self._stream
        start = stream.start_time if stream.start_time is not None else 0
        last_t = -math.inf
        width, height = self._size
        scale = (width, height) != (stream.codec_context.width, stream.codec_context.height)
        rot90 = self.info.rotation // 90
        for packet_frame in self._raw_frames():
            if packet_frame.pts is not None and stream.time_base is not None:
                t = float((packet_frame.pts - start) * stream.time_base)
            else:
                t = self.frames_read / self.info.fps
            if t <= last_t:  # repeated or reordered timestamps: keep time monotonic
                t = last_t + 1e-3
            last_t = t
            if scale:
                rgb = packet_frame.to_ndarray(format="rgb24", width=width, height=height)
            else:
                rgb = packet_frame.to_ndarray(format="rgb24")
            if rot90:
                rgb = np.ascontiguousarray(np.rot90(rgb, k=rot90))
            yield VideoFrame(index=self.frames_read, t=max(t, 0.0), rgb=rgb)
            self.frames_read += 1
        expected = self.info.frame_count
        if self.truncated:
            return
        if self.frames_read == 0:
            self.truncated = True
            self.truncation_reason = f"{self.path.name}: the clip has no decodable frames"
        elif expected and self.frames_read < expected * 0.98 - 1:
            # The index promised more frames than the data held: the file was cut short.
            self.truncated = True
            self.truncation_reason = (
                f"{self.path.name}: the clip ends after frame {self.frames_read} of the "
                f"{expected} its index lists (cut short?); analysed the frames before it"
            )

    def close(self) -> None:
        """Close the file; safe to call twice."""
        self._container.close()

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class VideoWriter:
    """Writes RGB frames to an H.264 MP4 that browsers play.

    >>> import tempfile, numpy as np
    >>> out = tempfile.mktemp(suffix=".mp4")
    >>> with VideoWriter(out, fps=30, width=64, height=48) as w:
    ...     for i in range(3):
    ...         w.write(np.zeros((48, 64, 3), np.uint8))
    >>> w.frames_written
    3

    Frames may carry their source timestamp (``t``) so that variable-rate
    clips keep their timing; otherwise frames are spaced at ``fps``.

    Encoding runs on a background thread, at most ``queue_depth`` frames
    behind, so H.264 encoding overlaps the pose model's work; `write` keeps
    its own copy of each frame (`write_nowait` leaves a frame out rather than
    wait for the encoder). An encoder error is raised by the next `write` or
    by `close`.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        fps: float,
        width: int,
        height: int,
        crf: int = 23,
        preset: str = "veryfast",
        queue_depth: int = 8,
    ) -> None:
        if width % 2 or height % 2:
            raise ValueError(f"width and height must be even for yuv420p, got {width}x{height}")
        self.path = Path(path)
        self.width, self.height = width, height
        self.frames_written = 0
        # +faststart puts the index first, so a browser can start playing at once
        # and a copy cut short still has its index (the frames before the cut play).
        self._container = av.open(
            str(self.path), mode="w", format="mp4", options={"movflags": "+faststart"}
        )
        rate = Fraction(fps).limit_denominator(1001)
        self._stream = self._container.add_stream("libx264", rate=rate)
        self._stream.width, self._stream.height = width, height
        self._stream.pix_fmt = "yuv420p"
        self._stream.options = {"crf": str(crf), "preset": preset}
        self._time_base = Fraction(1, 90_000)
        self._stream.codec_context.time_base = self._time_base
        self._frame_pts = round(1 / (rate * self._time_base))
        self._last_pts = -1
        self._pending: queue.Queue = queue.Queue(maxsize=queue_depth)
        self._error: BaseException | None = None
        self._encoder = threading.Thread(
            target=self._encode_loop, name="formcheck-encode", daemon=True
        )
        self._encoder.start()

    def _encode_loop(self) -> None:
        while True:
            item = self._pending.get()
            if item is None:
                return
            if self._error is not None:
                continue  # keep draining so write() never blocks on a dead encoder
            rgb, pts = item
            try:
                frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
                frame.pts, frame.time_base = pts, self._time_base
                for packet in self._stream.encode(frame):
                    self._container.mux(packet)
            except BaseException as exc:  # handed to the caller by write() or close()
                self._error = exc

    def _raise_encoder_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def write(self, rgb: np.ndarray, t: float | None = None) -> None:
        """Append one ``(height, width, 3)`` uint8 RGB frame, shown at ``t`` seconds if given."""
        self._check(rgb)
        self._put(rgb, t)

    def write_nowait(self, rgb: np.ndarray, t: float | None = None) -> bool:
        """`write`, unless the encoder is ``queue_depth`` frames behind: then leave it out.

        For a live stream, which must never wait: returns False when the frame
        was left out (the video shows the previous frame a little longer).
        """
        self._check(rgb)
        if self._pending.full():  # only the writing thread adds, so it stays not full
            return False
        self._put(rgb, t)
        return True

    def _check(self, rgb: np.ndarray) -> None:
        if rgb.shape != (self.height, self.width, 3):
            raise ValueError(
                f"frame: expected shape {(self.height, self.width, 3)}, got {rgb.shape}"
            )
        if self._container is None:
            raise ValueError(f"{self.path}: the writer is closed")
        self._raise_encoder_error()

    def _put(self, rgb: np.ndarray, t: float | None) -> None:
        pts = self.frames_written * self._frame_pts if t is None else round(t / self._time_base)
        pts = max(pts, self._last_pts + 1)
        self._last_pts = pts
        self._pending.put((np.array(rgb, dtype=np.uint8, copy=True), pts))
        self.frames_written += 1

    def close(self) -> None:
        """Flush the encoder and finish the file; safe to call twice."""
        if self._container is None:
            return
        self._pending.put(None)
        self._encoder.join()
        try:
            self._raise_encoder_error()
            for packet in self._stream.encode(None):
                self._container.mux(packet)
        finally:
            self._container.close()
            self._container = None

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def join_videos(parts: list[Path], out: str | os.PathLike[str]) -> Path:
    """Join MP4s made by `VideoWriter` end to end into ``out``, without re-encoding.

    For a live session recorded over several camera runs: each part's
    packets are copied after the previous part's last frame. The parts must
    share codec and size (every `formcheck.live.LiveVideo` records H.264 at
    the size asked of the camera); a `VideoError` says so otherwise.
    """
    if not parts:
        raise ValueError("parts: expected at least one video, got none")
    out = Path(out)
    with av.open(str(out), mode="w", format="mp4", options={"movflags": "+faststart"}) as dst:
        target = shape = None
        offset = 0  # where the next part starts, in the output's time base
        last_dts = -(2**62)
        for part in parts:
            with av.open(str(part)) as src:
                stream = src.streams.video[0]
                ctx = stream.codec_context
                if target is None:
                    target = dst.add_stream_from_template(stream)
                    target.time_base = stream.time_base
                    shape = (ctx.name, ctx.width, ctx.height)
                elif (ctx.name, ctx.width, ctx.height) != shape:
                    raise VideoError(
                        f"{part}: expected {shape[0]} at {shape[1]}x{shape[2]} to join "
                        f"the videos, got {ctx.name} at {ctx.width}x{ctx.height}"
                    )
                scale = stream.time_base / target.time_base
                shift = None
                for packet in src.demux(stream):
                    if packet.dts is None:  # the demuxer's end-of-stream marker
                        continue
                    if shift is None:  # the part's first frame shows right after the last
                        shift = max(
                            offset - round(packet.pts * scale),
                            last_dts + 1 - round(packet.dts * scale),  # decode order too
                        )
                    packet.pts = round(packet.pts * scale) + shift
                    packet.dts = round(packet.dts * scale) + shift
                    offset = max(offset, packet.pts + round((packet.duration or 0) * scale))
                    last_dts = packet.dts
                    packet.stream = target
                    dst.mux(packet)
    return out
