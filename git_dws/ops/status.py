"""Per resource: what changed since the current snapshot (the one last taken or restored here), or
since a given one (`git dws diff S1`), down to the paths (added, modified, deleted, renamed)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import BadManifest
from ..model.diff import Changes
from ..model.snapshot import SnapshotContent
from ..progress import NULL, Progress
from ..resources import registry
from ..workspace import Workspace
from .resolve import latest, resolve


@dataclass(frozen=True, slots=True)
class ResourceStatus:
    name: str
    role: str
    type: str
    changes: Changes
    new: bool  # not in the base snapshot


@dataclass(frozen=True, slots=True)
class Status:
    workspace: str
    base: str | None
    base_tags: tuple[str, ...]
    resources: list[ResourceStatus]


def status(ws: Workspace, progress: Progress = NULL, against: str | None = None) -> Status:
    """`against`: compare with that snapshot (tag, id, commit) instead of the current one."""
    if against is not None:
        asked = ws.db.get(resolve(ws, against))
        return Status(ws.config.name, asked.content.id, asked.meta.tags, _compare(ws, asked.content, progress))
    current = ws.current()
    if current is None:
        sid = latest(ws)
        info = ws.db.get(sid) if sid else None
        current = (info.content, info.meta.tags) if info else None
    content, tags = current if current else (None, ())
    return Status(ws.config.name, content.id if content else None, tags, _compare(ws, content, progress))


def _compare(ws: Workspace, content: SnapshotContent | None, progress: Progress) -> list[ResourceStatus]:
    out = []
    for spec in ws.config.resources:
        state = content.resource(spec.name) if content else None
        res = registry.load(ws, spec)
        try:
            changes = res.status(state.tree if state else None, progress)
        except BadManifest as e:
            raise e.at(snapshot=content.id if content else None, resource=spec.name) from None
        out.append(ResourceStatus(spec.name, spec.role, spec.type, changes, state is None))
    return out
