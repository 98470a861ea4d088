"""The HTTP surface of ``/graphql``: GraphiQL only when switched on."""

from __future__ import annotations

from typing import Any

from tests.gatewayfixtures import Gateway
from tests.variants import with_graphql

MULTI = "0108589995"
OWN = "query($c: String!) { patientOverview(cpr: $c) { patient { name } } }"
HTML = {"Accept": "text/html"}


async def _request(gw: Gateway, method: str, url: str, **kw: Any) -> tuple[int, str, str]:
    async with gw.session.request(method, url, **kw) as r:
        return r.status, r.headers.get("Cache-Control", ""), await r.text()


async def test_graphiql_only_when_switched_on(gateway: Gateway) -> None:
    bearer = {"Authorization": f"Bearer {gateway.token('citizen-multi')}"}
    for headers, status in ((HTML, 401), ({**HTML, **bearer}, 404)):
        got, _, body = await _request(gateway, "GET", f"{gateway.url}/graphql", headers=headers)
        assert got == status
        assert "graphiql" not in body.lower()
    async with with_graphql(gateway, graphiql=True) as url:
        got, _, body = await _request(gateway, "GET", f"{url}/graphql", headers=HTML)
    assert got == 200
    assert "graphiql" in body.lower()
