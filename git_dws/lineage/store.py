"""Where lineage lives.

Current lineage: per worktree and per machine, never committed: `$GIT_DIR/dws/lineage/<resource>.json`
(the original's `current_lineage/`), edited under a short flock so that steps running side by side do not
lose each other's records. Frozen lineage: `lineage/<resource>.json` in a snapshot's tree on the manifest
branch (see docs/LINEAGE.md), read here."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator

from ..workspace import Workspace
from .model import LineageError
from .records import LineageSet

SUFFIX = ".json"


def current_dir(ws: Workspace) -> str:
    return os.path.join(ws.state_dir, "lineage")


def load_current(ws: Workspace) -> LineageSet:
    d = current_dir(ws)
    objs = {}
    try:
        names = sorted(os.listdir(d))
    except FileNotFoundError:
        names = []
    for fname in names:
        if not fname.endswith(SUFFIX) or fname.startswith("."):
            continue
        path = os.path.join(d, fname)
        try:
            with open(path, "rb") as f:
                objs[fname[: -len(SUFFIX)]] = json.load(f)
        except (OSError, ValueError) as e:
            raise LineageError(f"cannot read current lineage {path}: {e}",
                               f"delete the file; the lineage of {fname[:-len(SUFFIX)]} is then unknown") from e
    return LineageSet.from_json(objs)


def save_current(ws: Workspace, lset: LineageSet) -> None:
    d = current_dir(ws)
    os.makedirs(d, exist_ok=True)
    for name in sorted(lset.dirty):
        path = os.path.join(d, name + SUFFIX)
        if not lset.files.get(name):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            continue
        tmp = f"{path}.tmp{os.getpid()}"
        with open(tmp, "w") as f:
            json.dump(lset.to_json(name), f, indent=2, sort_keys=True)
            f.write("\n")
        os.replace(tmp, path)
    lset.dirty.clear()


@contextlib.contextmanager
def editing(ws: Workspace) -> Iterator[LineageSet]:
    """Load, change and save the current lineage under a lock; nothing is saved if the block raises."""
    d = current_dir(ws)
    os.makedirs(d, exist_ok=True)
    fd = os.open(os.path.join(d, ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        lset = load_current(ws)
        yield lset
        save_current(ws, lset)
    finally:
        os.close(fd)


def load_snapshot(ws: Workspace, sid: str) -> LineageSet | None:
    """The lineage frozen with snapshot `sid`, or None if it has none (taken without lineage)."""
    tip = ws.db.tip()
    entry = ws.repo.tree_path(tip, f"snapshots/{sid}/lineage") if tip else None
    if entry is None or not entry.is_tree:
        return None
    objs = {}
    for e in ws.repo.tree_entries(entry.id):
        if e.name.endswith(SUFFIX):
            try:
                objs[e.name[: -len(SUFFIX)]] = json.loads(ws.repo.read_blob(e.id))
            except ValueError as err:
                raise LineageError(f"lineage of snapshot {sid[:12]} is corrupt ({e.name}: {err})") from err
    return LineageSet.from_json(objs)


def moved_under(ws: Workspace, since: str) -> set[str]:
    """Resources held in the workspace's own tree (git subdirectories) whose directory differs between
    commit `since` and HEAD: a pull that moved the branch changed their content."""
    head = ws.repo.head()
    if head is None or head == since:
        return set()
    out = set()
    for spec in ws.config.resources:
        if spec.type != "git-subdirectory":
            continue
        old, new = ws.repo.tree_path(since, spec.path), ws.repo.tree_path(head, spec.path)
        if (old.id if old else None) != (new.id if new else None):
            out.add(spec.name)
    return out


def invalidate(ws: Workspace, resource_names: list[str] | tuple[str, ...] | set[str],
               since: str | None = None) -> None:
    """Forget the current lineage of these resources (their content changed under us, e.g. by a pull)
    and, when `since` (the commit before the branch moved) is given, of every git subdirectory the move
    changed. Imported resources read their lineage.json again. `git dws pull` calls this."""
    from .export import read_import  # import cycle: export uses this module

    names = sorted({*resource_names, *(moved_under(ws, since) if since else set())})
    with editing(ws) as lset:
        for name in names:
            lset.clear_resource(name)
            spec = ws.config.resource(name)
            if spec is not None and spec.params.get("imported"):
                from ..resources import registry

                path = registry.load(ws, spec).local_path
                with contextlib.suppress(LineageError):
                    lset.put_resource(name, [read_import(path, name)])


def clear(ws: Workspace, resource_names: list[str]) -> list[str]:
    """`git dws lineage clear`: forget current lineage of resources (all when empty)."""
    with editing(ws) as lset:
        names = resource_names or lset.resources()
        for name in names:
            lset.clear_resource(name)
    return list(names)


def restore(ws: Workspace, sid: str, resource_names: list[str]) -> None:
    """Bring back the lineage frozen with snapshot `sid` for the resources a restore put back. A
    resource without frozen lineage gets none (its lineage is unknown)."""
    if not resource_names:
        return
    frozen = load_snapshot(ws, sid)
    with editing(ws) as lset:
        for name in resource_names:
            if frozen is not None and name in frozen.files:
                lset.put_resource(name, frozen.records_for(name))
            else:
                lset.clear_resource(name)
