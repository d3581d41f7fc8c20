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
    from pocketsphinx import Endpointer

    endpointer = Endpointer(sample_rate=sample_rate)
    regions = []
    with pcm_path.open("rb") as pcm:
        while frame := pcm.read(endpointer.frame_bytes):
            if len(frame) < endpointer.frame_bytes:
                speech = endpointer.end_stream(frame)
            else:
                speech = endpointer.process(frame)
            if speech is not None and not endpointer.in_speech:
                regions.append((endpointer.speech_start, endpointer.speech_end))
    return regions


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
            words = [
                seg
                for seg in decoder.seg()
                if not seg.word.startswith(("<", "[")) and seg.word != "<sil>"
            ]
            if not words:
                continue
            utterances.append(
                Utterance(
                    start=round(offset + words[0].start_frame / FRAMES_PER_SECOND, 2),
                    end=round(offset + (words[-1].end_frame + 1) / FRAMES_PER_SECOND, 2),
                    text=" ".join(_plain(seg.word) for seg in words),
                )
            )
    return utterances


def _plain(word: str) -> str:
    # Alternate pronunciations come back as "word(2)".
    return word.split("(", 1)[0]
