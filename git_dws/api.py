"""A Python API for notebooks and other tools, with the original Data Workspaces names
(`dataworkspaces.api`): take_snapshot, get_snapshot_history, restore, get_resource_info,
get_local_path_for_resource, get_filesystem_for_resource, make_lineage_table, make_lineage_graph and
get_results, plus get_lineage. Every call opens the workspace (the directory given, or the one holding
the current directory) and never prompts, like the original's batch mode. Errors are DwsError."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import IO, Any, NamedTuple

from . import __version__
from .errors import DwsError
from .workspace import Workspace

__api_version__ = "0.2"


def get_version() -> str:
    return __version__


def get_api_version() -> str:
    return __api_version__


def _ws(workspace_uri_or_path: str | os.PathLike[str] | None) -> Workspace:
    if workspace_uri_or_path is None:
        return Workspace.open(os.getcwd())
    path = os.fspath(workspace_uri_or_path)
    return Workspace.open(path.removeprefix("git:"))


class ResourceInfo(NamedTuple):
    name: str
    role: str
    resource_type: str
    local_path: str | None


def _local_path(ws: Workspace, name: str) -> str | None:
    from .lineage.api import local_root

    spec = ws.config.resource(name)
    if spec is None:
        raise DwsError(f"no resource named '{name}'",
                       f"resources: {', '.join(r.name for r in ws.config.resources) or 'none'}")
    return local_root(ws, spec)


def get_resource_info(workspace_uri_or_path: str | os.PathLike[str] | None = None,
                      verbose: bool = False) -> list[ResourceInfo]:
    """The workspace's resources, in configuration order."""
    ws = _ws(workspace_uri_or_path)
    return [ResourceInfo(r.name, r.role, r.type, _local_path(ws, r.name)) for r in ws.config.resources]


def get_local_path_for_resource(name: str, workspace_uri_or_path: str | os.PathLike[str] | None = None,
                                verbose: bool = False) -> str | None:
    return _local_path(_ws(workspace_uri_or_path), name)


class ResourceFileSystem:
    """The fsspec subset of the original: paths are relative to the resource root ('' is the root)."""

    def __init__(self, name: str, root: str) -> None:
        self.name = name
        self.root = root

    def _path(self, rel_path: str) -> str:
        full = os.path.normpath(os.path.join(self.root, rel_path))
        if full != self.root and not full.startswith(self.root.rstrip(os.sep) + os.sep):
            raise DwsError(f"path '{rel_path}' leaves resource '{self.name}'")
        return full

    def open(self, rel_path: str, mode: str = "r") -> IO[Any]:
        if rel_path in ("", "."):
            raise DwsError("give a file to open; '' is the resource root")
        return open(self._path(rel_path), mode)

    def ls(self, rel_path: str = "") -> list[str]:
        path = self._path(rel_path)
        if os.path.isdir(path):
            names = sorted(os.listdir(path))
            return [f"{rel_path.rstrip('/')}/{n}" if rel_path else n for n in names]
        if os.path.lexists(path):
            return [rel_path]
        raise DwsError(f"path '{rel_path}' does not exist in resource '{self.name}'")

    def exists(self, rel_path: str) -> bool:
        return os.path.exists(self._path(rel_path))

    def isfile(self, rel_path: str) -> bool:
        return os.path.isfile(self._path(rel_path))

    def isdir(self, rel_path: str) -> bool:
        return os.path.isdir(self._path(rel_path))


def get_filesystem_for_resource(name: str, workspace_uri_or_path: str | os.PathLike[str] | None = None,
                                verbose: bool = False) -> ResourceFileSystem | None:
    """File access to a resource at its current state; None for a resource without files."""
    root = _local_path(_ws(workspace_uri_or_path), name)
    return ResourceFileSystem(name, root) if root is not None else None


class SnapshotInfo(NamedTuple):
    snapshot_number: int
    hashval: str
    tags: list[str]
    timestamp: str
    message: str
    metrics: dict[str, Any] | None


