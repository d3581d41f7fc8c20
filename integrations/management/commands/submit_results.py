from django.core.management.base import BaseCommand, CommandError

from assessments.models import Interview
from integrations.delivery.services import DeliveryNotPossible, delivery_submit_results


class Command(BaseCommand):
    help = "Queue the results callback for an interview, exactly as the admin action does."

    def add_arguments(self, parser):
        # New ids never start with "-"; older ones may: pass them after "--".
        parser.add_argument("partner_interview_id", help="e.g. submit_results -- -Ab3...")

    def handle(self, *args, partner_interview_id, **options):
        interview = Interview.objects.filter(partner_interview_id=partner_interview_id).first()
        if interview is None:
            raise CommandError(f"No interview with partner_interview_id '{partner_interview_id}'.")
        try:
            delivery = delivery_submit_results(interview=interview)
        except DeliveryNotPossible as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Queued {delivery.kind} {delivery.webhook_id} for {partner_interview_id} "
            f"(status {interview.status}) to {delivery.target_url}"
        )
