"""Debian's redis-server for the tests: started on a free port, stopped and started again
on the same port (a store that lost Redis must find it again).

    with redis_server() as url:          # url: "redis://127.0.0.1:<port>/0", a str
        ...
        url.stop()                       # Redis goes away (terminate, then wait)
        url.start()                      # ... and comes back on the same port: empty, or
                                         # with its data (``persist=True``: an append-only file)

`make redis` installs redis-server; tests skip with that hint when it is missing.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager

import pytest

START_TIMEOUT_S = 15


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(port: int) -> bool:
    """Whether a Redis answers PING on this port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer(str):
    """The server's URL (use it as a str) that can also stop and start the server."""

    def __new__(cls, port: int, workdir: str, persist: bool = False):
        self = super().__new__(cls, f"redis://127.0.0.1:{port}/0")
        self.port = port
        self.workdir = workdir
        self.persist = persist
        self.process: subprocess.Popen | None = None
        return self

    def start(self) -> None:
        """Start redis-server on this port and wait until it answers."""
        assert self.process is None, "already running"
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "yes" if self.persist else "no",
                "--appendfsync", "always",
                "--dir", self.workdir,
                "--daemonize", "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT_S
        while not answers(self.port):
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server on port {self.port} exited at start")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server on port {self.port} did not answer")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop it (SIGTERM, then SIGKILL if it lingers) and wait until it is gone."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@contextmanager
def redis_server(port: int | None = None, persist: bool = False):
    """A running redis-server (its URL, a RedisServer); stopped on the way out. Skips the
    test when redis-server is not installed. ``persist``: its data outlives a restart."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (`make redis` installs it)")
    with tempfile.TemporaryDirectory(prefix="ganlab-redis-") as workdir:
        server = RedisServer(port or free_port(), workdir, persist)
        server.start()
        try:
            yield server
        finally:
            server.stop()
