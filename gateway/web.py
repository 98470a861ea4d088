"""The reference page at ``/`` and GraphiQL at ``/graphql``, both from the page's own build.

``web/`` is a Vite build (``make web``) of two pages, ``index.html`` (the overview as patients,
relatives and clinicians see it) and ``graphiql.html``, with their scripts and styles under
``assets/`` with hashed names. Nothing comes from another origin, so the HTML is served with a
strict Content-Security-Policy (``script-src 'self'``). The page is a client of the public graph
only: besides its files, the one other thing served here is the demo's persona list, in dev mode
(``/dev/personas.json``, 404 otherwise), for its log-in picker.
"""

from __future__ import annotations

import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DIST = Path(__file__).resolve().parent.parent / "web" / "dist"
# The build's operations (hash → document): the page's trusted documents (gateway/trusted.py).
MANIFEST = "operations.json"
DEMO_JSON = Path("var/demo.json")  # written by ``spo demo`` (gateway/cli.py)

_COMMON = (
    "default-src 'none'",
    "script-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
)
PAGE_CSP = "; ".join((*_COMMON, "style-src 'self'", "font-src 'self'"))
# GraphiQL's editor (CodeMirror) and its dialogs write <style> elements at run time, and its
# stylesheet carries its fonts inline (data: URLs, still nothing from elsewhere).
GRAPHIQL_CSP = "; ".join((*_COMMON, "style-src 'self' 'unsafe-inline'", "font-src 'self' data:"))
PERSONA_FIELDS = ("id", "role", "name", "cpr", "description", "token")


def _html_headers(csp: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
        # The HTML names the current hashed assets: always ask again.
        "Cache-Control": "no-cache",
    }


def _not_built(name: str) -> Response:
    return PlainTextResponse(
        f"{name} is not built: run `make web` (Node.js 20 and npm).\n", status_code=503
    )


class _AssetHeaders:
    """ASGI wrapper: hashed asset names never change content, so they may be kept a year."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if message.get("status") == 200:
                    headers.append((b"cache-control", b"public, max-age=31536000, immutable"))
                headers.append((b"x-content-type-options", b"nosniff"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class WebPage:
    """The built page's routes; ``dist`` is the Vite output (``web/dist``)."""

    def __init__(self, dist: Path = DIST, *, dev_mode: bool, demo_json: Path = DEMO_JSON) -> None:
        self.dist = dist
        self.dev_mode = dev_mode
        self.demo_json = demo_json

    def _html(self, name: str, csp: str, title: str) -> Response:
        file = self.dist / name
        if not file.is_file():
            return _not_built(title)
        return HTMLResponse(file.read_text("utf-8"), headers=_html_headers(csp))

    async def index(self, request: Request) -> Response:
        """The reference page; its state (view, date, filters, token) lives in the fragment."""
        return self._html("index.html", PAGE_CSP, "The reference page")

    def graphiql(self) -> Response:
        """GraphiQL, bundled by the same build: no CDN, so it works offline too."""
        return self._html("graphiql.html", GRAPHIQL_CSP, "GraphiQL")

    async def personas(self, request: Request) -> Response:
        """The demo's personas with a token each, for the page's picker: dev mode only."""
        if not self.dev_mode or not self.demo_json.is_file():
            return PlainTextResponse("Not found.\n", status_code=404)
        doc = json.loads(self.demo_json.read_text("utf-8"))
        personas = [{k: p.get(k) for k in PERSONA_FIELDS} for p in doc.get("personas", [])]
        return JSONResponse(
            {"personas": personas},
            headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
        )

    def routes(self) -> list[BaseRoute]:
        assets = StaticFiles(directory=self.dist / "assets", check_dir=False)
        return [
            Route("/", self.index),
            Route("/dev/personas.json", self.personas),
            Mount("/assets", app=_AssetHeaders(assets)),
        ]
