"""The reference page and GraphiQL as the gateway serves them (``gateway/web.py``).

Most tests serve a small stand-in build (``dist``), so they need no Node.js; the last ones read
the real build in ``web/dist`` when ``make web`` has made it.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from multidict import CIMultiDictProxy

from gateway import web
from gateway.app import create_app
from tests.gatewayfixtures import Gateway, start_uvicorn

HTML = {"Accept": "text/html"}
PERSONA = {
    "id": "citizen-multi",
    "role": "citizen",
    "name": "Poul Erik Testesen",
    "cpr": "0108589995",
    "token": "header.claims.signature",
    "description": "the demo's citizen",
}


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """A stand-in for Vite's output: two pages and a hashed asset."""
    out = tmp_path / "dist"
    (out / "assets").mkdir(parents=True)
    script = '<script type="module" src="/assets/index-abc123.js"></script>'
    (out / "index.html").write_text(f"<!doctype html><title>Samlet patientoverblik</title>{script}")
    (out / "graphiql.html").write_text('<!doctype html><title>GraphiQL</title><div id="graphiql">')
    (out / "assets" / "index-abc123.js").write_text("console.log('page');\n")
    return out


async def fetch(gw: Gateway, url: str, **kw: Any) -> tuple[int, str, CIMultiDictProxy[str]]:
    async with gw.session.get(url, **kw) as r:
        return r.status, await r.text(), r.headers


@asynccontextmanager
async def serving(
    gw: Gateway, dist: Path, *, dev_mode: bool, graphiql: bool = True
) -> AsyncIterator[str]:
    graphql = replace(gw.settings.graphql, graphiql=graphiql)
    settings = replace(gw.settings, dev_mode=dev_mode, graphql=graphql)
    server, task, url = await start_uvicorn(create_app(settings, gw.clock, web_dist=dist))
    try:
        yield url
    finally:
        server.should_exit = True
        await task


async def test_the_page_is_served_at_the_root_with_a_strict_csp(
    gateway: Gateway, dist: Path
) -> None:
    async with serving(gateway, dist, dev_mode=False) as url:
        status, body, headers = await fetch(gateway, f"{url}/", headers=HTML)
    assert status == 200
    assert "Samlet patientoverblik" in body
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "default-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-cache"
    assert headers["Content-Type"].startswith("text/html")


async def test_hashed_assets_are_served_to_be_kept(gateway: Gateway, dist: Path) -> None:
    async with serving(gateway, dist, dev_mode=False) as url:
        async with gateway.session.get(f"{url}/assets/index-abc123.js") as r:
            assert r.status == 200
            assert "javascript" in r.headers["Content-Type"]
            assert "immutable" in r.headers["Cache-Control"]
            assert r.headers["X-Content-Type-Options"] == "nosniff"
        for missing in ("/assets/nope.js", "/assets/../index.html", "/operations.json"):
            async with gateway.session.get(f"{url}{missing}") as r:
                assert r.status == 404, missing


async def test_graphiql_comes_from_the_build(gateway: Gateway, dist: Path) -> None:
    async with serving(gateway, dist, dev_mode=False) as url:
        status, body, headers = await fetch(gateway, f"{url}/graphql", headers=HTML)
    assert status == 200
    assert '<div id="graphiql">' in body
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store"


async def test_graphiql_is_not_served_when_switched_off(gateway: Gateway, dist: Path) -> None:
    async with serving(gateway, dist, dev_mode=False, graphiql=False) as url:
        status, body, _ = await fetch(gateway, f"{url}/graphql", headers=HTML)
    assert status == 401
    assert "graphiql" not in body.lower()


async def test_an_unbuilt_page_says_how_to_build_it(gateway: Gateway, tmp_path: Path) -> None:
    async with serving(gateway, tmp_path / "nothing", dev_mode=False) as url:
        for path in ("/", "/graphql"):
            async with gateway.session.get(f"{url}{path}", headers=HTML) as r:
                assert r.status == 503
                assert "make web" in await r.text()


@pytest.mark.parametrize("dev_mode", [True, False])
async def test_the_personas_are_served_in_dev_mode_only(
    gateway: Gateway, dist: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dev_mode: bool
) -> None:
    demo = tmp_path / "var" / "demo.json"
    demo.parent.mkdir()
    doc = {"gateway": "-", "personas": [{**PERSONA, "extra": "not served"}], "simulators": []}
    demo.write_text(json.dumps(doc))
    monkeypatch.chdir(tmp_path)  # var/demo.json is where `spo demo` writes it
    async with serving(gateway, dist, dev_mode=dev_mode) as url:
        status, body, headers = await fetch(gateway, f"{url}/dev/personas.json")
    if not dev_mode:
        assert status == 404
        assert "citizen-multi" not in body
        return
    assert status == 200
    assert headers["Cache-Control"] == "no-store"
    assert json.loads(body) == {"personas": [PERSONA]}


async def test_no_personas_without_a_demo(
    gateway: Gateway, dist: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    async with serving(gateway, dist, dev_mode=True) as url:
        status, _, _ = await fetch(gateway, f"{url}/dev/personas.json")
    assert status == 404


EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


def _built() -> Path:
    if not (web.DIST / "index.html").is_file():
        pytest.skip("web/dist is not built (make web)")
    return web.DIST


@pytest.mark.parametrize("page", ["index.html", "graphiql.html"])
def test_the_built_pages_load_nothing_from_elsewhere(page: str) -> None:
    html = (_built() / page).read_text("utf-8")
    assert not EXTERNAL.search(html), html
    assert re.search(r'src="/assets/[\w-]+\.js"', html)
    assert "<script>" not in html  # no inline script: script-src 'self' would refuse it


def test_the_build_writes_the_operations_manifest() -> None:
    manifest = json.loads((_built() / "operations.json").read_text("utf-8"))
    assert manifest
    for digest, document in manifest.items():
        assert re.fullmatch(r"[0-9a-f]{64}", digest)
        assert re.search(r"(?:^|\} )(?:query|mutation) [A-Z]\w+", document), document
