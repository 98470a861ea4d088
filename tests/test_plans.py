"""Care plans and goals (FHIR CarePlan/Goal) end to end, from regions, municipalities and the GP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from resolvers.vocab import ActivityStatus, GoalLifecycleStatus, PlanStatus
from tests.gatewayfixtures import Gateway, GraphQLGateway
from tests.inprocess import InProcessGateway

MULTI = "0108589995"
GROUP2 = "1502779995"
PLANS = """query($cpr: String!) { patientOverview(cpr: $cpr) {
  plans { id source { id kind } title category status intent description periodStart periodEnd
          organization { sor name } goalIds
          activities { title status scheduledStart scheduledEnd appointmentIds } }
  goals { id source { id } description lifecycleStatus achievementStatus startDate
          organization { sor name } targets { measure detail dueDate } }
  appointments(first: 500) { nodes { id start end title } }
} }"""
SOURCES = ("rm", "aarhus", "frederikshavn", "gp-jml")


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


async def overview(gw: GraphQLGateway, persona: str, cpr: str = MULTI) -> dict[str, Any]:
    body = await gw.query(persona, PLANS, {"cpr": cpr})
    assert "errors" not in body, body["errors"]
    ov: dict[str, Any] = body["data"]["patientOverview"]
    return ov


@pytest.mark.in_process
async def test_plans_from_regions_municipalities_and_the_gp(gateway: InProcessGateway) -> None:
    ov = await overview(gateway, "citizen-multi")
    plans = {p["source"]["id"]: p for p in ov["plans"]}
    assert set(plans) == set(SOURCES)
    assert {p["source"]["kind"] for p in ov["plans"]} == {"REGION", "MUNICIPALITY", "GP"}
    for source in SOURCES:
        (sim,) = gateway.pop.plans[source][MULTI]
        plan = plans[source]
        assert plan["id"] == f"{source}:{sim.id}"
        assert (plan["title"], plan["category"], plan["status"]) == (
            sim.title,
            sim.category,
            PlanStatus(sim.status).name,
        )
        assert at(plan["periodStart"]) == sim.start.astimezone(UTC)
        assert at(plan["periodEnd"]) == (sim.end.astimezone(UTC) if sim.end else None)
        assert plan["periodStart"].endswith(("+01:00", "+02:00"))  # Copenhagen time
        assert sim.org_sor is not None
        org = gateway.pop.orgs[sim.org_sor]
        assert plan["organization"] == {"sor": org.sor, "name": org.name}
        assert [a["title"] for a in plan["activities"]] == [a.title for a in sim.activities]
        assert [a["status"] for a in plan["activities"]] == [
            ActivityStatus(a.status).name if a.status else None for a in sim.activities
        ]
    assert plans["gp-jml"]["category"] == "chronic-care"
    assert plans["gp-jml"]["title"] == "Forløbsplan for KOL"
    assert plans["rm"]["category"] == "discharge"
    assert plans["rm"]["description"] == "Plan for opfølgning efter indlæggelse"
    assert plans["aarhus"]["periodEnd"] is None  # open-ended
    # A stable order: by the start of their period.
    starts = [at(p["periodStart"]) for p in ov["plans"]]
    assert starts == sorted(s for s in starts if s is not None)


@pytest.mark.in_process
async def test_activities_link_to_the_appointments_they_plan(gateway: InProcessGateway) -> None:
    ov = await overview(gateway, "citizen-multi")
    appointments = {a["id"]: a for a in ov["appointments"]["nodes"]}
    (discharge,) = [p for p in ov["plans"] if p["source"]["id"] == "rm"]
    control, rehab = discharge["activities"]
    (linked,) = control["appointmentIds"]
    assert linked in appointments
    assert at(control["scheduledStart"]) == at(appointments[linked]["start"])
    assert at(control["scheduledEnd"]) == at(appointments[linked]["end"])
    assert appointments[linked]["title"] == "Ambulant kontrol, hjertesygdomme"
    assert rehab["appointmentIds"] == []
    assert rehab["scheduledStart"] is None
    every_link = [i for p in ov["plans"] for a in p["activities"] for i in a["appointmentIds"]]
    assert set(every_link) <= set(appointments)


@pytest.mark.in_process
async def test_goals_with_targets_and_due_dates(gateway: InProcessGateway) -> None:
    ov = await overview(gateway, "citizen-multi")
    goals = {g["id"]: g for g in ov["goals"]}
    assert {g["source"]["id"] for g in ov["goals"]} == set(SOURCES)
    for source in SOURCES:
        (sim,) = gateway.pop.goals[source][MULTI]
        goal = goals[f"{source}:{sim.id}"]
        assert goal["description"] == sim.description
        assert goal["lifecycleStatus"] == GoalLifecycleStatus(sim.lifecycle_status).name
        assert goal["achievementStatus"] == sim.achievement_status
        assert goal["startDate"] == sim.start.isoformat()
        assert goal["targets"] == [
            {
                "measure": t.measure,
                "detail": t.detail,
                "dueDate": t.due.isoformat() if t.due else None,
            }
            for t in sim.targets
        ]
        assert goal["organization"]["sor"] == sim.org_sor
    # Every plan's goals are among the goals, and every goal belongs to a plan.
    linked = [g for p in ov["plans"] for g in p["goalIds"]]
    assert sorted(linked) == sorted(goals)
    (rm_plan,) = [p for p in ov["plans"] if p["source"]["id"] == "rm"]
    (rm_goal,) = rm_plan["goalIds"]
    assert goals[rm_goal]["targets"][0]["detail"] == "EF over 45 %"


@pytest.mark.in_process
async def test_everyone_with_access_sees_the_same_plans(gateway: InProcessGateway) -> None:
    own = await overview(gateway, "citizen-multi")
    for persona in ("relative-multi", "clinician-auh", "clinician-homecare-aarhus"):
        seen = await overview(gateway, persona)
        assert (seen["plans"], seen["goals"]) == (own["plans"], own["goals"]), persona
    none = await overview(gateway, "citizen-group2", GROUP2)
    assert (none["plans"], none["goals"]) == ([], [])


@pytest.mark.in_process
async def test_a_treatment_place_block_hides_that_place_s_plans_and_goals(
    gateway: InProcessGateway,
) -> None:
    made = await gateway.query(
        "citizen-multi",
        "mutation($i: CreateBlockInput!) { createBlock(input: $i) { id } }",
        {"i": {"cpr": MULTI, "kind": "TREATMENT_PLACE", "sor": "265311000016006"}},
    )
    assert "errors" not in made
    body = await gateway.query("clinician-homecare-aarhus", PLANS, {"cpr": MULTI})
    ov = body["data"]["patientOverview"]
    assert {p["source"]["id"] for p in ov["plans"]} == {"aarhus", "frederikshavn", "gp-jml"}
    assert {g["source"]["id"] for g in ov["goals"]} == {"aarhus", "frederikshavn", "gp-jml"}
    withheld = sorted(e["path"][-1] for e in body["errors"])
    assert withheld == ["appointments", "goals", "plans"]
    assert set(codes(body)) == {"BLOCKED_BY_PATIENT"}
    assert "Udskrivelsesplan" not in str(body)
    own = await overview(gateway, "citizen-multi")
    assert len(own["plans"]) == len(own["goals"]) == 4


async def test_a_failing_source_leaves_the_other_plans(gateway: Gateway) -> None:
    await gateway.fault("frederikshavn", "error")
    body = await gateway.query("citizen-multi", PLANS, {"cpr": MULTI})
    ov = body["data"]["patientOverview"]
    assert {p["source"]["id"] for p in ov["plans"]} == {"rm", "aarhus", "gp-jml"}
    assert {g["source"]["id"] for g in ov["goals"]} == {"rm", "aarhus", "gp-jml"}
    assert {e["extensions"].get("source") for e in body["errors"]} == {"frederikshavn"}


@pytest.mark.in_process
async def test_gp_plans_need_consent_like_gp_appointments(gateway: InProcessGateway) -> None:
    query = """query($c: String!) { patientOverview(cpr: $c) {
      plans { id source { id } } goals { id } sources { id status } } }"""
    body = await gateway.query("citizen-group2", query, {"c": "1502779995"})
    assert "errors" not in body, body  # no consent is a status, not a failure
    ov = body["data"]["patientOverview"]
    assert {s["id"]: s["status"] for s in ov["sources"]}["gp-jml"] == "NOT_CONSENTED"
    assert all(p["source"]["id"] != "gp-jml" for p in ov["plans"])
    consented = await gateway.query("citizen-multi", query, {"c": "0108589995"})
    assert any(p["source"]["id"] == "gp-jml" for p in consented["data"]["patientOverview"]["plans"])
