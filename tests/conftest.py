"""Shared fixtures. "Today" for the whole suite comes from one clock.

Set ``SPO_TEST_TODAY=YYYY-MM-DD`` (or ``YYYY-MM-DDTHH:MM``, a Copenhagen wall time) to run every
test as if it were then (the clock still ticks); ``make test-dates`` runs the suite at the times
that break calendars. Without it, the suite runs on the real date.
"""

from __future__ import annotations

import os

import pytest

from domain.clock import SYSTEM_CLOCK, Clock, ShiftedClock

pytest_plugins = [
    "tests.dbfixtures",
    "tests.gatewayfixtures",
    "tests.inprocess",
    "tests.logcapture",
]

TODAY_ENV = "SPO_TEST_TODAY"


def suite_clock() -> Clock:
    """The suite's clock: shifted to ``SPO_TEST_TODAY`` when it is set."""
    day = os.environ.get(TODAY_ENV)
    if not day:
        return SYSTEM_CLOCK
    try:
        return ShiftedClock.parse(day)
    except ValueError as exc:
        raise pytest.UsageError(
            f"{TODAY_ENV}={day!r} is not YYYY-MM-DD or YYYY-MM-DDTHH:MM (Copenhagen time)"
        ) from exc


@pytest.fixture(scope="session")
def clock() -> Clock:
    """What "now" is for the gateway, the simulated population and the tests' expectations."""
    return suite_clock()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "in_process: the test's gateway runs in-process over recorded sources (tests/inprocess.py)",
    )


def pytest_report_header() -> str:
    day = os.environ.get(TODAY_ENV)
    return f"today: {day} ({TODAY_ENV})" if day else "today: the real date"
