"""The ``[ratelimit]`` and ``[cors]`` settings, checked so start-up stops naming a bad one."""

from __future__ import annotations

import urllib.parse
from typing import Any

from limits import parse_many

from domain.settings import ConfigError, CorsSettings, RateLimitSettings
from gateway.configread import section


def ratelimit(settings: RateLimitSettings) -> RateLimitSettings:
    """``settings`` when each limit reads in ``limits``' notation (or is ``""``: none)."""
    for name in ("per_principal", "per_address"):
        value = getattr(settings, name)
        if not value:
            continue
        try:
            parse_many(value)
        except ValueError as exc:
            raise ConfigError(
                f"setting ratelimit.{name} is not a rate like '300/minute': {value!r}"
            ) from exc
    return settings


def cors(raw: Any) -> CorsSettings:
    """``[cors]``: each allowed origin a scheme and host (and port), nothing more; no ``*``."""
    settings = section(CorsSettings, raw, "cors")
    for origin in settings.allow_origins:
        parsed = urllib.parse.urlsplit(origin)
        if (
            parsed.scheme not in ("http", "https")
            or not parsed.hostname
            or origin != f"{parsed.scheme}://{parsed.netloc}"
        ):
            raise ConfigError(
                "setting cors.allow_origins holds an origin that is not scheme://host[:port] "
                f"(each origin is named; no '*', path or trailing slash): {origin!r}"
            )
    if settings.max_age_s < 0:
        raise ConfigError("setting cors.max_age_s must be 0 or more seconds")
    return settings
