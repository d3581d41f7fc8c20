"""Demo data: py-fastapi-review requires a recording so the demo shows the whole flow."""

from assessments.models import Test

from .models import RecordingPolicy

DEMO_POLICIES = {"py-fastapi-review": RecordingPolicy.Mode.REQUIRED}


def demo_recording_policies_seed() -> list[RecordingPolicy]:
    policies = []
    for test in Test.objects.filter(partner_test_id__in=DEMO_POLICIES):
        policy, _ = RecordingPolicy.objects.update_or_create(
            test=test, defaults={"mode": DEMO_POLICIES[test.partner_test_id]}
        )
        policies.append(policy)
    return policies
