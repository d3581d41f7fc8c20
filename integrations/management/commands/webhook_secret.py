from django.core.management.base import BaseCommand, CommandError

from assessments.models import Organization
from integrations.credentials import webhook_secret_get, webhook_secret_rotate


class Command(BaseCommand):
    help = "Print an organization's webhook signing secret alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The organization's slug.")
        parser.add_argument("--rotate", action="store_true", help="Replace it with a new one.")

    def handle(self, *args, slug, rotate, **options):
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organization with slug '{slug}'.")
        if rotate:
            secret = webhook_secret_rotate(organization=organization)
            self.stderr.write(f"Rotated the signing secret of {organization.name}.")
        else:
            secret = webhook_secret_get(organization=organization)
        self.stdout.write(secret)
