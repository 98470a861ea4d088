"""``organizations``: the SOR search behind the treatment-place block picker, end to end."""

from __future__ import annotations

import pytest

from tests.gatewayfixtures import Gateway

SEARCH = """query($s: String!, $n: Int) {
  organizations(search: $s, first: $n) { sor name level parentSor } }"""
AUH_HEART = "265311000016006"


def codes(body: dict[str, object]) -> list[object]:
    errors = body.get("errors") or []
    assert isinstance(errors, list)
    return [e["extensions"]["code"] for e in errors]


async def test_any_signed_in_user_finds_units_by_name(gateway: Gateway) -> None:
    for persona in ("citizen-multi", "relative-multi", "clinician-auh"):
        body = await gateway.query(persona, SEARCH, {"s": "hjertesygdomme", "n": 10})
        assert "errors" not in body, body
        units = body["data"]["organizations"]
        assert any(u["sor"] == AUH_HEART and u["level"] == "UNIT" for u in units), units
        assert all("hjertesygdomme" in u["name"].casefold() for u in units)


async def test_a_sor_id_finds_that_unit(gateway: Gateway) -> None:
    body = await gateway.query("citizen-multi", SEARCH, {"s": AUH_HEART})
    (unit,) = body["data"]["organizations"]
    assert unit["sor"] == AUH_HEART
    assert unit["parentSor"] is not None


@pytest.mark.parametrize(
    ("variables", "field"),
    [({"s": " a "}, "search"), ({"s": "ab", "n": 0}, "first"), ({"s": "x" * 101}, "search")],
)
async def test_bad_searches_name_the_argument(
    gateway: Gateway, variables: dict[str, object], field: str
) -> None:
    body = await gateway.query("citizen-multi", SEARCH, variables)
    assert codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == field


async def test_no_token_no_search(gateway: Gateway) -> None:
    status, _ = await gateway.post({"query": SEARCH, "variables": {"s": "aarhus"}}, None)
    assert status == 401


async def test_stamdata_down_is_an_upstream_error(gateway: Gateway) -> None:
    await gateway.fault("stamdata", "error")
    body = await gateway.query("citizen-multi", SEARCH, {"s": "aarhus"})
    assert body["data"] is None
    (code,) = codes(body)
    assert str(code).startswith("UPSTREAM"), code
