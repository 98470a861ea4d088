"""The embedded demo: personas' tokens, the demo's own state, and ``var/demo.json``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from domain.blocks import Block, BlockKind
from domain.entered import Provenance
from domain.settings import Settings
from gateway.tokens import load_or_create_dev_key, mint_token
from simulators.population import Persona, Population
from store.repositories import Repositories


def claims_for(p: Persona) -> dict[str, Any]:
    """The token claims of a persona (see ``gateway/auth.py``)."""
    if p.role == "citizen":
        return {"sub": f"citizen:{p.id}", "spo_role": "citizen", "cpr": p.actor_cpr, "name": p.name}
    if p.role == "relative":
        return {
            "sub": f"relative:{p.id}",
            "spo_role": "relative",
            "cpr": p.actor_cpr,
            "name": p.name,
            "fuldmagt": {
                "patient_cpr": p.cpr,
                "valid_from": p.fuldmagt_from.isoformat() if p.fuldmagt_from else None,
                "valid_to": p.fuldmagt_to.isoformat() if p.fuldmagt_to else None,
            },
        }
    return {
        "sub": f"clinician:{p.id}",
        "spo_role": "clinician",
        "name": p.name,
        "authorisation_id": p.authorisation_id,
        "role": p.clinician_role,
        "sor": p.sor,
        "org_name": p.org_name,
        "patient_cpr": p.cpr,
    }


def persona_tokens(settings: Settings, pop: Population) -> list[dict[str, str]]:
    key = load_or_create_dev_key(settings.auth.dev_key_file)
    return [
        {
            "id": p.id,
            "role": p.role,
            "name": p.name,
            "cpr": p.cpr,
            "token": mint_token(key, settings.auth, claims_for(p)),
            "description": p.description,
        }
        for p in pop.personas
    ]


async def seed(store: Repositories, pop: Population) -> None:
    """The demo's own state, created once: citizen-multi's relatives and the blocked clinician."""
    now = datetime.now(UTC)
    multi = pop.persona("citizen-multi")
    blocked = pop.persona("clinician-blocked")
    existing = await store.blocks.list_blocks(multi.cpr)
    if not any(b.authorisation_id == blocked.authorisation_id for b in existing):
        await store.blocks.add(
            Block.new(
                patient_cpr=multi.cpr,
                kind=BlockKind.PROFESSIONAL,
                valid_from=now - timedelta(days=1),
                valid_to=None,
                authorisation_id=blocked.authorisation_id,
                sor=None,
                include_subunits=False,
                period_start=None,
                period_end=None,
                created_by=multi.cpr,
                created_by_role="citizen",
                now=now,
            )
        )
    state = await store.stamkort.stamkort(multi.cpr)
    if state.version == 0:
        await store.stamkort.update_stamkort(
            multi.cpr,
            expected_version=0,
            now=now,
            provenance=Provenance(multi.cpr, multi.name, "citizen"),
            changes={
                "phone": "+4520119995",
                "language": {"code": "da", "name": "Danish"},
                "relatives": [
                    {
                        "name": "Hanne Testesen",
                        "phone": "+4530229995",
                        "relation": "SPS",
                        "relation_display": "Ægtefælle",
                    },
                    {
                        "name": "Mikkel Testesen",
                        "phone": "+4540339995",
                        "relation": "CHILD",
                        "relation_display": "Barn",
                    },
                ],
            },
        )


def write_demo_json(
    path: Path, gateway_url: str, personas: list[dict[str, str]], simulators: list[dict[str, str]]
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"gateway": gateway_url, "personas": personas, "simulators": simulators}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", "utf-8")


def table(personas: list[dict[str, str]]) -> str:
    """The personas, then each one's bearer token on a line of its own (tokens are long)."""
    rows = [f"{'persona':26} {'role':10} {'patient cpr':12} name"]
    rows += [f"{p['id']:26} {p['role']:10} {p['cpr']:12} {p['name']}" for p in personas]
    rows += ["", "Bearer tokens (header  Authorization: Bearer <token>):"]
    rows += [f"{p['id']:26} {p['token']}" for p in personas]
    return "\n".join(rows)
