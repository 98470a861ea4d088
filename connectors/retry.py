"""Retrying an upstream call: when to wait and how long, and a budget that keeps retries from
multiplying the load on a source in an outage (``connectors/http.py`` retries with these).
"""

from __future__ import annotations

import random

from domain.deadline import remaining


class RetryBudget:
    """A token bucket bounding retries to a fraction of first attempts.

    Each first attempt deposits ``ratio`` tokens (up to ``cap``); each retry spends one. With
    ``ratio=0.2`` a failing source sees at most ~20 % extra requests beyond a burst of ``cap``,
    however many retries each call is allowed. It starts full so a blip right after start-up
    can still be retried.
    """

    def __init__(self, ratio: float, cap: float = 10.0) -> None:
        self.ratio = ratio
        self.cap = cap
        self.tokens = cap

    def deposit(self) -> None:
        """Credit one first attempt."""
        self.tokens = min(self.cap, self.tokens + self.ratio)

    def try_spend(self) -> bool:
        """Take one token for a retry; ``False`` (and take nothing) when the budget is spent."""
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` as delta-seconds; the HTTP-date form and garbage are ignored."""
    if value is None or not value.strip().isdigit():
        return None
    return float(value.strip())


def retry_delay(
    attempt: int,
    retry_after: float | None,
    backoff_s: float,
    retry_after_cap_s: float,
    budget: RetryBudget | None,
) -> float | None:
    """Seconds to wait before retry ``attempt + 1``, or ``None`` when the call must give up now.

    The server's ``Retry-After`` when it gave one (a longer one than ``retry_after_cap_s`` ends
    the call), else exponential backoff with full jitter; never past the request's deadline, and
    only while ``budget`` has a token left.
    """
    if retry_after is not None:
        if retry_after > retry_after_cap_s:
            return None
        delay = retry_after
    else:
        # Full jitter: spreads the retries of many callers instead of synchronising them.
        delay = random.uniform(0.0, backoff_s * 2**attempt)  # noqa: S311 - not crypto
    left = remaining()
    if left is not None and delay >= left:
        return None
    # Spend a token only once the retry is otherwise certain to happen.
    if budget is not None and not budget.try_spend():
        return None
    return delay
