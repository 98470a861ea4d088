"""A per-source circuit breaker: stop calling a source that keeps failing, probe it now and then.

::

    closed ──(N consecutive failures)──► open ──(reset_s elapsed)──► half_open
      ▲                                   ▲                              │
      └────────── probe succeeds ─────────┼──────── probe fails ─────────┘

In ``half_open`` exactly one call (the probe) is let through; every other call is rejected until
the probe reports. The breaker only counts; what counts as a failure is the caller's decision
(``connectors/http.py``: timeouts and unavailability trip it, bad responses do not).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

State = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    """Counts consecutive failures of one source and rejects calls while the source is down.

    Args:
        failures: consecutive failures that open the circuit (at least 1).
        reset_s: how long the circuit stays open before a probe is allowed.
        clock: monotonic seconds; injectable so tests need not sleep.

    Usage: ``if not breaker.allow(): raise CircuitOpen(source)``, then report the outcome with
    exactly one of ``record_success``, ``record_failure`` or ``release`` (no verdict, e.g.
    cancelled).
    """

    def __init__(
        self, failures: int, reset_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if failures < 1:
            raise ValueError("failures must be at least 1")
        self.failures = failures
        self.reset_s = reset_s
        self._clock = clock
        self._consecutive = 0
        self._opened_at: float | None = None
        self._probe_since: float | None = None

    @property
    def state(self) -> State:
        """``"closed"``, ``"open"``, or ``"half_open"`` (reset time passed: a probe may go)."""
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.reset_s:
            return "half_open"
        return "open"

    def allow(self) -> bool:
        """Whether a call may go ahead now. In ``half_open`` this grants the one probe."""
        state = self.state
        if state == "closed":
            return True
        if state == "open":
            return False
        now = self._clock()
        # A probe whose outcome never arrived (a bug, a lost task) must not wedge the breaker
        # half-open forever: after another reset period a new probe is allowed.
        if self._probe_since is not None and now - self._probe_since < self.reset_s:
            return False
        self._probe_since = now
        return True

    def record_success(self) -> None:
        """The source answered: close the circuit and forget earlier failures."""
        self._consecutive = 0
        self._opened_at = None
        self._probe_since = None

    def record_failure(self) -> None:
        """The source failed: count it; open (or re-open, after a failed probe) when due."""
        self._consecutive += 1
        if self._opened_at is not None or self._consecutive >= self.failures:
            self._opened_at = self._clock()
            self._probe_since = None

    def release(self) -> None:
        """A call ended without a verdict on the source; free the probe slot if it held it."""
        self._probe_since = None
