from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from assessments.privacy.erasure import CandidateHasLiveTests, candidate_erase
from assessments.privacy.management.lookup import candidates_named


class Command(BaseCommand):
    help = "Erase a candidate's data in all their interviews; a tombstone records it."

    def add_arguments(self, parser):
        parser.add_argument("candidate", help="The candidate's id or email.")
        parser.add_argument("--organization", required=True, help="The organization's slug.")
        parser.add_argument("--by", required=True, help="Who asked (a username, or a name).")

    def handle(self, *args, candidate, organization, by, **options):
        candidates = candidates_named(identifier=candidate, organization_slug=organization)
        user = get_user_model().objects.filter(username=by).first()
        for found in candidates:
            try:
                tombstone = candidate_erase(
                    candidate=found, by_user_id=user.pk if user else None, by_username=by
                )
            except CandidateHasLiveTests as refused:
                raise CommandError(str(refused)) from refused
            self.stdout.write(f"Erased candidate {found.pk}: {tombstone.removed}")
