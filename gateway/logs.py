"""Log hygiene: no CPR number, bearer token or calendar-feed secret in a log line.

The rule is kept where we log: log calls name the request id, the source and the error code,
never query text, variables, tokens or feed URLs. This module is the second line, for text we do
not control (exception messages, third-party log calls, uvicorn's access log, which prints the
request path, and a feed's path is its secret):

- ``redact(text)`` replaces CPR-like numbers (``DDMMYY-SSSS`` or ten digits with a possible day
  and month), bearer tokens and JWT-like strings, ``/calendar/<secret>`` path segments and
  feed-secret-like strings, and URL query strings.
- ``RedactingFilter`` applies it to a record's final message, exception text and stack.
- ``logging_config()`` is the ``dictConfig`` that ``spo serve``/``spo demo`` install and hand
  to uvicorn: the root handler (which every propagating logger, ``strawberry.execution``
  included, reaches) and uvicorn's own handlers (``uvicorn``, ``uvicorn.error``,
  ``uvicorn.access``, which do not propagate) all carry the filter. It sits on the handlers, not
  the loggers: a logger's filter sees only records logged to that very logger, not those
  propagating from its children.

Example::

    >>> redact("GET /calendar/Zm9vYmFy.ics for 010858-9995")
    'GET /calendar/[secret] for [cpr]'
"""

from __future__ import annotations

import copy
import logging
from typing import Any

import uvicorn.config

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


# aiosqlite logs each statement with its parameters at DEBUG; alembic narrates migrations.
QUIET_LOGGERS = {"alembic": "WARNING", "aiosqlite": "INFO"}
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """The ``dictConfig`` for ``spo serve``/``spo demo``, also passed to uvicorn as ``log_config``.

    uvicorn's own formatters and loggers are kept; every handler gets ``RedactingFilter``.
    A fresh dict each call: uvicorn edits the one it is given.
    """
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["filters"] = {"redact": {"()": RedactingFilter}}
    config["formatters"]["plain"] = {"format": FORMAT}
    config["handlers"]["root"] = {
        "class": "logging.StreamHandler",
        "formatter": "plain",
        "stream": "ext://sys.stderr",
    }
    for handler in config["handlers"].values():
        handler["filters"] = ["redact"]
    config["root"] = {"level": level, "handlers": ["root"]}
    for name, quiet in QUIET_LOGGERS.items():
        config["loggers"][name] = {"level": quiet}
    return config
