"""A tiny TCP proxy on 127.0.0.1 that a test can make hang or go down, to fail a real database.

``TcpProxy.start(host, port)`` forwards every connection to ``host:port``. ``stall()`` stops
forwarding in both directions (bytes are held, connections stay open: a hung server or a network
that drops packets); ``down()`` closes every connection and refuses new ones at once (a stopped
server); ``forward()`` goes back to normal for new and (after a stall) held connections. ``close()``
ends everything; the test fixtures always call it, so nothing outlives a test.

Example::

    proxy = await TcpProxy.start("127.0.0.1", 5432)
    url = make_url(database_url).set(host="127.0.0.1", port=proxy.port)
    proxy.stall()
"""

from __future__ import annotations

import asyncio
import contextlib
from enum import Enum
from typing import Any


class Mode(Enum):
    FORWARD = "forward"
    STALL = "stall"
    DOWN = "down"


class TcpProxy:
    """Forwards 127.0.0.1:``port`` to a target; see the module docstring."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.mode = Mode.FORWARD
        self.port = 0
        self.accepted = 0
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task[Any]] = set()

    @classmethod
    async def start(cls, host: str, port: int) -> TcpProxy:
        proxy = cls((host, port))
        proxy._server = await asyncio.start_server(proxy._serve, "127.0.0.1", 0)
        proxy.port = proxy._server.sockets[0].getsockname()[1]
        return proxy

    def stall(self) -> None:
        """Hold every byte from now on; connections stay open and silent."""
        self.mode = Mode.STALL
        self._flowing.clear()

    def down(self) -> None:
        """Close every connection and refuse new ones, as a stopped server would."""
        self.mode = Mode.DOWN
        self._flowing.set()
        for writer in list(self._writers):
            writer.transport.abort()

    def forward(self) -> None:
        """Forward again: new connections, and what a stall held back."""
        self.mode = Mode.FORWARD
        self._flowing.set()

    async def close(self) -> None:
        """Stop listening and end every connection; returns when all are gone."""
        if self._server is not None:
            self._server.close()
        self.down()
        if self._handlers:
            await asyncio.wait(list(self._handlers), timeout=5)
        if self._server is not None:
            await self._server.wait_closed()

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        self.accepted += 1
        handler = asyncio.current_task()
        assert handler is not None
        self._handlers.add(handler)
        self._writers.add(client_w)
        try:
            if self.mode is Mode.DOWN:
                return
            try:
                server_r, server_w = await asyncio.open_connection(*self.target)
            except OSError:
                return
            self._writers.add(server_w)
            # Either side closing ends both: a pump returns at its reader's end.
            pumps = [
                asyncio.create_task(self._pump(client_r, server_w)),
                asyncio.create_task(self._pump(server_r, client_w)),
            ]
            _, pending = await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            server_w.transport.abort()
            client_w.transport.abort()
            await asyncio.wait(pending)
            self._writers.discard(server_w)
        finally:
            client_w.transport.abort()
            self._writers.discard(client_w)
            self._handlers.discard(handler)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await reader.read(65536):
                await self._flowing.wait()
                if writer.transport.is_closing():
                    return
                writer.write(data)
                await writer.drain()
