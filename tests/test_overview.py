"""End to end: a persona's overview over real HTTP, from simulators through the gateway."""

from __future__ import annotations

from typing import Any

import pytest

from domain.errors import StoreUnavailableError
from tests.gatewayfixtures import Gateway

MULTI = "0108589995"
OVERVIEW = """
query($cpr: String!) {
  patientOverview(cpr: $cpr) {
    patient { cpr name }
    stamkort { name healthInsuranceGroup gp { name } relatives { value } }
    appointments(first: 500) {
      totalCount
      nodes { id start end status title reason source { id name } organization { sor name } }
      pageInfo { hasNextPage endCursor }
    }
    plans { title organization { sor } activities { appointmentIds } }
    goals { description targets { dueDate } }
    sources { id name status }
  }
}
"""


async def test_citizen_multi_sees_all_five_sources(gateway: Gateway) -> None:
    body = await gateway.query("citizen-multi", OVERVIEW, {"cpr": MULTI})
    assert "errors" not in body, body
    ov = body["data"]["patientOverview"]
    assert ov["patient"] == {"cpr": MULTI, "name": "Poul Erik Testesen"}
    nodes = ov["appointments"]["nodes"]
    assert {n["source"]["id"] for n in nodes} == {"rm", "rn", "aarhus", "frederikshavn", "gp-jml"}
    statuses = {n["status"] for n in nodes}
    assert {"CANCELLED", "BOOKED", "FULFILLED"} <= statuses
    assert any(n["end"] is None for n in nodes)
    gp = [n for n in nodes if n["source"]["id"] == "gp-jml"]
    assert gp
    assert all(n["title"] == "Aftale hos praktiserende læge" for n in gp)
    assert all(n["reason"] is None for n in gp)
    assert all(n["start"] >= "2021-10-01" for n in gp)
    ids = [n["id"] for n in nodes]
    assert len(ids) == len(set(ids)) == ov["appointments"]["totalCount"]
    assert ov["stamkort"]["gp"]["name"] == "Lægerne Jens Michael Larsen"
    assert len(ov["plans"]) == 4
    assert len(ov["goals"]) == 4
    assert {s["status"] for s in ov["sources"] if s["id"] not in ("cpr", "stamdata")} == {"OK"}


async def test_health_and_readiness(gateway: Gateway) -> None:
    for path in ("/healthz", "/readyz"):
        async with gateway.session.get(gateway.url + path) as r:
            assert r.status == 200
            assert (await r.json())["status"] == "ok"


async def test_sources_report_only_what_was_asked(gateway: Gateway) -> None:
    body = await gateway.query(
        "citizen-multi",
        "query($c: String!) { patientOverview(cpr: $c) { plans { id } sources { id status } } }",
        {"c": MULTI},
    )
    status = {s["id"]: s["status"] for s in body["data"]["patientOverview"]["sources"]}
    assert status["rm"] == "OK"
    assert status["cpr"] == "NOT_REQUESTED"  # the stamkort was not asked for: CPR not called


async def test_fragments_select_fetches_too(gateway: Gateway) -> None:
    query = """
    fragment Calendar on PatientOverview { appointments(first: 5) { totalCount } }
    query($c: String!) { patientOverview(cpr: $c) {
      ...Calendar ... on PatientOverview { plans { id } } sources { id status } } }
    """
    body = await gateway.query("citizen-multi", query, {"c": MULTI})
    assert "errors" not in body, body
    ov = body["data"]["patientOverview"]
    assert ov["appointments"]["totalCount"] > 5
    assert ov["plans"]
    assert {s["id"]: s["status"] for s in ov["sources"]}["aarhus"] == "OK"


async def test_metrics_show_breaker_state_and_no_patient_data(gateway: Gateway) -> None:
    await gateway.query("citizen-multi", OVERVIEW, {"cpr": MULTI})
    async with gateway.session.get(gateway.url + "/metrics") as r:
        assert r.status == 200
        text = await r.text()
    assert 'spo_upstream_circuit_open{source="rm"} 0' in text
    assert 'spo_upstream_circuit_open{source="cpr"} 0' in text
    assert MULTI not in text


async def test_the_identity_alone_reads_cpr_not_the_stamkort(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unreadable(*args: Any) -> Any:
        raise StoreUnavailableError("The stamkort cannot be read right now.")

    monkeypatch.setattr(gateway.app.state.services.stamkort, "stamkort", unreadable)
    query = (
        "query($c: String!) { patientOverview(cpr: $c) { patient { name } sources { id status } } }"
    )
    body = await gateway.query("citizen-multi", query, {"c": MULTI})
    assert "errors" not in body, body
    ov = body["data"]["patientOverview"]
    assert ov["patient"]["name"]
    assert {s["id"]: s["status"] for s in ov["sources"]}["cpr"] == "OK"
    # With the stamkort asked for too, its failure is its own, and the identity still shows.
    both = await gateway.query(
        "citizen-multi",
        "query($c: String!) { patientOverview(cpr: $c) { patient { name } stamkort { name } } }",
        {"c": MULTI},
    )
    assert [e["path"] for e in both["errors"]] == [["patientOverview", "stamkort"]]
    assert both["data"]["patientOverview"]["patient"]["name"]
