"""Settings: read once, typed, and loud about anything missing or malformed.

The embedded default (``gateway/default.toml``) runs the demo against the simulators. Production
points ``SPO_CONFIG`` at its own TOML file; single values are overridden by environment variables:

==========================  =========================================
``SPO_CONFIG``              path of a TOML file replacing the default
``SPO_DATABASE_URL``        SQLAlchemy async URL (``postgresql+asyncpg://…``)
``SPO_CACHE_URL``           ``memory://`` or ``redis://host:port/db``
``SPO_UPSTREAM_BASE``       base URL for relative upstream URLs
``SPO_DEV_MODE``            ``1``/``0``: trust the demo signing key
``SPO_HOST`` / ``SPO_PORT`` where the gateway listens
``SPO_JWKS_URL``            JWKS URL of the identity provider
``SPO_REQUEST_DEADLINE_S``  whole-request deadline in seconds
``SPO_INTROSPECTION``       ``1``/``0``: answer introspection queries
``SPO_SUGGESTIONS``         ``1``/``0``: "Did you mean …" in validation errors
``SPO_GRAPHIQL``            ``1``/``0``: serve GraphiQL at ``/graphql``
``SPO_LOG_FORMAT``          ``json`` or ``plain`` (``[telemetry] log_format``)
==========================  =========================================

The three ``[graphql]`` switches default to ``dev_mode``: off in production unless set.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

from domain.settings import (
    DEFAULT_DATABASE_URL,
    AuthConfig,
    ConfigError,
    GraphQLSettings,
    Limits,
    Policy,
    RateLimitSettings,
    Resilience,
    Settings,
    Telemetry,
)
from gateway.configread import bool_env, float_env, get, section
from gateway.configsources import register, source
from gateway.edgeconfig import cors, ratelimit

GRAPHQL_ENV = {
    "introspection": "SPO_INTROSPECTION",
    "suggestions": "SPO_SUGGESTIONS",
    "graphiql": "SPO_GRAPHIQL",
}


def _graphql(raw: Any, env: Mapping[str, str], dev_mode: bool) -> GraphQLSettings:
    raw = raw if raw is not None else {}
    if not isinstance(raw, dict):
        raise ConfigError("setting graphql must be a table")
    unknown = set(raw) - set(GRAPHQL_ENV)
    if unknown:
        raise ConfigError(f"unknown setting(s) in [graphql]: {sorted(unknown)}")
    values: dict[str, bool] = {}
    for name, variable in GRAPHQL_ENV.items():
        default = get(raw, name, bool, "graphql.") if name in raw else dev_mode
        values[name] = bool_env(env, variable, default)
    return GraphQLSettings(**values)


def _telemetry(raw: Any, env: Mapping[str, str]) -> Telemetry:
    telemetry = section(Telemetry, raw, "telemetry")
    names = telemetry.operation_names
    if not all(isinstance(n, str) for n in names):
        raise ConfigError("setting telemetry.operation_names must be a list of names")
    if "SPO_LOG_FORMAT" in env:
        try:
            telemetry = replace(telemetry, log_format=env["SPO_LOG_FORMAT"])
        except ValueError as exc:
            raise ConfigError(f"setting SPO_LOG_FORMAT: {exc}") from exc
    return telemetry


def parse_settings(raw: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Settings:
    """Build settings from a parsed TOML table, with ``SPO_*`` overrides from ``env``."""
    env = env or {}
    base = env.get("SPO_UPSTREAM_BASE") or raw.get("upstream_base", "")
    sources = raw.get("sources", [])
    if not isinstance(sources, list):
        raise ConfigError("setting sources must be an array of tables")
    parsed = tuple(source(s, base, n) for n, s in enumerate(sources))
    ids = [s.id for s in parsed]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"source ids must be unique: {ids}")
    auth_raw = raw.get("auth") or {}
    auth = AuthConfig(
        issuer=get(auth_raw, "issuer", str, "auth."),
        audience=get(auth_raw, "audience", str, "auth."),
        algorithms=tuple(auth_raw.get("algorithms", ("ES256", "RS256", "EdDSA"))),
        public_key_files=tuple(auth_raw.get("public_key_files", ())),
        jwks_url=env.get("SPO_JWKS_URL") or auth_raw.get("jwks_url", ""),
        dev_key_file=auth_raw.get("dev_key_file", "var/dev-signing-key.pem"),
    )
    if "none" in {a.lower() for a in auth.algorithms} or any(
        a.startswith("HS") for a in auth.algorithms
    ):
        raise ConfigError("setting auth.algorithms allows only asymmetric algorithms")
    limits = section(Limits, raw.get("limits"), "limits")
    if "SPO_REQUEST_DEADLINE_S" in env:
        limits = replace(limits, request_deadline_s=float_env(env, "SPO_REQUEST_DEADLINE_S"))
    if not limits.database_timeout_s > 0:
        raise ConfigError("setting limits.database_timeout_s must be a positive number of seconds")
    try:
        port = int(env.get("SPO_PORT", raw.get("port", 8000)))
    except ValueError as exc:
        raise ConfigError(f"setting SPO_PORT is not a port number: {env.get('SPO_PORT')}") from exc
    dev_mode = bool_env(env, "SPO_DEV_MODE", bool(raw.get("dev_mode", False)))
    return Settings(
        sources=parsed,
        cpr=register(get(raw, "cpr", dict, ""), base, "cpr"),
        stamdata=register(get(raw, "stamdata", dict, ""), base, "stamdata"),
        auth=auth,
        dev_mode=dev_mode,
        host=env.get("SPO_HOST", raw.get("host", "127.0.0.1")),
        port=port,
        database_url=env.get("SPO_DATABASE_URL", raw.get("database_url", DEFAULT_DATABASE_URL)),
        cache_url=env.get("SPO_CACHE_URL", raw.get("cache_url", "memory://")),
        limits=limits,
        resilience=section(Resilience, raw.get("resilience"), "resilience"),
        policy=section(Policy, raw.get("policy"), "policy"),
        graphql=_graphql(raw.get("graphql"), env, dev_mode),
        telemetry=_telemetry(raw.get("telemetry"), env),
        ratelimit=ratelimit(section(RateLimitSettings, raw.get("ratelimit"), "ratelimit")),
        cors=cors(raw.get("cors")),
    )


def read_toml(path: str | Path | None = None) -> dict[str, Any]:
    """Read a TOML config file, or the embedded default when ``path`` is None."""
    try:
        if path is None:
            text = resources.files("gateway").joinpath("default.toml").read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
        return tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read configuration {path or 'default.toml'}: {exc}") from exc


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read settings once: ``SPO_CONFIG`` (or the embedded default) plus ``SPO_*`` overrides."""
    env = dict(os.environ if env is None else env)
    return parse_settings(read_toml(env.get("SPO_CONFIG")), env)
