"""Teamtailor's webhook (kebab-case JSON), validated field by field.

Kebab-case names are not Python identifiers, so the serializers are built with ``type()``;
DRF collects their fields all the same and names them in errors as sent
("partner-event.candidate.first-name")."""

from rest_framework import serializers

from .payloads import TEST_FIELD


def kebab_serializer(name: str, fields: dict) -> type[serializers.Serializer]:
    return type(name, (serializers.Serializer,), dict(fields))


def optional_text(max_length: int):
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, allow_null=True
    )


class IdField(serializers.CharField):
    """Teamtailor's ids are numbers (candidate, job) or strings (events, results)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("invalid")
        return super().to_internal_value(str(data))


TriggeredBy = kebab_serializer(
    "TeamtailorTriggeredBy",
    {"id": IdField(max_length=100, required=False), "email": optional_text(320)},
)
Job = kebab_serializer(
    "TeamtailorJob",
    {
        "id": IdField(max_length=100, required=False),
        "title": optional_text(300),
        "stage": optional_text(200),
        "triggered-by": TriggeredBy(required=False, allow_null=True),
    },
)
Candidate = kebab_serializer(
    "TeamtailorCandidate",
    {
        "id": IdField(max_length=100),
        "uuid": optional_text(100),
        "first-name": serializers.CharField(max_length=200),
        "last-name": serializers.CharField(max_length=200),
        "email": serializers.EmailField(max_length=320),
        "phone": optional_text(50),
        "job": Job(required=False, allow_null=True),
    },
)
PartnerResult = kebab_serializer(
    "TeamtailorPartnerResult",
    {
        "id": IdField(max_length=100),
        "status": optional_text(20),
        # Checked against the SSRF guard and Teamtailor's hosts in the view.
        "update-url": serializers.URLField(max_length=2000),
    },
)
WebhookData = kebab_serializer(
    "TeamtailorWebhookData", {TEST_FIELD: serializers.CharField(max_length=100)}
)
Company = kebab_serializer(
    "TeamtailorCompany",
    {"uuid": optional_text(100), "name": optional_text(300), "url": optional_text(2000)},
)
PartnerEvent = kebab_serializer(
    "TeamtailorPartnerEvent",
    {
        "id": IdField(max_length=100),
        "webhook-data": WebhookData(),
        "partner-result": PartnerResult(),
        "candidate": Candidate(),
        # The partner docs nest the company in the event; other examples put it beside.
        "company": Company(required=False, allow_null=True),
    },
)
WebhookInputSerializer = kebab_serializer(
    "TeamtailorWebhook",
    {"partner-event": PartnerEvent(), "company": Company(required=False, allow_null=True)},
)
