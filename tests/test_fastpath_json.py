"""GraphQL responses are written by orjson (``GraphQLApp.encode_json``) and mean what
Strawberry's ``json.dumps`` meant: the same values, non-ASCII as it is, never NaN."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from gateway.app import GraphQLApp
from resolvers.schema import build_schema
from tests.gatewayfixtures import Gateway

APP = GraphQLApp(build_schema())
ODD_TEXT = 'Åbyhøj æ \u2028 \u2029 \x00 \t "quoted" \\ 😀 </script>'


@pytest.mark.parametrize(
    "data",
    [
        {"data": {"patientOverview": {"patient": {"name": ODD_TEXT, "cpr": "0108589995"}}}},
        {"data": {"a": [1, -2, 2**31 - 1, 0.1, 1e-7, 1e300, True, False, None, [], {}]}},
        {"data": None, "errors": [{"message": ODD_TEXT, "path": ["a", 0], "extensions": {}}]},
        {"data": {"big": 2**70}, "extensions": {1: "a key that is not a string"}},
    ],
)
def test_orjson_writes_what_json_wrote(data: dict[str, Any]) -> None:
    encoded = APP.encode_json(data)
    assert isinstance(encoded, bytes)
    before = json.dumps(data, separators=(",", ":"))  # Strawberry's own encoder
    assert json.loads(encoded) == json.loads(before)
    assert b"\\u00e6" not in encoded  # non-ASCII as it is, in UTF-8


def test_non_ascii_is_written_as_utf8_and_nan_never_appears() -> None:
    assert APP.encode_json({"name": "Åbyhøj"}) == '{"name":"Åbyhøj"}'.encode()
    # graphql-core refuses a non-finite Float before it gets here; were one to slip through,
    # the body is still JSON.
    assert b"NaN" not in APP.encode_json({"value": math.nan})


async def test_the_gateway_answers_in_utf8_json(gateway: Gateway) -> None:
    """Over HTTP: the body is orjson's, and a client reads the same overview from it."""
    query = '{ patientOverview(cpr: "0108589995") { patient { name } sources { id name } } }'
    headers = {"Authorization": f"Bearer {gateway.token('citizen-multi')}"}
    async with gateway.session.post(
        f"{gateway.url}/graphql", json={"query": query}, headers=headers
    ) as r:
        assert r.status == 200
        assert r.headers["content-type"].startswith("application/json")
        raw = await r.read()
    body = json.loads(raw)
    assert raw == APP.encode_json(body)
    names = [s["name"] for s in body["data"]["patientOverview"]["sources"]]
    assert "Lægerne Jens Michael Larsen, Åbyhøj" in names  # the GP's name, in UTF-8 as it is
    assert "Lægerne Jens Michael Larsen, Åbyhøj".encode() in raw
