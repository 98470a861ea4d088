"""The Dockerfile and deploy/k8s/ agree with the code: probes, ports, env names and settings.

No container can run here, so the manifests are read (PyYAML) and held against the code: the
ConfigMap's TOML with the Deployment's environment is parsed by ``gateway.config`` as a replica
would, the probe paths are asked of that gateway over real HTTP, and every environment
variable a manifest sets is one the settings read.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from domain.settings import Settings
from gateway.app import create_app
from gateway.config import parse_settings
from tests.gatewayfixtures import start_uvicorn

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy" / "k8s"
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def documents() -> Iterator[dict[str, Any]]:
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                yield doc


def one(kind: str, name: str | None = None) -> dict[str, Any]:
    found = [d for d in documents() if d["kind"] == kind and name in (None, d["metadata"]["name"])]
    assert len(found) == 1, f"{kind} {name or ''}: {len(found)} found"
    return found[0]


DEPLOYMENT = one("Deployment")
POD = DEPLOYMENT["spec"]["template"]
(GATEWAY,) = POD["spec"]["containers"]
PORTS = {p["name"]: p["containerPort"] for p in GATEWAY["ports"]}
JOB = one("Job")


def containers() -> list[dict[str, Any]]:
    return [*POD["spec"]["containers"], *JOB["spec"]["template"]["spec"]["containers"]]


def env_read_by_the_settings() -> set[str]:
    """Every ``SPO_*`` name the settings code reads (gateway/config*.py)."""
    names: set[str] = set()
    for path in (ROOT / "gateway").glob("config*.py"):
        names.update(re.findall(r"\"(SPO_[A-Z0-9_]+)\"", path.read_text()))
    return names


def replica_env() -> dict[str, str]:
    """The Deployment's environment, with plausible values for what its Secret holds."""
    stand_in = {
        "database-url": "postgresql+asyncpg://spo@postgres.example.invalid:5432/spo",
        "cache-url": "redis://redis.example.invalid:6379/0",
    }
    env: dict[str, str] = {}
    for item in GATEWAY["env"]:
        if "value" in item:
            env[item["name"]] = item["value"]
        else:
            env[item["name"]] = stand_in[item["valueFrom"]["secretKeyRef"]["key"]]
    return env


def config_toml() -> dict[str, Any]:
    """The TOML the replica reads: the ConfigMap key that ``SPO_CONFIG`` names, as mounted."""
    path = Path(replica_env()["SPO_CONFIG"])
    (mount,) = [m for m in GATEWAY["volumeMounts"] if Path(m["mountPath"]) == path.parent]
    (volume,) = [v for v in POD["spec"]["volumes"] if v["name"] == mount["name"]]
    config_map = one("ConfigMap", volume["configMap"]["name"])
    return tomllib.loads(config_map["data"][path.name])


def replica_settings() -> Settings:
    return parse_settings(config_toml(), replica_env())


def test_the_kustomization_lists_every_manifest() -> None:
    (kustomization,) = [d for d in documents() if d["kind"] == "Kustomization"]
    listed = set(kustomization["resources"])
    assert listed == {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    kinds = {d["kind"] for d in documents()}
    assert {
        "ConfigMap",
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Job",
    } <= kinds


def test_every_env_name_is_one_the_settings_read() -> None:
    known = env_read_by_the_settings()
    assert {"SPO_CONFIG", "SPO_DATABASE_URL", "SPO_CACHE_URL", "SPO_PORT"} <= known
    for container in containers():
        for item in container["env"]:
            assert item["name"] in known, f"{container['name']}: {item['name']} is read by nothing"


def test_credentials_come_from_a_secret_by_reference() -> None:
    assert not [d for d in documents() if d["kind"] == "Secret"]
    for container in containers():
        for item in container["env"]:
            if item["name"] in ("SPO_DATABASE_URL", "SPO_CACHE_URL"):
                assert "value" not in item
                assert item["valueFrom"]["secretKeyRef"]["name"] == "spo-gateway"


def test_the_replica_s_settings_parse_for_production() -> None:
    settings = replica_settings()
    assert settings.dev_mode is False
    assert settings.host == "0.0.0.0"  # noqa: S104 - a container listens on its own interface
    assert settings.database_url.startswith("postgresql+asyncpg://")
    assert settings.cache_url.startswith("redis://")
    assert settings.auth.jwks_url.startswith("https://")
    assert all(url.startswith("https://") for url in _upstream_urls(settings))
    assert settings.graphql.trusted_documents == "required"
    assert not settings.graphql.introspection
    # The ConfigMap says the same as the variables, so no replica depends on which wins.
    assert config_toml()["port"] == settings.port


def _upstream_urls(settings: Settings) -> list[str]:
    urls = [settings.cpr.url, settings.stamdata.url]
    for source in settings.sources:
        urls.extend(e.url for e in (source.appointments, source.plans) if e is not None)
    return urls


def test_ports_agree_with_the_settings_and_the_image() -> None:
    settings = replica_settings()
    assert {"http": settings.port} == PORTS
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        assert GATEWAY[probe]["httpGet"]["port"] in PORTS
    (service_port,) = one("Service")["spec"]["ports"]
    assert service_port["targetPort"] in PORTS
    assert f"EXPOSE {settings.port}\n" in DOCKERFILE
    assert f"SPO_PORT={settings.port}" in DOCKERFILE


def test_selectors_match_the_pods() -> None:
    labels = POD["metadata"]["labels"]
    for selector in (
        DEPLOYMENT["spec"]["selector"]["matchLabels"],
        one("Service")["spec"]["selector"],
        one("PodDisruptionBudget")["spec"]["selector"]["matchLabels"],
    ):
        assert selector.items() <= labels.items()
    job_labels = JOB["spec"]["template"]["metadata"]["labels"]
    assert not DEPLOYMENT["spec"]["selector"]["matchLabels"].items() <= job_labels.items()
    hpa = one("HorizontalPodAutoscaler")["spec"]
    assert hpa["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": DEPLOYMENT["metadata"]["name"],
    }
    # A drain never takes the last replicas at once.
    assert hpa["minReplicas"] > one("PodDisruptionBudget")["spec"]["maxUnavailable"] + 1


def test_containers_are_bounded_and_unprivileged() -> None:
    for spec in (POD["spec"], JOB["spec"]["template"]["spec"]):
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] != 0
    for container in containers():
        assert {"cpu", "memory"} <= container["resources"]["requests"].keys()
        assert "memory" in container["resources"]["limits"]
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert JOB["spec"]["template"]["spec"]["containers"][0]["args"] == ["db", "upgrade"]
    assert GATEWAY["args"][0] == "serve"


