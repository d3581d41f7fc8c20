from django.core.management.base import BaseCommand, CommandError

from assessments import accommodations
from assessments.management.interview_command import interview_named, user_named
from assessments.models import Interview


class Command(BaseCommand):
    help = (
        "Give a candidate extra time as an accommodation, before or during the test: a "
        "percentage of the test's time limit (--percent) and/or minutes (--minutes). Values "
        "not given stay as they are; 0 removes them."
    )

    def add_arguments(self, parser):
        parser.add_argument("partner_interview_id")
        parser.add_argument(
            "--percent", help=f"Extra time, percent of the limit (0-{accommodations.MAX_PERCENT})."
        )
        parser.add_argument(
            "--minutes", help=f"Extra time in minutes (0-{accommodations.MAX_MINUTES})."
        )
        parser.add_argument("--note", help="Internal note: never in the report or the ATS.")
        parser.add_argument("--by", metavar="USERNAME", help="Who set it (a user).")

    def handle(self, *args, partner_interview_id, percent, minutes, note, by, **options):
        if percent is None and minutes is None and note is None:
            raise CommandError("Give --percent, --minutes or --note.")
        interview = interview_named(partner_interview_id)
        try:
            interview = accommodations.accommodation_set(
                interview=interview,
                percent=interview.extra_time_percent if percent is None else percent,
                minutes=interview.extra_time_minutes if minutes is None else minutes,
                note=interview.accommodation_note if note is None else note,
                by=user_named(by),
            )
        except accommodations.FieldInvalid as invalid:
            raise CommandError(f"--{invalid.field.rsplit('_', 1)[-1]} {invalid.problem}.") from None
        except accommodations.AccommodationRefused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(
            f"Time limit: {interview.time_limit_minutes} minutes "
            f"(+{interview.extra_time_percent}% and +{interview.extra_time_minutes} min)."
        )
        if interview.status == Interview.Status.IN_PROGRESS:
            self.stdout.write(f"New deadline: {interview.expires_at.isoformat()}")
