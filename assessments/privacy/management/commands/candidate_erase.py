from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from assessments.models import Organization
from assessments.privacy.erasure import CandidateNotFound, candidate_erase, candidate_find


class Command(BaseCommand):
    help = "Erase a candidate's data in all their interviews; a tombstone records it."

    def add_arguments(self, parser):
        parser.add_argument("candidate", help="The candidate's id or email.")
        parser.add_argument("--organization", required=True, help="The organization's slug.")
        parser.add_argument("--by", required=True, help="Who asked (a username, or a name).")

    def handle(self, *args, candidate, organization, by, **options):
        organization_ = Organization.objects.filter(slug=organization).first()
        if organization_ is None:
            raise CommandError(f"No organization {organization!r}.")
        try:
            candidates = candidate_find(organization=organization_, identifier=candidate)
        except CandidateNotFound as error:
            raise CommandError(str(error)) from None
        user = get_user_model().objects.filter(username=by).first()
        for found in candidates:
            tombstone = candidate_erase(
                candidate=found, by_user_id=user.pk if user else None, by_username=by
            )
            self.stdout.write(f"Erased candidate {found.pk}: {tombstone.removed}")
