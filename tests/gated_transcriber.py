"""A transcriber for worker tests: holds the recording task until the test opens the gate
(a file named by MARIOHR_TEST_TRANSCRIBE_GATE), standing in for a long transcription."""

import os
import time
from pathlib import Path

GATE_TIMEOUT_SECONDS = 180


def gated_transcribe(pcm_path, sample_rate) -> list:
    gate = Path(os.environ["MARIOHR_TEST_TRANSCRIBE_GATE"])
    deadline = time.monotonic() + GATE_TIMEOUT_SECONDS
    while not gate.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return []
