from integrations.plugins import AtsAppConfig, settings_row_admin_url


class TeamtailorConfig(AtsAppConfig):
    name = "integrations.teamtailor"
    label = "teamtailor"
    verbose_name = "Teamtailor"
    ats_name = "teamtailor"
    ats_label = "Teamtailor"
    sample_kind = "teamtailor_result"

    def settings_admin_url(self, organization) -> str | None:
        return settings_row_admin_url(self.get_model("TeamtailorSettings"), organization)

    def ats_ready(self):
        from .delivery import register

        register()

    def sandbox_configure(self, organization, receiver_url: str) -> list[str]:
        from .services import teamtailor_sandbox_configure

        return teamtailor_sandbox_configure(organization=organization, receiver_url=receiver_url)

    def sample_request(self, organization, url: str):
        from .sample import sample_request

        return sample_request(organization, url)

    def error_body(self, status_code: int, code: str, message: str) -> dict:
        # The shape Teamtailor renders for a failed activation validation.
        return {"errors": [message]}

    def seed_demo(self, organization) -> list[str]:
        from .demo import teamtailor_demo_seed

        return teamtailor_demo_seed(organization=organization)
