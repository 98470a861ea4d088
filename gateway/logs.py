"""Log hygiene: no CPR number, bearer token or calendar-feed secret in a log line.

The rule is kept where we log: log calls name the request id, the source and the error code,
never query text, variables, tokens or feed URLs. This module is the second line, for text we do
not control (exception messages, third-party log calls, uvicorn's access log, which prints the
request path, and a feed's path is its secret):

- ``redact(text)`` replaces CPR-like numbers (``DDMMYY-SSSS`` or ten digits with a possible day
  and month), bearer tokens and JWT-like strings, ``/calendar/<secret>`` path segments and
  feed-secret-like strings, and URL query strings.
- ``RedactingFilter`` applies it to a record's final message, exception text and stack.
- ``RequestIdFilter`` puts the current request id (``domain/correlation.py``) on each record, so
  every line of a request names it (``-`` outside one).
- ``json_formatter()`` writes each record as one JSON object (structlog's ``ProcessorFormatter``
  over stdlib records: our code keeps calling ``logging``): ``timestamp`` (UTC, ISO 8601),
  ``level``, ``logger``, ``event`` (the message), ``request_id``, and ``exception`` — the
  already-redacted traceback text, never one formatted afresh from the exception.
- ``logging_config(level, fmt)`` is the ``dictConfig`` that ``spo serve``/``spo demo`` install
  and hand to uvicorn (``fmt``: ``"json"``, the default, or ``"plain"``): the root handler
  (which every propagating logger, ``strawberry.execution`` included, reaches) and uvicorn's
  own handlers (``uvicorn``, ``uvicorn.error``, ``uvicorn.access``, which do not propagate) all
  carry the filter. It sits on the handlers, not the loggers: a logger's filter sees only
  records logged to that very logger, not those propagating from its children.

Example::

    >>> redact("GET /calendar/Zm9vYmFy.ics for 010858-9995")
    'GET /calendar/[secret] for [cpr]'
"""

from __future__ import annotations

import copy
import logging
from collections.abc import MutableMapping
from typing import Any

import structlog
import uvicorn.config

from domain.correlation import current_request_id
from domain.redact import redact


class RedactingFilter(logging.Filter):
    """Rewrites each record so that its formatted line holds nothing ``redact`` would replace.

    String arguments are redacted in place, so formatters that read ``record.args`` (uvicorn's
    access formatter) keep working; if the message still needs redacting, it is replaced by the
    redacted final message. Exception and stack text are formatted here and redacted.
    """

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        try:
            message = record.getMessage()
        except Exception:  # a broken log call must not print its raw arguments either
            message = f"{record.msg} {record.args!r}"
            record.args = ()
        clean = redact(message)
        if clean != message or not record.args:
            record.msg, record.args = clean, ()
            # uvicorn formats ``color_message`` with the original arguments when colouring.
            record.__dict__.pop("color_message", None)
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RequestIdFilter(logging.Filter):
    """Sets ``record.request_id`` to the id of the request being served (``-`` outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


def _record_fields(
    logger: Any, method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """The request id and the exception text of the stdlib record, redacted as the line is."""
    record: logging.LogRecord = event["_record"]
    event["request_id"] = getattr(record, "request_id", None) or current_request_id() or "-"
    # structlog would format ``exc_info`` afresh, past RedactingFilter: take the filtered text.
    exc_info = event.pop("exc_info", None)
    text = record.exc_text
    if not text and exc_info:
        text = RedactingFilter._formatter.formatException(exc_info)
    if text:
        event["exception"] = redact(text)
    stack = event.pop("stack_info", None)
    if stack:
        event["stack"] = redact(stack)
    event["event"] = redact(event["event"])
    return event


def json_formatter() -> logging.Formatter:
    """One JSON object per line for every stdlib record (see the module docstring)."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _record_fields,
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.JSONRenderer(sort_keys=True),
        ],
    )


# aiosqlite logs each statement with its parameters at DEBUG; alembic narrates migrations.
QUIET_LOGGERS = {"alembic": "WARNING", "aiosqlite": "INFO"}
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
LOG_FORMATS = ("json", "plain")


def logging_config(level: str = "INFO", fmt: str = "json") -> dict[str, Any]:
    """The ``dictConfig`` for ``spo serve``/``spo demo``, also passed to uvicorn as ``log_config``.

    Every handler gets ``RedactingFilter`` and ``RequestIdFilter``. ``fmt="json"``: every
    handler, uvicorn's included, writes JSON lines; ``"plain"``: uvicorn's own formatters are
    kept and ours prints the request id in brackets. A fresh dict each call: uvicorn edits the
    one it is given.
    """
    if fmt not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {LOG_FORMATS}, not {fmt!r}")
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["filters"] = {
        "redact": {"()": RedactingFilter},
        "request_id": {"()": RequestIdFilter},
    }
    config["formatters"]["plain"] = {
        "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
    }
    config["formatters"]["json"] = {"()": json_formatter}
    config["handlers"]["root"] = {
        "class": "logging.StreamHandler",
        "formatter": "plain",
        "stream": "ext://sys.stderr",
    }
    for handler in config["handlers"].values():
        # The request id first: the redacting filter may rewrite the message, not the id.
        handler["filters"] = ["request_id", "redact"]
        if fmt == "json":
            handler["formatter"] = "json"
    config["root"] = {"level": level, "handlers": ["root"]}
    for name, quiet in QUIET_LOGGERS.items():
        config["loggers"][name] = {"level": quiet}
    return config
