"""`git dws gc`: free content-store objects that no wanted snapshot references.

Wanted is decided by `reachable.wanted` (local and remote-tracking snapshot databases, tags, notes), so
data of a snapshot that lives only on another branch, only in a tag or only in a remote-tracking ref
survives. Safety against concurrent writers: gc holds the workspace lock (every command that adds
objects takes it), and objects (loose files, packs) younger than the grace period are kept whatever
the refs say, as `git gc --prune=<date>` does. The default grace is one hour (git uses two weeks for
loose git objects; ours are only ever written under the lock, so one hour covers a clock that jumped
or a command of an older git-dws that did not lock; `--grace 0` for tests and the impatient).
Temporary files of killed commands are removed whatever their age: under the lock nobody writes them.
With `--remote NAME` the data remote is pruned too, by `store.remotes.gc.remote_gc`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..errors import DwsError
from ..store import casgc
from ..workspace import Workspace
from .reachable import needed, wanted

DEFAULT_GRACE_HOURS = 1.0


@dataclass(frozen=True, slots=True)
class GcResult:
    dry_run: bool
    snapshots: int  # wanted snapshots
    kept: int  # live objects in the local store
    objects: int  # objects freed (or that would be)
    bytes: int
    repacked: int  # packs rewritten
    temps: int  # temporary files of killed commands removed
    young: int  # dead objects kept because they are newer than the grace period
    remote: str | None = None
    remote_objects: int = 0
    remote_bytes: int = 0


def gc(ws: Workspace, *, dry_run: bool = False, grace_hours: float = DEFAULT_GRACE_HOURS,
       remote: str | None = None) -> GcResult:
    if grace_hours < 0:
        raise DwsError(f"--grace must not be negative (got {grace_hours:g})", "give hours, e.g. --grace 24")
    with ws.lock():
        chosen = None
        if remote is not None:
            from .remote import choose

            chosen = choose(ws, remote)  # an unknown name fails here, before anything
            _fetch_all(ws)  # what other clones pushed decides what the shared data remote must keep
        w = wanted(ws)
        if w.damaged:
            sid, why = sorted(w.damaged.items())[0]
            raise DwsError(f"snapshot {sid[:12]} cannot be read ({why}); gc would not know what it needs",
                           "run `git dws fsck` and repair what it reports, then gc again; nothing was removed")
        problems: list[str] = []
        keep = set(needed(ws, w.snapshots, lambda sid, path, exc: problems.append(f"{sid[:12]} {path}")))
        if problems:
            raise DwsError(f"a manifest cannot be read ({problems[0]}); gc would not know what it needs",
                           "run `git dws fsck` and repair what it reports, then gc again; nothing was removed")
        cutoff = time.time() - grace_hours * 3600
        inv = casgc.inventory(ws.store.root)
        freed = size = young = repacked = 0
        for obj in inv.loose.values():
            if obj.digest in keep:
                continue
            if obj.mtime > cutoff:
                young += 1
                continue
            freed += 1
            size += obj.size
            if not dry_run:
                casgc.remove_loose(obj)
        for pack in inv.packs:
            if pack.damaged:
                continue  # fsck reports it; removing it could lose the only copy of live objects
            dead = {d: s for d, (_, s) in pack.entries.items() if d not in keep}
            if not dead:
                continue
            if pack.mtime > cutoff:
                young += len(dead)
                continue
            freed += len(dead)
            size += sum(dead.values())
            repacked += 1
            if not dry_run:
                casgc.repack(pack, keep)
        for tmp in inv.temps:
            size += casgc.temp_size(tmp)
            if not dry_run:
                casgc.remove_temp(tmp)
        kept = len(keep & set(inv.sizes()))
        result = GcResult(dry_run, len(w.snapshots), kept, freed, size, repacked, len(inv.temps), young)
        if chosen is not None:
            from dataclasses import replace

            from ..store.remotes.gc import remote_gc
            from .remote import backend

            objects, freed = remote_gc(backend(ws, chosen), keep, dry_run=dry_run,
                                       grace_seconds=int(grace_hours * 3600))
            result = replace(result, remote=chosen.name, remote_objects=int(objects), remote_bytes=int(freed))
        return result


def _fetch_all(ws: Workspace) -> None:
    """Fetch every git remote first: a snapshot another clone pushed names objects we never saw."""
    from ..store import exchange
    from ..store.git import git_run

    for name in git_run(ws.root, "remote").stdout.decode().split():
        exchange.fetch(ws.root, name)  # a remote we cannot reach fails the gc: we cannot know what it needs
