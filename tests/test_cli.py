"""The `spo` command line: schema export, migrations, tokens, and the access-log chain."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from sqlalchemy import text

from gateway.cli import export_schema, main
from store.auditlog import AuditLog, NewEntry
from store.engine import make_engine


def _entry(n: int, at: datetime) -> NewEntry:
    return NewEntry(
        at=at,
        patient_cpr="0108589995",
        actor_role="clinician",
        actor_id="005ML",
        actor_name="Lene Hjort",
        actor_org_sor="265311000016006",
        actor_org_name="AUH",
        on_behalf_of=None,
        action="view",
        categories=("appointments",),
        override_id=None,
        override_reason=None,
        request_id=f"r{n}",
    )


async def _fill(url: str, times: list[datetime]) -> None:
    engine = make_engine(url)
    try:
        log = AuditLog(engine)
        for n, at in enumerate(times):
            await log.append(_entry(n, at))
    finally:
        await engine.dispose()


async def _tamper(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE access_log SET actor_name = 'Someone' WHERE seq = 2"))
    finally:
        await engine.dispose()


@pytest.fixture
def db_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("SPO_DATABASE_URL", url)
    monkeypatch.delenv("SPO_CONFIG", raising=False)
    main(["db", "upgrade"])
    return url


def test_audit_verify_and_purge(db_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    now = datetime.now(UTC)
    asyncio.run(_fill(db_env, [now - timedelta(days=800), now - timedelta(days=1), now]))
    with pytest.raises(SystemExit) as ok:
        main(["audit", "verify"])
    assert ok.value.code == 0
    assert "3 entries verified" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["audit", "purge"])  # retention 730 days: the oldest goes, the chain stays valid
    assert "purged 1 entries" in capsys.readouterr().out
    with pytest.raises(SystemExit) as still_ok:
        main(["audit", "verify"])
    assert still_ok.value.code == 0
    asyncio.run(_tamper(db_env))
    with pytest.raises(SystemExit) as broken:
        main(["audit", "verify"])
    assert broken.value.code == 1
    assert "BROKEN at entry 2" in capsys.readouterr().out


def test_export_schema_prints_the_sdl(capsys: pytest.CaptureFixture[str]) -> None:
    main(["export-schema"])
    assert capsys.readouterr().out == export_schema()


def test_token_for_a_persona(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # the dev key is created under ./var
    main(["token", "clinician-auh"])
    token = capsys.readouterr().out.strip()
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["spo_role"] == "clinician"
    assert claims["authorisation_id"] == "005ML"
    assert (tmp_path / "var" / "dev-signing-key.pem").exists()


def test_token_for_any_principal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    main(
        [
            "token",
            "--role",
            "relative",
            "--name",
            "Hanne",
            "--cpr",
            "0201609995",
            "--patient-cpr",
            "0108589995",
            "--valid-to",
            "2030-01-01",
        ]
    )
    claims = jwt.decode(capsys.readouterr().out.strip(), options={"verify_signature": False})
    assert claims["fuldmagt"]["patient_cpr"] == "0108589995"
    assert claims["fuldmagt"]["valid_to"] == "2030-01-01"
    with pytest.raises(SystemExit) as refused:
        main(["token", "--role", "clinician", "--name", "No Id"])
    assert "authorisation_id" in str(refused.value.code)


def test_serve_stops_before_any_worker_when_a_trusted_documents_manifest_does_not_fit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = tmp_path / "client.json"
    manifest.write_text('{"' + "0" * 64 + '": "{ organizations(search: \\"x\\") { sor } }"}')
    default = (Path(__file__).parent.parent / "gateway" / "default.toml").read_text("utf-8")
    config = tmp_path / "config.toml"
    listed = f'[graphql]\ntrusted_documents_files = ["{manifest}"]\n'
    config.write_text(default.replace("[graphql]\n", listed, 1))
    monkeypatch.setenv("SPO_CONFIG", str(config))
    with pytest.raises(SystemExit) as stopped:
        main(["serve"])
    message = str(stopped.value)
    assert message.startswith("spo: configuration error: setting graphql.trusted_documents_files")
    assert str(manifest) in message
    assert "its hash is not the sha256 of its document" in message
