from celery import shared_task

from .services import submission_similarity_compute


@shared_task(autoretry_for=(Exception,), retry_backoff=30, retry_backoff_max=600, max_retries=5)
def compute_similarity(interview_pk: int) -> int:
    return submission_similarity_compute(interview_pk=interview_pk)
