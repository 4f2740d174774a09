"""Advisory locks between pushes and `gc --remote` on one data remote, possibly from different machines.

A push reuses objects the remote already holds; a gc that decided those objects were dead (its snapshots
did not name them) would delete them under the push. So each writes `locks/<push|gc>-<random>` first,
then lists `locks/`: a push that sees a live gc lock, or a gc that sees a live push lock, withdraws its
own and stops. Because both write before they look, at least one of two concurrent runs sees the other.
A lock older than STALE is ignored (its process was killed; the next run removes it)."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import tempfile
import time
import uuid
from collections.abc import Iterator

from ...errors import DwsError
from . import Backend

STALE = 3600.0
_LOCK = re.compile(r"locks/(push|gc)-[0-9a-f]{32}")


@contextlib.contextmanager
def remote_lock(backend: Backend, kind: str, conflicts: str) -> Iterator[None]:
    """Hold a `kind` lock on the remote; refuse (DwsError) while a live `conflicts` lock exists."""
    key = f"locks/{kind}-{uuid.uuid4().hex}"
    with tempfile.NamedTemporaryFile("w", prefix="dws-lock-", delete=False) as f:
        f.write(f"{socket.gethostname()} {os.getpid()} {time.time():.0f}\n")
    try:
        backend.put_file(f.name, key)
    finally:
        os.unlink(f.name)
    try:
        now = time.time()
        others = {k: e for k, e in backend.list("locks/").items() if _LOCK.fullmatch(k) and k != key}
        live = [k for k, e in others.items() if k.startswith(f"locks/{conflicts}-") and now - e.mtime < STALE]
        stale = [k for k, e in others.items() if now - e.mtime >= STALE]
        if live:
            what = "garbage-collected (git dws gc --remote)" if conflicts == "gc" else "pushed to"
            raise DwsError(f"data remote {backend.url} is being {what} right now ({live[0]})",
                           f"wait for it to finish and run the command again; if nothing runs there, delete "
                           f"{live[0]} from the remote (it goes by itself after {STALE / 3600:.0f} hour)")
        if stale:
            backend.delete(stale)
        yield
    finally:
        with contextlib.suppress(DwsError, OSError):
            backend.delete([key])
