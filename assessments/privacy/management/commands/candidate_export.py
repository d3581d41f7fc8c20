from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Organization
from assessments.privacy.erasure import CandidateNotFound, candidate_find
from assessments.privacy.export import candidate_export_zip


class Command(BaseCommand):
    help = "Write everything held about a candidate (JSON and recording files) to a zip."

    def add_arguments(self, parser):
        parser.add_argument("candidate", help="The candidate's id or email.")
        parser.add_argument("--organization", required=True, help="The organization's slug.")
        parser.add_argument("--output", default="", help="The zip (candidate-<id>-export.zip).")

    def handle(self, *args, candidate, organization, output, **options):
        organization_ = Organization.objects.filter(slug=organization).first()
        if organization_ is None:
            raise CommandError(f"No organization {organization!r}.")
        try:
            candidates = candidate_find(organization=organization_, identifier=candidate)
        except CandidateNotFound as error:
            raise CommandError(str(error)) from None
        if len(candidates) > 1 and output:
            raise CommandError("Several candidates have this email: export each by id.")
        for found in candidates:
            path = Path(output or f"candidate-{found.pk}-export.zip")
            with path.open("wb") as target:
                files = candidate_export_zip(candidate=found, target=target)
            self.stdout.write(f"Wrote {path} ({files} file(s)).")
