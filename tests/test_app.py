"""The HTTP surface of ``/graphql``: nothing is cached, and GraphiQL only when switched on."""

from __future__ import annotations

from typing import Any

from tests.gatewayfixtures import Gateway, expired
from tests.variants import with_graphql

MULTI = "0108589995"
OWN = "query($c: String!) { patientOverview(cpr: $c) { patient { name } } }"
HTML = {"Accept": "text/html"}


async def _request(gw: Gateway, method: str, url: str, **kw: Any) -> tuple[int, str, str]:
    async with gw.session.request(method, url, **kw) as r:
        return r.status, r.headers.get("Cache-Control", ""), await r.text()


async def test_every_graphql_response_is_no_store(gateway: Gateway) -> None:
    url = f"{gateway.url}/graphql"
    bearer = {"Authorization": f"Bearer {gateway.token('citizen-multi')}"}
    ok = {"query": OWN, "variables": {"c": MULTI}}
    cases: list[tuple[int, str, dict[str, Any]]] = [
        (200, "POST", {"json": ok, "headers": bearer}),  # patient data
        (200, "POST", {"json": {"query": "{ nonsense }"}, "headers": bearer}),  # an error
        (200, "POST", {"json": {**ok, "variables": {"c": "0201609996"}}, "headers": bearer}),
        (401, "POST", {"json": ok}),
        (
            401,
            "POST",
            {
                "json": ok,
                "headers": {"Authorization": f"Bearer {expired(gateway, 'citizen-multi')}"},
            },
        ),
        (413, "POST", {"data": b'{"query": "' + b" " * 70_000 + b'"}', "headers": bearer}),
        (200, "GET", {"params": {"query": "{ __typename }"}, "headers": bearer}),
        (405, "GET", {"params": {"query": "mutation { __typename }"}, "headers": bearer}),
        (401, "GET", {"headers": HTML}),
        (404, "GET", {"headers": {**HTML, **bearer}}),
    ]
    for status, method, kw in cases:
        got, cache_control, body = await _request(gateway, method, url, **kw)
        assert got == status, (method, kw, body)
        assert cache_control == "no-store", (method, kw, got)


async def test_graphiql_only_when_switched_on(gateway: Gateway) -> None:
    bearer = {"Authorization": f"Bearer {gateway.token('citizen-multi')}"}
    for headers, status in ((HTML, 401), ({**HTML, **bearer}, 404)):
        got, _, body = await _request(gateway, "GET", f"{gateway.url}/graphql", headers=headers)
        assert got == status
        assert "graphiql" not in body.lower()
    async with with_graphql(gateway, graphiql=True) as url:
        got, cache_control, body = await _request(gateway, "GET", f"{url}/graphql", headers=HTML)
    assert got == 200
    assert "graphiql" in body.lower()
    assert cache_control == "no-store"
