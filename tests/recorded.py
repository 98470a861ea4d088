"""The simulators' answers without servers: sources for the in-process gateway.

``World`` holds the synthetic population and the simulators' aiohttp application (the same one
``simulators/server.py`` serves), built once per test session. ``World.table`` is a
``ConnectorTable`` of fakes for ``Sources``: each wraps the REAL connector of its row
(``connectors/registry.py`` ``CONNECTORS``), whose ``Upstream`` hands each GET straight to the
simulators' request handlers in-process instead of over a socket. So the records are the ones a
test over HTTP gets — the simulators' own documents through our real parsers — and each answer
is recorded, per source and call, for the rest of the session.

What the HTTP ``Upstream`` adds (timeouts, retries, the breaker, the size cap) is left out: tests
about those run on real servers (``tests/gatewayfixtures.py``). A test can make a source fail
instead: ``World.table(failing)`` raises ``failing[source]`` from that source's connector.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar, cast

from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from yarl import URL

from connectors.answer import Answer
from connectors.http import Params, Upstream
from connectors.protocols import (
    AppointmentSource,
    ConnectorTable,
    MakeAppointments,
    MakePlans,
    MasterData,
    PersonRegister,
    PlanSource,
)
from connectors.registry import CONNECTORS
from domain.clock import Clock
from domain.errors import UpstreamBadResponse, UpstreamError, UpstreamUnavailable
from domain.records import (
    AppointmentRecord,
    GoalRecord,
    GpPractice,
    OrgUnit,
    PersonRecord,
    PlanRecord,
)
from simulators.population import Population, build_population
from simulators.server import make_app

SIM_BASE = "http://simulators.test"  # never connected to: requests go to the handlers directly
Failing = Mapping[str, UpstreamError]
T = TypeVar("T")


class InProcessUpstream(Upstream):
    """An ``Upstream`` whose GETs are answered by the simulators' handlers, in-process."""

    def __init__(self, app: web.Application, like: Upstream) -> None:
        super().__init__(like.session, like.source, timeout_s=like.timeout_s)
        self.app = app

    async def get_bytes(
        self, url: str, params: Params | None = None, *, accept: str = "*/*"
    ) -> tuple[bytes, str]:
        target = URL(url).extend_query(params) if params else URL(url)
        headers = {"Host": URL(SIM_BASE).raw_authority, "Accept": accept}
        request = make_mocked_request("GET", target.raw_path_qs, headers=headers, app=self.app)
        response = await self.app._handle(request)
        assert isinstance(response, web.Response), response
        # As connectors/http.py reports them: 5xx and 429 as unavailable, other non-200 answers
        # as bad responses naming the status (the connectors read 403 and 404 from it).
        if response.status >= 500 or response.status == 429:
            raise UpstreamUnavailable(self.source, detail=f"HTTP {response.status} from {url}")
        if response.status != 200:
            raise UpstreamBadResponse(self.source, detail=f"HTTP {response.status} from {url}")
        body = response.body
        assert isinstance(body, bytes), type(body)
        return body, response.content_type


@dataclass
class World:
    """The population, the simulators' application and what they answered so far."""

    pop: Population
    app: web.Application
    answers: dict[tuple[object, ...], object] = field(default_factory=dict)

    @classmethod
    def build(cls, clock: Clock) -> World:
        pop = build_population(clock=clock)
        app = make_app(pop)
        app.freeze()
        return cls(pop, app)

    async def recorded(self, key: tuple[object, ...], call: Callable[[], Awaitable[T]]) -> T:
        """``await call()``, once per ``key`` and session (failures are not recorded)."""
        if key not in self.answers:
            self.answers[key] = await call()
        got = cast(T, self.answers[key])
        if isinstance(got, Answer):
            return cast(T, Answer(list(got.records), got.refused))  # each caller its own list
        return got

    def table(self, failing: Failing) -> ConnectorTable:
        """Fakes for every row of ``CONNECTORS``, over the simulators in-process."""

        def sim(up: Upstream, url: str) -> tuple[InProcessUpstream, str]:
            return InProcessUpstream(self.app, up), SIM_BASE + URL(url).raw_path

        def appointments(make: MakeAppointments) -> MakeAppointments:
            return lambda up, url, s, clock: _Appointments(
                self, failing, s.id, make(*sim(up, url), s, clock)
            )

        def plans(make: MakePlans) -> MakePlans:
            return lambda up, url, s, clock: _Plans(
                self, failing, s.id, make(*sim(up, url), s, clock)
            )

        return ConnectorTable(
            appointments={p: appointments(m) for p, m in CONNECTORS.appointments.items()},
            plans={p: plans(m) for p, m in CONNECTORS.plans.items()},
            cpr=lambda up, url: _Person(self, failing, "cpr", CONNECTORS.cpr(*sim(up, url))),
            stamdata=lambda up, url: _Master(
                self, failing, "stamdata", CONNECTORS.stamdata(*sim(up, url))
            ),
        )


@dataclass
class _Fake:
    world: World
    failing: Failing
    source: str

    async def _answer(self, key: tuple[object, ...], call: Callable[[], Awaitable[T]]) -> T:
        if self.source in self.failing:
            raise self.failing[self.source]
        return await self.world.recorded((self.source, *key), call)


@dataclass
class _Appointments(_Fake):
    real: AppointmentSource

    async def search_appointments(
        self, cpr: str, start: datetime | None, end: datetime | None
    ) -> Answer[AppointmentRecord]:
        return await self._answer(
            ("appointments", cpr, start, end),
            lambda: self.real.search_appointments(cpr, start, end),
        )


@dataclass
class _Plans(_Fake):
    real: PlanSource

    async def search_plans(self, cpr: str) -> Answer[PlanRecord]:
        return await self._answer(("plans", cpr), lambda: self.real.search_plans(cpr))

    async def search_goals(self, cpr: str) -> Answer[GoalRecord]:
        return await self._answer(("goals", cpr), lambda: self.real.search_goals(cpr))


@dataclass
class _Person(_Fake):
    real: PersonRegister

    async def person(self, cpr: str) -> PersonRecord | None:
        return await self._answer(("person", cpr), lambda: self.real.person(cpr))


@dataclass
class _Master(_Fake):
    real: MasterData

    async def practice(self, ydernummer: str) -> GpPractice | None:
        return await self._answer(("practice", ydernummer), lambda: self.real.practice(ydernummer))

    async def org(self, sor: str) -> OrgUnit | None:
        return await self._answer(("org", sor), lambda: self.real.org(sor))

    async def ancestors(self, sor: str) -> tuple[str, ...]:
        return await self._answer(("ancestors", sor), lambda: self.real.ancestors(sor))

    async def search(self, text: str, limit: int) -> list[OrgUnit]:
        return await self._answer(("search", text, limit), lambda: self.real.search(text, limit))
