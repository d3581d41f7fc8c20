"""Media work with PyAV: join the MediaRecorder WebM parts of a session into one file that
declares its duration, check it, and decode its audio for the recognizer. PyAV's wheels
bundle FFmpeg; no system package."""

import contextlib
import logging
import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

log = logging.getLogger(__name__)

TRANSCRIBE_SAMPLE_RATE = 16000


class MediaError(Exception):
    """The upload itself is unusable (corrupt, empty, not WebM): retrying cannot help."""


@dataclass(frozen=True)
class MediaInfo:
    container: str
    duration_seconds: float
    has_audio: bool
    has_video: bool


def _open(path: Path):
    try:
        return av.open(str(path))
    except (av.error.FFmpegError, UnicodeDecodeError) as error:
        raise MediaError(f"Not a readable WebM file: {error}") from error


@dataclass(frozen=True)
class Span:
    """Where one source landed in the concatenated file."""

    offset_seconds: float
    duration_seconds: float


def _first_streams(container) -> dict[str, object]:
    streams = {}
    for stream in container.streams:
        if stream.type in ("video", "audio") and stream.type not in streams:
            streams[stream.type] = stream
    return streams


def concatenate(sources: list[Path], target: Path) -> list[Span | None]:
    """Copy every packet of each source into one fresh WebM, one source after another, with
    timestamps that run on: each source starts where the previous one ended. FFmpeg's muxer
    then writes Duration and Cues. Packets stream from file to file; nothing is held whole.

    Returns a span per source, None for a source with nothing playable in it. Garbage that
    stops the demuxer (a chunk lost in the middle, a tab closed mid-write) ends that source;
    what came before it is kept.
    """
    with contextlib.ExitStack() as stack:
        templates: dict[str, object] = {}
        for source in sources:
            with contextlib.suppress(MediaError):
                found = _first_streams(stack.enter_context(_open(source)))
                for kind, stream in found.items():
                    templates.setdefault(kind, stream)
            if len(templates) == 2:
                break
        if not templates:
            raise MediaError("The upload holds no audio or video stream.")
        output = stack.enter_context(av.open(str(target), "w", format="webm"))
        outputs = {kind: output.add_stream_from_template(s) for kind, s in templates.items()}
        codecs = {kind: s.codec_context.name for kind, s in templates.items()}
        writer = _Writer(output, outputs, codecs)
        spans = [writer.append(source) for source in sources]
    if not any(spans):
        raise MediaError("The upload holds no playable audio or video.")
    return spans


class _Writer:
    def __init__(self, output, outputs: dict, codecs: dict):
        self.output, self.outputs, self.codecs = output, outputs, codecs
        self.cursor = Fraction(0)  # seconds: where the next source starts
        self.last_dts: dict[str, Fraction] = {}

    def append(self, source: Path) -> Span | None:
        try:
            given = _open(source)
        except MediaError as error:
            log.warning("recording part %s unreadable: %s", source, error)
            return None
        with given:
            # Streams whose codec differs from the file's (another browser?) cannot join it.
            tracks = {
                stream.index: _Track(kind, stream.time_base, self.last_dts.get(kind))
                for kind, stream in _first_streams(given).items()
                if kind in self.outputs and stream.codec_context.name == self.codecs[kind]
            }
            if not tracks:
                return None
            start = Fraction(given.start_time, av.time_base) if given.start_time else None
            written = 0
            try:
                for packet in given.demux([given.streams[index] for index in tracks]):
                    if packet.dts is None or packet.size == 0:
                        continue
                    track = tracks[packet.stream.index]
                    if start is None:
                        start = packet.dts * track.time_base
                    if track.shift is None:
                        track.shift = round((self.cursor - start) / track.time_base)
                    if not track.take(packet):
                        continue
                    packet.stream = self.outputs[track.kind]
                    self.output.mux(packet)
                    written += 1
            except (av.error.InvalidDataError, av.error.EOFError) as error:
                log.warning(
                    "recording part %s truncated after %d packets: %s", source, written, error
                )
        if not written:
            return None
        end = self.cursor
        for track in tracks.values():
            if track.last_dts is not None:
                self.last_dts[track.kind] = track.last_dts * track.time_base
                end = max(end, track.end * track.time_base)
        span = Span(round(float(self.cursor), 3), round(float(end - self.cursor), 3))
        self.cursor = end
        return span


class _Track:
    """One input stream's packets on their way into the joined file, in its own ticks."""

    def __init__(self, kind: str, time_base: Fraction, written_up_to: Fraction | None):
        self.kind, self.time_base = kind, time_base
        self.shift: int | None = None
        # The last dts already in the file, in this stream's ticks (floor: strictly later).
        self.floor = None if written_up_to is None else math.floor(written_up_to / time_base)
        self.last_dts: int | None = None
        self.last_pts: int | None = None
        self.end = 0

    def take(self, packet) -> bool:
        """Shift the packet onto the file's clock; False when it must be dropped."""
        packet.dts += self.shift
        packet.pts = packet.dts if packet.pts is None else packet.pts + self.shift
        # The muxer refuses non-increasing timestamps; MediaRecorder occasionally repeats
        # one after a stall.
        floor = self.floor if self.last_dts is None else self.last_dts
        if packet.dts < 0 or (floor is not None and packet.dts <= floor):
            return False
        # WebM blocks rarely carry a duration; the last step stands in for it.
        previous = packet.pts if self.last_pts is None else self.last_pts
        step = packet.duration or max(0, packet.pts - previous)
        self.last_dts, self.last_pts = packet.dts, packet.pts
        self.end = max(self.end, packet.pts + step)
        return True


def probe(path: Path) -> MediaInfo:
    with _open(path) as container:
        duration = container.duration / av.time_base if container.duration else 0.0
        return MediaInfo(
            container=container.format.name,
            duration_seconds=round(duration, 3),
            has_audio=bool(container.streams.audio),
            has_video=bool(container.streams.video),
        )


def extract_pcm(source: Path, target: Path) -> None:
    """Decode the first audio stream to raw 16 kHz mono signed 16-bit little-endian PCM."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=TRANSCRIBE_SAMPLE_RATE)
    with _open(source) as container, target.open("wb") as pcm:
        if not container.streams.audio:
            return
        try:
            for frame in container.decode(container.streams.audio[0]):
                for out in resampler.resample(frame):
                    pcm.write(bytes(out.planes[0])[: out.samples * 2])
        except (av.error.InvalidDataError, av.error.EOFError) as error:
            log.warning("audio of %s truncated: %s", source, error)
        for out in resampler.resample(None):
            pcm.write(bytes(out.planes[0])[: out.samples * 2])
