from integrations.plugins import AtsAppConfig, settings_row_admin_url

from .errors import envelope


class WorkableConfig(AtsAppConfig):
    name = "integrations.workable"
    label = "workable"
    verbose_name = "Workable"
    ats_name = "workable"
    ats_label = "Workable"
    sample_kind = "workable_results"

    def settings_admin_url(self, organization) -> str | None:
        return settings_row_admin_url(self.get_model("WorkableSettings"), organization)

    def ats_ready(self):
        from .delivery import register

        register()

    def sandbox_configure(self, organization, receiver_url: str) -> list[str]:
        from .credentials import workable_sandbox_configure

        return workable_sandbox_configure(organization=organization, receiver_url=receiver_url)

    def sample_request(self, organization, url: str):
        from .sample import sample_request

        return sample_request(organization, url)

    def error_body(self, status_code: int, code: str, message: str) -> dict:
        return envelope(status_code, message)

    def seed_demo(self, organization) -> list[str]:
        from .seed import workable_demo_seed

        return workable_demo_seed(organization)
