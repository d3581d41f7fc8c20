"""Abuse limits on the partner API: a request rate per API key and a budget of failed
authentications per client address.

Counters live in the default cache, which every web process shares (Redis in production, a
file cache under `make run`). Both count per fixed window rather than keep DRF's sliding log,
which stores one timestamp per request (thousands per key at the default rate) and rewrites
them all on every call.
"""

import math
import time

from django.conf import settings
from rest_framework import throttling

from mariohr.client_address import client_network

from .models import ApiKey


class FixedWindowThrottle(throttling.SimpleRateThrottle):
    """A SimpleRateThrottle counting hits per fixed window in the shared cache. Its rate is a
    Django setting holding ``(requests, seconds)`` or None (off), read at every request."""

    setting = ""

    def get_rate(self):
        return getattr(settings, self.setting)

    def parse_rate(self, rate):
        return rate or (None, None)

    def window_key(self, ident, window: int | None = None) -> str:
        if window is None:
            now = self.timer()
            window = int(now // self.duration)
            self.window_ends_in = (window + 1) * self.duration - now
        return self.cache_format % {"scope": self.scope, "ident": f"{ident}_{window}"}

    def window_count(self, ident) -> int:
        return self.cache.get(self.window_key(ident), 0)

    def window_add(self, ident, hits: int = 1) -> int:
        """Add hits to the current window's counter (atomic on Redis); return its count."""
        key = self.window_key(ident)
        try:
            return self.cache.incr(key, hits)
        except ValueError:  # the window's first hits
            # A file cache keeps a file until it is read again: drop the last window's.
            window = int(self.timer() // self.duration)
            self.cache.delete(self.window_key(ident, window - 1))
            if self.cache.add(key, hits, math.ceil(self.window_ends_in) + 1):
                return hits
            return self.cache.incr(key, hits)

    def wait(self):
        return self.window_ends_in


class ApiKeyRateThrottle(FixedWindowThrottle):
    """MARIOHR_API_RATE_LIMIT requests per API key, each key counted on its own (an
    organization's second integration has its own budget).

    A process adds its hits to the shared counter in batches of 1% of the limit, so a busy
    key costs one cache write per batch rather than per request (a file-cache write is about
    a millisecond); other processes' unsent hits can let a key exceed its limit by at most
    1% per extra process.
    """

    scope = "api_key"
    setting = "MARIOHR_API_RATE_LIMIT"
    # Per process: api key id → (window key, hits not yet added, shared count last seen).
    unsent: dict = {}

    def get_cache_key(self, request, view):
        return request.auth.pk if isinstance(request.auth, ApiKey) else None

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key_id = self.get_cache_key(request, view)
        if key_id is None:
            return True
        key = self.window_key(key_id)
        seen_key, pending, shared = self.unsent.get(key_id, (key, 0, 0))
        if seen_key != key:  # a new window: the last one's unsent hits no longer matter
            pending, shared = 0, 0
        pending += 1
        if pending >= max(1, self.num_requests // 100):
            shared, pending = self.window_add(key_id, pending), 0
        self.unsent[key_id] = (key, pending, shared)
        return shared + pending <= self.num_requests


class AuthFailureThrottle(FixedWindowThrottle):
    """MARIOHR_AUTH_FAILURE_LIMIT failed authentications per client address; past it, every
    authentication attempt from there is refused before its key is looked at (a right key
    too, or the 429 would tell a guesser which key was right).

    The check costs a successful request at most one cache read, and usually none: a process
    that found an address without failures trusts that for a second (its own failures it
    counts at once), so another process's failures can take that long to be seen here.
    """

    scope = "auth_failure"
    setting = "MARIOHR_AUTH_FAILURE_LIMIT"
    trust_clean_seconds = 1.0
    # Per process: address → (monotonic time of the last look, failures seen then).
    seen: dict = {}

    def get_cache_key(self, request, view=None):
        return client_network(request)

    def allow_request(self, request, view=None):
        if self.rate is None:
            return True
        address = self.get_cache_key(request)
        now = time.monotonic()
        looked_at, failures = self.seen.get(address, (-math.inf, 0))
        if failures == 0 and now - looked_at < self.trust_clean_seconds:
            return True
        failures = self.window_count(address)
        self.remember(address, now, failures)
        return failures < self.num_requests

    def failure_record(self, request) -> None:
        if self.rate is not None:
            address = self.get_cache_key(request)
            self.remember(address, time.monotonic(), self.window_add(address))

    def remember(self, address: str, looked_at: float, failures: int) -> None:
        if len(self.seen) > 10_000:  # many addresses, as in a spread-out attack
            self.seen.clear()
        self.seen[address] = (looked_at, failures)


def local_state_clear() -> None:
    """Forget what this process holds back or remembers (tests: ids and addresses repeat)."""
    ApiKeyRateThrottle.unsent.clear()
    AuthFailureThrottle.seen.clear()
