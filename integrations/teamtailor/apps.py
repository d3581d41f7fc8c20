from integrations.plugins import AtsAppConfig


class TeamtailorConfig(AtsAppConfig):
    name = "integrations.teamtailor"
    label = "teamtailor"
    verbose_name = "Teamtailor"
    ats_name = "teamtailor"
    ats_label = "Teamtailor"

    def ats_ready(self):
        from .delivery import register

        register()

    def error_body(self, status_code: int, code: str, message: str) -> dict:
        # The shape Teamtailor renders for a failed activation validation.
        return {"errors": [message]}

    def seed_demo(self, organization) -> list[str]:
        from .demo import teamtailor_demo_seed

        return teamtailor_demo_seed(organization=organization)
