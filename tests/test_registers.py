"""The CPR and stamdata simulators and connectors, over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from connectors.cpr import CprConnector
from connectors.http import Upstream
from connectors.stamdata import StamdataConnector
from domain.errors import BadInputError, UpstreamBadResponse, UpstreamUnavailable
from domain.records import Address, GpPractice, OrgUnit, PersonStatus
from simulators import cpr as cpr_sim
from simulators import faults
from simulators import stamdata as stamdata_sim
from simulators.population import Population, build_population

ANCHOR = date(2026, 11, 26)
AUH = "265301000016009"  # Aarhus Universitetshospital (institution)
AUH_HEART = "265311000016006"  # a unit under it
RM = "320161000016009"  # Region Midtjylland (owner)


@dataclass
class World:
    """Both registers on one ephemeral port, with connectors that call them."""

    base_url: str
    session: aiohttp.ClientSession
    pop: Population

    def cpr(self) -> CprConnector:
        upstream = Upstream(self.session, "cpr", timeout_s=2.0)
        return CprConnector(upstream, f"{self.base_url}/cpr")

    def stamdata(self) -> StamdataConnector:
        upstream = Upstream(self.session, "stamdata", timeout_s=2.0)
        return StamdataConnector(upstream, f"{self.base_url}/stamdata")

    async def get(self, path: str) -> tuple[int, Any]:
        async with self.session.get(f"{self.base_url}{path}") as resp:
            return resp.status, await resp.json()

    async def fault(self, register: str, **body: Any) -> None:
        async with self.session.post(f"{self.base_url}/{register}/_faults", json=body) as resp:
            assert resp.status == 200

    async def hits(self, register: str) -> int:
        status, body = await self.get(f"/{register}/_hits")
        assert status == 200
        return int(body["hits"])


WorldFactory = Callable[..., Awaitable[World]]


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


@pytest.fixture
async def start() -> AsyncIterator[WorldFactory]:
    """Start the registers, optionally over a population the test has edited."""
    runners: list[web.AppRunner] = []
    async with aiohttp.ClientSession() as session:

        async def factory(pop: Population | None = None) -> World:
            pop = pop or build_population(ANCHOR)
            root = web.Application()
            for name, module in (("cpr", cpr_sim), ("stamdata", stamdata_sim)):
                sub = web.Application()
                faults.install(sub)
                module.add_routes(sub, pop)
                root.add_subapp(f"/{name}/", sub)
            runner, base_url = await _serve(root)
            runners.append(runner)
            return World(base_url, session, pop)

        try:
            yield factory
        finally:
            for runner in runners:
                await runner.cleanup()


@pytest.fixture
async def world(start: WorldFactory) -> World:
    return await start()


Payload = Callable[[], Any]


@pytest.fixture
async def serve_json() -> AsyncIterator[Callable[[Payload], Awaitable[str]]]:
    """A register answering every GET with a payload the test chose (read at request time)."""
    runners: list[web.AppRunner] = []

    async def factory(payload: Payload) -> str:
        async def answer(request: web.Request) -> web.Response:
            return web.json_response(payload())

        app = web.Application()
        app.router.add_get("/{tail:.*}", answer)
        runner, base_url = await _serve(app)
        runners.append(runner)
        return base_url

    try:
        yield factory
    finally:
        for runner in runners:
            await runner.cleanup()


# --- CPR ---


async def test_person_with_a_gp(world: World) -> None:
    person = await world.cpr().person("010858-9995")
    assert person is not None
    assert person.cpr == "0108589995"
    assert (person.given_name, person.family_name) == ("Poul Erik", "Testesen")
    assert person.address == Address(("Åbyhøjvej 12, 1. th",), "8230", "Åbyhøj", "0751")
    assert person.status is PersonStatus.ALIVE
    assert not person.protected
    assert person.insurance_group == 1
    assert person.gp_ydernummer == "012345"
    assert person.birth_date == date(1958, 8, 1)


async def test_group_2_person_has_no_gp(world: World) -> None:
    person = await world.cpr().person("1502779995")
    assert person is not None
    assert person.insurance_group == 2
    assert person.gp_ydernummer is None


async def test_protected_person_is_flagged_not_hidden(world: World) -> None:
    person = await world.cpr().person("0201609996")
    assert person is not None
    assert person.protected
    assert person.address is not None
    assert person.gp_ydernummer == "054321"


@pytest.mark.parametrize("status", list(PersonStatus))
async def test_person_status(start: WorldFactory, status: PersonStatus) -> None:
    pop = build_population(ANCHOR)
    pop.people["0201919990"] = replace(pop.people["0201919990"], status=status.value)
    person = await (await start(pop)).cpr().person("0201919990")
    assert person is not None
    assert person.status is status


async def test_unknown_person_is_none(start: WorldFactory) -> None:
    pop = build_population(ANCHOR)
    del pop.people["0201919990"]
    world = await start(pop)
    assert await world.cpr().person("0201919990") is None
    assert await world.get("/cpr/person/0201919990") == (
        404,
        {"error": "not-found", "message": "No person with this CPR number."},
    )


async def test_malformed_cpr_is_refused_before_calling(world: World) -> None:
    with pytest.raises(BadInputError):
        await world.cpr().person("3002609995")
    assert await world.hits("cpr") == 0


async def test_simulator_answers_400_for_a_malformed_cpr(world: World) -> None:
    status, body = await world.get("/cpr/person/01085899")
    assert status == 400
    assert body["error"] == "bad-request"


async def test_gp_of_a_person_from_yderregisteret(world: World) -> None:
    person = await world.cpr().person("0108589995")
    assert person is not None
    assert person.gp_ydernummer is not None
    practice = await world.stamdata().practice(person.gp_ydernummer)
    assert practice is not None
    assert practice.name == "Lægerne Jens Michael Larsen"


# --- SOR ---


async def test_unit_with_its_ancestors_up_to_the_owner(world: World) -> None:
    stamdata = world.stamdata()
    unit = await stamdata.org(AUH_HEART)
    assert unit == OrgUnit(
        AUH_HEART,
        "Hjertesygdomme, Aarhus Universitetshospital",
        "unit",
        AUH,
        Address(("Palle Juul-Jensens Boulevard 99",), "8200", "Aarhus N"),
        "+4578452000",
    )
    assert await stamdata.ancestors(AUH_HEART) == (AUH, RM)
    assert await stamdata.ancestors(AUH) == (RM,)
    assert await stamdata.ancestors(RM) == ()


@pytest.mark.parametrize("sor", ["999999999999999", "abc", "12", "../cpr/person/0108589995"])
async def test_unknown_or_malformed_sor_is_none(world: World, sor: str) -> None:
    stamdata = world.stamdata()
    assert await stamdata.org(sor) is None
    assert await stamdata.ancestors(sor) == ()


async def test_malformed_sor_is_not_sent(world: World) -> None:
    await world.stamdata().org("abc")
    assert await world.hits("stamdata") == 0


@pytest.mark.parametrize(
    ("without_address", "expected"),
    [
        # the unit alone: its institution's address
        (
            ["471851000016006"],
            Address(("Silkeborgvej 250",), "8230", "Åbyhøj", "0751"),
        ),
        # unit and institution: skips to the owner
        (
            ["751110016004", "751100016007"],
            Address(("Rådhuspladsen 2",), "8000", "Aarhus C", "0751"),
        ),
        # nobody up the chain has one (this owner has none in the population)
        (["471851000016006", "471841000016002"], None),
    ],
)
async def test_address_is_inherited_from_the_nearest_ancestor_with_one(
    start: WorldFactory, without_address: list[str], expected: Address | None
) -> None:
    pop = build_population(ANCHOR)
    for sor in without_address:
        pop.orgs[sor] = replace(pop.orgs[sor], address=None)
    world = await start(pop)
    unit = await world.stamdata().org(without_address[0])
    assert unit is not None
    assert unit.address == expected
    # The simulator sends the unit as registered; inheriting is the connector's job.
    status, body = await world.get(f"/stamdata/sor/{without_address[0]}")
    assert status == 200
    assert body["address"] is None


# --- Yderregisteret ---


async def test_practice_by_ydernummer(world: World) -> None:
    assert await world.stamdata().practice("012345") == GpPractice(
        "012345",
        "Lægerne Jens Michael Larsen",
        "471841000016002",
        Address(("Silkeborgvej 250",), "8230", "Åbyhøj", "0751"),
        "+4586151515",
        ("Jens Michael Larsen", "Sofie Bech"),
    )


@pytest.mark.parametrize("ydernummer", ["099999", "abc", "1234567", ""])
async def test_unknown_or_malformed_practice_is_none(world: World, ydernummer: str) -> None:
    assert await world.stamdata().practice(ydernummer) is None


# --- faults ---

Call = Callable[[World], Awaitable[object]]
CALLS: dict[str, tuple[str, Call]] = {
    "person": ("cpr", lambda w: w.cpr().person("0108589995")),
    "org": ("stamdata", lambda w: w.stamdata().org(AUH_HEART)),
    "ancestors": ("stamdata", lambda w: w.stamdata().ancestors(AUH_HEART)),
    "practice": ("stamdata", lambda w: w.stamdata().practice("012345")),
}


# simulators/faults.py keys request[FAULT] by a plain str, which aiohttp 3.14 warns about (once
# per process). Drop this filter once FAULT is a web.RequestKey.
@pytest.mark.filterwarnings("ignore::aiohttp.web_exceptions.NotAppKeyWarning")
@pytest.mark.parametrize("call", list(CALLS))
@pytest.mark.parametrize("variant", ["structure", "truncated", "content-type", "utf8"])
async def test_malformed_answers_are_bad_responses(world: World, call: str, variant: str) -> None:
    register, fetch = CALLS[call]
    await world.fault(register, mode="malformed", variant=variant)
    with pytest.raises(UpstreamBadResponse) as caught:
        await fetch(world)
    assert caught.value.source == register


@pytest.mark.parametrize("call", list(CALLS))
async def test_injected_errors_are_unavailable(world: World, call: str) -> None:
    register, fetch = CALLS[call]
    await world.fault(register, mode="error")
    with pytest.raises(UpstreamUnavailable) as caught:
        await fetch(world)
    assert caught.value.source == register


async def test_a_fault_in_one_register_leaves_the_other_alone(world: World) -> None:
    await world.fault("stamdata", mode="error")
    assert await world.cpr().person("0108589995") is not None


# --- strict shapes (a register answering what the test chose) ---

Mutation = Callable[[dict[str, Any]], None]


def _parent(data: dict[str, Any], key: str) -> tuple[Any, str | int]:
    """The container holding dotted ``key`` and the leaf's key (numbers index lists)."""
    *path, leaf = key.split(".")
    target: Any = data
    for part in path:
        target = target[int(part)] if isinstance(target, list) else target[part]
    return target, int(leaf) if isinstance(target, list) else leaf


