"""Trusted documents (``gateway/trusted.py``): the allowlist, how requests name a document, and
what each mode runs — over a real gateway, and the manifests as start-up reads them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from domain.clock import Clock
from domain.errors import BadRequestError
from domain.settings import ConfigError, GraphQLSettings, Settings, TrustedMode
from gateway import trusted, web
from gateway.graphqlhttp import GRAPHQL_RESPONSE
from gateway.trusted import TrustedDocuments, load_trusted, sha256
from resolvers.schema import build_schema
from tests.gatewayfixtures import Gateway, running_gateway

MULTI = "0108589995"
OWN = "query Own($cpr: String!) { patientOverview(cpr: $cpr) { patient { name } } }"
OTHER = "query Other($cpr: String!) { patientOverview(cpr: $cpr) { patient { cpr } } }"
BLOCK = (
    "mutation Block($cpr: String!) { createBlock(input: { cpr: $cpr, kind: PROFESSIONAL, "
    'authorisationId: "005ML" }) { id } }'
)
SCHEMA = build_schema()._schema


def manifest(path: Path, *documents: str) -> Path:
    path.write_text(json.dumps({sha256(d): d for d in documents}))
    return path


def mode(name: TrustedMode, *files: Path) -> Callable[[Settings], Settings]:
    def tune(settings: Settings) -> Settings:
        graphql = replace(
            settings.graphql,
            trusted_documents=name,
            trusted_documents_files=tuple(str(f) for f in files),
        )
        return replace(settings, graphql=graphql)

    return tune


@pytest.fixture
async def required(tmp_path: Path, clock: Clock, migrated_template: Path) -> AsyncIterator[Gateway]:
    """A gateway that runs only the page's documents and ``OWN`` and ``BLOCK``."""
    client = manifest(tmp_path / "client.json", OWN, BLOCK)
    tune = mode("required", client)
    async with running_gateway(tmp_path, clock, template=migrated_template, tune=tune) as gw:
        yield gw


async def get(gw: Gateway, token: str, **params: Any) -> tuple[int, dict[str, Any]]:
    query = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    headers = {"Authorization": f"Bearer {token}"}
    async with gw.session.get(f"{gw.url}/graphql", params=query, headers=headers) as r:
        return r.status, await r.json()


def code(body: dict[str, Any]) -> str:
    (error,) = body["errors"]
    return str(error["extensions"]["code"])


async def test_a_trusted_document_runs_by_its_id_in_either_form_and_by_its_text(
    required: Gateway,
) -> None:
    token = required.token("citizen-multi")
    variables = {"cpr": MULTI}
    by_id = {"documentId": f"sha256:{sha256(OWN)}", "variables": variables}
    apollo = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256(OWN)}}}
    answers = [
        await required.post(by_id, token),
        await required.post({**apollo, "variables": variables}, token),
        await required.post({"documentId": sha256(OWN).upper(), "variables": variables}, token),
        await required.post({"query": OWN, "variables": variables}, token),
        await required.post({"query": OWN, "variables": variables, **apollo}, token),
        await get(required, token, documentId=f"sha256:{sha256(OWN)}", variables=variables),
        await get(required, token, variables=variables, **apollo),
    ]
    expected = {"patientOverview": {"patient": {"name": "Poul Erik Testesen"}}}
    assert answers == [(200, {"data": expected})] * len(answers)


