"""`manage.py seed_demo`: the demo organization's Teamtailor settings and how to call us."""

from django.conf import settings

from assessments.models import Organization

from .models import TeamtailorSettings


def teamtailor_demo_seed(*, organization: Organization) -> list[str]:
    TeamtailorSettings.objects.get_or_create(organization=organization)
    base = f"{settings.MARIOHR_BASE_URL}/api/teamtailor"
    return [
        # seed_demo puts "Teamtailor: " before each line; double quotes so the shell expands $KEY.
        f"partner base URL {base} (Bearer: the demo API key, or a provider-key JWT)",
        f'  curl -H "Authorization: Bearer $KEY" {base}/config',
        f'  curl -H "Authorization: Bearer $KEY" {base}/activation/validate',
        "  Set the partner API key in the admin (Teamtailor settings) before results can go out.",
    ]
