"""Benchmark: session-recording processing time per minute of recording, and peak memory.

For each size (default 1, 10 and 60 minutes) the script makes a synthetic MediaRecorder-like
WebM with PyAV (160x120 VP8 at 5 fps, mono Opus; a few spoken words every minute when
espeak-ng is installed, silence otherwise), cuts it into ~4-second chunks as a browser would
(the first holds the header) and stores them through the product's own intake service. Then
a child process runs the real processing (``recording_process``: assemble, join, probe,
transcribe, store) and the parent reads that child's peak RSS from ``os.wait4``'s rusage.

Baselines measured in the same run:
- memory: a child that only imports Django and runs ``django.setup()`` (plus one query);
- time: a plain PyAV remux (demux + mux, nothing else) of the same file in a child.

    .venv/bin/python benchmarks/recording.py            # 1, 10 and 60 minutes
    .venv/bin/python benchmarks/recording.py --quick    # 1 and 2 minutes
    .venv/bin/python benchmarks/recording.py --minutes 5 30

SQLite and local file storage under a temporary MARIOHR_VAR_DIR; nothing else is touched.
"""

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FPS = 5
SAMPLE_RATE = 48000
AUDIO_FRAME = 960  # 20 ms of Opus
CHUNK_SECONDS = 4
VIDEO_BIT_RATE = 150_000  # with the audio ~80 MB an hour: a small webcam stream
SPEECH_EVERY_SECONDS = 60
SPOKEN = "the answer is four two seven, I will now test the endpoint"


# --- media (parent) ----------------------------------------------------------------------


def _speech_pcm(workdir: Path) -> bytes:
    """A few spoken words as 48 kHz mono s16 PCM, or b"" without espeak-ng."""
    import av

    espeak = shutil.which("espeak-ng")
    if espeak is None:
        return b""
    wav = workdir / "speech.wav"
    subprocess.run([espeak, "-w", str(wav), SPOKEN], check=True, capture_output=True)  # noqa: S603
    pcm = bytearray()
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    with av.open(str(wav)) as container:
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                pcm += bytes(out.planes[0])[: out.samples * 2]
    return bytes(pcm)


def webm_generate(path: Path, minutes: float, speech: bytes) -> None:
    """A live WebM (no Duration, no Cues, like MediaRecorder), written frame by frame."""
    import av

    seconds = minutes * 60
    with av.open(str(path), "w", format="webm", options={"live": "1"}) as output:
        video = output.add_stream("libvpx", rate=FPS)
        video.width, video.height, video.pix_fmt = 160, 120, "yuv420p"
        video.bit_rate = VIDEO_BIT_RATE
        video.codec_context.options = {"deadline": "realtime", "cpu-used": "16"}
        audio = output.add_stream("libopus", rate=SAMPLE_RATE)
        audio.layout = "mono"
        audio.bit_rate = 32_000
        silence = bytes(AUDIO_FRAME * 2)
        samples_per_video_frame = SAMPLE_RATE // FPS
        audio_pts = 0
        # Noise, so the encoder spends its bit rate as on a real camera's picture.
        noise = [os.urandom(160 * 120) for _ in range(16)]
        for index in range(int(seconds * FPS)):
            frame = av.VideoFrame(160, 120, "yuv420p")
            for number, plane in enumerate(frame.planes):
                luma = noise[index % len(noise)][: plane.buffer_size]
                plane.update(luma if number == 0 else bytes([128]) * plane.buffer_size)
            frame.pts = index
            for packet in video.encode(frame):
                output.mux(packet)
            # The audio of this video frame's 200 ms, interleaved as a recorder writes it.
            while audio_pts < (index + 1) * samples_per_video_frame:
                offset = (audio_pts % (SPEECH_EVERY_SECONDS * SAMPLE_RATE)) * 2
                pcm = speech[offset : offset + AUDIO_FRAME * 2].ljust(len(silence), b"\0")
                samples = av.AudioFrame(format="s16", layout="mono", samples=AUDIO_FRAME)
                samples.planes[0].update(pcm)
                samples.sample_rate = SAMPLE_RATE
                samples.pts = audio_pts
                for packet in audio.encode(samples):
                    output.mux(packet)
                audio_pts += AUDIO_FRAME
        for stream in (video, audio):
            for packet in stream.encode(None):
                output.mux(packet)


# --- children ----------------------------------------------------------------------------


def _django():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mariohr.settings")
    django.setup()
    # The filesystem broker has no host; the invitation email's enqueue would say so.
    logging.getLogger("kombu.connection").setLevel(logging.ERROR)


def child_baseline() -> dict:
    _django()
    from assessments.models import Interview

    return {"interviews": Interview.objects.count()}


def child_setup() -> dict:
    _django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return {}


