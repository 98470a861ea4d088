"""Every test fails if anything it made the code log holds a CPR number, a token or a feed secret.

The autouse fixture ``log_scan`` wraps the log-record factory for the test, so it reads each record
as it is created: from every logger (uvicorn's too, which do not propagate to the root) and
before any handler or filter runs. ``gateway.logs.RedactingFilter`` is a handler filter that only
the CLI installs, so what this sees is what our code (and the libraries it calls) emit, never the
redacted line: the suite passing proves the code paths do not log these, not that the filter
hides them. The root logger is at DEBUG during the test, so records that production's INFO would
not even create are read too; the loggers the CLI pins (``gateway.logs.QUIET_LOGGERS``) are
pinned the same way here.

Flagged: a CPR-like number (``DDMMYY-SSSS`` or ten digits with a possible day and month, standing
alone), any CPR number of the simulated population anywhere, a JWT, a bearer token, a
``/calendar/<secret>`` path or a 43-character URL-safe secret like the feed tokens.

Not read: the simulators' aiohttp server loggers. They are the test's stand-ins for the sources,
whose request URLs carry the CPR number by protocol; the gateway runs no aiohttp server.

A test that logs such text on purpose (to prove a filter removes it) calls ``log_scan.allow()``.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest

from gateway.logs import QUIET_LOGGERS
from simulators.population import build_population

_CPR_LIKE = re.compile(
    r"(?:(?<![0-9A-Za-z])|(?<=%[0-9A-Fa-f]{2}))"
    r"(?:0[1-9]|[12][0-9]|3[01])(?:0[1-9]|1[0-2])[0-9]{2}-?[0-9]{4}(?![0-9A-Za-z])"
)
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.")
_BEARER = re.compile(r"(?i)bearer\s+[A-Za-z0-9._~+/=-]{8,}")
_FEED_PATH = re.compile(r"/calendar/[^\s/?#\"'\[]")
# secrets.token_urlsafe(32): 43 characters; mixed case, so identifiers and hex digests never match.
_SECRET = re.compile(
    r"(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*[A-Z])(?=[A-Za-z0-9_-]*[a-z])[A-Za-z0-9_-]{43}"
    r"(?![A-Za-z0-9_-])"
)
SOURCE_STAND_INS = ("aiohttp.access", "aiohttp.server", "aiohttp.web")


@cache
def _population_cprs() -> re.Pattern[str]:
    cprs = list(build_population().people)
    forms = [*cprs, *(f"{c[:6]}-{c[6:]}" for c in cprs)]
    return re.compile("|".join(map(re.escape, forms)))


def sensitive(text: str) -> str | None:
    """What in ``text`` must not be logged, named; None when nothing."""
    for name, pattern in (
        ("a CPR-like number", _CPR_LIKE),
        ("a CPR number of the population", _population_cprs()),
        ("a JWT", _JWT),
        ("a bearer token", _BEARER),
        ("a calendar-feed path", _FEED_PATH),
        ("a feed-like secret", _SECRET),
    ):
        if pattern.search(text):
            return name
    return None


def record_text(record: logging.LogRecord) -> str:
    """Everything a formatter could print from ``record``: message, exception and stack."""
    try:
        text = record.getMessage()
    except Exception:  # a broken log call would print its raw arguments
        text = f"{record.msg} {record.args!r}"
    if record.exc_info and record.exc_info[1] is not None:
        text += "\n" + "".join(traceback.format_exception(record.exc_info[1]))
    if record.exc_text:
        text += "\n" + record.exc_text
    if record.stack_info:
        text += "\n" + record.stack_info
    return text


class LogScan:
    """The records a test made that hold sensitive text, as they were created."""

    def __init__(self) -> None:
        self.flagged: list[tuple[logging.LogRecord, str, str]] = []
        self.allowed = False

    def allow(self) -> None:
        """This test logs sensitive text on purpose; do not fail it for that."""
        self.allowed = True

    def read(self, record: logging.LogRecord) -> None:
        if record.name is None:
            # ``logging.makeLogRecord`` (structlog's formatter copies each record with it) makes
            # an empty record and fills it from one that was read already.
            return
        if record.name.startswith(SOURCE_STAND_INS):
            return
        text = record_text(record)
        what = sensitive(text)
        if what is not None:
            self.flagged.append((record, what, text))


@pytest.fixture(autouse=True)
def log_scan() -> Iterator[LogScan]:
    scan = LogScan()
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        scan.read(record)
        return record

    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", *QUIET_LOGGERS)}
    root.setLevel(logging.DEBUG)
    for name, quiet in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(quiet)
    logging.setLogRecordFactory(factory)
    try:
        yield scan
    finally:
        logging.setLogRecordFactory(previous)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    if scan.flagged and not scan.allowed:
        lines = [
            f"{r.name} {r.levelname}: {what}:\n{text[:2000]}" for r, what, text in scan.flagged
        ]
        pytest.fail(
            f"{len(lines)} log record(s) hold sensitive text:\n\n" + "\n\n".join(lines),
            pytrace=False,
        )
