"""Log lines with the request id: human-readable by default, one JSON object per line under
``MARIOHR_LOG_FORMAT=json`` (production: a log shipper indexes the fields).

Every logger of the process (Django's, Celery's, MarioHR's) goes through the standard library;
structlog only renders. The request id is read when the line is written, so a line logged
inside a request or a Celery task carries that request's id wherever it was logged from.
"""

import logging
import logging.config

import structlog

from .request_id import current_request_id


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record the handler emits ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            # Django logs a 4xx/5xx after the middleware returned, with the request attached.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or current_request_id() or "-"
        return True


def _add_request_id(logger, method_name: str, event_dict: dict) -> dict:
    record = event_dict.get("_record")
    if record is not None:
        RequestIdFilter().filter(record)
    value = getattr(record, "request_id", None) or current_request_id()
    event_dict["request_id"] = "" if value == "-" else value
    return event_dict


def _add_process(logger, method_name: str, event_dict: dict) -> dict:
    record = event_dict.get("_record")
    if record is not None:
        event_dict["process"] = record.process
    return event_dict


class JSONFormatter(structlog.stdlib.ProcessorFormatter):
    """{"timestamp", "level", "logger", "event", "request_id", "process"[, "exception"]}."""

    def __init__(self, *args, **kwargs):
        super().__init__(
            foreign_pre_chain=[
                structlog.stdlib.add_log_level,
                structlog.stdlib.add_logger_name,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                _add_request_id,
                _add_process,
            ],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(),
            ],
        )


PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def formatter_for(log_format: str) -> logging.Formatter:
    return JSONFormatter() if log_format == "json" else logging.Formatter(PLAIN_FORMAT)


def handlers_dress(logger: logging.Logger, log_format: str) -> None:
    """Give a logger's handlers the request id and the chosen format: Celery's worker
    replaces the root logger's handlers with its own (mariohr/ops_celery.py calls this)."""
    for handler in logger.handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
        handler.setFormatter(formatter_for(log_format))


def logging_configure(config: dict) -> None:
    """LOGGING_CONFIG: Django's dictConfig, and under JSON Python's warnings become log
    records too (they would otherwise print bare), so every line on stderr is one object."""
    logging.config.dictConfig(config)
    if config["handlers"]["console"]["formatter"] == "json":
        logging.captureWarnings(True)
