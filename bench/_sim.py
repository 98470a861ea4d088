"""Run the simulated sources in their own process, so a benchmark does not count their CPU.

``python -m bench._sim`` starts every simulator on 127.0.0.1 at an ephemeral port, prints the
base URL as the first line on stdout, and serves until its stdin closes (the parent exited or
closed the pipe), it is terminated, or ``--max-seconds`` pass, whichever comes first.
``start_simulators``/``stop_simulators`` are the parent's side.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import subprocess
import sys

from simulators import server
from simulators.population import build_population


class _UntilClosed(asyncio.Protocol):
    """Completes ``closed`` when the pipe it reads reaches end-of-file."""

    def __init__(self, closed: asyncio.Future[None]) -> None:
        self.closed = closed

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


async def serve(max_seconds: float) -> None:
    """Serve the simulators until stdin closes, SIGTERM/SIGINT arrives or ``max_seconds`` pass."""
    loop = asyncio.get_running_loop()
    running = await server.start(build_population(), "127.0.0.1", 0)
    stop: asyncio.Future[None] = loop.create_future()

    def request_stop() -> None:
        if not stop.done():
            stop.set_result(None)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, request_stop)
    transport, _ = await loop.connect_read_pipe(lambda: _UntilClosed(stop), sys.stdin)
    print(running.base_url, flush=True)
    try:
        await asyncio.wait_for(asyncio.shield(stop), timeout=max_seconds)
    except TimeoutError:
        pass
    finally:
        transport.close()
        await running.close()


def start_simulators(max_seconds: float = 1800.0) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``bench._sim`` in a child process; return it and the base URL it printed."""
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter running our own module
        [sys.executable, "-m", "bench._sim", "--max-seconds", str(max_seconds)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().decode().strip()
    if not line.startswith("http://"):
        stop_simulators(proc)
        raise SystemExit(f"the simulators did not start (said {line!r})")
    return proc, line


def stop_simulators(proc: subprocess.Popen[bytes]) -> None:
    """Stop the child started by ``start_simulators`` (by its PID) and reap it."""
    if proc.stdin is not None:
        proc.stdin.close()
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench._sim", description=__doc__)
    parser.add_argument("--max-seconds", type=float, default=1800.0, help="stop after this long")
    args = parser.parse_args(argv)
    asyncio.run(serve(args.max_seconds))


if __name__ == "__main__":
    main()
