from assessments import interview_changes as changes
from assessments.management.interview_command import ChangeCommand


class Command(ChangeCommand):
    help = (
        "Start a retake of a submitted, scored or expired test: the attempt is archived for "
        "the report, the candidate gets a new link (the old one stops working) by email, "
        "deadline --days from now (default 7)."
    )

    def handle(self, *args, partner_interview_id, reason, by, days, **options):
        interview = self.change(
            changes.interview_retake,
            partner_interview_id=partner_interview_id,
            by=by,
            reason=reason,
            days=7 if days is None else days,
        )
        self.stdout.write(
            f"Attempt {interview.attempt_number} sent; deadline: {interview.expires_at.isoformat()}"
        )
