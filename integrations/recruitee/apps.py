from integrations.plugins import AtsAppConfig


class RecruiteeConfig(AtsAppConfig):
    name = "integrations.recruitee"
    label = "recruitee"
    verbose_name = "Recruitee"
    ats_name = "recruitee"
    ats_label = "Recruitee"

    def ats_ready(self):
        from .delivery import register

        register()

    def seed_demo(self, organization) -> list[str]:
        from .demo import demo_lines

        return demo_lines(organization)
