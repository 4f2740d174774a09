"""File-level differences per resource, with the defaults of `git diff`: no snapshot named, the current
snapshot against the working state; one, that snapshot against the working state; two, one snapshot
against the other. Renamed files (same content at a new path) are reported as renames."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import ResourceSpec
from ..model.diff import Changes, compare
from ..model.manifest import FileEntry
from ..model.snapshot import ResourceState
from ..progress import NULL, Progress
from ..resources import registry
from ..workspace import Workspace
from .resolve import resolve
from .status import status


@dataclass(frozen=True, slots=True)
class ResourceDiff:
    name: str
    state: str  # same | different | added | removed
    changes: Changes


@dataclass(frozen=True, slots=True)
class SnapshotDiff:
    old: str | None  # None: there is no snapshot yet
    new: str | None  # None: the working state
    resources: list[ResourceDiff]

    @property
    def clean(self) -> bool:
        return all(r.state == "same" for r in self.resources)


def diff(ws: Workspace, old: str | None = None, new: str | None = None, progress: Progress = NULL) -> SnapshotDiff:
    if new is None:
        return _against_working(ws, old, progress)
    a, b = resolve(ws, old or new), resolve(ws, new)
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


def _against_working(ws: Workspace, old: str | None, progress: Progress) -> SnapshotDiff:
    """The snapshot `old` (default: the one `git dws status` compares with) against the resources as
    they are now; a resource the snapshot has and the workspace no longer lists is `removed`."""
    s = status(ws, progress, against=old)
    out = [ResourceDiff(r.name, "added" if r.new else "same" if r.changes.clean else "different", r.changes)
           for r in s.resources]
    if s.base is not None:
        listed = {r.name for r in s.resources}
        out += [ResourceDiff(r.name, "removed", compare(_files(ws, r), {}))
                for r in ws.db.get(s.base).content.resources if r.name not in listed]
    return SnapshotDiff(s.base, None, sorted(out, key=lambda r: r.name))


def _files(ws: Workspace, state: ResourceState) -> dict[str, FileEntry]:
    """Manifest files of a recorded resource, read by the type it had then (it may since be gone)."""
    spec = ws.config.resource(state.name)
    params = spec.params if spec else {}
    return registry.load(ws, ResourceSpec(state.name, state.type, state.role, "", params)).files(state.tree)
