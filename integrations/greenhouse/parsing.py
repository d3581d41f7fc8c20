import re
from urllib.parse import parse_qs, urlsplit

PEOPLE_PATH = re.compile(r"/people/(\d+)")


def greenhouse_ids_from_profile_url(profile_url: str) -> tuple[str, str]:
    """https://app.greenhouse.io/people/17681532?application_id=26234709 → ids, or ""."""
    parts = urlsplit(profile_url)
    match = PEOPLE_PATH.search(parts.path)
    application = parse_qs(parts.query).get("application_id", [""])[0]
    return (match.group(1) if match else ""), (application if application.isdigit() else "")
