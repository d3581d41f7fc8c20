from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.privacy.export import candidate_export_zip
from assessments.privacy.management.lookup import candidates_named


class Command(BaseCommand):
    help = "Write everything held about a candidate (JSON and recording files) to a zip."

    def add_arguments(self, parser):
        parser.add_argument("candidate", help="The candidate's id or email.")
        parser.add_argument("--organization", required=True, help="The organization's slug.")
        parser.add_argument("--output", default="", help="The zip (candidate-<id>-export.zip).")

    def handle(self, *args, candidate, organization, output, **options):
        candidates = candidates_named(identifier=candidate, organization_slug=organization)
        if len(candidates) > 1 and output:
            raise CommandError("Several candidates have this email: export each by id.")
        for found in candidates:
            path = Path(output or f"candidate-{found.pk}-export.zip")
            with path.open("wb") as target:
                files = candidate_export_zip(candidate=found, target=target)
            self.stdout.write(f"Wrote {path} ({files} file(s)).")
