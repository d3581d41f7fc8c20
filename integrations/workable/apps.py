from integrations.plugins import AtsAppConfig

from .errors import envelope


class WorkableConfig(AtsAppConfig):
    name = "integrations.workable"
    label = "workable"
    verbose_name = "Workable"
    ats_name = "workable"
    ats_label = "Workable"

    def ats_ready(self):
        from .delivery import register

        register()

    def error_body(self, status_code: int, code: str, message: str) -> dict:
        return envelope(status_code, message)

    def seed_demo(self, organization) -> list[str]:
        from .seed import workable_demo_seed

        return workable_demo_seed(organization)
