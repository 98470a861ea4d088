"""Token verification and bad requests over real HTTP: clear errors, stable codes, no traces."""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from domain.errors import AuthError
from domain.principals import Citizen, Clinician, Relative
from gateway.auth import principal_from_claims
from gateway.demo import claims_for
from tests.gatewayfixtures import TEST_KID, Gateway, expired

Q = '{ patientOverview(cpr: "0108589995") { patient { name } } }'


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


async def _status(gw: Gateway, token: str | None) -> tuple[int, str]:
    status, body = await gw.post({"query": Q}, token)
    return status, body["errors"][0]["extensions"]["code"] if "errors" in body else "OK"


async def test_valid_token(gateway: Gateway) -> None:
    assert await _status(gateway, gateway.token("citizen-multi")) == (200, "OK")


async def test_missing_and_malformed_tokens(gateway: Gateway) -> None:
    assert await _status(gateway, None) == (401, "UNAUTHENTICATED")
    assert await _status(gateway, "not-a-jwt") == (401, "UNAUTHENTICATED")


async def test_expired_token(gateway: Gateway) -> None:
    status, body = await gateway.post({"query": Q}, expired(gateway, "citizen-multi"))
    assert status == 401
    assert body["errors"][0]["message"] == "The token has expired."


async def test_forged_signature(gateway: Gateway) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    claims = {
        **claims_for(gateway.pop.persona("citizen-multi")),
        "iss": gateway.settings.auth.issuer,
        "aud": gateway.settings.auth.audience,
        "iat": 1_900_000_000,
        "exp": 4_000_000_000,
    }
    forged = jwt.encode(claims, other, algorithm="ES256", headers={"kid": TEST_KID})
    assert await _status(gateway, forged) == (401, "UNAUTHENTICATED")
    # A valid token whose payload was swapped for another patient's keeps an invalid signature.
    head, _, sig = gateway.token("citizen-multi").split(".")
    tampered = ".".join([head, _b64({**claims, "cpr": "0201609996"}), sig])
    assert await _status(gateway, tampered) == (401, "UNAUTHENTICATED")


async def test_alg_none_is_refused(gateway: Gateway) -> None:
    claims = {
        **claims_for(gateway.pop.persona("citizen-multi")),
        "iss": gateway.settings.auth.issuer,
        "aud": gateway.settings.auth.audience,
        "iat": 1_900_000_000,
        "exp": 4_000_000_000,
    }
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    assert await _status(gateway, unsigned) == (401, "UNAUTHENTICATED")


@pytest.mark.parametrize("claim", ["iss", "aud"])
async def test_wrong_issuer_or_audience(gateway: Gateway, claim: str) -> None:
    token = gateway.token("citizen-multi", **{claim: "https://someone-else.invalid"})
    status, body = await gateway.post({"query": Q}, token)
    assert status == 401
    assert body["errors"][0]["message"] == "The token is not meant for this service."


async def test_hs256_with_the_public_key_is_refused(gateway: Gateway) -> None:
    # The classic key-confusion attack: sign with HMAC using the public key as the secret.
    claims = {
        **claims_for(gateway.pop.persona("citizen-multi")),
        "iss": gateway.settings.auth.issuer,
        "aud": gateway.settings.auth.audience,
        "iat": 1_900_000_000,
        "exp": 4_000_000_000,
    }
    header = _b64({"alg": "HS256", "typ": "JWT", "kid": TEST_KID})
    token = f"{header}.{_b64(claims)}.c2lnbmF0dXJl"
    assert await _status(gateway, token) == (401, "UNAUTHENTICATED")


def test_claims_make_principals() -> None:
    citizen = principal_from_claims({"spo_role": "citizen", "cpr": "010858-9995", "name": "P"})
    assert citizen == Citizen("0108589995", "P")
    relative = principal_from_claims(
        {
            "spo_role": "relative",
            "cpr": "0201609995",
            "name": "H",
            "fuldmagt": {"patient_cpr": "0108589995", "valid_from": "2026-01-01", "valid_to": None},
        }
    )
    assert isinstance(relative, Relative)
    assert relative.valid_to is None
    for bad in (
        {"spo_role": "admin"},
        {"spo_role": "citizen", "cpr": "12", "name": "x"},
        {
            "spo_role": "clinician",
            "name": "x",
            "authorisation_id": "AEIOU",
            "role": "r",
            "sor": "1",
            "org_name": "o",
            "patient_cpr": "0108589995",
        },
    ):
        with pytest.raises(AuthError):
            principal_from_claims(bad)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ patientOverview(cpr: ", "GRAPHQL_PARSE_FAILED"),
        ('{ patientOverview(cpr: "0108589995") { nonsense } }', "GRAPHQL_VALIDATION_FAILED"),
        ('{ patientOverview(cpr: "01-08-58") { patient { cpr } } }', "BAD_USER_INPUT"),
        ('{ patientOverview(cpr: "0201609996") { patient { cpr } } }', "FORBIDDEN"),
        (
            '{ patientOverview(cpr: "0108589995") { appointments(first: 0) { totalCount } } }',
            "BAD_USER_INPUT",
        ),
    ],
)
async def test_bad_requests_get_clear_errors(gateway: Gateway, query: str, code: str) -> None:
    status, body = await gateway.post({"query": query}, gateway.token("citizen-multi"))
    assert status in (200, 400)
    error = body["errors"][0]
    assert error["extensions"]["code"] == code
    assert "Traceback" not in json.dumps(body)
    assert _leaves(body.get("data")) <= {None}, "a failed request returned data"


