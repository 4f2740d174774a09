"""rclone: a local directory mirrored with an rclone remote (`REMOTE:path`, any backend rclone knows).
Snapshots and restores work as for local-files (content captured in the store); `master` says which
side leads: `remote` -> pull copies remote to local, `local` -> push copies local to remote, `none` ->
neither (only the initial copy). `sync_mode` copy|sync, `size_only` as rclone's flag. rclone's own
config holds the credentials (`config` names another file)."""

from __future__ import annotations

import os
from typing import ClassVar

from ..errors import ConfigError, DwsError, UsageError
from ..progress import Progress
from ..store.remotes.rclone import rclone
from .local_files import LocalFiles

MASTERS = ("remote", "local", "none")
SYNC_MODES = ("copy", "sync")


def check_remote(remote: str, config: str | None) -> None:
    name, sep, _ = remote.partition(":")
    if not sep or not name:
        raise UsageError(f"'{remote}' is not an rclone REMOTE:PATH", "example: mydrive:data/raw")
    known = rclone("listremotes", config=config).stdout.split()
    if f"{name}:" not in known:
        raise DwsError(f"rclone knows no remote named '{name}'",
                       f"configure it with `rclone config`; known: {', '.join(known) or 'none'}")


class Rclone(LocalFiles):
    kind: ClassVar[str] = "rclone"

    @property
    def remote(self) -> str:
        remote = self.spec.params.get("remote")
        if not isinstance(remote, str) or remote.startswith("-") or ":" not in remote:
            raise ConfigError(f"resource '{self.spec.name}' has no valid rclone remote ({remote!r})",
                              "set it: git dws config --resource NAME remote REMOTE:PATH")
        return remote

    @property
    def config(self) -> str | None:
        """rclone's config file: machine-local only. A committed one (from another clone) could define a
        remote that runs commands (sftp's `ssh` option) or reads this machine's files."""
        if self.spec.params.get("config"):
            raise ConfigError(f"resource '{self.spec.name}' names an rclone config file in .dws.toml",
                              f"remove it there; set it for this machine: git config "
                              f"dws-resource.{self.spec.name}.rclone-config FILE")
        return self.ws.repo.config_get(f"dws-resource.{self.spec.name}.rclone-config")

    @property
    def master(self) -> str:
        return str(self.spec.params.get("master", "none"))

    def _copy(self, src: str, dst: str) -> None:
        mode = str(self.spec.params.get("sync_mode", "copy"))
        flags = ["--size-only"] if self.spec.params.get("size_only") else []
        rclone(mode, *flags, "--", src, dst, config=self.config)  # "--": a path is never an option

    def copy_down(self) -> None:
        os.makedirs(self.local_path, exist_ok=True)
        self._copy(self.remote, self.local_path)

    def push_remote(self, progress: Progress) -> str | None:
        if self.master != "local":
            return None
        self._copy(self.local_path, self.remote)
        return f"copied to {self.remote}"

    def pull_remote(self, progress: Progress) -> str | None:
        if self.master != "remote":
            return None
        self.copy_down()
        return f"copied from {self.remote}"

    def clone_into(self, progress: Progress) -> str | None:
        """The initial copy of a new clone (the snapshot's content fills the directory otherwise)."""
        if self.master == "remote":
            self.copy_down()
            return f"copied from {self.remote}"
        return None

    def initial_copy(self) -> str:
        if self.master == "remote" or (self.master == "none" and not os.path.exists(self.local_path)):
            self.copy_down()
            return f"copied {self.remote} to {self.local_path}"
        if not os.path.exists(self.local_path):
            os.makedirs(self.local_path)
            return f"created {self.local_path}"
        return "skipped the initial copy: the local directory exists"
