"""The hand-written leg as a server: the gateway's own app (same lifespan, connectors, cache,
database and middleware) with one more route, ``POST /overview``, served by the same uvicorn
options as ``spo serve`` (``python -m bench.handapp --workers N``; settings from the
environment, like the gateway).

``POST /overview`` takes ``{"cpr": ..., "first": ...}`` and a bearer token and answers what
``bench/handwritten.py`` builds. ``POST /floor`` takes ``{"cpr", "first", "n"}`` and a citizen's
bearer token, and measures in this process the floor any implementation pays for a warm
overview: decoding the records as the cache stores them (``connectors/codec.py``) and building
and serialising the same response; it answers the CPU milliseconds per overview.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bench.handwritten import overview, render
from connectors import codec
from domain.errors import GatewayError
from domain.records import AppointmentRecord, GoalRecord, PlanRecord
from gateway.app import create_app
from gateway.cli import server_options
from gateway.config import load_settings
from gateway.workers import serve


def _token(request: Request) -> str:
    return request.headers.get("authorization", "").removeprefix("Bearer ")


async def _overview(request: Request) -> Response:
    body = json.loads(await request.body())
    try:
        answer = await overview(
            request.app.state.services,
            request.app.state.verifier,
            _token(request),
            body["cpr"],
            body["first"],
        )
    except GatewayError as exc:
        return JSONResponse({"errors": [{"message": str(exc), "extensions": exc.extensions}]})
    return Response(answer, media_type="application/json")


async def _floor(request: Request) -> Response:
    """CPU per overview of decoding the cached records and serialising the response."""
    body = json.loads(await request.body())
    services = request.app.state.services
    sources = services.sources
    cpr = body["cpr"]
    # The parts as the gateway's cache holds them once warm: the records' stored JSON text.
    stored = []
    for kind, each, sources_of in (
        (AppointmentRecord, sources.appointments, sources.appointment_sources),
        (PlanRecord, sources.plans, sources.plan_sources),
        (GoalRecord, sources.goals, sources.plan_sources),
    ):
        for s in sources_of:
            got = await each(s, cpr)
            stored.append((kind, got, codec.encode(got.records)))
    person = await sources.person_with_gp(cpr)
    card = await services.stamkort.stamkort(cpr)
    n = int(body["n"])
    cpu0 = time.process_time()
    for _ in range(n):
        decoded = [(kind, got, codec.decode(text, kind)) for kind, got, text in stored]
        render(services.settings, cpr, body["first"], decoded, person, card)
    cpu_ms = 1000 * (time.process_time() - cpu0) / n
    return JSONResponse({"cpu_ms": cpu_ms})


def app() -> Any:
    """The uvicorn factory: the gateway's app from the environment, plus the two routes."""
    gateway = create_app(load_settings())
    gateway.add_route("/overview", _overview, methods=["POST"])
    gateway.add_route("/floor", _floor, methods=["POST"])
    return gateway


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.handapp", description=__doc__)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    sys.exit(serve(f"{__name__}:app", server_options(load_settings()), args.workers))


if __name__ == "__main__":
    main()
