from celery import shared_task

from .processing import recording_process, recordings_sweep


@shared_task(autoretry_for=(Exception,), retry_backoff=30, retry_backoff_max=600, max_retries=5)
def process_recording(recording_pk: int) -> None:
    recording_process(recording_pk=recording_pk)


@shared_task
def sweep_recordings() -> int:
    return recordings_sweep()
