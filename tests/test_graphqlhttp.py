"""GraphQL over HTTP (``gateway/graphqlhttp.py``): media types, status codes, GET for queries
only. The whole spec audit is ``tests/test_graphql_http_audit.py``; these pin our choices."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest

from domain.errors import BadRequestError
from gateway.body import MAX_BODY, parse_params
from gateway.graphqlhttp import GRAPHQL_RESPONSE, JSON, media_type, shaped
from tests.gatewayfixtures import Gateway

MULTI = "0108589995"
BLOCKS = '{ patientOverview(cpr: "0108589995") { blocks { id } } }'
CREATE = (
    'mutation { createBlock(input: { cpr: "0108589995", kind: PROFESSIONAL, '
    'authorisationId: "005ML" }) { id } }'
)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/json", JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),  # equal: the spec's
        (f"application/json, {GRAPHQL_RESPONSE};q=0.5", JSON),
        (f"{GRAPHQL_RESPONSE};q=0", JSON),
        (f"{GRAPHQL_RESPONSE};q=nonsense", JSON),
        ("Application/GraphQL-Response+JSON", GRAPHQL_RESPONSE),
        ("text/html", JSON),
    ],
)
def test_the_media_type_follows_accept(accept: str | None, expected: str) -> None:
    assert media_type(accept) == expected


REQUEST_ERROR = {"data": None, "errors": [{"message": "x", "extensions": {"code": "X"}}]}
FIELD_ERROR = {"data": None, "errors": [{"message": "x", "path": ["patientOverview"]}]}
NO_LOG = {"data": None, "errors": [{"message": "x", "extensions": {"code": "AUDIT_UNAVAILABLE"}}]}


@pytest.mark.parametrize(
    ("data", "media", "status", "has_data"),
    [
        ({"data": {"a": 1}}, GRAPHQL_RESPONSE, 200, True),
        (REQUEST_ERROR, GRAPHQL_RESPONSE, 400, False),
        (REQUEST_ERROR, JSON, 200, True),
        (FIELD_ERROR, GRAPHQL_RESPONSE, 200, True),  # it ran: data null stays
        (NO_LOG, GRAPHQL_RESPONSE, 503, False),
        (NO_LOG, JSON, 200, True),
    ],
)
def test_status_and_data_entry(
    data: dict[str, Any], media: str, status: int, has_data: bool
) -> None:
    got, body = shaped(data, media)
    assert got == status
    assert ("data" in body) is has_data
    assert body.get("errors") == data.get("errors")


def test_get_parameters_are_checked_like_a_body() -> None:
    ok = parse_params({"query": "{ a }", "variables": '{"c": "x"}'}, b"")
    assert ok == {"query": "{ a }", "variables": {"c": "x"}}
    for params in (
        {"query": "{ a }", "variables": "[1]"},
        {"query": "{ a }", "variables": "{"},
        {"query": "{ a }", "extensions": '"text"'},
        {"query": "{ a }", "variables": "[" * 40 + "]" * 40},
        {"query": "{ a }", "variables": '{"c": "\\ud800"}'},
    ):
        with pytest.raises(BadRequestError) as refused:
            parse_params(params, b"")
        assert refused.value.status == 400, params
    with pytest.raises(BadRequestError) as long:
        parse_params({"query": "{ a }"}, b"q" * (MAX_BODY + 1))
    assert long.value.status == 414


async def _get(gw: Gateway, params: dict[str, str], **headers: str) -> tuple[int, Any, Any]:
    bearer = {"Authorization": f"Bearer {gw.token('citizen-multi')}", **headers}
    url = f"{gw.url}/graphql?{urlencode(params)}"
    async with gw.session.get(url, headers=bearer) as r:
        return r.status, r.headers, json.loads(await r.read())


async def test_a_get_query_is_answered_and_a_get_mutation_never_runs(gateway: Gateway) -> None:
    status, _, body = await _get(gateway, {"query": BLOCKS})
    assert status == 200
    assert body == {"data": {"patientOverview": {"blocks": []}}}
    status, headers, body = await _get(gateway, {"query": CREATE}, Accept=GRAPHQL_RESPONSE)
    assert status == 405
    assert headers["Allow"] == "POST"
    assert headers["Content-Type"] == GRAPHQL_RESPONSE
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    after = await gateway.query("citizen-multi", BLOCKS)
    assert after == {"data": {"patientOverview": {"blocks": []}}}


async def test_request_errors_are_400_without_data_in_the_specs_media_type(
    gateway: Gateway,
) -> None:
    token = gateway.token("citizen-multi")
    for query, variables in (
        ("{ nonsense }", None),
        ("{", None),
        ("query Q($c: String!) { patientOverview(cpr: $c) { patient { cpr } } }", {"c": 5}),
    ):
        for accept, status in ((GRAPHQL_RESPONSE, 400), (JSON, 200)):
            headers = {"Authorization": f"Bearer {token}", "Accept": accept}
            payload = {"query": query, "variables": variables}
            url = f"{gateway.url}/graphql"
            async with gateway.session.post(url, json=payload, headers=headers) as r:
                assert (r.status, r.content_type) == (status, accept), query
                body = await r.json(content_type=None)
            assert body["errors"][0]["extensions"]["code"]
            assert ("data" in body) is (accept == JSON)


async def test_a_good_answer_in_the_specs_media_type(gateway: Gateway) -> None:
    status, headers, body = await _get(
        gateway, {"query": "{ __typename }"}, Accept=GRAPHQL_RESPONSE
    )
    assert (status, headers["Content-Type"]) == (200, GRAPHQL_RESPONSE)
    assert body == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain", None],
)
async def test_no_form_or_text_post_runs_csrf(gateway: Gateway, content_type: str | None) -> None:
    headers = {"Authorization": f"Bearer {gateway.token('citizen-multi')}"}
    if content_type:
        headers["Content-Type"] = content_type
    body = json.dumps({"query": CREATE}).encode()
    async with gateway.session.post(f"{gateway.url}/graphql", data=body, headers=headers) as r:
        assert r.status == 415
    after = await gateway.query("citizen-multi", BLOCKS)
    assert after == {"data": {"patientOverview": {"blocks": []}}}


async def test_a_refusal_before_graphql_speaks_the_negotiated_media_type(
    gateway: Gateway,
) -> None:
    headers = {"Accept": GRAPHQL_RESPONSE}
    async with gateway.session.post(
        f"{gateway.url}/graphql", json={"query": "{ __typename }"}, headers=headers
    ) as r:
        assert (r.status, r.content_type) == (401, GRAPHQL_RESPONSE)
        body = await r.json(content_type=None)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_method_graphql_has_no_use_for_is_405(gateway: Gateway) -> None:
    headers = {"Authorization": f"Bearer {gateway.token('citizen-multi')}"}
    async with gateway.session.head(f"{gateway.url}/graphql", headers=headers) as r:
        assert r.status == 405
        assert r.headers["Allow"] == "GET, POST"
