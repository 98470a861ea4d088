"""The gateway's settings as typed values; ``gateway/config.py`` reads them from TOML and env.

Bounds are declared on the fields (``annotated_types``): ``gateway/configread.py`` checks every
table against its dataclass, refusing unknown keys, wrong types and values out of bounds with a
message naming the setting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Literal

from annotated_types import Ge, Gt, Le

from domain.records import Sector

# A time limit: zero or less would fail every call (or none).
Timeout = Annotated[float, Gt(0)]
# A duration or a count where zero means "none".
NonNegative = Annotated[float, Ge(0)]
Count = Annotated[int, Ge(0)]
AtLeastOne = Annotated[int, Ge(1)]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/spo.db"

KIND_SECTOR = {"region": Sector.HOSPITAL, "municipality": Sector.MUNICIPALITY, "gp": Sector.GP}


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """How a source offers one kind of data. Which ``protocol`` each kind can be read with is
    the connector table's to say (``connectors/registry.py`` ``CONNECTORS``)."""

    protocol: str
    url: str


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """One upstream system that contributes appointments and/or plans."""

    id: str
    name: str
    kind: str
    sor: str
    appointments: Endpoint | None = None
    plans: Endpoint | None = None
    timeout_s: Timeout = 1.0
    cache_ttl_s: NonNegative = 30.0
    requires_consent: bool = False
    shared_since: date | None = None

    @property
    def sector(self) -> Sector:
        return KIND_SECTOR[self.kind]


@dataclass(frozen=True, slots=True)
class RegisterConfig:
    """A register the gateway reads master data from (CPR, stamdata)."""

    url: str
    timeout_s: Timeout = 1.0
    cache_ttl_s: NonNegative = 300.0


@dataclass(frozen=True, slots=True)
class AuthConfig:
    issuer: str
    audience: str
    algorithms: tuple[str, ...] = ("ES256", "RS256", "EdDSA")
    public_key_files: tuple[str, ...] = ()
    jwks_url: str = ""
    dev_key_file: str = "var/dev-signing-key.pem"


@dataclass(frozen=True, slots=True)
class Limits:
    request_deadline_s: Timeout = 2.0
    max_depth: AtLeastOne = 12
    max_aliases: Count = 30
    max_tokens: AtLeastOne = 2000
    max_response_bytes: AtLeastOne = 8_000_000
    # Each call to the gateway's own database (capped by what is left of the request deadline);
    # also its connect, pool-wait, statement and lock timeouts (see store/engine.py make_engine).
    database_timeout_s: Timeout = 1.0
    # Requests in flight per replica (0: no bound); past it one may wait this long for a slot,
    # else 503 with Retry-After (gateway/admission.py).
    max_in_flight: Count = 32
    queue_timeout_s: NonNegative = 0.05


@dataclass(frozen=True, slots=True)
class Resilience:
    retry_attempts: Count = 2
    retry_backoff_s: NonNegative = 0.05
    retry_budget_ratio: Annotated[float, Ge(0), Le(1)] = 0.2
    breaker_failures: AtLeastOne = 5
    breaker_reset_s: Timeout = 10.0
    stale_if_error_s: NonNegative = 600.0


@dataclass(frozen=True, slots=True)
class Policy:
    override_window_minutes: AtLeastOne = 120
    audit_retention_days: AtLeastOne = 730
    # A relative's calendar feed stops this many days after its owner last confirmed it with a
    # valid token (and at the fuldmagt's end in any case).
    feed_confirm_days: int = 30
    # The same bound for a citizen's own feed; 0 = none (her right to her data does not lapse).
    citizen_feed_confirm_days: int = 0
    # At most one refused-attempt entry per viewer and patient in Min Log within this window.
    refused_log_window_minutes: int = 60

    def __post_init__(self) -> None:
        # _section turns a ValueError into a ConfigError naming [policy].
        if self.feed_confirm_days < 1:
            raise ValueError("feed_confirm_days must be at least 1")
        if self.citizen_feed_confirm_days < 0:
            raise ValueError("citizen_feed_confirm_days must be 0 (no bound) or more")
        if self.refused_log_window_minutes < 0:
            raise ValueError("refused_log_window_minutes must be 0 or more")


# Which documents run: only trusted (persisted) ones, those or any other, or any (ids unknown).
TrustedMode = Literal["required", "optional", "off"]


@dataclass(frozen=True, slots=True)
class GraphQLSettings:
    """What the endpoint tells about itself and which documents it runs.

    ``introspection``, ``suggestions`` and ``graphiql`` default to ``dev_mode``'s value.
    ``trusted_documents`` (``gateway/trusted.py``): ``required`` runs only the documents of the
    allowlist, ``optional`` runs those by id and any other text too, ``off`` knows no ids; it
    defaults to ``required``, ``optional`` in dev mode or as a subgraph. The allowlist is the
    reference page's build manifest (when built) and the manifests in
    ``trusted_documents_files``.

    ``federation``: serve the graph as an Apollo Federation 2 subgraph (``_service { sdl }``
    and ``_entities`` for the ``PatientEntity`` entity, ``resolvers/federation.py``); off by
    default, in dev mode too.
    """

    introspection: bool = False
    suggestions: bool = False
    graphiql: bool = False
    trusted_documents: TrustedMode = "required"
    trusted_documents_files: tuple[str, ...] = ()
    federation: bool = False


@dataclass(frozen=True, slots=True)
class Telemetry:
    """Logs and metrics (traces are configured by the standard ``OTEL_*`` variables).

    ``log_format``: ``json`` (one object per line) or ``plain``. ``operation_names``: GraphQL
    operation names always shown as themselves in metric labels; besides them, the first
    ``operation_name_cap`` other plain names a process sees are (0: none), and every other
    operation is counted as ``other``.
    """

    log_format: str = "json"
    operation_names: tuple[str, ...] = ()
    operation_name_cap: int = 50

    def __post_init__(self) -> None:
        if self.log_format not in ("json", "plain"):
            raise ValueError(f"log_format must be json or plain, not {self.log_format!r}")
        if self.operation_name_cap < 0:
            raise ValueError("operation_name_cap must be 0 or more")


@dataclass(frozen=True, slots=True)
class RateLimitSettings:
    """Requests allowed per principal and per client address, in ``limits``' notation
    (``"300/minute"``, ``"10/second; 300/minute"``); ``""`` is no limit."""

    per_principal: str = "300/minute"
    per_address: str = "3000/minute"


@dataclass(frozen=True, slots=True)
class CorsSettings:
    """Browser origins allowed to call the gateway (none by default: no cross-origin page)."""

    allow_origins: tuple[str, ...] = ()
    max_age_s: int = 600


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the gateway needs to start. Build with ``load_settings()``."""

    sources: tuple[SourceConfig, ...]
    cpr: RegisterConfig
    stamdata: RegisterConfig
    auth: AuthConfig
    dev_mode: bool = False
    host: str = "127.0.0.1"
    port: Annotated[int, Ge(0), Le(65535)] = 8000
    database_url: str = DEFAULT_DATABASE_URL
    cache_url: str = "memory://"
    limits: Limits = field(default_factory=Limits)
    resilience: Resilience = field(default_factory=Resilience)
    policy: Policy = field(default_factory=Policy)
    graphql: GraphQLSettings = field(default_factory=GraphQLSettings)
    telemetry: Telemetry = field(default_factory=Telemetry)
    ratelimit: RateLimitSettings = field(default_factory=RateLimitSettings)
    cors: CorsSettings = field(default_factory=CorsSettings)

    def source(self, source_id: str) -> SourceConfig:
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)
