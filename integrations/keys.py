"""Issuing, checking and revoking organization API keys."""

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.utils import timezone

from assessments.models import Organization

from .models import ApiKey

KEY_PREFIX = "mhr_"
VISIBLE_CHARS = 12
# Greenhouse rejects keys of 171 characters or more; ours are 47, URL-safe, with no ':'.
MAX_KEY_LENGTH = 170
LAST_USED_RESOLUTION = timedelta(minutes=1)
# What an issued key can look like; anything else is refused before touching the database.
KEY_SHAPE = re.compile(r"mhr_[A-Za-z0-9_-]{8,166}")


def hash_key(raw_key: str) -> str:
    # Keys carry 256 random bits, so a fast hash is right; a slow password hasher would
    # cost every API request tens of milliseconds for no added safety.
    return hashlib.sha256(raw_key.encode()).hexdigest()


def api_key_issue(*, organization: Organization, name: str = "Default") -> tuple[ApiKey, str]:
    """Create a key and return it with its plaintext, which is never stored or shown again."""
    raw_key = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        organization=organization,
        name=name,
        prefix=raw_key[:VISIBLE_CHARS],
        key_hash=hash_key(raw_key),
    )
    return api_key, raw_key


def api_key_authenticate(raw_key: str) -> ApiKey | None:
    if len(raw_key) > MAX_KEY_LENGTH or not KEY_SHAPE.fullmatch(raw_key):
        return None
    candidate_hash = hash_key(raw_key)
    match = None
    # One indexed read, unordered (ApiKey's default ordering would add a sort); a prefix is
    # shared by at most a few keys, each compared in constant time.
    candidates = (
        ApiKey.objects.select_related("organization")
        .filter(prefix=raw_key[:VISIBLE_CHARS])
        .order_by()
    )
    for api_key in candidates:
        if hmac.compare_digest(api_key.key_hash, candidate_hash):
            match = api_key
    if match is None or not match.is_active or not match.organization.is_active:
        return None
    now = timezone.now()
    if match.last_used_at is None or now - match.last_used_at > LAST_USED_RESOLUTION:
        # Bounded write rate: at most one update a minute per key, not one per request.
        ApiKey.objects.filter(pk=match.pk).update(last_used_at=now)
    return match


def api_key_revoke(*, api_key: ApiKey) -> None:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
