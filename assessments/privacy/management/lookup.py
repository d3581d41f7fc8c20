from django.core.management.base import CommandError

from assessments.models import Candidate, Organization
from assessments.privacy.erasure import CandidateNotFound, candidate_find


def candidates_named(*, identifier: str, organization_slug: str) -> list[Candidate]:
    """The candidates a command names (an id, or an email that may name several), or a
    CommandError saying what was not found."""
    organization = Organization.objects.filter(slug=organization_slug).first()
    if organization is None:
        raise CommandError(f"No organization {organization_slug!r}.")
    try:
        return candidate_find(organization=organization, identifier=identifier)
    except CandidateNotFound as error:
        raise CommandError(str(error)) from None
