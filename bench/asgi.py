"""A minimal ASGI client: drives an app's lifespan and one-shot HTTP requests in this process.

The benchmark times the gateway without HTTP in between (``bench/overview.py``).
"""

from __future__ import annotations

import asyncio
from typing import Any


class AsgiClient:
    """Drives an ASGI app in this process: its lifespan, then requests with a full body."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state: dict[str, Any] = {}
        self._to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._from_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._lifespan: asyncio.Task[None] | None = None

    async def _lifespan_step(self, message: str, expect: str) -> None:
        assert self._lifespan is not None
        await self._to_app.put({"type": message})
        reply = asyncio.ensure_future(self._from_app.get())
        await asyncio.wait({reply, self._lifespan}, return_when=asyncio.FIRST_COMPLETED)
        if not reply.done():
            reply.cancel()
            self._lifespan.result()  # raises what the lifespan raised
            raise RuntimeError(f"lifespan ended without {expect}")
        if reply.result()["type"] != expect:
            raise RuntimeError(f"lifespan: {reply.result()}")

    async def startup(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": self.state}
        self._lifespan = asyncio.create_task(self.app(scope, self._to_app.get, self._from_app.put))
        await self._lifespan_step("lifespan.startup", "lifespan.startup.complete")

    async def shutdown(self) -> None:
        await self._lifespan_step("lifespan.shutdown", "lifespan.shutdown.complete")
        assert self._lifespan is not None
        await self._lifespan

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        raw_headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        raw_headers.append((b"content-length", str(len(body)).encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": raw_headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
            "state": dict(self.state),
        }
        done = asyncio.get_running_loop().create_future()
        pending = [{"type": "http.request", "body": body, "more_body": False}]
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            if pending:
                return pending.pop()
            await done  # like a server: the client disconnects once the response is complete
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False) and not done.done():
                    done.set_result(None)

        await self.app(scope, receive, send)
        return status, b"".join(chunks)
