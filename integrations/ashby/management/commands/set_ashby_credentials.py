from django.core.management.base import BaseCommand, CommandError

from assessments.models import Organization
from integrations.ashby.services import ashby_credentials_set
from integrations.ssrf import UnsafeURL


class Command(BaseCommand):
    help = "Store an organization's Ashby API key (encrypted) and optionally its API base URL."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The organization's slug.")
        parser.add_argument("--api-key", required=True, help="The customer's Ashby API key.")
        parser.add_argument("--base-url", help="Ashby API base URL (default api.ashbyhq.com).")

    def handle(self, *args, slug, api_key, base_url, **options):
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organization with slug '{slug}'.")
        try:
            ashby_credentials_set(organization=organization, api_key=api_key, base_url=base_url)
        except UnsafeURL as exc:
            raise CommandError(f"Base URL {exc}") from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Ashby credentials stored for {organization.name}.")
