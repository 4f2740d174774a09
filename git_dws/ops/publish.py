"""`git dws publish URL`: give a workspace made here its origin, then push everything."""

from __future__ import annotations

from ..errors import DwsError
from ..progress import NULL, Progress
from ..store import exchange, travel
from ..store.git import git_run
from ..workspace import Workspace
from .push import PushResult, push


def publish(ws: Workspace, url: str, *, remote: str = "origin", skip: list[str] | None = None,
            data_remote: str | None = None, progress: Progress = NULL) -> PushResult:
    if remote in exchange.git_remotes(ws.root):
        have = git_run(ws.root, "remote", "get-url", remote).stdout.decode().strip()
        raise DwsError(f"this workspace already has a remote '{remote}' ({have})",
                       "use git dws push, or remove it first: git remote remove " + remote)
    git_run(ws.root, "remote", "add", remote, url)
    travel.configure_remote(ws.root, remote)
    # if the push fails the remote stays configured: fix the cause and run `git dws push`
    return push(ws, remote, skip=skip, data_remote=data_remote, progress=progress)
