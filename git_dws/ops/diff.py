"""File-level differences between two snapshots, per resource."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import ResourceSpec
from ..model.diff import Changes, compare
from ..model.manifest import FileEntry
from ..model.snapshot import ResourceState
from ..resources import registry
from ..workspace import Workspace
from .resolve import resolve


@dataclass(frozen=True, slots=True)
class ResourceDiff:
    name: str
    state: str  # same | different | added | removed
    changes: Changes


@dataclass(frozen=True, slots=True)
class SnapshotDiff:
    old: str
    new: str
    resources: list[ResourceDiff]


def diff(ws: Workspace, old: str, new: str) -> SnapshotDiff:
    a, b = resolve(ws, old), resolve(ws, new)
    ra = {r.name: r for r in ws.db.get(a).content.resources}
    rb = {r.name: r for r in ws.db.get(b).content.resources}
    out = []
    for name in sorted(set(ra) | set(rb)):
        x, y = ra.get(name), rb.get(name)
        if x is None and y is not None:
            out.append(ResourceDiff(name, "added", compare({}, _files(ws, y))))
        elif y is None and x is not None:
            out.append(ResourceDiff(name, "removed", compare(_files(ws, x), {})))
        elif x is not None and y is not None:
            if x.tree == y.tree:
                out.append(ResourceDiff(name, "same", Changes()))
            else:
                out.append(ResourceDiff(name, "different", compare(_files(ws, x), _files(ws, y))))
    return SnapshotDiff(a, b, out)


def _files(ws: Workspace, state: ResourceState) -> dict[str, FileEntry]:
    """Manifest files of a recorded resource, read by the type it had then (it may since be gone)."""
    spec = ws.config.resource(state.name)
    params = spec.params if spec else {}
    return registry.load(ws, ResourceSpec(state.name, state.type, state.role, "", params)).files(state.tree)
