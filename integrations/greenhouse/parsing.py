import re
from urllib.parse import parse_qs, urlsplit

# ASCII digits, bounded, so a hostile URL cannot overflow the 100-character id columns.
PEOPLE_PATH = re.compile(r"/people/([0-9]{1,30})(?:/|$)")
NUMERIC_ID = re.compile(r"[0-9]{1,30}")


def greenhouse_ids_from_profile_url(profile_url: str) -> tuple[str, str]:
    """https://app.greenhouse.io/people/17681532?application_id=26234709 → ids, or ""."""
    parts = urlsplit(profile_url)
    match = PEOPLE_PATH.search(parts.path)
    application = parse_qs(parts.query).get("application_id", [""])[0]
    return (
        match.group(1) if match else "",
        application if NUMERIC_ID.fullmatch(application) else "",
    )
