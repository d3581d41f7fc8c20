"""Demo data for `manage.py seed_demo`: the Workable settings row and how to call us."""

from django.conf import settings

from .credentials import workable_settings_get


def workable_demo_seed(organization) -> list[str]:
    settings_row = workable_settings_get(organization=organization)
    base = f"{settings.MARIOHR_BASE_URL}/api/workable"
    auth = '-H "Authorization: Bearer $MARIOHR_API_KEY"'
    body = (
        '{"test_id": "py-fastapi-review", "callback_url": '
        f'"https://demo.{settings_row.callback_domain}/assessments/1", '
        '"candidate": {"first_name": "Ada", "last_name": "Lovelace", '
        '"email": "ada@example.com"}}'
    )
    return [
        f"results go to callback URLs on {settings_row.callback_domain}; the Workable token is "
        + ("set." if settings_row.has_results_token else "not set (admin: Workable settings)."),
        f"  curl {auth} {base}/tests",
        f"  curl {auth} -H 'Content-Type: application/json' -d '{body}' {base}/assessments",
    ]
