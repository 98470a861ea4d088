"""``spo serve --workers N``: N gateway processes on one port, balanced by the kernel.

Each worker binds its own listening socket to the same host and port with ``SO_REUSEPORT``, so
Linux spreads new connections over the workers evenly. (With one shared socket, as uvicorn's own
``--workers`` has it, whichever worker wakes first accepts every pending connection; keep-alive
clients then stay on it, and a second worker added little.) The supervisor only starts, restarts
and stops workers: a worker that exits on its own is started again, unless workers keep dying
within ``CRASH_WINDOW_S`` of their start (a configuration that cannot work), when the supervisor
stops them all and exits non-zero. SIGTERM or SIGINT stops every worker gracefully (uvicorn
finishes requests in flight) and the supervisor exits 0.

Each worker calls the app factory named by ``factory`` (``"module:function"``) itself, so each
has its own connection pools and in-process cache; the database, a ``redis://`` cache and the
access log's one hash chain are shared.

Metrics: with several workers a scrape reaches whichever worker the kernel picks, so each would
show only its own counts. The supervisor therefore runs prometheus_client in multiprocess mode:
it points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory (or empties the one the operator
set) before starting the workers, which inherit it; every worker's ``/metrics`` then merges all
of them (``gateway/metrics.py``), and a worker that exits is marked dead so its live gauges go.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import shutil
import signal
import socket
import tempfile
import time
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn
from prometheus_client import multiprocess

log = logging.getLogger(__name__)
CRASH_WINDOW_S = 10.0  # a worker that dies sooner than this after starting counts as a crash
MAX_CRASHES = 3
STOP_TIMEOUT_S = 30.0


def reuseport_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` that other workers may bind too."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def serve(factory: str, options: dict[str, Any], workers: int) -> int:
    """Serve ``factory``'s app (``"module:function"``) with uvicorn ``options`` in ``workers``
    processes (in this one when 1); the exit status."""
    if workers == 1:
        uvicorn.Server(uvicorn.Config(_app(factory), **options)).run()
        return 0
    if not options.get("port"):
        raise ValueError("several workers need a fixed port (each binds it with SO_REUSEPORT)")
    made = metrics_directory()
    try:
        return Supervisor(factory, options, workers).run()
    finally:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)


MULTIPROC = "PROMETHEUS_MULTIPROC_DIR"


def metrics_directory() -> Path | None:
    """Prepare multiprocess metrics for the workers: a fresh directory in ``MULTIPROC`` (returned,
    for the caller to remove), or, when the operator set one, that one emptied of old values."""
    given = os.environ.get(MULTIPROC)
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        for old in Path(given).glob("*.db"):
            old.unlink()
        return None
    made = Path(tempfile.mkdtemp(prefix="spo-metrics-"))
    os.environ[MULTIPROC] = str(made)
    return made


def _app(factory: str) -> Any:
    module, _, name = factory.partition(":")
    return getattr(importlib.import_module(module), name)()


def _worker(factory: str, options: dict[str, Any]) -> None:
    # uvicorn.Config sets up logging from options["log_config"]; Server.run uses its loop
    # factory (uvloop) and stops gracefully on SIGTERM/SIGINT.
    sock = reuseport_socket(options["host"], options["port"])
    uvicorn.Server(uvicorn.Config(_app(factory), **options)).run(sockets=[sock])


class Supervisor:
    """Starts ``workers`` processes running ``factory``'s app under uvicorn with ``options``."""

    def __init__(self, factory: str, options: dict[str, Any], workers: int) -> None:
        self.factory, self.options, self.count = factory, options, workers
        self.context = multiprocessing.get_context("spawn")
        self.workers: list[tuple[BaseProcess, float]] = []
        self.stopping = False

    def _start(self) -> tuple[BaseProcess, float]:
        proc = self.context.Process(
            target=_worker, args=(self.factory, self.options), name="spo-worker"
        )
        proc.start()
        return proc, time.monotonic()

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def run(self) -> int:
        """Supervise until SIGTERM/SIGINT (0) or a crash loop (1)."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._stop)
        self.workers = [self._start() for _ in range(self.count)]
        crashes = 0
        while not self.stopping:
            time.sleep(0.2)
            for i, (proc, started) in enumerate(self.workers):
                if proc.is_alive() or self.stopping:
                    continue
                if proc.pid is not None:
                    # Its live gauges (breaker states) no longer count; its counts do.
                    multiprocess.mark_process_dead(proc.pid)  # type: ignore[no-untyped-call]
                quick = time.monotonic() - started < CRASH_WINDOW_S
                crashes = crashes + 1 if quick else 0
                log.error("worker %s exited with %s", proc.pid, proc.exitcode)
                if crashes >= MAX_CRASHES:
                    log.error("workers keep exiting right after they start; stopping")
                    self._terminate()
                    return 1
                self.workers[i] = self._start()
        self._terminate()
        return 0

    def _terminate(self) -> None:
        for proc, _ in self.workers:
            if proc.is_alive() and proc.pid is not None:
                proc.terminate()  # SIGTERM: uvicorn's graceful shutdown
        until = time.monotonic() + STOP_TIMEOUT_S
        for proc, _ in self.workers:
            proc.join(max(0.0, until - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join()
