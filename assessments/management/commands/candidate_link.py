from django.core.management.base import BaseCommand, CommandError

from assessments.models import Interview
from assessments.services import candidate_link


class Command(BaseCommand):
    help = "Print the candidate's test link for an interview (the link alone on the last line)."

    def add_arguments(self, parser):
        parser.add_argument("partner_interview_id")

    def handle(self, *args, partner_interview_id: str, **options):
        interview = (
            Interview.objects.select_related("candidate", "test")
            .filter(partner_interview_id=partner_interview_id)
            .first()
        )
        if interview is None:
            raise CommandError(f"No interview with partner_interview_id {partner_interview_id!r}.")
        if not interview.is_live:
            self.stderr.write(f"Note: this interview is {interview.status}; the link won't work.")
        self.stderr.write(f"{interview.candidate} · {interview.test.name}")
        self.stdout.write(candidate_link(interview))
