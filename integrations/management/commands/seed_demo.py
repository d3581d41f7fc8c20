from django.core.management.base import BaseCommand
from django.db import transaction

from assessments.demo import demo_organization_seed
from assessments.recordings.demo import demo_recording_policies_seed
from integrations.keys import api_key_issue
from integrations.plugins import all_ats


class Command(BaseCommand):
    help = "Create the demo catalog and organization (idempotent); print a fresh demo API key."

    @transaction.atomic
    def handle(self, *args, **options):
        organization = demo_organization_seed()
        demo_recording_policies_seed()
        tests = ", ".join(t.partner_test_id for t in organization.enabled_tests.all())
        self.stderr.write(f"Demo organization '{organization.slug}' has tests: {tests}")
        for ats in all_ats():
            for line in ats.seed_demo(organization):
                self.stderr.write(f"{ats.ats_label}: {line}")
        _, raw_key = api_key_issue(organization=organization, name="seed_demo")
        self.stdout.write(raw_key)