def child_ingest(path: Path, minutes: float) -> dict:
    """Store the file as a browser would upload it: ~CHUNK_SECONDS chunks, then submit."""
    _django()
    from datetime import timedelta
    from unittest import mock

    from django.db import transaction
    from django.utils import timezone

    from assessments import services
    from assessments.demo import demo_catalog_seed
    from assessments.models import Interview
    from assessments.recordings import services as recording_services
    from assessments.recordings.models import Recording, RecordingPolicy
    from assessments.recordings.services import recording_chunk_receive

    test = demo_catalog_seed()[0]
    RecordingPolicy.objects.update_or_create(test=test, defaults={"mode": "required"})
    organization = services.organization_create(name="Bench", slug=f"bench-{os.getpid()}")
    interview, _ = services.interview_send(
        organization=organization,
        test=test,
        candidate=services.CandidateData(first_name="B", last_name="R", email="b@x.test"),
        source="admin",
    )
    interview = services.interview_start(interview=interview)
    Interview.objects.filter(pk=interview.pk).update(expires_at=timezone.now() + timedelta(hours=3))
    interview.refresh_from_db()
    chunk_bytes = max(1, int(path.stat().st_size / (minutes * 60 / CHUNK_SECONDS)))
    started = int(interview.started_at.timestamp() * 1000)
    seq = 0
    with path.open("rb") as source:
        while data := source.read(chunk_bytes):
            recording_chunk_receive(
                interview=interview,
                seq=seq,
                data=data,
                content_type="video/webm;codecs=vp8,opus",
                segment_id="bench-segment-1",
                started_ms=started,
            )
            seq += 1
    # Submit closes the capture and would enqueue processing; this script runs it itself.
    with mock.patch.object(recording_services, "recording_enqueue"), transaction.atomic():
        services.interview_submit(interview=interview)
    return {"recording_pk": Recording.objects.get(interview=interview).pk, "chunks": seq}


def child_process(recording_pk: int) -> dict:
    _django()
    from assessments.recordings.models import Recording
    from assessments.recordings.processing import recording_process

    began = time.perf_counter()
    recording_process(recording_pk=recording_pk)
    seconds = time.perf_counter() - began
    recording = Recording.objects.get(pk=recording_pk)
    return {
        "seconds": seconds,
        "status": recording.status,
        "duration_seconds": recording.duration_seconds,
        "utterances": len(recording.transcript),
        "failure_reason": recording.failure_reason,
    }


def child_remux(path: Path, target: Path) -> dict:
    """The floor: PyAV copying every packet into a fresh WebM, nothing else."""
    import av

    began = time.perf_counter()
    with av.open(str(path)) as given, av.open(str(target), "w", format="webm") as output:
        streams = list(given.streams)
        mapping = {s.index: output.add_stream_from_template(s) for s in streams}
        for packet in given.demux(streams):
            if packet.dts is None:
                continue
            packet.stream = mapping[packet.stream.index]
            output.mux(packet)
    return {"seconds": time.perf_counter() - began}


CHILDREN = {
    "baseline": lambda args: child_baseline(),
    "setup": lambda args: child_setup(),
    "ingest": lambda args: child_ingest(Path(args.file), args.size),
    "process": lambda args: child_process(args.recording),
    "remux": lambda args: child_remux(Path(args.file), Path(args.file).with_suffix(".remux.webm")),
}


def run_child(kind: str, env: dict, *extra: str) -> tuple[dict, int]:
    """Run one child; returns its JSON answer and its peak RSS in kB (Linux ru_maxrss)."""
    command = [sys.executable, __file__, "--child", kind, *extra]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE)  # noqa: S603
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"child {kind} failed ({process.returncode})")
    return json.loads(output.decode().strip().splitlines()[-1]), usage.ru_maxrss


# --- parent ------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 and 2 minutes only")
    parser.add_argument("--minutes", type=float, nargs="+", help="sizes (default 1 10 60)")
    parser.add_argument("--child", choices=CHILDREN, help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--recording", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child](args)))
        return
    sizes = args.minutes or ([1, 2] if args.quick else [1, 10, 60])
    with tempfile.TemporaryDirectory(prefix="mariohr-bench-recording-") as folder:
        workdir = Path(folder)
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("DATABASE_URL", "CELERY_BROKER_URL", "MARIOHR_S3_BUCKET")
        }
        env.update(MARIOHR_VAR_DIR=str(workdir / "var"), DJANGO_SETTINGS_MODULE="mariohr.settings")
        run_child("setup", env)
        _, baseline_rss = run_child("baseline", env)
        speech = _speech_pcm(workdir)
        print(f"speech every {SPEECH_EVERY_SECONDS} s: {'espeak-ng' if speech else 'none'}")
        print(f"baseline child (Django set up, one query): peak RSS {baseline_rss / 1024:.0f} MB")
        print(
            f"{'minutes':>7} {'file MB':>8} {'gen s':>6} {'process s':>9} {'s/min':>6} "
            f"{'remux s':>7} {'x remux':>7} {'peak RSS MB':>11} {'remux RSS MB':>12}"
        )
        for minutes in sizes:
            path = workdir / f"session-{minutes:g}min.webm"
            began = time.perf_counter()
            webm_generate(path, minutes, speech)
            generated = time.perf_counter() - began
            ingest, _ = run_child("ingest", env, "--file", str(path), "--size", str(minutes))
            remux, remux_rss = run_child("remux", env, "--file", str(path))
            processed, rss = run_child("process", env, "--recording", str(ingest["recording_pk"]))
            if processed["status"] != "processed":
                raise SystemExit(f"processing failed: {processed['failure_reason']}")
            print(
                f"{minutes:>7g} {path.stat().st_size / 1e6:>8.1f} {generated:>6.1f} "
                f"{processed['seconds']:>9.1f} {processed['seconds'] / minutes:>6.2f} "
                f"{remux['seconds']:>7.2f} {processed['seconds'] / remux['seconds']:>7.1f} "
                f"{rss / 1024:>11.0f} {remux_rss / 1024:>12.0f}"
            )
            path.unlink()
            path.with_suffix(".remux.webm").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
