"""The registry of delivery kinds: how each kind of outbound call is built and judged.

A kind registers ``build_request(delivery) -> OutboundRequest``, called at every attempt so a
retry or replay carries current data, and optionally ``interpret_response(delivery,
status_code, headers, body_bytes) -> Outcome | None`` for receivers whose status codes lie
(Ashby answers 200 with ``{"success": false}``). ``None`` falls back to the default rules.
``build_request`` may raise ``Postpone`` when the message is not ready to go yet,
``Superseded`` when newer news has been delivered (the delivery stops), or
``CredentialsMissing`` (shown in the admin as a credentials problem). An optional
``replay(delivery) -> Delivery`` replaces the default Replay (same event, new webhook-id).

The engine hands ``build_request`` the delivery loaded with its organization, interview
(candidate, test, reviewer, recording, report rows) and integration settings
(``services.delivery_settings_row``): read them from it rather than query them again. A kind
that reads more (its ATS's settings row) names the relations in ``loads``
(``"organization__ashby_settings"``): they join the same single load query.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OutboundRequest:
    method: str
    url: str
    json_body: dict | list | None
    basic_auth: tuple[str, str] | None = None
    headers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    SUCCESS = "success"
    RETRY = "retry"
    STOP = "stop"

    result: str
    error: str = ""
    # Seconds the receiver asked us to wait (Retry-After); the engine caps it.
    retry_after: float | None = None
    # 401/403 and the like: shown in the admin as a credentials problem to fix.
    credentials_problem: bool = False

    @classmethod
    def success(cls) -> "Outcome":
        return cls(cls.SUCCESS)

    @classmethod
    def retry(cls, error: str, *, retry_after=None, credentials_problem=False) -> "Outcome":
        return cls(cls.RETRY, error, retry_after, credentials_problem)

    @classmethod
    def stop(cls, error: str, *, credentials_problem=False) -> "Outcome":
        return cls(cls.STOP, error, None, credentials_problem)


class Postpone(Exception):
    """Not yet: try again in ``seconds``. Not an attempt; no retry is used up."""

    def __init__(self, reason: str, *, seconds: float):
        super().__init__(reason)
        self.reason = reason
        self.seconds = seconds


class Superseded(Exception):
    """A newer message of the same ordered stream was delivered; sending this one would
    roll the receiver back. The delivery stops without sending."""


class CredentialsMissing(Exception):
    """The organization has not configured what this kind needs to authenticate."""


@dataclass(frozen=True)
class Kind:
    name: str
    build_request: Callable
    interpret_response: Callable | None = None
    replay: Callable | None = None
    loads: tuple[str, ...] = ()


_registry: dict[str, Kind] = {}


class UnknownKind(LookupError):
    pass


def register(
    name: str,
    build_request: Callable,
    interpret_response: Callable | None = None,
    *,
    replay: Callable | None = None,
    loads: tuple[str, ...] = (),
):
    _registry[name] = Kind(name, build_request, interpret_response, replay, tuple(loads))


def relations_loaded() -> list[str]:
    """What the registered kinds read beyond the engine's own joins (select_related paths)."""
    return sorted({path for kind in _registry.values() for path in kind.loads})


def get(name: str) -> Kind:
    try:
        return _registry[name]
    except KeyError:
        raise UnknownKind(f"No delivery kind registered as {name!r}.") from None


def registered() -> list[str]:
    return sorted(_registry)
