"""The request id, the request metrics and ``/metrics``, on a real gateway over the simulators."""

from __future__ import annotations

import re
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from domain.correlation import accept_request_id
from gateway.metrics import OperationNames
from gateway.observe import outcome_of, route_of
from tests.gatewayfixtures import Gateway
from tests.logcapture import sensitive

MULTI = "0108589995"
VIEW = """query Overview($cpr: String!) { patientOverview(cpr: $cpr) {
  patient { name } appointments(first: 5) { totalCount } plans { id } sources { id status }
} }"""
CREATE = """mutation Block($input: CreateBlockInput!) { createBlock(input: $input) { id } }"""
HEX_ID = re.compile(r"[0-9a-f]{32}")


async def scrape(gw: Gateway) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample ``/metrics`` shows, by name and labels."""
    async with gw.session.get(gw.url + "/metrics") as r:
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("text/plain")
        text = await r.text()
    assert sensitive(text) is None
    assert MULTI not in text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def post(
    gw: Gateway, body: Any, persona: str | None = "citizen-multi", **headers: str
) -> tuple[int, dict[str, Any], str]:
    if persona is not None:
        headers["Authorization"] = f"Bearer {gw.token(persona)}"
    async with gw.session.post(f"{gw.url}/graphql", json=body, headers=headers) as r:
        return r.status, await r.json(), r.headers["X-Request-ID"]


@pytest.mark.parametrize(
    ("offered", "kept"),
    [
        ("3f2b9c1e-8d4a-4f6b-9e2d-7c5a1b0e9f3d", True),  # a UUID
        ("01HZX3K9QW8E7R6T5Y4U3I2O1P", True),  # a ULID
        ("lb.req:42-abc_def", True),
        (None, False),
        ("short", False),
        ("x" * 65, False),
        ("has space in it", False),
        ("req-0108589995-x", False),  # a CPR number inside
        ("req-010858-9995x", False),
        ("line\nbreak-0001", False),
        ("<script>alert(1)</script>", False),
    ],
)
def test_a_request_id_is_taken_only_when_short_and_plain(offered: str | None, kept: bool) -> None:
    got = accept_request_id(offered)
    assert (got == offered) is kept
    if not kept:
        assert HEX_ID.fullmatch(got)


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("Overview", "Overview"),
        (None, "anonymous"),
        ("", "anonymous"),
        ("q0108589995", "other"),  # a CPR number in a name never becomes a label
        ("Look12345up", "other"),
        ("x" * 65, "other"),
        ("with-dash", "other"),
        ("Known", "Known"),
    ],
)
def test_operation_labels_are_bounded(name: str | None, label: str) -> None:
    assert OperationNames(known=["Known"], cap=10).label(name) == label


def test_first_come_names_stop_at_the_cap_known_ones_never_do() -> None:
    names = OperationNames(known=["Page"], cap=2)
    assert [names.label(n) for n in ("A", "B", "C", "A", "Page")] == [
        "A",
        "B",
        "other",
        "A",
        "Page",
    ]
    assert OperationNames(cap=0).label("Anything") == "other"


@pytest.mark.parametrize(
    ("path", "route"),
    [
        ("/graphql", "/graphql"),
        ("/calendar/q3W_rT9-kLmN0pQrStUvWxYz0123456789AbCdEfGhI.ics", "/calendar/[secret].ics"),
        ("/readyz", "/readyz"),
        ("/0108589995", "other"),
    ],
)
def test_routes_are_templates(path: str, route: str) -> None:
    assert route_of(path) == route


def test_outcomes() -> None:
    assert outcome_of(200, "ok") == "ok"
    assert outcome_of(200, "partial") == "partial"
    assert outcome_of(401, None) == "rejected"
    assert outcome_of(503, None) == "failed"


async def test_the_request_id_is_echoed_on_every_response_and_logged_in_min_log(
    gateway: Gateway,
) -> None:
    mine = "3f2b9c1e-8d4a-4f6b-9e2d-7c5a1b0e9f3d"
    status, body, echoed = await post(
        gateway,
        {"query": VIEW, "variables": {"cpr": MULTI}},
        "clinician-auh",
        **{"X-Request-ID": mine},
    )
    assert status == 200, body
    assert "errors" not in body, body
    assert echoed == mine
    # Refused before any operation runs, and other routes: the id is there too.
    status, _, echoed = await post(gateway, {"query": VIEW}, None, **{"X-Request-ID": mine})
    assert status == 401
    assert echoed == mine
    for path in ("/healthz", "/readyz", "/metrics", "/nowhere"):
        async with gateway.session.get(gateway.url + path) as r:
            assert HEX_ID.fullmatch(r.headers["X-Request-ID"]), path
    async with gateway.session.get(
        gateway.url + "/healthz", headers={"X-Request-ID": "0108589995"}
    ) as r:
        assert HEX_ID.fullmatch(r.headers["X-Request-ID"])
    # The clinician's lookup is in the patient's log under the request's id.
    engine = gateway.app.state.engine
    from sqlalchemy import text

    async with engine.connect() as conn:
        ids = (await conn.execute(text("SELECT request_id FROM access_log"))).scalars().all()
    assert mine in ids


async def test_metrics_count_requests_sources_cache_audit_and_withheld_fields(
    gateway: Gateway,
) -> None:
    before = await scrape(gateway)
    view = {"query": VIEW, "variables": {"cpr": MULTI}}
    for _ in range(2):  # the second is answered from the cache
        status, body, _ = await post(gateway, view, "clinician-auh")
        assert status == 200, body
        assert "errors" not in body, body
    status, body, _ = await post(
        gateway,
        {
            "query": CREATE,
            "variables": {
                "input": {"cpr": MULTI, "kind": "PROFESSIONAL", "authorisationId": "005ML"}
            },
        },
    )
    assert status == 200, body
    assert "errors" not in body, body
    status, body, _ = await post(gateway, view, "clinician-auh")
    assert {e["extensions"]["code"] for e in body["errors"]} == {"BLOCKED_BY_PATIENT"}
    withheld = len(body["errors"])
    assert withheld >= 2
    anonymous = "{ __typename }"
    status, _, _ = await post(gateway, {"query": anonymous})
    hostile = f"query q{MULTI} {{ __typename }}"
    status, _, _ = await post(gateway, {"query": hostile})
    status, _, _ = await post(gateway, {"query": VIEW}, None)
    assert status == 401
    after = await scrape(gateway)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    graphql = {"route": "/graphql"}
    assert grew("spo_request_seconds_count", **graphql, operation="Overview", outcome="ok") == 2
    assert grew("spo_request_seconds_count", **graphql, operation="Block", outcome="ok") == 1
    assert (
        grew("spo_request_seconds_count", **graphql, operation="Overview", outcome="partial") == 1
    )
    assert grew("spo_request_seconds_count", **graphql, operation="anonymous", outcome="ok") == 1
    assert grew("spo_request_seconds_count", **graphql, operation="other", outcome="ok") == 1
    assert grew("spo_request_seconds_count", **graphql, operation="", outcome="rejected") == 1
    # Sources: fetched on the first view only (then cached), each with its outcome.
    for source in ("rm", "rn", "aarhus", "cpr"):
        assert grew("spo_source_requests_total", source=source, outcome="ok") >= 1, source
        assert grew("spo_source_request_seconds_count", source=source) >= 1, source
        assert value(after, "spo_upstream_circuit_open", source=source) == 0
    assert grew("spo_cache_lookups_total", kind="appointments", result="miss") >= 3
    assert grew("spo_cache_lookups_total", kind="appointments", result="hit") >= 3
    assert value(after, "spo_cache_circuit_open") == 0
    # Three clinician lookups, each logged before its response left.
    assert grew("spo_audit_append_seconds_count", outcome="ok") == 3
    assert grew("spo_store_call_seconds_count", call="AuditLog.append", outcome="ok") == 3
    # The blocked lookup withheld a field per error it reported, in one request.
    assert grew("spo_withheld_requests_total") == 1
    assert grew("spo_withheld_fields_total") == withheld
    # No label names a patient, a path or a query.
    labels = {v for (_, ls) in after for (_, v) in ls}
    assert not any(MULTI in v for v in labels)


async def test_a_calendar_feed_request_is_labelled_by_its_route_not_its_secret(
    gateway: Gateway,
) -> None:
    secret = "q3W_rT9-kLmN0pQrStUvWxYz0123456789AbCdEfGhI"
    async with gateway.session.get(f"{gateway.url}/calendar/{secret}.ics") as r:
        assert r.status == 404
    samples = await scrape(gateway)  # fails on anything that looks like a feed path or secret
    route = "/calendar/[secret].ics"
    assert value(
        samples, "spo_request_seconds_count", route=route, operation="", outcome="rejected"
    )
