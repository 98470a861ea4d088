"""The demo's own pieces: personas' tokens verify, the table shows them, seeding is idempotent."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from gateway.auth import TokenVerifier
from gateway.config import load_settings
from gateway.demo import persona_tokens, seed, table, write_demo_json
from simulators.population import build_population
from store.repositories import Repositories


async def test_every_persona_token_verifies_in_dev_mode(tmp_path: Path) -> None:
    settings = load_settings({"SPO_DEV_MODE": "1"})
    settings = replace(
        settings, auth=replace(settings.auth, dev_key_file=str(tmp_path / "dev.pem"))
    )
    pop = build_population()
    personas = persona_tokens(settings, pop)
    verifier = await TokenVerifier.create(settings.auth, dev_mode=True)
    for p in personas:
        principal = await verifier.verify(p["token"])
        assert principal.kind == p["role"]
    shown = table(personas)
    assert all(p["token"] in shown and p["id"] in shown for p in personas)
    out = tmp_path / "demo.json"
    write_demo_json(out, "http://127.0.0.1:8000/graphql", personas, [{"source": "rm", "url": "u"}])
    doc = json.loads(out.read_text("utf-8"))
    assert {"id", "role", "name", "cpr", "token", "description"} <= set(doc["personas"][0])
    # Outside dev mode the demo key is not trusted.
    strict = await TokenVerifier.create(settings.auth, dev_mode=False)
    assert strict.keys == {}


async def test_seeding_twice_changes_nothing(store: Repositories) -> None:
    pop = build_population()
    await seed(store, pop)
    first = (
        await store.blocks.list_blocks("0108589995"),
        await store.stamkort.stamkort("0108589995"),
    )
    await seed(store, pop)
    assert (
        await store.blocks.list_blocks("0108589995"),
        await store.stamkort.stamkort("0108589995"),
    ) == first
    assert [b.authorisation_id for b in first[0]] == ["0D3XJ"]
    assert first[1].version == 1