async def test_other_text_is_refused_before_anything_runs_where_trusted_documents_are_required(
    required: Gateway,
) -> None:
    token = required.token("citizen-multi")
    body = {"query": OTHER, "variables": {"cpr": MULTI}}
    status, answer = await required.post(body, token)
    assert (status, code(answer)) == (403, "TRUSTED_DOCUMENT_REQUIRED")
    assert "data" not in answer
    status, answer = await get(required, token, **body)
    assert (status, code(answer)) == (403, "TRUSTED_DOCUMENT_REQUIRED")
    # A hash with text that is not trusted is no way in; nor is a mismatched pair.
    unknown = {"persistedQuery": {"version": 1, "sha256Hash": sha256(OTHER)}}
    status, answer = await required.post({**body, "extensions": unknown}, token)
    assert (status, code(answer)) == (403, "TRUSTED_DOCUMENT_REQUIRED")
    trusted_hash = {"persistedQuery": {"version": 1, "sha256Hash": sha256(OWN)}}
    status, answer = await required.post({**body, "extensions": trusted_hash}, token)
    assert (status, code(answer)) == (400, "BAD_REQUEST")
    # Refused in the spec's media type too, and not by a 200.
    async with required.session.post(
        f"{required.url}/graphql",
        json=body,
        headers={"Authorization": f"Bearer {token}", "Accept": GRAPHQL_RESPONSE},
    ) as r:
        assert r.status == 403
        assert r.headers["content-type"].startswith(GRAPHQL_RESPONSE)


async def test_an_unknown_id_is_not_found_in_the_form_apollo_and_urql_clients_retry_on(
    required: Gateway,
) -> None:
    token = required.token("citizen-multi")
    status, answer = await required.post({"documentId": sha256(OTHER)}, token)
    assert (status, code(answer)) == (400, "PERSISTED_QUERY_NOT_FOUND")
    assert answer["errors"][0]["message"] == "PersistedQueryNotFound"
    apollo = {"persistedQuery": {"version": 1, "sha256Hash": sha256(OTHER)}}
    status, answer = await get(required, token, extensions=apollo)
    assert (status, code(answer)) == (400, "PERSISTED_QUERY_NOT_FOUND")


@pytest.mark.parametrize(
    "body",
    [
        {"documentId": "sha256:xyz"},
        {"documentId": 7},
        {"documentId": "md5:" + "0" * 32},
        {"extensions": {"persistedQuery": {"version": 2, "sha256Hash": "0" * 64}}},
        {"extensions": {"persistedQuery": "0" * 64}},
        {
            "documentId": "0" * 64,
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "1" * 64}},
        },
    ],
)
async def test_a_malformed_id_is_a_clear_bad_request(
    required: Gateway, body: dict[str, Any]
) -> None:
    status, answer = await required.post(body, required.token("citizen-multi"))
    assert (status, code(answer)) == (400, "BAD_REQUEST")
    assert answer["errors"][0]["message"].startswith(("The request's", "extensions.", "documentId"))


async def test_the_rules_after_the_allowlist_still_hold(required: Gateway) -> None:
    # No token: 401 before the allowlist is consulted.
    status, _ = await required.post({"documentId": sha256(OWN)}, None)
    assert status == 401
    # A trusted mutation is still no GET query.
    token = required.token("citizen-multi")
    status, answer = await get(required, token, documentId=sha256(BLOCK), variables={"cpr": MULTI})
    assert status == 405
    # A trusted document is no way around tenancy: another patient's overview is refused.
    stranger = required.token("citizen-protected")
    status, answer = await required.post(
        {"documentId": sha256(OWN), "variables": {"cpr": MULTI}}, stranger
    )
    assert status == 200
    assert answer["data"] is None
    assert code(answer) == "FORBIDDEN"


async def test_a_clinicians_read_by_id_is_logged(required: Gateway) -> None:
    token = required.token("clinician-homecare-aarhus", patient_cpr=MULTI)
    log = required.app.state.services.access_log
    before = (await log.page(MULTI, first=1)).total
    status, answer = await required.post(
        {"documentId": sha256(OWN), "variables": {"cpr": MULTI}}, token
    )
    assert status == 200
    assert answer["data"]["patientOverview"]["patient"]["name"]
    page = await log.page(MULTI, first=1)
    assert page.total == before + 1
    assert page.entries[0].actor_role == "clinician"


