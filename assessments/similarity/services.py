"""Comparing one submission with the other submissions of its test in its organization.

``submission_similarity_compute`` runs after submit (tasks.py); it is idempotent: it drops
what the interview had and computes it again from its current answers.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from assessments.models import Answer, Interview, Question, Test
from assessments.reports import environment_value_is_secret

from .models import Signature, SignatureBand, SimilarPair
from .signatures import band_keys, hash_values_load, hash_values_of, jaccard_estimate
from .text import passages_matching, text_shingles, url_normalize, words

S = Interview.Status
COMPARED_STATUSES = (S.SUBMITTED, S.COMPLETE)
# Repo reviews: the notes are prose; the solution link is compared whole (the same
# repository handed in twice), never by its words, which every GitHub link shares.
REVIEW_TEXT_KEYS = ("notes",)
REVIEW_URL_KEYS = ("solution_url",)
REDACTED = "[redacted]"


@dataclass(frozen=True)
class ComparedText:
    key: str
    text: str  # as the candidate wrote it, secrets redacted: what the passages show
    shingles: frozenset[str]


def _secrets_of(interview: Interview) -> list[str]:
    return [
        value.value
        for value in interview.environment_values.all()
        if value.value and environment_value_is_secret(label=value.label, is_secret=value.is_secret)
    ]


def _redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


def _compared_keys(test: Test) -> dict[str, bool]:
    """Answer key -> whether it is a link (compared whole) rather than prose."""
    if test.kind == Test.Kind.QUIZ:
        short = test.questions.filter(kind=Question.Kind.SHORT).values_list("pk", flat=True)
        return {f"q{pk}": False for pk in short}
    return {**dict.fromkeys(REVIEW_TEXT_KEYS, False), **dict.fromkeys(REVIEW_URL_KEYS, True)}


def compared_texts(interview: Interview, keys: dict[str, bool] | None = None) -> list[ComparedText]:
    """The answers of ``interview`` worth comparing. Prose shorter than
    MARIOHR_SIMILARITY_MIN_WORDS is left out: short answers agree by chance (or by being right)."""
    keys = _compared_keys(interview.test) if keys is None else keys
    answers = interview.answers.filter(key__in=list(keys))
    secrets = _secrets_of(interview)
    texts = []
    for answer in answers:
        if not isinstance(answer.value, str) or not answer.value.strip():
            continue
        text = _redact(answer.value, secrets)
        if keys[answer.key]:
            shingles = {url_normalize(text)}
        elif len(words(text)) >= settings.MARIOHR_SIMILARITY_MIN_WORDS:
            shingles = text_shingles(text)
        else:
            continue
        texts.append(ComparedText(key=answer.key, text=text, shingles=frozenset(shingles)))
    return texts


def submission_similarity_clear(*, interview: Interview) -> None:
    SimilarPair.objects.filter(
        Q(first_interview=interview) | Q(second_interview=interview)
    ).delete()
    if Signature.objects.filter(interview=interview).exists():
        Signature.objects.filter(interview=interview).delete()


def similarity_forget(*, interview_ids: list[int]) -> dict:
    """Erasure and anonymization: the interviews' signatures and every pair naming them go
    (a pair's passages quote both answers; a signature would keep matching new ones)."""
    pairs = SimilarPair.objects.filter(
        Q(first_interview_id__in=interview_ids) | Q(second_interview_id__in=interview_ids)
    ).delete()[0]
    _, deleted = Signature.objects.filter(interview_id__in=interview_ids).delete()
    return {"similar_pairs": pairs, "similarity_signatures": deleted.get("similarity.Signature", 0)}


def submission_similarity_compute(*, interview_pk: int) -> int:
    """Index the interview's answers and record the pairs at or above the threshold; returns
    how many pairs it has. An interview no longer submitted or complete is only cleared."""
    with transaction.atomic():
        # One computation per test at a time: two near-identical submissions computed at the
        # same moment would each miss the other's uncommitted signature. NO KEY UPDATE leaves
        # the row free for inserts that reference it (new interviews of the test).
        Test.objects.select_for_update(no_key=True, of=("self",)).filter(
            interview__pk=interview_pk
        ).first()
        interview = Interview.objects.select_related("test").filter(pk=interview_pk).first()
        if interview is None:  # deleted before the task ran: nothing to compare
            return 0
        submission_similarity_clear(interview=interview)
        if interview.status not in COMPARED_STATUSES:
            return 0
        now = timezone.now()
        keys = _compared_keys(interview.test)
        pairs = 0
        for compared in compared_texts(interview, keys):
            pairs += _index_and_pair(interview, compared, is_link=keys[compared.key], now=now)
    return pairs


def band_candidates(*, organization_id: int, test_id: int, answer_key: str, keys: list[int]):
    """Signature ids sharing a band key with ``keys``: one lookup on similarity_band_lookup."""
    return SignatureBand.objects.filter(
        organization_id=organization_id, test_id=test_id, answer_key=answer_key, band_key__in=keys
    ).values_list("signature_id", flat=True)


def _index_and_pair(interview: Interview, compared: ComparedText, *, is_link: bool, now) -> int:
    hash_values = hash_values_of(set(compared.shingles))
    keys = band_keys(hash_values)
    scope = {
        "organization_id": interview.organization_id,
        "test_id": interview.test_id,
        "answer_key": compared.key,
    }
    candidate_ids = set(band_candidates(**scope, keys=keys))
    signature = Signature.objects.create(
        interview=interview,
        **scope,
        text_digest=hashlib.sha256(compared.text.encode()).hexdigest(),
        hash_values=hash_values.tobytes(),
        computed_at=now,
    )
    SignatureBand.objects.bulk_create(
        SignatureBand(signature=signature, **scope, band_key=key) for key in keys
    )
    if not candidate_ids:
        return 0
    threshold = settings.MARIOHR_SIMILARITY_THRESHOLD
    similar = [
        (other_interview_id, estimate)
        for other_interview_id, stored in Signature.objects.filter(
            pk__in=candidate_ids, **scope
        ).values_list("interview_id", "hash_values")
        if other_interview_id != interview.pk
        and (estimate := jaccard_estimate(hash_values, hash_values_load(stored))) >= threshold
    ]
    return sum(
        _pair_record(interview, compared, other_interview_id, estimate, is_link=is_link, now=now)
        for other_interview_id, estimate in similar
    )


def _pair_record(interview, compared, other_interview_id, estimate, *, is_link, now) -> bool:
    # Locked: an erasure holding the other interview commits first, and its answer is then
    # gone, so no pair quotes the erased text.
    other = Interview.objects.select_for_update(no_key=True).get(pk=other_interview_id)
    other_answer = Answer.objects.filter(interview=other, key=compared.key).first()
    if other_answer is None:
        return False
    other_text = _redact(str(other_answer.value), _secrets_of(other))
    if is_link:
        passages = [{"first": compared.text, "second": other_text, "words": 0}]
    else:
        passages = passages_matching(compared.text, other_text)
    if other.pk < interview.pk:
        first, second = other, interview
        passages = [{**p, "first": p["second"], "second": p["first"]} for p in passages]
    else:
        first, second = interview, other
    SimilarPair.objects.create(
        organization_id=interview.organization_id,
        test_id=interview.test_id,
        answer_key=compared.key,
        first_interview=first,
        second_interview=second,
        similarity=estimate,
        passages=passages,
        computed_at=now,
    )
    return True
