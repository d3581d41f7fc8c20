from integrations.plugins import AtsAppConfig, settings_row_admin_url

from .errors import envelope


class AshbyConfig(AtsAppConfig):
    name = "integrations.ashby"
    label = "ashby"
    verbose_name = "Ashby"
    ats_name = "ashby"
    ats_label = "Ashby"
    sample_kind = "ashby_update"

    def settings_admin_url(self, organization) -> str | None:
        return settings_row_admin_url(self.get_model("AshbySettings"), organization)

    def ats_ready(self):
        from .delivery import register

        register()

    def configured_targets(self, organization) -> list[str]:
        settings_row = self.get_model("AshbySettings").objects.filter(organization=organization)
        return [row.base_url for row in settings_row]

    def sandbox_configure(self, organization, receiver_url: str) -> list[str]:
        from .services import ashby_sandbox_configure

        return ashby_sandbox_configure(organization=organization, receiver_url=receiver_url)

    def sample_request(self, organization, url: str):
        from .sample import sample_request

        return sample_request(organization, url)

    def seed_demo(self, organization) -> list[str]:
        return [
            "POST /api/ashby/assessment.list, assessment.start, assessment.cancel; Basic "
            "auth with the API key; set the Ashby API key under Ashby settings for updates."
        ]

    def error_body(self, status_code: int, code: str, message: str) -> dict:
        return envelope(code, message)
