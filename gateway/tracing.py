"""OpenTelemetry traces: off unless the standard ``OTEL_*`` variables turn them on.

Our code only ever uses the OpenTelemetry API (``trace.get_tracer``): a span per request
(``gateway/observe.py``), per source fetch (``connectors/http.py``), per store call and so per
access-log append (``store/database.py``) — never per field. Without an SDK those spans are
no-ops and nothing is exported. ``configure(env)``, called once per process by ``spo serve`` /
``spo demo`` (each worker calls it for itself), installs the SDK only when
``OTEL_TRACES_EXPORTER`` names an exporter:

- ``OTEL_TRACES_EXPORTER``: comma-separated exporter names, looked up among the installed
  ``opentelemetry_traces_exporter`` entry points (``console`` comes with the SDK; ``otlp`` /
  ``otlp_proto_http`` with ``pip install 'spo-gateway[otlp]'``). Unset or ``none``: off.
- ``OTEL_SDK_DISABLED=true``: off, whatever else is set.
- everything else as the SDK reads it: ``OTEL_SERVICE_NAME`` (default here ``spo-gateway``),
  ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_TRACES_SAMPLER``/``_ARG``, ``OTEL_BSP_*``, and the
  exporter's own (``OTEL_EXPORTER_OTLP_ENDPOINT``, …).

Spans carry no patient data: source ids, route templates, bounded operation names, outcomes,
request ids; never a URL's path or query, a statement, a parameter or an exception message.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import Any

from opentelemetry import trace

from domain.settings import ConfigError

GROUP = "opentelemetry_traces_exporter"
SERVICE = "spo-gateway"


def exporter_names(env: Mapping[str, str]) -> list[str]:
    """The exporters ``env`` asks for; empty when tracing is off."""
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return []
    names = [n.strip() for n in env.get("OTEL_TRACES_EXPORTER", "").split(",") if n.strip()]
    return [] if names in ([], ["none"]) else names


def configure(env: Mapping[str, str] | None = None) -> Any:
    """Install the SDK's tracer provider with the exporters ``env`` names; the provider, or
    ``None`` when tracing is off. An exporter that is not installed stops start-up, naming the
    variable."""
    env = os.environ if env is None else env
    names = exporter_names(env)
    if not names:
        return None
    # Imported here: without tracing the SDK is never even loaded.
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    exporters = []
    for name in names:
        found = entry_points(group=GROUP, name=name)
        if not found:
            raise ConfigError(
                f"setting OTEL_TRACES_EXPORTER names {name!r}, which is not installed "
                f"(installed: {sorted(e.name for e in entry_points(group=GROUP))})"
            )
        exporters.append(next(iter(found)).load()())
    named = "OTEL_SERVICE_NAME" in env or "service.name=" in env.get("OTEL_RESOURCE_ATTRIBUTES", "")
    provider = TracerProvider(resource=Resource.create({} if named else {"service.name": SERVICE}))
    for exporter in exporters:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return provider
