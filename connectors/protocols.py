"""What the registry (``connectors/registry.py``) needs of a connector: four small Protocols.

The HTTP connectors (``FhirConnector``, ``ApdConnector``, ``CprConnector``,
``StamdataConnector``) satisfy them; so can anything else that answers with records, e.g. the
tests' in-process sources (``tests/inprocess.py``). A connector raises the domain's
``UpstreamError``s for an upstream problem; the registry folds them into ``SourceResult``s.

``ConnectorTable`` says which connector reads which kind of data with which protocol, and how the
registers are read: ``registry.CONNECTORS`` is the one used in production, and the configured
``protocol`` of each source must be one of its rows (``gateway/config.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from connectors.answer import Answer
from connectors.http import Upstream
from domain.clock import Clock
from domain.records import (
    AppointmentRecord,
    GoalRecord,
    GpPractice,
    OrgUnit,
    PersonRecord,
    PlanRecord,
)
from domain.settings import SourceConfig


class AppointmentSource(Protocol):
    """A source's appointments."""

    async def search_appointments(
        self, cpr: str, start: datetime | None, end: datetime | None
    ) -> Answer[AppointmentRecord]:
        """The patient's appointments starting in ``[start, end)`` (``None``: open)."""
        ...


class PlanSource(Protocol):
    """A source's care plans and goals."""

    async def search_plans(self, cpr: str) -> Answer[PlanRecord]: ...

    async def search_goals(self, cpr: str) -> Answer[GoalRecord]: ...


class PersonRegister(Protocol):
    """The CPR register."""

    async def person(self, cpr: str) -> PersonRecord | None:
        """The person, or ``None`` when the register does not know them."""
        ...


class MasterData(Protocol):
    """Stamdata: SOR (organisations) and Yderregisteret (GP practices)."""

    async def practice(self, ydernummer: str) -> GpPractice | None: ...

    async def org(self, sor: str) -> OrgUnit | None: ...

    async def ancestors(self, sor: str) -> tuple[str, ...]:
        """The SOR ids above ``sor``, nearest first."""
        ...

    async def search(self, text: str, limit: int) -> list[OrgUnit]:
        """Units whose name holds ``text`` (or whose SOR id is it), at most ``limit``."""
        ...


# How each connector is made: from the source's ``Upstream``, its endpoint URL, its
# configuration and the gateway's clock (the registers have no source configuration).
MakeAppointments = Callable[[Upstream, str, SourceConfig, Clock], AppointmentSource]
MakePlans = Callable[[Upstream, str, SourceConfig, Clock], PlanSource]
MakePersonRegister = Callable[[Upstream, str], PersonRegister]
MakeMasterData = Callable[[Upstream, str], MasterData]


@dataclass(frozen=True, slots=True)
class ConnectorTable:
    """From configuration to connector: per kind of data, a maker for each protocol it can be
    read with; and a maker for each register."""

    appointments: Mapping[str, MakeAppointments]
    plans: Mapping[str, MakePlans]
    cpr: MakePersonRegister
    stamdata: MakeMasterData

    def protocols(self, kind: str) -> tuple[str, ...]:
        """The protocols ``kind`` (``appointments`` or ``plans``) can be read with."""
        rows: Mapping[str, object] = {"appointments": self.appointments, "plans": self.plans}[kind]
        return tuple(rows)
