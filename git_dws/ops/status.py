"""Per resource: what changed since the current snapshot (the one last taken or restored here), or
since a given one (`git dws diff S1`), down to the paths (added, modified, deleted, renamed)."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import ResourceSpec
from ..errors import BadManifest, DwsError
from ..model.diff import Changes
from ..model.snapshot import SnapshotContent
from ..progress import NULL, Progress
from ..resources import registry
from ..workspace import Workspace
from .resolve import baseline, resolve


@dataclass(frozen=True, slots=True)
class ResourceStatus:
    name: str
    role: str
    type: str
    changes: Changes
    new: bool  # not in the base snapshot
    absent: str = ""  # why it could not be looked at here (no directory on this machine), with the fix


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
    current = baseline(ws)  # HEAD's snapshot (or its nearest snapshotted ancestor's), never another branch's
    content, tags = current if current else (None, ())
    return Status(ws.config.name, content.id if content else None, tags, _compare(ws, content, progress))


def _compare(ws: Workspace, content: SnapshotContent | None, progress: Progress) -> list[ResourceStatus]:
    out = []
    for spec in ws.config.resources:
        state = content.resource(spec.name) if content else None
        res = registry.load(ws, spec)
        why = unplaced(ws, spec)
        if why:
            out.append(ResourceStatus(spec.name, spec.role, spec.type, Changes(), state is None, why))
            continue
        try:
            changes = res.status(state.tree if state else None, progress)
        except BadManifest as e:
            raise e.at(snapshot=content.id if content else None, resource=spec.name) from None
        out.append(ResourceStatus(spec.name, spec.role, spec.type, changes, state is None))
    return out


def unplaced(ws: Workspace, spec: ResourceSpec) -> str:
    """Why a resource has no directory on this machine ("" if it has one, or needs none): it lives
    outside the workspace elsewhere and this machine's settings name no directory for it. (A committed
    path that leads outside is an error, not this: model.paths refuses it wherever it is used.)"""
    if spec.path or ws.repo.config_get(f"dws-resource.{spec.name}.path"):
        return ""
    try:
        _ = registry.load(ws, spec).local_path
    except DwsError:
        return f"no directory on this machine (set one: git config dws-resource.{spec.name}.path DIR)"
    return ""
