"""What a candidate does on the test page: save answers, submit; and deadline expiry."""

import re
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mariohr.json_safety import storable
from mariohr.url_safety import is_http_url

from .models import Answer, Interview, InterviewEvent, Question, Test
from .recordings.selectors import recording_consent_missing
from .scoring_services import interview_quiz_score
from .selectors import grace, interview_is_overdue

# Re-exported (the `as` says so): the candidate views read through this module.
from .selectors import interview_by_token as interview_by_token
from .services import IllegalTransition as IllegalTransition
from .services import interview_expire, interview_submit

S = Interview.Status
REVIEW_FIELDS = {"solution_url": 2000, "notes": 20000}
URL_FIELDS = {"solution_url"}
SHORT_ANSWER_MAX = 2000
# A host with a dot, then a path or nothing, and no scheme: "github.com/ada/x", "gitlab.io".
BARE_HOST_URL = re.compile(
    r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:[:/?#]|$)", re.I
)
# Consecutive autosaves within this window extend one transcript line instead of adding many.
SAVE_EVENT_WINDOW = timedelta(seconds=60)


class AnswerInvalid(Exception):
    def __init__(self, field: str, problem: str):
        self.field, self.problem = field, problem
        super().__init__(f"{field}: {problem}")


class AnswersRefused(AnswerInvalid):
    """Some answers were refused; the valid ones were stored (``saved``, at ``saved_at``).
    ``field`` and ``problem`` are the first refusal's; ``refused`` has them all."""

    def __init__(self, refused: dict[str, str], saved: list[str], saved_at: datetime | None):
        self.refused, self.saved, self.saved_at = refused, saved, saved_at
        field, problem = next(iter(refused.items()))
        super().__init__(field, problem)


class NotAcceptingAnswers(Exception):
    """The interview is not open for answers (not started, finished, or past its deadline)."""

    def __init__(self, interview: Interview):
        self.interview = interview
        super().__init__(f"Interview {interview.partner_interview_id} is {interview.status}.")


class RecordingConsentMissing(Exception):
    """The test requires a session recording and the candidate has not consented to it."""

    def __init__(self, interview: Interview):
        self.interview = interview
        super().__init__(f"Interview {interview.partner_interview_id} needs recording consent.")


def _expire_if_still_overdue(pk: int, now: datetime | None = None):
    """The interview ``pk``, expired, if its locked row is overdue; else None."""
    # Judged again on the locked row: the caller read the deadline before the lock, and the
    # hiring team may have extended it, added time or reopened the test since (or a submit
    # or another sweeper finished it). Expiring on the old read would undo their change.
    with transaction.atomic():
        locked = Interview.objects.select_for_update().get(pk=pk)
        if not interview_is_overdue(locked, now):
            return None
        reason = "time_limit" if locked.status == S.IN_PROGRESS else "invitation"
        return interview_expire(interview=locked, reason=reason)


def interview_expire_if_overdue(*, interview: Interview) -> Interview:
    """Expire the interview if its deadline has passed; returns it as it is now."""
    if not interview_is_overdue(interview):
        return interview
    expired = _expire_if_still_overdue(interview.pk)
    if expired is None:
        # A new deadline, or another request finished it first: show what it is now.
        interview.refresh_from_db()
        return interview
    return expired


def interviews_expire_overdue(now: datetime | None = None) -> int:
    """Expire every live interview past its deadline; safe to run from several workers."""
    now = now or timezone.now()
    overdue = Interview.objects.filter(
        Q(status=S.SENT, expires_at__lte=now)
        | Q(status=S.IN_PROGRESS, expires_at__lte=now - grace())
    )
    # The longest overdue first: a deterministic order for several sweepers.
    return sum(
        _expire_if_still_overdue(pk, now) is not None
        for pk in overdue.order_by("expires_at").values_list("pk", flat=True)
    )


def _clean_value(test: Test, questions: dict[str, Question], key: str, value):
    texts = value if isinstance(value, list) else [value]
    # NUL and unpaired surrogates cannot be stored (PostgreSQL) or rendered (UTF-8 pages).
    if not all(storable(text) for text in texts if isinstance(text, str)):
        raise AnswerInvalid(key, "must not contain NUL characters or unpaired surrogates")
    if test.kind == Test.Kind.QUIZ:
        question = questions.get(key)
        if question is None:
            raise AnswerInvalid(key, "is not a question of this test")
        if question.kind == Question.Kind.SHORT:
            if not isinstance(value, str) or len(value) > SHORT_ANSWER_MAX:
                raise AnswerInvalid(key, f"must be text of at most {SHORT_ANSWER_MAX} characters")
            return value
        choice_ids = {str(pk) for pk in question.choices.values_list("pk", flat=True)}
        if question.kind == Question.Kind.SINGLE:
            if not isinstance(value, str) or (value and value not in choice_ids):
                raise AnswerInvalid(key, "must be one of the question's choices")
            return value
        if not isinstance(value, list) or not all(
            isinstance(item, str) and item in choice_ids for item in value
        ):
            raise AnswerInvalid(key, "must be a list of the question's choices")
        return sorted(set(value), key=value.index)
    limit = REVIEW_FIELDS.get(key)
    if limit is None:
        raise AnswerInvalid(key, "is not a field of this test")
    if not isinstance(value, str) or len(value) > limit:
        raise AnswerInvalid(key, f"must be text of at most {limit} characters")
    if key in URL_FIELDS:
        value = _with_scheme(value.strip())
        # Reviewers open it from the admin: a javascript: link would run in their session.
        if value and not is_http_url(value):
            raise AnswerInvalid(key, "must be a link starting with https:// or http://")
    return value


def _with_scheme(value: str) -> str:
    # "github.com/ada/orders-api", as people type it: the https:// they left out.
    return f"https://{value}" if BARE_HOST_URL.match(value) else value


def answers_clean(interview: Interview, answers) -> tuple[dict, dict[str, str]]:
    """The storable answers, and the problem with each refused one (by answer key)."""
    if not isinstance(answers, dict):
        raise AnswerInvalid("answers", "must be an object mapping questions to answers")
    questions = {q.answer_key: q for q in interview.test.questions.all()}
    cleaned, refused = {}, {}
    for key, value in answers.items():
        try:
            cleaned[key] = _clean_value(interview.test, questions, key, value)
        except AnswerInvalid as error:
            refused[error.field] = error.problem
    return cleaned, refused


def answers_save(*, interview: Interview, answers: dict) -> datetime:
    """Validate and store answers; returns when they were saved. One refused answer costs no
    other: the valid ones are stored, then ``AnswersRefused`` says which were not.

    Refused (``RecordingConsentMissing``) while a required session recording lacks consent."""
    cleaned, refused = answers_clean(interview, answers)
    return _answers_store_or_refuse(interview, cleaned, refused) or timezone.now()


def _answers_store_or_refuse(interview: Interview, cleaned: dict, refused: dict):
    """Store the valid answers, then raise AnswersRefused if any were refused."""
    saved_at = _answers_store(interview=interview, cleaned=cleaned) if cleaned else None
    if refused:
        raise AnswersRefused(refused, sorted(cleaned), saved_at)
    return saved_at


def _refused_values(answers: dict, refused: dict) -> dict:
    """What the candidate had typed in each refused answer, for the reviewer, as far as it can
    be stored (text without NUL or lone surrogates, cut at the longest answer allowed)."""
    kept = {}
    for key in refused:
        texts = answers.get(key)
        texts = texts if isinstance(texts, list) else [texts]
        if all(isinstance(text, str) and storable(text) for text in texts):
            kept[key] = "\n".join(texts)[: max(REVIEW_FIELDS.values())]
    return kept


def _answers_store(*, interview: Interview, cleaned: dict) -> datetime:
    now = timezone.now()
    with transaction.atomic():
        locked = Interview.objects.select_for_update().get(pk=interview.pk)
        if locked.status != S.IN_PROGRESS or interview_is_overdue(locked, now):
            raise NotAcceptingAnswers(locked)
        if recording_consent_missing(locked):
            raise RecordingConsentMissing(locked)
        # The caller answers with the current deadline (the hiring team may have added time);
        # the locked row has it, no second read needed.
        interview.expires_at = locked.expires_at
        stored = dict(locked.answers.values_list("key", "value"))
        changed = sorted(key for key, value in cleaned.items() if stored.get(key) != value)
        for key in changed:
            Answer.objects.update_or_create(
                interview=locked, key=key, defaults={"value": cleaned[key], "saved_at": now}
            )
        if changed:
            _save_event_record(interview=locked, keys=changed, at=now)
    return now


def _save_event_record(*, interview: Interview, keys: list[str], at: datetime) -> None:
    last = interview.events.order_by("-at", "-id").first()
    if last and last.kind == "answer_saved" and at - last.at <= SAVE_EVENT_WINDOW:
        last.data = {
            "answers": sorted(set(last.data.get("answers", [])) | set(keys)),
            "saves": last.data.get("saves", 1) + 1,
        }
        last.at = at
        last.save(update_fields=["data", "at"])
        return
    InterviewEvent.objects.create(
        interview=interview, kind="answer_saved", at=at, data={"answers": keys, "saves": 1}
    )


def interview_candidate_submit(
    *, interview: Interview, answers: dict | None = None, automatic: bool = False
) -> Interview:
    """Save the last answers and submit; a quiz is scored at once and completes.

    A refused answer stops a submit by the candidate (the valid ones are stored, and
    ``AnswersRefused`` says which was not), but not the automatic one at time-up: the candidate
    can no longer correct it, so the rest goes in and an event names what was left out."""
    cleaned, refused = answers_clean(interview, answers or {})
    if refused and not automatic:
        _answers_store_or_refuse(interview, cleaned, refused)
    with transaction.atomic():
        if cleaned:
            _answers_store(interview=interview, cleaned=cleaned)
        if refused:
            InterviewEvent.objects.create(
                interview=interview,
                kind="answers_refused",
                at=timezone.now(),
                data={"refused": refused, "values": _refused_values(answers, refused)},
            )
        locked = Interview.objects.select_for_update().get(pk=interview.pk)
        if locked.status == S.IN_PROGRESS and interview_is_overdue(locked):
            raise NotAcceptingAnswers(locked)
        if locked.status == S.IN_PROGRESS and recording_consent_missing(locked):
            raise RecordingConsentMissing(locked)
        if locked.test.kind == Test.Kind.QUIZ:
            return interview_quiz_score(interview=locked, automatic=automatic)
        return interview_submit(interview=locked, automatic=automatic)
