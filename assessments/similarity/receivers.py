from django.db import transaction
from django.dispatch import receiver

from assessments.privacy.signals import candidate_data_removing
from assessments.signals import interview_status_changed
from mariohr.enqueue import task_enqueue_or_log

from .services import COMPARED_STATUSES, similarity_forget, submission_similarity_clear

TASK = "assessments.similarity.tasks.compute_similarity"


def _compare_later(interview_pk: int) -> None:
    # Similarity is a reviewer's aid: a broker that is down must not fail the submission or
    # the score that committed just before; the comparison is then skipped (and logged).
    task_enqueue_or_log(TASK, interview_pk)


@receiver(interview_status_changed, dispatch_uid="similarity.compare_on_submit")
def compare_on_submit(sender, interview, previous_status, at, **kwargs):
    if interview.status in COMPARED_STATUSES:
        # After commit: the worker must see the submitted answers.
        transaction.on_commit(lambda pk=interview.pk: _compare_later(pk))
    elif previous_status in COMPARED_STATUSES:
        # A retake cleared the answers: its old pairs go with them, in the same transaction.
        submission_similarity_clear(interview=interview)


@receiver(candidate_data_removing, dispatch_uid="similarity.forget_candidate")
def forget_candidate(sender, interview_ids, counts, **kwargs):
    counts.update(similarity_forget(interview_ids=interview_ids))
