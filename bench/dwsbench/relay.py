"""A TCP relay in front of the S3 server that counts HTTP requests (the issue's "≤ 50 requests" target):
bytes pass through untouched; a copy of the client's stream is parsed just enough to find where each
request starts (headers, then a Content-Length or chunked body)."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections import Counter


class _RequestParser:
    """Feeds on the client->server byte stream of one connection and counts request heads by method."""

    def __init__(self, counts: Counter[str], lock: threading.Lock) -> None:
        self.counts, self.lock = counts, lock
        self.buf = b""
        self.body_left = 0  # bytes of a Content-Length body still to skip
        self.chunked = False

    def feed(self, data: bytes) -> None:
        self.buf += data
        while True:
            if self.body_left:
                n = min(self.body_left, len(self.buf))
                self.buf, self.body_left = self.buf[n:], self.body_left - n
                if self.body_left:
                    return
            if self.chunked:
                if not self._skip_chunk():
                    return
                continue
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > 1 << 16:  # not HTTP we understand: stop parsing
                    self.buf = b""
                return
            head, self.buf = self.buf[:end].decode("latin-1"), self.buf[end + 4:]
            lines = head.split("\r\n")
            method = lines[0].split(" ", 1)[0]
            headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
            with self.lock:
                self.counts[method] += 1
            if headers.get("transfer-encoding", "").lower() == "chunked":
                self.chunked = True
            else:
                self.body_left = int(headers.get("content-length", "0") or 0)

    def _skip_chunk(self) -> bool:
        end = self.buf.find(b"\r\n")
        if end < 0:
            return False
        size = int(self.buf[:end].split(b";")[0] or b"0", 16)
        if size == 0:  # last chunk, then trailers up to an empty line
            stop = self.buf.find(b"\r\n\r\n", end - 2 if end >= 2 else 0)
            if stop < 0:
                return False
            self.buf = self.buf[stop + 4:]
            self.chunked = False
            return True
        if len(self.buf) < end + 2 + size + 2:
            return False
        self.buf = self.buf[end + 2 + size + 2:]
        return True


class CountingRelay:
    def __init__(self, upstream_port: int) -> None:
        self.upstream = upstream_port
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._sock.getsockname()[1])
        self._closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()

    def total(self) -> int:
        with self._lock:
            return sum(self.counts.values())

    def close(self) -> None:
        self._closing = True
        self._sock.close()

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            try:
                up = socket.create_connection(("127.0.0.1", self.upstream), timeout=10)
            except OSError:
                client.close()
                continue
            up.settimeout(None)
            parser = _RequestParser(self.counts, self._lock)
            threading.Thread(target=self._pump, args=(client, up, parser), daemon=True).start()
            threading.Thread(target=self._pump, args=(up, client, None), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket, parser: _RequestParser | None) -> None:
        try:
            while data := src.recv(1 << 16):
                if parser is not None:
                    parser.feed(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