@pytest.fixture
async def replica(tmp_path: Path) -> AsyncIterator[str]:
    """The gateway with the replica's settings on a real port; SQLite and an in-process cache
    stand in for PostgreSQL and Redis, and no identity provider is asked for its keys."""
    settings = replica_settings()
    settings = replace(
        settings,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'spo.db'}",
        cache_url="memory://",
        auth=replace(settings.auth, jwks_url=""),
    )
    server, task, url = await start_uvicorn(create_app(settings))
    try:
        yield url
    finally:
        server.should_exit = True
        await task


async def test_the_probes_answer_on_the_replica_s_gateway(replica: str) -> None:
    async with aiohttp.ClientSession() as session:
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            path = GATEWAY[probe]["httpGet"]["path"]
            async with session.get(replica + path) as resp:
                assert resp.status == 200, f"{probe} {path}: {resp.status}"
        async with session.get(replica + "/no-such-probe") as resp:
            assert resp.status == 404
    assert GATEWAY["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert GATEWAY["readinessProbe"]["httpGet"]["path"] == "/readyz"


# --- the Dockerfile -------------------------------------------------------------------------


def instructions() -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` per instruction, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE)
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def stages() -> dict[str, list[tuple[str, str]]]:
    named: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] = []
    for word, rest in instructions():
        if word == "FROM":
            current = []
            named[rest.split()[-1]] = current
        current.append((word, rest))
    return named


def test_the_image_is_multi_stage_and_builds_the_page_with_node_20() -> None:
    built = stages()
    assert len(built) >= 3
    args = dict(
        rest.split("=", 1) for word, rest in instructions() if word == "ARG" and "=" in rest
    )
    node = [
        name
        for name, steps in built.items()
        if args.get(steps[0][1].split()[0].strip("${}"), "").startswith("node:20")
    ]
    assert len(node) == 1
    runs = [rest for word, rest in built[node[0]] if word == "RUN"]
    assert any(r.startswith("npm ci") for r in runs)
    assert "npm run build" in runs
    # The page lands where gateway/web.py looks for it: web/dist beside the code in /app.
    runtime = list(built)[-1]
    copies = [rest for word, rest in built[runtime] if word == "COPY"]
    assert f"--from={node[0]} /src/web/dist /app/web/dist" in copies


def test_the_image_installs_the_runtime_lock_with_hashes() -> None:
    runs = " ".join(rest for word, rest in instructions() if word == "RUN")
    assert "pip install --require-hashes -r /tmp/runtime.txt" in runs
    assert "pip install --no-deps --no-build-isolation" in runs
    assert "COPY requirements/runtime.txt /tmp/runtime.txt" in DOCKERFILE


def test_the_runtime_runs_as_a_user_and_checks_its_health() -> None:
    runtime = list(stages().values())[-1]
    (user,) = [rest for word, rest in runtime if word == "USER"]
    assert user.split(":")[0] not in ("root", "0")
    assert user.split(":")[0] == str(POD["spec"]["securityContext"]["runAsUser"])
    (health,) = [rest for word, rest in runtime if word == "HEALTHCHECK"]
    assert "/healthz" in health
    assert GATEWAY["livenessProbe"]["httpGet"]["path"] in health


def test_what_the_image_copies_is_in_the_repository_and_not_ignored() -> None:
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for word, rest in instructions():
        if word != "COPY" or rest.startswith("--from"):
            continue
        *sources, _target = shlex.split(rest)
        for source in sources:
            top = source.rstrip("/")
            assert top not in ignored, source
            if top.startswith("web") and not (ROOT / "web").is_dir():
                continue  # the page is its own branch's; checked once it is merged
            assert (ROOT / top).exists(), source
