"""One patient per operation: the request's one access-log subject is never overwritten.

``RequestState`` holds one ``audit`` subject (and one scope, one decision). A second, different
patient in the same operation is refused with ``BAD_USER_INPUT`` on its own field, before
anything of it is fetched or logged; the same patient twice stays allowed, and is logged once
with every category either selection returned.

The population has no relative holding two fuldmagter (a relative's token names one patient),
so the different-patient case is tried by a citizen and a relative asking for someone else
beside their own patient.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.inprocess import InProcessGateway

pytestmark = pytest.mark.in_process

MULTI = "0108589995"
OTHER = "0201609996"  # citizen-protected: a real person of the population
NOBODY = "0101019990"  # a test number that belongs to nobody
TWO = """query($a: String!, $b: String!) {
  a: patientOverview(cpr: $a) { cpr appointments(first: 5) { totalCount } }
  b: patientOverview(cpr: $b) { cpr plans { id } }
}"""
TWICE = """query($cpr: String!) {
  a: patientOverview(cpr: $cpr) { appointments(first: 500) { totalCount } }
  b: patientOverview(cpr: $cpr) { plans { id } }
  c: patientOverview(cpr: $cpr) { goals { id } }
}"""
ONE_PATIENT = "One patient per request"


def errors_at(body: dict[str, Any], alias: str) -> list[dict[str, Any]]:
    return [e for e in body.get("errors", []) if e.get("path", [None])[0] == alias]


async def entries(gateway: InProcessGateway, cpr: str) -> list[Any]:
    await gateway.services.refusals.drain()
    return list((await gateway.services.access_log.page(cpr, first=50)).entries)


@pytest.mark.parametrize("persona", ["citizen-multi", "relative-multi", "clinician-auh"])
@pytest.mark.parametrize("other", [OTHER, NOBODY])
async def test_a_second_patient_in_one_operation_is_refused_as_bad_input(
    gateway: InProcessGateway, persona: str, other: str
) -> None:
    body = await gateway.query(persona, TWO, {"a": MULTI, "b": other})
    assert body["data"] is None  # patientOverview is non-null: one error nulls the response
    (refused,) = errors_at(body, "b")
    assert refused["extensions"]["code"] == "BAD_USER_INPUT"
    assert refused["message"].startswith(ONE_PATIENT)
    # The same words whoever the other number is: nothing tells whether she exists.
    assert other not in refused["message"]
    # The other one gets nothing, not even a refused attempt: nothing was tried on her.
    assert await entries(gateway, other) == []
    # graphql-core cancels the first overview when the second fails (the response is null):
    # what it had begun is logged as one view (citizens read themselves: nothing to log).
    logged = [e.action for e in await entries(gateway, MULTI)]
    assert logged == [] if persona.startswith("citizen") else logged in ([], ["view"])


async def test_the_refusal_does_not_depend_on_whether_the_other_number_is_a_person(
    gateway: InProcessGateway,
) -> None:
    person = await gateway.query("relative-multi", TWO, {"a": MULTI, "b": OTHER})
    nobody = await gateway.query("relative-multi", TWO, {"a": MULTI, "b": NOBODY})
    assert errors_at(person, "b") == errors_at(nobody, "b")


async def test_the_same_patient_twice_is_one_entry_with_every_category(
    gateway: InProcessGateway,
) -> None:
    for _ in range(3):  # the three overviews run at once and finish in any order
        body = await gateway.query("clinician-homecare-aarhus", TWICE, {"cpr": MULTI})
        assert "errors" not in body, body
    logged = await entries(gateway, MULTI)
    assert [e.categories for e in logged] == [("appointments", "plans")] * 3


CHANGES = """mutation($a: String!, $b: String!) {
  a: rotateCalendarFeed(cpr: $a) { url }
  b: rotateCalendarFeed(cpr: $b) { url }
}"""


async def test_mutations_change_one_patient_per_operation(gateway: InProcessGateway) -> None:
    body = await gateway.query("relative-multi", CHANGES, {"a": MULTI, "b": OTHER})
    assert body["data"] is None  # non-null fields: one error nulls the response
    (refused,) = errors_at(body, "b")
    assert refused["extensions"]["code"] == "BAD_USER_INPUT"
    assert refused["message"].startswith(ONE_PATIENT)
    assert [e.action for e in await entries(gateway, MULTI)] == ["feed-rotate"]
    assert await entries(gateway, OTHER) == []


KINDS = """mutation($cpr: String!) {
  a: rotateCalendarFeed(cpr: $cpr) { url }
  b: revokeCalendarFeed(cpr: $cpr)
}"""


async def test_one_kind_of_change_per_operation(gateway: InProcessGateway) -> None:
    # One entry has one action: a second kind of change would go unlogged.
    body = await gateway.query("relative-multi", KINDS, {"cpr": MULTI})
    (refused,) = errors_at(body, "b")
    assert refused["extensions"]["code"] == "BAD_USER_INPUT"
    assert refused["message"].startswith("One kind of change per request")
    assert [e.action for e in await entries(gateway, MULTI)] == ["feed-rotate"]
    feeds = await gateway.query(
        "relative-multi",
        "query($c: String!) { patientOverview(cpr: $c) { calendarFeed { url } } }",
        {"c": MULTI},
    )
    assert feeds["data"]["patientOverview"]["calendarFeed"]["url"]  # not revoked
