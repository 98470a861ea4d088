from __future__ import annotations

import pytest

from connectors.breaker import CircuitBreaker


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(failures: int = 3, reset_s: float = 10.0) -> tuple[CircuitBreaker, FakeClock]:
    clock = FakeClock()
    return CircuitBreaker(failures, reset_s, clock=clock), clock


def state(breaker: CircuitBreaker) -> str:
    # Through a plain str, since mypy narrows the Literal property across assertions.
    return breaker.state


def trip(breaker: CircuitBreaker) -> None:
    for _ in range(breaker.failures):
        assert breaker.allow()
        breaker.record_failure()


def test_starts_closed_and_allows() -> None:
    breaker, _ = make()
    assert state(breaker) == "closed"
    assert breaker.allow()


def test_opens_after_n_consecutive_failures() -> None:
    breaker, _ = make(failures=3)
    breaker.record_failure()
    breaker.record_failure()
    assert state(breaker) == "closed"
    breaker.record_failure()
    assert state(breaker) == "open"
    assert not breaker.allow()


def test_a_success_resets_the_count() -> None:
    breaker, _ = make(failures=3)
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    breaker.record_failure()
    assert state(breaker) == "closed"


def test_half_open_after_reset_lets_exactly_one_probe_through() -> None:
    breaker, clock = make(reset_s=10.0)
    trip(breaker)
    clock.now += 9.9
    assert state(breaker) == "open"
    assert not breaker.allow()
    clock.now += 0.1
    assert state(breaker) == "half_open"
    assert breaker.allow()
    assert not breaker.allow()
    assert not breaker.allow()


def test_probe_success_closes() -> None:
    breaker, clock = make()
    trip(breaker)
    clock.now += 10
    assert breaker.allow()
    breaker.record_success()
    assert state(breaker) == "closed"
    assert breaker.allow()
    assert breaker.allow()


def test_probe_failure_reopens_for_a_full_reset_period() -> None:
    breaker, clock = make(reset_s=10.0)
    trip(breaker)
    clock.now += 10
    assert breaker.allow()
    breaker.record_failure()
    assert state(breaker) == "open"
    assert not breaker.allow()
    clock.now += 9.9
    assert not breaker.allow()
    clock.now += 0.1
    assert breaker.allow()


def test_released_probe_frees_the_slot() -> None:
    breaker, clock = make()
    trip(breaker)
    clock.now += 10
    assert breaker.allow()
    breaker.release()
    assert state(breaker) == "half_open"
    assert breaker.allow()


def test_a_lost_probe_does_not_wedge_the_breaker() -> None:
    breaker, clock = make(reset_s=10.0)
    trip(breaker)
    clock.now += 10
    assert breaker.allow()
    clock.now += 9
    assert not breaker.allow()
    clock.now += 1
    assert breaker.allow()


@pytest.mark.parametrize("failures", [0, -1])
def test_failures_must_be_positive(failures: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        CircuitBreaker(failures, 1.0)
