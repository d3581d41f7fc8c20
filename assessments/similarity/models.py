"""What similarity keeps: one MinHash signature per compared answer, its LSH band keys (the
indexed lookup of candidates) and the pairs that reached the threshold, with their passages."""

from django.db import models
from django.db.models import F, Q

from assessments.models import Interview, Organization, Test


class Signature(models.Model):
    """The MinHash signature of one answer (``answer_key``) of one submitted interview."""

    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, related_name="similarity_signatures"
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    test = models.ForeignKey(Test, on_delete=models.CASCADE, related_name="+")
    answer_key = models.CharField(max_length=40)
    # sha256 of the compared text (after redaction and normalization): what was compared.
    text_digest = models.CharField(max_length=64)
    # num_perm unsigned 32-bit hash values (datasketch's "affine32" scheme), little-endian.
    hash_values = models.BinaryField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "answer_key"], name="similarity_one_signature_per_answer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.answer_key} of {self.interview_id}"


class SignatureBand(models.Model):
    """One LSH band of a signature, hashed to 64 bits. Two answers whose signatures share a
    band key are candidates; the index makes finding them one lookup, not a scan."""

    signature = models.ForeignKey(Signature, on_delete=models.CASCADE, related_name="bands")
    # Copied from the signature so the lookup never leaves this table's index. No index of
    # their own: with one, a planner short of statistics picks it over the band keys' index.
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    test = models.ForeignKey(Test, on_delete=models.CASCADE, related_name="+", db_index=False)
    answer_key = models.CharField(max_length=40)
    band_key = models.BigIntegerField()

    class Meta:
        indexes = [
            # The band key first: the lookup's IN list is then the index condition whatever
            # the planner's statistics say, not a filter over every band of the test.
            models.Index(
                fields=["band_key", "organization", "test", "answer_key"],
                name="similarity_band_lookup",
            )
        ]

    def __str__(self) -> str:
        return f"band {self.band_key} of {self.signature_id}"


class SimilarPair(models.Model):
    """Two interviews of one test and organization whose answers ``answer_key`` look alike.

    Stored once, with ``first_interview_id < second_interview_id``; each side's page lists it.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    test = models.ForeignKey(Test, on_delete=models.CASCADE, related_name="+")
    answer_key = models.CharField(max_length=40)
    first_interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="+")
    second_interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="+")
    # The MinHash estimate of the Jaccard similarity of the two answers' shingle sets.
    similarity = models.FloatField()
    # [{"first": passage, "second": passage, "words": matched words}, ...], longest first.
    passages = models.JSONField(default=list)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-similarity", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["first_interview", "second_interview", "answer_key"],
                name="similarity_one_pair_per_answer",
            ),
            models.CheckConstraint(
                condition=Q(first_interview__lt=F("second_interview")),
                name="similarity_pair_ordered",
            ),
        ]
        indexes = [models.Index(fields=["second_interview"], name="similarity_pair_second")]

    def __str__(self) -> str:
        return f"{self.first_interview_id} ~ {self.second_interview_id} ({self.answer_key})"
