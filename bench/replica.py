"""One gateway replica in its own OS process on 127.0.0.1: what the soak and
``tests/test_replicas.py`` start.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench import memory

# The gateway process: ``create_app(load_settings())`` served by uvicorn on a listening socket
# inherited from the parent as file descriptor ``argv[1]``. The parent binds the ephemeral port
# itself, so it knows the port without parsing logs and no other process can take it meanwhile.
# ``SPO_TEST_TODAY`` (the test suite's day, see tests/conftest.py) moves its clock there too.
# The soak's memory switches (bench/memory.py) act after the imports: tracing them would slow
# start-up past the health check's patience, and what grows later is what the soak is after.
LAUNCHER = """
import asyncio, os, socket, sys
import uvicorn
from domain.clock import SYSTEM_CLOCK, ShiftedClock
from gateway.app import create_app
from gateway.config import load_settings
if any(k.startswith("SPO_BENCH_") for k in os.environ):
    from bench.memory import start_from_env
    start_from_env(os.environ)
day = os.environ.get("SPO_TEST_TODAY")
clock = ShiftedClock.parse(day) if day else SYSTEM_CLOCK
sock = socket.socket(fileno=int(sys.argv[1]))
config = uvicorn.Config(create_app(load_settings(), clock), log_level="warning", lifespan="on")
asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))
"""


@dataclass
class GatewayProcess:
    """One gateway replica in its own OS process, listening on 127.0.0.1."""

    proc: subprocess.Popen[bytes]
    url: str
    log_path: Path

    @classmethod
    async def start(cls, env: Mapping[str, str], log_path: Path) -> GatewayProcess:
        """Start ``create_app(load_settings())`` with ``env`` added to this environment.

        Returns once ``/healthz`` answers; raises ``RuntimeError`` (with the log's tail) if the
        process exits or does not come up within 30 s.
        """
        gateway = cls._spawn(env, log_path)
        try:
            await gateway._wait_healthy(30.0)
        except BaseException:
            await gateway.stop()
            raise
        return gateway

    @classmethod
    def _spawn(cls, env: Mapping[str, str], log_path: Path) -> GatewayProcess:
        # Quick and synchronous: the child inherits the bound socket and the log file.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        port = sock.getsockname()[1]
        with sock, log_path.open("ab") as log:
            proc = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed code
                [sys.executable, "-c", LAUNCHER, str(sock.fileno())],
                env={**os.environ, **env},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(sock.fileno(),),
            )
        return cls(proc, f"http://127.0.0.1:{port}", log_path)

    async def _wait_healthy(self, within_s: float) -> None:
        until = time.monotonic() + within_s
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
            while time.monotonic() < until:
                if self.proc.poll() is not None:
                    raise RuntimeError(
                        f"gateway exited with {self.proc.returncode}:\n{self.tail()}"
                    )
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with session.get(f"{self.url}/healthz") as resp:
                        if resp.status == 200:
                            return
                await asyncio.sleep(0.05)
        raise RuntimeError(f"gateway did not come up within {within_s} s:\n{self.tail()}")

    def rss_kb(self) -> int:
        """The process's resident memory in KiB (Linux ``/proc``), 0 if it cannot be read."""
        return memory.rss_kb(self.proc.pid)

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return ""

    async def stop(self) -> None:
        """Stop the process (SIGTERM: graceful; SIGKILL after 10 s) and reap it."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(self.proc.wait, 10.0)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        await asyncio.to_thread(self.proc.wait)
