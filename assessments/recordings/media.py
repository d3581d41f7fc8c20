"""Media work with PyAV: remux a MediaRecorder WebM so it declares its duration, check it,
and decode its audio for the recognizer. PyAV's wheels bundle FFmpeg; no system package."""

import logging
from dataclasses import dataclass
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


def remux(source: Path, target: Path) -> int:
    """Copy every packet into a fresh WebM; FFmpeg's muxer then writes Duration and Cues.

    A chunk lost in the middle or a tab closed mid-write leaves garbage the demuxer stops
    on; what came before it is kept. Returns the number of packets written.
    """
    written = 0
    with _open(source) as given:
        streams = [s for s in given.streams if s.type in ("video", "audio")]
        if not streams:
            raise MediaError("The upload holds no audio or video stream.")
        with av.open(str(target), "w", format="webm") as output:
            mapping = {s.index: output.add_stream_from_template(s) for s in streams}
            last_dts: dict[int, int] = {}
            try:
                for packet in given.demux(streams):
                    if packet.dts is None or packet.size == 0:
                        continue
                    # The muxer refuses non-increasing timestamps; MediaRecorder
                    # occasionally repeats one after a stall.
                    if packet.dts <= last_dts.get(packet.stream.index, -(2**62)):
                        continue
                    last_dts[packet.stream.index] = packet.dts
                    packet.stream = mapping[packet.stream.index]
                    output.mux(packet)
                    written += 1
            except (av.error.InvalidDataError, av.error.EOFError) as error:
                log.warning("recording %s truncated after %d packets: %s", source, written, error)
    if written == 0:
        raise MediaError("The upload holds no playable audio or video.")
    return written


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
