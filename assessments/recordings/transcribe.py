"""Offline speech-to-text behind one function, so a deployment can plug in another engine.

MARIOHR_RECORDING_TRANSCRIBER names a callable ``(pcm_path, sample_rate) -> list[Utterance]``
taking raw 16-bit mono PCM; the default is PocketSphinx with its bundled English model.
"""

from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

# Padding around each detected speech region: the recognizer needs a little silence to
# settle, and the voice-activity detector reacts a few frames late.
PAD_SECONDS = 0.3
FRAMES_PER_SECOND = 100
MAX_REGION_SECONDS = 30.0
PAUSE_FRAMES = 40


@dataclass(frozen=True)
class Utterance:
    start: float
    end: float
    text: str

    def as_dict(self) -> dict:
        return asdict(self)


def transcriber_name() -> str:
    return settings.MARIOHR_RECORDING_TRANSCRIBER.rsplit(".", 1)[-1]


def transcribe(pcm_path: Path, sample_rate: int) -> list[Utterance]:
    return import_string(settings.MARIOHR_RECORDING_TRANSCRIBER)(pcm_path, sample_rate)


def speech_regions(pcm_path: Path, sample_rate: int) -> list[tuple[float, float]]:
    """(start, end) seconds of speech, found by PocketSphinx's voice-activity endpointer.

    Long stretches (continuous speech or noise) are cut into MAX_REGION_SECONDS pieces so
    one utterance never holds the recognizer's whole memory.
    """
    from pocketsphinx import Endpointer

    endpointer = Endpointer(sample_rate=sample_rate)
    regions, opened = [], None
    total_seconds = pcm_path.stat().st_size / (2 * sample_rate)
    with pcm_path.open("rb") as pcm:
        while frame := pcm.read(endpointer.frame_bytes):
            if len(frame) < endpointer.frame_bytes:
                break
            was_in_speech = endpointer.in_speech
            endpointer.process(frame)
            if endpointer.in_speech and not was_in_speech:
                opened = endpointer.speech_start
            elif was_in_speech and not endpointer.in_speech and opened is not None:
                regions.append((opened, endpointer.speech_end))
                opened = None
    if opened is not None:
        regions.append((opened, total_seconds))
    return [piece for region in regions for piece in _cut(*region)]


def _cut(start: float, end: float) -> list[tuple[float, float]]:
    pieces = []
    while end - start > MAX_REGION_SECONDS:
        pieces.append((start, start + MAX_REGION_SECONDS))
        start += MAX_REGION_SECONDS
    return [*pieces, (start, end)]


def pocketsphinx_transcribe(pcm_path: Path, sample_rate: int) -> list[Utterance]:
    """Find speech with the endpointer, then decode each region as one utterance.

    Decoding whole regions (not the endpointer's frame stream) keeps word onsets intact,
    which matters a lot for PocketSphinx's accuracy.
    """
    from pocketsphinx import Decoder

    decoder = Decoder(samprate=sample_rate, loglevel="FATAL")
    utterances = []
    bytes_per_second = sample_rate * 2
    with pcm_path.open("rb") as pcm:
        for start, end in speech_regions(pcm_path, sample_rate):
            offset = max(0.0, start - PAD_SECONDS)
            pcm.seek(int(offset * sample_rate) * 2)
            audio = pcm.read(int((end + PAD_SECONDS - offset) * bytes_per_second))
            decoder.start_utt()
            decoder.process_raw(audio, full_utt=True)
            decoder.end_utt()
            utterances.extend(_utterances(decoder.seg(), offset))
    return utterances


def _utterances(segments, offset: float) -> list[Utterance]:
    """Group recognized words into utterances, splitting at pauses of PAUSE_FRAMES or more."""
    groups, current = [], []
    for segment in segments:
        if segment.word.startswith(("<", "[", "+")):
            if segment.end_frame - segment.start_frame >= PAUSE_FRAMES and current:
                groups.append(current)
                current = []
            continue
        current.append(segment)
    if current:
        groups.append(current)
    return [
        Utterance(
            start=round(offset + words[0].start_frame / FRAMES_PER_SECOND, 2),
            end=round(offset + (words[-1].end_frame + 1) / FRAMES_PER_SECOND, 2),
            text=" ".join(_plain(word.word) for word in words),
        )
        for words in groups
    ]


def _plain(word: str) -> str:
    # Alternate pronunciations come back as "word(2)".
    return word.split("(", 1)[0]