def _set(key: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        target, leaf = _parent(data, key)
        target[leaf] = value

    return mutate


def _drop(key: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        target, leaf = _parent(data, key)
        del target[leaf]

    return mutate


@pytest.mark.parametrize(
    "mutate",
    [
        _set("cpr", "0201609995"),  # another person's data
        _set("cpr", 108589995),
        _drop("name"),
        _set("name.family", ""),
        _set("birth_date", "1958-13-01"),
        _set("status", "dead"),
        _set("protection.name_address", "no"),
        _set("health_insurance.group", True),
        _set("health_insurance.group", 3),
        _drop("gp"),
        _set("gp", {"ydernummer": 12345}),
        _set("gp", "012345"),
        _set("address.lines", []),
        _drop("address.postcode"),
        _set("address.municipality_code", "751"),
    ],
)
async def test_person_shape_is_strict(
    serve_json: Callable[[Payload], Awaitable[str]], mutate: Mutation
) -> None:
    pop = build_population(ANCHOR)
    data = cpr_sim.person_json(pop.people["0108589995"])
    mutate(data)
    base_url = await serve_json(lambda: data)
    async with aiohttp.ClientSession() as http:
        connector = CprConnector(Upstream(http, "cpr", timeout_s=2.0), base_url)
        with pytest.raises(UpstreamBadResponse) as caught:
            await connector.person("0108589995")
    assert caught.value.source == "cpr"


async def test_person_tolerates_unknown_keys_and_no_address(
    serve_json: Callable[[Payload], Awaitable[str]],
) -> None:
    data = cpr_sim.person_json(build_population(ANCHOR).people["0108589995"])
    data |= {"address": None, "civil_status": "married"}
    base_url = await serve_json(lambda: data)
    async with aiohttp.ClientSession() as http:
        connector = CprConnector(Upstream(http, "cpr", timeout_s=2.0), base_url)
        person = await connector.person("0108589995")
    assert person is not None
    assert person.address is None


def _chain_of(n: int) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        first = data["ancestors"][0]
        data["ancestors"] = [
            {**first, "sor": f"{first['sor'][:-3]}{i:03d}"} if i else first for i in range(n)
        ]

    return mutate


@pytest.mark.parametrize(
    "mutate",
    [
        _set("sor", RM),  # another unit
        _set("level", "department"),
        _drop("address"),
        _set("phone", 4578452000),
        _set("parent", None),  # ancestors then do not start at the parent
        _set("ancestors", [{"sor": RM, "name": "Region Midtjylland", "level": "owner"}]),
        _set("ancestors", None),
        _set("ancestors.0", None),
        _chain_of(17),
    ],
)
async def test_unit_shape_is_strict(
    serve_json: Callable[[Payload], Awaitable[str]], mutate: Mutation
) -> None:
    pop = build_population(ANCHOR)
    data = stamdata_sim.org_json(pop.orgs[AUH_HEART], pop)
    mutate(data)
    base_url = await serve_json(lambda: data)
    async with aiohttp.ClientSession() as http:
        connector = StamdataConnector(Upstream(http, "stamdata", timeout_s=2.0), base_url)
        with pytest.raises(UpstreamBadResponse) as caught:
            await connector.org(AUH_HEART)
    assert caught.value.source == "stamdata"


async def test_ancestors_that_loop_back_are_refused(
    serve_json: Callable[[Payload], Awaitable[str]],
) -> None:
    pop = build_population(ANCHOR)
    data = stamdata_sim.org_json(pop.orgs[AUH_HEART], pop)
    data["ancestors"].append({**data["ancestors"][0]})
    base_url = await serve_json(lambda: data)
    async with aiohttp.ClientSession() as http:
        connector = StamdataConnector(Upstream(http, "stamdata", timeout_s=2.0), base_url)
        with pytest.raises(UpstreamBadResponse):
            await connector.ancestors(AUH_HEART)


@pytest.mark.parametrize(
    "mutate",
    [
        _set("ydernummer", "054321"),
        _set("doctors", "Jens Michael Larsen"),
        _set("sor", "x"),
        _drop("phone"),
        _set("address", "Silkeborgvej 250"),
    ],
)
async def test_practice_shape_is_strict(
    serve_json: Callable[[Payload], Awaitable[str]], mutate: Mutation
) -> None:
    data = stamdata_sim.practice_json(build_population(ANCHOR).practices["012345"])
    mutate(data)
    base_url = await serve_json(lambda: data)
    async with aiohttp.ClientSession() as http:
        connector = StamdataConnector(Upstream(http, "stamdata", timeout_s=2.0), base_url)
        with pytest.raises(UpstreamBadResponse) as caught:
            await connector.practice("012345")
    assert caught.value.source == "stamdata"


# --- SOR search ---


async def test_search_finds_units_by_name_in_any_case(world: World) -> None:
    found = await world.stamdata().search("AARHUS UNIVERSITETSHOSPITAL", 50)
    assert found, "the demo population has Aarhus University Hospital"
    assert all("aarhus universitetshospital" in u.name.casefold() for u in found)
    assert [u.name.casefold() for u in found] == sorted(u.name.casefold() for u in found)
    heart = next(u for u in found if u.sor == AUH_HEART)
    assert (heart.level, heart.parent_sor, heart.address) == ("unit", AUH, None)


async def test_search_by_sor_id_and_its_limit(world: World) -> None:
    (unit,) = await world.stamdata().search(RM, 5)
    assert (unit.sor, unit.level, unit.parent_sor) == (RM, "owner", None)
    assert len(await world.stamdata().search("a", 2)) == 2
    assert await world.stamdata().search("no such unit anywhere", 5) == []


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {"entries": None},
        {"entries": [{"sor": "12", "name": "x", "level": "unit", "parent": None}]},
        {"entries": [{"sor": RM, "name": "", "level": "unit", "parent": None}]},
        {"entries": [{"sor": RM, "name": "x", "level": "ward", "parent": None}]},
        {"entries": [{"sor": RM, "name": "x", "level": "unit", "parent": "nine"}]},
        {"entries": [{"sor": RM, "name": "x", "level": "unit", "parent": None}] * 3},
    ],
)
async def test_search_answers_are_strict(
    serve_json: Callable[[Payload], Awaitable[str]], payload: Any
) -> None:
    base_url = await serve_json(lambda: payload)
    async with aiohttp.ClientSession() as http:
        connector = StamdataConnector(Upstream(http, "stamdata", timeout_s=2.0), base_url)
        with pytest.raises(UpstreamBadResponse) as caught:
            await connector.search("region", 2)
    assert caught.value.source == "stamdata"
