from integrations.plugins import AtsAppConfig, settings_row_admin_url


class RecruiteeConfig(AtsAppConfig):
    name = "integrations.recruitee"
    label = "recruitee"
    verbose_name = "Recruitee"
    ats_name = "recruitee"
    ats_label = "Recruitee"
    sample_kind = "recruitee_report"

    def settings_admin_url(self, organization) -> str | None:
        return settings_row_admin_url(self.get_model("RecruiteeSettings"), organization)

    def ats_ready(self):
        from .delivery import register

        register()

    def sandbox_configure(self, organization, receiver_url: str) -> list[str]:
        from .services import recruitee_sandbox_configure

        return recruitee_sandbox_configure(organization=organization, receiver_url=receiver_url)

    def sample_request(self, organization, url: str):
        from .sample import sample_request

        return sample_request(organization, url)

    def seed_demo(self, organization) -> list[str]:
        from .demo import demo_lines

        return demo_lines(organization)
