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
``SPO_TRUSTED_DOCUMENTS``   ``required``, ``optional`` or ``off``
``SPO_FEDERATION``          ``1``/``0``: serve an Apollo Federation 2 subgraph
``SPO_LOG_FORMAT``          ``json`` or ``plain`` (``[telemetry] log_format``)
==========================  =========================================

The first three ``[graphql]`` switches default to ``dev_mode``: off in production unless set;
``federation`` is off unless set, in dev mode too; ``trusted_documents`` is ``required`` in
production and ``optional`` in dev mode or as a subgraph (a router's query plans are in no
manifest: its safelist is the router's, so ``required`` with ``federation`` stops start-up).

Start-up stops, naming the setting, on an unknown table or key, a value of the wrong type or
out of its bounds (a timeout of zero or less; ``gateway/configtables.py`` checks each table
against its dataclass with pydantic), and a URL of a scheme nothing here speaks (``DATABASES``,
``CACHES``, http(s) for the sources, registers and JWKS). ``warnings_for`` names what runs but
should not in production (no trusted key outside dev mode); a Redis cache that does not answer
at start-up is a warning and a not-ready ``/readyz`` (``connectors/cacheprobe.py``).
"""

from __future__ import annotations

import os
import tomllib
import typing
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
    TrustedMode,
)
from gateway.configread import bool_env, float_env, get, opt, section
from gateway.configsources import register, source
from gateway.configtables import check
from gateway.edgeconfig import cors, ratelimit

# The URL schemes the store and the cache speak (store/engine.py, connectors/cachebackend.py).
DATABASES = ("sqlite+aiosqlite", "postgresql+asyncpg")
CACHES = ("memory", "redis", "rediss")

GRAPHQL_ENV = {
    "introspection": "SPO_INTROSPECTION",
    "suggestions": "SPO_SUGGESTIONS",
    "graphiql": "SPO_GRAPHIQL",
}
FEDERATION_ENV = "SPO_FEDERATION"


def _graphql(raw: Any, env: Mapping[str, str], dev_mode: bool) -> GraphQLSettings:
    raw = raw if raw is not None else {}
    checked = check(GraphQLSettings, raw, "graphql")
    values: dict[str, Any] = {}
    for name, variable in GRAPHQL_ENV.items():
        default = get(raw, name, bool, "graphql.") if name in raw else dev_mode
        values[name] = bool_env(env, variable, default)
    # Not a switch of what the endpoint tells in dev: a subgraph is a deployment's choice.
    federation = get(raw, "federation", bool, "graphql.") if "federation" in raw else False
    values["federation"] = bool_env(env, FEDERATION_ENV, federation)
    lenient = dev_mode or values["federation"]
    mode = raw.get("trusted_documents", "optional" if lenient else "required")
    mode = env.get("SPO_TRUSTED_DOCUMENTS", mode)
    if mode not in typing.get_args(TrustedMode):
        raise ConfigError(
            f"setting graphql.trusted_documents (SPO_TRUSTED_DOCUMENTS) must be required, "
            f"optional or off, not {mode!r}"
        )
    if mode == "required" and values["federation"]:
        raise ConfigError(
            "setting graphql.trusted_documents: required cannot serve a subgraph "
            "(graphql.federation): a router's query plans are in no manifest; set it to "
            "optional or off and keep the safelist at the router"
        )
    return GraphQLSettings(
        **values,
        trusted_documents=mode,
        trusted_documents_files=checked["trusted_documents_files"],
    )


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


class _Read(dict[str, Any]):
    """The file's top-level table, remembering which keys were asked for: any other is unknown.

    A new table is known once the code reads it (``raw.get("name")``), so nothing else needs to
    list it."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        super().__init__(raw)
        self.asked: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.asked.add(key)
        return super().__contains__(key)

    def refuse_unknown(self) -> None:
        unknown = sorted(set(self) - self.asked)
        if unknown:
            raise ConfigError(f"unknown setting(s) at the top level: {unknown}")


def _scalar(raw: Mapping[str, Any], key: str, kind: type, default: Any) -> Any:
    value = opt(raw, key, kind, "")
    return default if value is None else value


def _scheme(value: str, allowed: tuple[str, ...], setting: str) -> str:
    """``value`` when its URL scheme is one of ``allowed``; the message never shows the URL,
    which may hold a password."""
    scheme, sep, _ = value.partition("://")
    if not sep or scheme not in allowed:
        shown = f"{scheme}://" if sep else "no scheme"
        raise ConfigError(
            f"setting {setting} must be a {' or '.join(s + '://' for s in allowed)} URL, "
            f"not {shown}"
        )
    return value


def _url_setting(
    raw: Mapping[str, Any],
    env: Mapping[str, str],
    names: tuple[str, str],
    default: str,
    allowed: tuple[str, ...],
) -> str:
    key, variable = names
    in_file = _scalar(raw, key, str, default)  # checked even when the environment wins
    if variable in env:
        return _scheme(env[variable], allowed, variable)
    return _scheme(in_file, allowed, key)


def parse_settings(raw: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Settings:
    """Build settings from a parsed TOML table, with ``SPO_*`` overrides from ``env``.

    Raises ``ConfigError`` naming the setting for an unknown table or key, a value of the wrong
    type or out of its bounds (a timeout of zero or less), or a URL of a scheme nothing here
    speaks (``database_url``, ``cache_url``, the sources' and registers' URLs).
    """
    env = env or {}
    raw = _Read(raw)
    base = _scalar(raw, "upstream_base", str, "")
    base = env.get("SPO_UPSTREAM_BASE") or base
    if base:
        _scheme(base, ("http", "https"), "upstream_base")
    sources = raw.get("sources", [])
    if not isinstance(sources, list):
        raise ConfigError("setting sources must be an array of tables")
    parsed = tuple(source(s, base, n) for n, s in enumerate(sources))
    ids = [s.id for s in parsed]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"source ids must be unique: {ids}")
    auth_raw = check(AuthConfig, raw.get("auth") or {}, "auth")
    auth = AuthConfig(**{**auth_raw, "jwks_url": env.get("SPO_JWKS_URL") or auth_raw["jwks_url"]})
    if auth.jwks_url:
        _scheme(auth.jwks_url, ("https", "http"), "auth.jwks_url")
    if "none" in {a.lower() for a in auth.algorithms} or any(
        a.startswith("HS") for a in auth.algorithms
    ):
        raise ConfigError("setting auth.algorithms allows only asymmetric algorithms")
    limits = section(Limits, raw.get("limits"), "limits")
    if "SPO_REQUEST_DEADLINE_S" in env:
        deadline = float_env(env, "SPO_REQUEST_DEADLINE_S")
        if not deadline > 0:
            raise ConfigError("setting SPO_REQUEST_DEADLINE_S must be more than 0 seconds")
        limits = replace(limits, request_deadline_s=deadline)
    port = _scalar(raw, "port", int, 8000)
    try:
        port = int(env["SPO_PORT"]) if "SPO_PORT" in env else port
    except ValueError as exc:
        raise ConfigError(f"setting SPO_PORT is not a port number: {env.get('SPO_PORT')}") from exc
    if not 0 <= port <= 65535:
        raise ConfigError(f"setting {'SPO_PORT' if 'SPO_PORT' in env else 'port'} is no port")
    dev_mode = bool_env(env, "SPO_DEV_MODE", _scalar(raw, "dev_mode", bool, False))
    settings = Settings(
        sources=parsed,
        cpr=register(get(raw, "cpr", dict, ""), base, "cpr"),
        stamdata=register(get(raw, "stamdata", dict, ""), base, "stamdata"),
        auth=auth,
        dev_mode=dev_mode,
        host=env.get("SPO_HOST", _scalar(raw, "host", str, "127.0.0.1")),
        port=port,
        database_url=_url_setting(
            raw, env, ("database_url", "SPO_DATABASE_URL"), DEFAULT_DATABASE_URL, DATABASES
        ),
        cache_url=_url_setting(raw, env, ("cache_url", "SPO_CACHE_URL"), "memory://", CACHES),
        limits=limits,
        resilience=section(Resilience, raw.get("resilience"), "resilience"),
        policy=section(Policy, raw.get("policy"), "policy"),
        graphql=_graphql(raw.get("graphql"), env, dev_mode),
        telemetry=_telemetry(raw.get("telemetry"), env),
        ratelimit=ratelimit(section(RateLimitSettings, raw.get("ratelimit"), "ratelimit")),
        cors=cors(raw.get("cors")),
    )
    raw.refuse_unknown()
    return settings


def warnings_for(settings: Settings) -> list[str]:
    """What start-up logs as a warning: settings that run, but not as production should."""
    found = []
    if not settings.dev_mode and not (settings.auth.public_key_files or settings.auth.jwks_url):
        found.append(
            "setting auth: dev mode is off and no key is trusted (auth.public_key_files, "
            "auth.jwks_url / SPO_JWKS_URL): every token will be refused"
        )
    return found


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