@pytest.mark.parametrize("name", ["optional", "off"])
async def test_without_required_any_text_runs_under_the_same_limits(
    tmp_path: Path, clock: Clock, migrated_template: Path, name: TrustedMode
) -> None:
    tune = mode(name, manifest(tmp_path / "client.json", OWN))
    async with running_gateway(tmp_path, clock, template=migrated_template, tune=tune) as gw:
        token = gw.token("citizen-multi")
        status, answer = await gw.post({"query": OTHER, "variables": {"cpr": MULTI}}, token)
        assert (status, answer["data"]["patientOverview"]["patient"]["cpr"]) == (200, MULTI)
        deep = '{ patientOverview(cpr: "0108589995") ' + "{ stamkort " * 30 + "}" * 31
        status, answer = await gw.post({"query": deep}, token)
        assert answer.get("data") is None
        assert answer["errors"]
        status, answer = await gw.post(
            {"documentId": sha256(OWN), "variables": {"cpr": MULTI}}, token
        )
        if name == "optional":
            assert (status, answer["data"]["patientOverview"]["patient"]) == (
                200,
                {"name": "Poul Erik Testesen"},
            )
        else:
            assert (status, code(answer)) == (400, "PERSISTED_QUERY_NOT_SUPPORTED")


# The allowlist as start-up reads it.


def settings_for(name: TrustedMode, *files: Path) -> GraphQLSettings:
    return GraphQLSettings(trusted_documents=name, trusted_documents_files=tuple(map(str, files)))


def test_both_manifest_formats_are_read_and_each_entry_is_checked(tmp_path: Path) -> None:
    codegen = manifest(tmp_path / "persisted-documents.json", OWN)
    apollo = tmp_path / "apollo.json"
    apollo.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [
                    {"id": sha256(OTHER), "name": "Other", "type": "query", "body": OTHER}
                ],
            }
        )
    )
    docs = load_trusted(settings_for("required", codegen, apollo), SCHEMA, tmp_path / "none.json")
    assert dict(docs.documents) == {sha256(OWN): OWN, sha256(OTHER): OTHER}


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ({"0" * 64: OWN}, "its hash is not the sha256 of its document"),
        ({sha256("{ nothing }"): "{ nothing }"}, "it does not fit the schema"),
        ({sha256("query {"): "query {"}, "it does not parse"),
        (["not", "a", "map"], "expected a JSON object"),
        ({"format": "apollo-persisted-query-manifest", "version": 2}, "expected an Apollo"),
    ],
)
def test_a_manifest_that_does_not_fit_stops_start_up_naming_file_and_entry(
    tmp_path: Path, content: Any, why: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(content))
    with pytest.raises(ConfigError, match=r"graphql\.trusted_documents_files") as refused:
        load_trusted(settings_for("optional", bad), SCHEMA, tmp_path / "none.json")
    assert str(bad) in str(refused.value)
    assert why in str(refused.value)


def test_required_with_no_document_at_all_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"setting graphql\.trusted_documents is required"):
        load_trusted(settings_for("required"), SCHEMA, tmp_path / "operations.json")
    with pytest.raises(ConfigError, match="cannot read"):
        load_trusted(
            settings_for("optional", tmp_path / "missing.json"), SCHEMA, tmp_path / "x.json"
        )
    assert len(load_trusted(settings_for("off", tmp_path / "missing.json"), SCHEMA, tmp_path)) == 0


def test_the_page_manifest_is_trusted_and_fits_the_schema() -> None:
    page = web.DIST / web.MANIFEST
    if not page.is_file():
        pytest.skip("the page is not built (make web)")
    docs = load_trusted(settings_for("required"), SCHEMA, page)
    assert len(docs) == len(json.loads(page.read_text())) > 0


def test_resolving_leaves_a_request_with_text_as_it_is() -> None:
    docs = TrustedDocuments("required", {sha256(OWN): OWN})
    request = {"query": OWN, "operationName": "Own"}
    assert docs.resolve(request) is request
    resolved = docs.resolve({"documentId": sha256(OWN), "operationName": "Own"})
    assert resolved == {"query": OWN, "operationName": "Own"}
    with pytest.raises(trusted.TrustedDocumentRequiredError):
        docs.resolve({"query": OTHER})
    with pytest.raises(BadRequestError):
        docs.resolve({"query": OTHER, "documentId": sha256(OWN)})
