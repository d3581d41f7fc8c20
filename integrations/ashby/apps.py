from integrations.plugins import AtsAppConfig

from .errors import envelope


class AshbyConfig(AtsAppConfig):
    name = "integrations.ashby"
    label = "ashby"
    verbose_name = "Ashby"
    ats_name = "ashby"
    ats_label = "Ashby"

    def ats_ready(self):
        from .delivery import register

        register()

    def seed_demo(self, organization) -> list[str]:
        return [
            "POST /api/ashby/assessment.list, assessment.start, assessment.cancel; Basic "
            "auth with the API key; set the Ashby API key under Ashby settings for updates."
        ]

    def error_body(self, status_code: int, code: str, message: str) -> dict:
        return envelope(code, message)