def take_snapshot(workspace_uri_or_path: str | os.PathLike[str] | None = None, tag: str | None = None,
                  message: str = "", verbose: bool = False) -> str:
    """Snapshot the workspace; returns the snapshot id."""
    from .ops.snapshot import take_snapshot as take

    return take(_ws(workspace_uri_or_path), tag, message).id


def get_snapshot_history(workspace_uri_or_path: str | os.PathLike[str] | None = None, reverse: bool = False,
                         max_count: int | None = None, verbose: bool = False) -> list[SnapshotInfo]:
    """Snapshots, oldest first (newest first with reverse=True), at most max_count of them."""
    snaps = _ws(workspace_uri_or_path).db.history()
    if reverse:
        snaps = list(reversed(snaps))
    if max_count is not None:
        snaps = snaps[:max_count]
    return [SnapshotInfo(s.meta.number, s.id, list(s.meta.tags), s.meta.timestamp, s.meta.message, s.meta.metrics)
            for s in snaps]


def restore(tag_or_hash: str, workspace_uri_or_path: str | os.PathLike[str] | None = None,
            only: list[str] | None = None, leave: list[str] | None = None, verbose: bool = False) -> int:
    """Restore a snapshot; returns the number of resources that changed."""
    from .ops.restore import restore as do_restore

    r = do_restore(_ws(workspace_uri_or_path), tag_or_hash, only=only, leave=leave)
    return sum(1 for c in r.restored.values() if not c.clean)


def make_lineage_table(workspace_uri_or_path: str | os.PathLike[str] | None = None,
                       tag_or_hash: str | None = None,
                       verbose: bool = False) -> Iterable[tuple[str, str, str, list[str] | None]]:
    """(reference, type, details, inputs) per recorded reference, current or as of a snapshot."""
    from .ops.report_lineage import lineage_report

    return [(r.resource, r.type, r.details, r.inputs)
            for r in lineage_report(_ws(workspace_uri_or_path), tag_or_hash).rows]


def make_lineage_graph(output_file: str, workspace_uri_or_path: str | os.PathLike[str] | None = None,
                       resource_name: str | None = None, tag_or_hash: str | None = None, width: int = 1024,
                       height: int = 800, verbose: bool = False, format: str | None = None) -> None:
    """Write the lineage graph (HTML by default; .dot and .svg by extension or `format`)."""
    from .ops.lineage_graph import lineage_graph

    lineage_graph(_ws(workspace_uri_or_path), output_file, snapshot=tag_or_hash, resource=resource_name,
                  fmt=format)


def get_results(workspace_uri_or_path: str | os.PathLike[str] | None = None, tag_or_hash: str | None = None,
                resource_name: str | None = None, verbose: bool = False) -> tuple[dict[str, Any], str] | None:
    """The first results.json found, parsed, with its location `resource:/path`; None if none."""
    from .ops.report_results import NoResultsError, results_report

    try:
        report = results_report(_ws(workspace_uri_or_path), tag_or_hash, resource_name)
    except NoResultsError:
        return None
    first = report.files[0]
    return first.data, first.location


def get_lineage(workspace_uri_or_path: str | os.PathLike[str] | None = None, resource_name: str | None = None,
                tag_or_hash: str | None = None) -> dict[str, Any]:
    """The lineage of a resource (everything it was derived from, transitively), or all lineage when no
    resource is named, current or as of a snapshot: `{"resource_name", "snapshot", "complete",
    "warnings", "lineages": [record, ...]}` with records in the format of docs/LINEAGE.md."""
    from .lineage.records import distinct
    from .ops.report_lineage import load

    lset, sid, _ = load(_ws(workspace_uri_or_path), tag_or_hash)
    if resource_name is None:
        records = distinct(rec for name in lset.resources() for rec in lset.records_for(name))
        warnings: list[str] = []
    else:
        records, warnings = lset.closure(resource_name)
    return {"resource_name": resource_name, "snapshot": sid, "complete": bool(records) and not warnings,
            "warnings": warnings, "lineages": [r.to_json() for r in records]}
