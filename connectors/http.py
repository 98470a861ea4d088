"""The one way connectors talk HTTP: a per-source ``Upstream`` over the app's shared session.

It owns what every protocol needs: the source's timeout, a cap on response size, translation of
every transport failure into an ``UpstreamError`` naming the source, and resilience:

* **Retries** of these idempotent GETs on connection errors, 5xx and 429, with exponential backoff
  and full jitter, honouring ``Retry-After`` (delta-seconds) up to a cap. Timeouts are *not*
  retried: the attempt already spent the time the caller had.
* **The request deadline** (``domain/deadline.py``): each attempt's timeout is the smaller of
  the source's timeout and the time left; no backoff sleeps past it.
* **A retry budget** per source (``RetryBudget``) so retries cannot multiply load in an outage
  (``connectors/retry.py``: the budget and the backoff).
* **A circuit breaker** per source (``connectors/breaker.py``). Timeouts and unavailability
  (refused, reset, 5xx, 429) count as failures. A bad response does not, and counts as a success:
  the source is up and answering, and one malformed document must not cut every patient off it.

Each fetch is one span (``GET <source>``: the source, the host, the attempts and the outcome,
never the URL's path or query, which name the patient) and is timed and counted by outcome
(``connectors/metrics.py``); ``connectors/transport.py`` sends the span's W3C ``traceparent``
and the request id with every attempt.

Protocol connectors call ``get_json``/``get_bytes`` and never see aiohttp exceptions. Build one
``Upstream`` per source (``Upstream.configured``) and share it, so its breaker and budget see all
of that source's traffic.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from typing import Any

import aiohttp
from opentelemetry import trace

from connectors import metrics
from connectors.breaker import CircuitBreaker
from connectors.retry import RetryBudget, retry_delay
from connectors.transport import Params, Refused, fetch
from domain.deadline import remaining
from domain.errors import (
    CircuitOpen,
    UpstreamBadResponse,
    UpstreamError,
    UpstreamNotConsented,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from domain.settings import Resilience

__all__ = ["Params", "RetryBudget", "Upstream", "consent_refusal"]
tracer = trace.get_tracer("spo.connectors")


class Upstream:
    """HTTP access to one source.

    Args:
        session: the application's one ``aiohttp.ClientSession``.
        source: the configured source id, named in every error.
        timeout_s: total time one attempt may take.
        max_bytes: responses larger than this are refused as bad responses.
        retries: extra attempts after the first on connection errors, 5xx and 429 (0 = none).
        backoff_s: base of the exponential backoff; retry ``n`` sleeps up to
            ``backoff_s * 2**n`` (full jitter).
        retry_after_cap_s: the longest ``Retry-After`` honoured; a longer one ends the call,
            since retrying earlier than the server asked would only add to its load.
        breaker: the source's circuit breaker, or ``None`` for none.
        retry_budget: the source's retry budget, or ``None`` to bound retries by ``retries`` only.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        source: str,
        *,
        timeout_s: float,
        max_bytes: int = 8_000_000,
        retries: int = 0,
        backoff_s: float = 0.05,
        retry_after_cap_s: float = 1.0,
        breaker: CircuitBreaker | None = None,
        retry_budget: RetryBudget | None = None,
    ) -> None:
        self.session = session
        self.source = source
        self.timeout_s = timeout_s
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.max_bytes = max_bytes
        self.retries = retries
        self.backoff_s = backoff_s
        self.retry_after_cap_s = retry_after_cap_s
        self.breaker = breaker
        self.retry_budget = retry_budget
        self._seconds = metrics.SOURCE_SECONDS.labels(source)
        self._attempts = metrics.SOURCE_ATTEMPTS.labels(source)
        self._circuit = metrics.CIRCUIT_OPEN.labels(source)
        self._circuit_open = False
        self._circuit.set(0)

    @classmethod
    def configured(
        cls,
        session: aiohttp.ClientSession,
        source: str,
        *,
        timeout_s: float,
        resilience: Resilience,
        max_bytes: int = 8_000_000,
    ) -> Upstream:
        """An ``Upstream`` with retries, a fresh breaker and a fresh budget from ``resilience``.

        ``resilience.retry_attempts`` is the number of retries after the first attempt.
        """
        return cls(
            session,
            source,
            timeout_s=timeout_s,
            max_bytes=max_bytes,
            retries=resilience.retry_attempts,
            backoff_s=resilience.retry_backoff_s,
            breaker=CircuitBreaker(resilience.breaker_failures, resilience.breaker_reset_s),
            retry_budget=RetryBudget(resilience.retry_budget_ratio),
        )

    async def get_bytes(
        self, url: str, params: Params | None = None, *, accept: str = "*/*"
    ) -> tuple[bytes, str]:
        """GET ``url``; return the body and its content type, or raise an ``UpstreamError``.

        Raises ``CircuitOpen`` without calling the source while its breaker is open, and
        ``UpstreamTimeout`` when the request's deadline has no time left for an attempt.
        """
        started = time.perf_counter()
        outcome = "cancelled"
        with tracer.start_as_current_span(
            f"GET {self.source}",
            kind=trace.SpanKind.CLIENT,
            attributes={
                "spo.source": self.source,
                "http.request.method": "GET",
                "server.address": urllib.parse.urlsplit(url).hostname or "",
            },
            # An exception's message names the URL, and a paged search's URL the patient.
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                result = await self._get_bytes(url, params, accept, span)
                outcome = "ok"
                return result
            except UpstreamError as exc:
                outcome = exc.status.value.lower()
                span.set_status(trace.StatusCode.ERROR, exc.code)
                raise
            finally:
                span.set_attribute("spo.outcome", outcome)
                self._seconds.observe(time.perf_counter() - started)
                metrics.SOURCE_REQUESTS.labels(self.source, outcome).inc()

    async def _get_bytes(
        self, url: str, params: Params | None, accept: str, span: trace.Span
    ) -> tuple[bytes, str]:
        attempt = 0
        error: UpstreamError | None = None
        while True:
            left = remaining()
            if left is not None and left <= 0:
                raise error or UpstreamTimeout(self.source, detail=f"deadline passed before {url}")
            if self.breaker is not None and not self.breaker.allow():
                # A retry the breaker stops (it opened meanwhile) reports what the source did.
                raise error or CircuitOpen(self.source, detail=f"circuit open, not calling {url}")
            if attempt == 0 and self.retry_budget is not None:
                self.retry_budget.deposit()
            limit_s = self.timeout_s if left is None else min(self.timeout_s, left)
            span.set_attribute("spo.attempts", attempt + 1)
            try:
                outcome = await self._attempt(
                    url, params, accept, limit_s, cut=limit_s < self.timeout_s
                )
            except UpstreamUnavailable as exc:
                error, retry_after = exc, None
            else:
                if not isinstance(outcome, Refused):
                    return outcome
                detail = f"HTTP {outcome.status} from {url}"
                error = UpstreamUnavailable(self.source, detail=detail)
                retry_after = outcome.retry_after
            delay = self._retry_delay(attempt, retry_after)
            if delay is None:
                raise error
            await asyncio.sleep(delay)
            attempt += 1

    async def get_json(self, url: str, params: Params | None = None) -> Any:
        """GET a JSON document (FHIR or plain JSON)."""
        body, content_type = await self.get_bytes(
            url, params, accept="application/fhir+json, application/json"
        )
        if not content_type.endswith("json"):
            raise UpstreamBadResponse(self.source, detail=f"content type {content_type!r}")
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            # RecursionError: absurdly deep nesting is a hostile payload, not a gateway bug.
            raise UpstreamBadResponse(self.source, detail=f"invalid JSON: {exc}") from exc

    def _retry_delay(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before retrying, or ``None`` when the call must give up now."""
        if attempt >= self.retries:
            return None
        return retry_delay(
            attempt, retry_after, self.backoff_s, self.retry_after_cap_s, self.retry_budget
        )

    async def _attempt(
        self, url: str, params: Params | None, accept: str, limit_s: float, *, cut: bool
    ) -> tuple[bytes, str] | Refused:
        """One GET, with the breaker told its outcome. ``cut``: the deadline shortened it."""
        self._attempts.inc()
        try:
            result = await fetch(
                self.session, self.source, url, params, accept, limit_s, self.max_bytes
            )
        except UpstreamTimeout:
            # A timeout the request deadline imposed says nothing about the source's health.
            self._report(None if cut else False)
            raise
        except UpstreamUnavailable:
            self._report(False)
            raise
        except UpstreamBadResponse:
            self._report(True)
            raise
        except BaseException:
            self._report(None)
            raise
        self._report(not isinstance(result, Refused))
        return result

    def _report(self, healthy: bool | None) -> None:
        if self.breaker is None:
            return
        if healthy is None:
            self.breaker.release()
        elif healthy:
            self.breaker.record_success()
        else:
            self.breaker.record_failure()
        is_open = self.breaker.state != "closed"
        if is_open != self._circuit_open:
            self._circuit_open = is_open
            self._circuit.set(int(is_open))


def consent_refusal(error: UpstreamBadResponse, requires_consent: bool) -> UpstreamError:
    """What a bad response really is: a 403 from a source that shares only with consent means
    the patient has not consented (``Upstream`` keeps 4xx bodies to itself, so the status is
    what tells)."""
    if requires_consent and error.detail.startswith("HTTP 403 "):
        return UpstreamNotConsented(error.source, detail=error.detail)
    return error