def _leaves(value: object) -> set[object]:
    if isinstance(value, dict):
        return set().union(*(_leaves(v) for v in value.values())) if value else set()
    return {value}


@pytest.mark.parametrize(
    ("persona", "cpr", "allowed"),
    [
        ("citizen-multi", "0108589995", True),
        ("citizen-group2", "0108589995", False),
        ("relative-multi", "0108589995", True),
        ("relative-expired", "0108589995", False),
        ("clinician-auh", "0108589995", True),
        ("clinician-auh", "0201919990", False),
    ],
)
async def test_tenancy_over_http(gateway: Gateway, persona: str, cpr: str, allowed: bool) -> None:
    body = await gateway.query(
        persona, "query($c: String!) { patientOverview(cpr: $c) { patient { cpr } } }", {"c": cpr}
    )
    if allowed:
        assert body["data"]["patientOverview"]["patient"]["cpr"] == cpr
    else:
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_oversized_bodies_are_refused_with_or_without_a_length(gateway: Gateway) -> None:
    big = b'{"query": "' + b" " * 70_000 + b'{ __typename }"}'
    headers = {
        "Authorization": f"Bearer {gateway.token('citizen-multi')}",
        "Content-Type": "application/json",
    }
    async with gateway.session.post(f"{gateway.url}/graphql", data=big, headers=headers) as r:
        assert r.status == 413

    async def chunks() -> Any:
        for i in range(0, len(big), 8192):
            yield big[i : i + 8192]

    async with gateway.session.post(f"{gateway.url}/graphql", data=chunks(), headers=headers) as r:
        assert r.status >= 400
        assert "Traceback" not in await r.text()


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("query($c: String!) { patientOverview(cpr: $c) { cpr } }", {"c": 108589995}),
        ("query($c: String!) { patientOverview(cpr: $c) { cpr } }", {"c": None}),
        ("query($c: String!) { patientOverview(cpr: $c) { cpr } }", {}),
        ("query($c: String!) { patientOverview(cpr: $c) { cpr } }", {"c": ["0108589995"]}),
        (
            'query($n: Int) { patientOverview(cpr: "0108589995") { appointments(first: $n) '
            "{ totalCount } } }",
            {"n": "fifty"},
        ),
        (
            'query($d: DateTime) { patientOverview(cpr: "0108589995") { appointments(from: $d) '
            "{ totalCount } } }",
            {"d": "yesterday"},
        ),
        (
            'query($v: AppointmentView) { patientOverview(cpr: "0108589995") '
            "{ appointments(view: $v) { totalCount } } }",
            {"v": "MONTH"},
        ),
        (
            "mutation($i: OverrideInput!) { overrideBlocks(input: $i) { expiresAt } }",
            {"i": {"cpr": "0108589995", "basis": "BECAUSE", "reason": "Akut indlagt"}},
        ),
    ],
)
async def test_a_variable_of_the_wrong_type_is_bad_user_input(
    gateway: Gateway, caplog: pytest.LogCaptureFixture, query: str, variables: dict[str, Any]
) -> None:
    status, body = await gateway.post(
        {"query": query, "variables": variables}, gateway.token("citizen-multi")
    )
    assert status in (200, 400)
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert error["message"].startswith("Variable '$")
    assert "Unexpected error" not in error["message"]
    assert "unexpected error" not in caplog.text  # not logged as a gateway bug


def test_hostile_claims_are_refused_before_any_principal_exists() -> None:
    clinician = {
        "spo_role": "clinician",
        "name": "Jens Michael Larsen",
        "authorisation_id": "04kvn",
        "role": "Læge",
        "sor": "471841000016002",
        "org_name": "Lægerne  Jens Michael Larsen",
        "patient_cpr": "0108589995",
    }
    principal = principal_from_claims(clinician)
    assert isinstance(principal, Clinician)
    assert principal.name == "Jens Michael Larsen"
    assert principal.org_name == "Lægerne Jens Michael Larsen"  # normalised like any text input
    for key, value in (
        ("name", "x" * 201),
        ("name", "Jens\x00"),
        ("name", "\u202eJens"),
        ("org_name", "o" * 201),
        ("sor", "4718410000160021" * 5),
        ("sor", "SOR-471841000016002"),
        ("authorisation_id", "04KVN\n"),
        ("role", "r" * 65),
    ):
        with pytest.raises(AuthError, match=key):
            principal_from_claims({**clinician, key: value})
    with pytest.raises(AuthError, match="'name'"):
        principal_from_claims({"spo_role": "citizen", "cpr": "0108589995", "name": "P\x00"})
