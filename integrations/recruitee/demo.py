"""What `seed_demo` prints for Recruitee: the two calls Recruitee makes, ready to paste."""

from django.conf import settings

from . import conf
from .services import recruitee_settings_get


def demo_lines(organization) -> list[str]:
    recruitee_settings_get(organization=organization)  # the row the admin shows
    base = f"{settings.MARIOHR_BASE_URL}/api/recruitee"
    lines = [
        f"partner.urls: tests = {base}/tests, send_candidate = {base}/send_candidate",
        f'  curl -H "Authorization: Bearer $MARIOHR_API_KEY" {base}/tests',
        f'  curl -H "Authorization: Bearer $MARIOHR_API_KEY" -H "Content-Type: application/json" '
        f'{base}/send_candidate -d \'{{"first_name": "Jon", "last_name": "Snow", '
        f'"email": "jon@example.com", "candidate_id": 1, "company_id": 1, '
        f'"report_id": "bb83dc83-91b2-46a5-8a21-824067f29c68", "test_id": "py-fastapi-review", '
        f'"test_name": "Python"}}\'',
    ]
    if not conf.partner_secret():
        lines.append(
            "  Reports stay queued until MARIOHR_RECRUITEE_PARTNER_SECRET and "
            "MARIOHR_RECRUITEE_CODENAME are set."
        )
    return lines
