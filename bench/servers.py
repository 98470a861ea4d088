"""The benchmark's server processes: each leg behind uvicorn in its own process tree on 127.0.0.1,
and the CPU those processes use (Linux ``/proc``: utime + stime of the process and every
descendant, so ``--workers N``'s workers count and the supervisor's own share too).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.replica import GatewayProcess

TICK_S = 1.0 / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """An ephemeral port on 127.0.0.1 that was free a moment ago (uvicorn binds it itself, so
    ``--workers`` can share it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children(pid: int) -> list[int]:
    out: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            out.extend(int(c) for c in text.split())
    return out


def _cpu_ticks(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0  # a worker that just exited: its time is lost, and it is not ours to count
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and its living descendants."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += _cpu_ticks(current)
        todo.extend(children(current))
    return total * TICK_S


@dataclass
class Server(GatewayProcess):
    """One leg's server process tree: any of our modules on a port it binds itself (so
    ``--workers`` can share it), with ``GatewayProcess``'s health wait, log tail and stop."""

    @classmethod
    async def launch(
        cls, name: str, argv: Sequence[str], env: Mapping[str, str], log_dir: Path
    ) -> Server:
        """Start ``argv`` (our interpreter's module) with ``SPO_PORT`` set; wait for /healthz."""
        port = free_port()
        log_path = log_dir / f"{name}.log"
        with log_path.open("ab") as log:
            proc = subprocess.Popen(  # noqa: S603, ASYNC220 - our own modules; returns at once
                [sys.executable, *argv],
                env={**os.environ, **env, "SPO_HOST": "127.0.0.1", "SPO_PORT": str(port)},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        server = cls(proc, f"http://127.0.0.1:{port}", log_path)
        try:
            await server._wait_healthy(60.0)
        except BaseException:
            await server.stop()
            raise
        return server

    def cpu_s(self) -> float:
        return tree_cpu_s(self.proc.pid)
