"""Data remotes: `git dws remote add|remove|list`, and moving snapshot content to and from them.

A data remote is named in `.dws.toml` (`[data-remotes.NAME]`, url plus an optional endpoint_url, one
marked default) so every clone finds it; git config `dws-remote.NAME.url` overrides the URL on one
machine (a mount point that differs, say). Credentials are never stored: S3 uses the AWS chain,
rclone its own config."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from ..config import DataRemote
from ..errors import DwsError, UsageError
from ..model.manifest import LISTING, decode_listing
from ..progress import NULL, Progress
from ..store.remotes import Backend, open_backend, parse_url
from ..store.remotes.transfer import Pushed, fetch_objects, push_objects
from ..workspace import Workspace

# Resource types whose manifests are file listings with content in the content store.
CONTENT_TYPES = ("local-files", "rclone", "s3")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_USERINFO = re.compile(r"^[a-z0-9+.-]+://[^/@]*@", re.I)


@dataclass(frozen=True, slots=True)
class RemoteInfo:
    name: str
    url: str
    endpoint_url: str | None
    default: bool
    override: str | None = None  # machine-local URL (git config dws-remote.NAME.url)


def _info(ws: Workspace, r: DataRemote) -> RemoteInfo:
    ep = r.params.get("endpoint_url")
    return RemoteInfo(r.name, r.url, str(ep) if ep else None, r.is_default,
                      ws.repo.config_get(f"dws-remote.{r.name}.url"))


def list_remotes(ws: Workspace) -> list[RemoteInfo]:
    return [_info(ws, r) for r in ws.config.remotes]


def add_remote(ws: Workspace, name: str, url: str, *, endpoint_url: str | None = None,
               default: bool = False) -> RemoteInfo:
    if not _NAME.match(name):
        raise UsageError(f"invalid data remote name '{name}'", "use letters, digits, '.', '_' and '-'")
    for text in (url, endpoint_url or ""):
        if _USERINFO.match(text):
            raise UsageError("credentials do not belong in a data remote URL (it is committed)",
                             "S3: use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile; rclone: rclone config")
    kind, where = parse_url(url, ws.root)
    _check_directory(kind, where, url)
    if endpoint_url and kind != "s3":
        raise UsageError("--endpoint-url is only for s3:// data remotes",
                         "a directory or rclone remote needs no endpoint; drop --endpoint-url")
    with ws.lock():
        config = ws.config
        if any(r.name == name for r in config.remotes):
            raise UsageError(f"data remote '{name}' already exists", f"remove it first: git dws remote remove {name}")
        make_default = default or not config.remotes
        params: dict[str, Any] = {}
        if endpoint_url:
            params["endpoint_url"] = endpoint_url
        if make_default:
            params["default"] = True
        others = tuple(replace(r, params={k: v for k, v in r.params.items() if k != "default"})
                       if make_default else r for r in config.remotes)
        new = DataRemote(name, url, params)
        ws.save_config(replace(config, remotes=(*others, new)), f"Add data remote {name}")
        return _info(ws, new)


def remove_remote(ws: Workspace, name: str) -> RemoteInfo:
    with ws.lock():
        config = ws.config
        gone = next((r for r in config.remotes if r.name == name), None)
        if gone is None:
            raise UsageError(f"no data remote named '{name}'", "`git dws remote list` shows them")
        rest = [r for r in config.remotes if r.name != name]
        if gone.is_default and len(rest) == 1:
            rest = [replace(rest[0], params={**rest[0].params, "default": True})]
        ws.save_config(replace(config, remotes=tuple(rest)), f"Remove data remote {name}")
        return _info(ws, gone)


def choose(ws: Workspace, name: str | None = None) -> DataRemote | None:
    """The named data remote, else the default one, else the only one; None if there is none."""
    remotes = ws.config.remotes
    if name:
        r = next((r for r in remotes if r.name == name), None)
        if r is None:
            raise UsageError(f"no data remote named '{name}'", "`git dws remote list` shows them")
        return r
    default = [r for r in remotes if r.is_default]
    if default:
        return default[0]
    return remotes[0] if len(remotes) == 1 else None


def backend(ws: Workspace, remote: DataRemote) -> Backend:
    url = ws.repo.config_get(f"dws-remote.{remote.name}.url") or remote.url
    ep = remote.params.get("endpoint_url")
    _check_directory(*parse_url(url, ws.root), url, remote.name)
    return open_backend(url, ws.root, str(ep) if ep else None)


def _check_directory(kind: str, where: str, url: str, name: str | None = None) -> None:
    """A directory data remote whose path is a file (or under one) would fail deep in a transfer."""
    if kind != "dir":
        return
    path = where
    while path and not os.path.lexists(path):
        parent = os.path.dirname(path)
        if parent == path:
            return
        path = parent
    if os.path.lexists(path) and not os.path.isdir(path):
        what = f"data remote '{name}' ({url})" if name else f"data remote {url}"
        raise DwsError(f"{what} is not a directory: {path} is a file",
                       "point it at a directory: git dws remote remove NAME, then git dws remote add NAME DIR"
                       if name else "give a directory (it is created if missing)")


# -- content of snapshots -----------------------------------------------------------------------------
def content_sizes(ws: Workspace, sids: Iterable[str], resources: set[str] | None = None) -> dict[str, int]:
    """digest -> size of every stored object the given snapshots reference (optionally only for some
    resources). Each manifest tree is read once, however many snapshots share it."""
    repo = ws.repo
    out: dict[str, int] = {}
    seen: set[str] = set()

    def walk(tree: str) -> None:
        if tree in seen:
            return
        seen.add(tree)
        for e in repo.tree_entries(tree):
            if e.is_tree:
                walk(e.id)
            elif e.name == LISTING:
                for fe in decode_listing(repo.read_blob(e.id), "", uncaptured=True):  # "": nothing stored
                    if fe.digest and not fe.is_link:
                        out[fe.digest] = fe.size

    for sid in sids:
        for r in ws.db.get(sid).content.resources:
            if r.type in CONTENT_TYPES and (resources is None or r.name in resources):
                walk(r.tree)
    return out


def push_content(ws: Workspace, remote: DataRemote, sizes: dict[str, int], progress: Progress = NULL) -> Pushed:
    return push_objects(ws.store, backend(ws, remote), sizes, progress)


def fetch_content(ws: Workspace, sizes: dict[str, int], *, remote: str | None = None,
                  progress: Progress = NULL) -> int:
    """Make sure the store holds these objects, downloading (and verifying) the missing ones."""
    missing = {d: s for d, s in sizes.items() if not ws.store.has(d)}
    if not missing:
        return 0
    chosen = choose(ws, remote)
    if chosen is None:
        raise DwsError(f"{len(missing)} object(s) needed here are not in the local store, and no data remote "
                       "is configured", "add the data remote the snapshots were pushed to: "
                       "git dws remote add NAME URL")
    return fetch_objects(ws.store, backend(ws, chosen), missing, progress)


def fetch_for_plans(ws: Workspace, plans: Iterable[tuple[Any, Any]], progress: Progress = NULL) -> int:
    """Before a restore writes anything: fetch the content its plans need that the store lacks."""
    sizes: dict[str, int] = {}
    for res, plan in plans:
        if not getattr(res, "stores_content", False) or not plan.can_write:
            continue
        target = res.files(plan.tree)
        for rel in (*plan.changes.added, *plan.changes.modified):
            e = target[rel]
            if e.digest and not e.is_link:
                sizes[e.digest] = e.size
    return fetch_content(ws, sizes, progress=progress)
