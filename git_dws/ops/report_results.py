"""`git dws report results [--snapshot S] [--resource R]`: find results.json files and read them.

Without a snapshot: every results.json in the results resources (or in R), the root first, then
subpaths, never the moved copies under `snapshots/`; if there is none, the latest snapshot. With a
snapshot: the results.json files that snapshot holds in its own results directory (where they were moved)
and, for exported or hook-taken snapshots, at the resource root and its subpaths."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from ..config import ResourceSpec
from ..errors import DwsError, UsageError
from ..model.manifest import FileEntry
from ..resources import registry
from ..workspace import Workspace
from .resolve import latest, resolve

FILENAME = "results.json"


class NoResultsError(DwsError):
    """No results.json where one was looked for."""


@dataclass(frozen=True, slots=True)
class ResultsFile:
    resource: str
    path: str  # relative to the resource
    data: dict[str, Any]

    @property
    def location(self) -> str:
        return f"{self.resource}:/{self.path}"

    def to_json(self) -> dict[str, Any]:
        return {"resource": self.resource, "path": self.path, "location": self.location, "results": self.data}


@dataclass(frozen=True, slots=True)
class ResultsReport:
    snapshot: str | None
    files: list[ResultsFile]
    fallback: bool = False  # nothing in the working copy: read from the latest snapshot

    def to_json(self) -> dict[str, Any]:
        return {"snapshot": self.snapshot, "fallback": self.fallback, "files": [f.to_json() for f in self.files]}


def results_report(ws: Workspace, snapshot: str | None = None, resource: str | None = None) -> ResultsReport:
    if resource is not None and snapshot is None and ws.config.resource(resource) is None:
        raise UsageError(f"no resource named '{resource}'",
                         f"resources: {', '.join(r.name for r in ws.config.resources) or 'none'}")
    if snapshot is not None:
        sid = resolve(ws, snapshot)
        found = in_snapshot(ws, sid, resource)
        if not found:
            where = f" in resource '{resource}'" if resource else ""
            raise NoResultsError(f"snapshot {sid[:12]} has no {FILENAME}{where}",
                           "steps write it with ResultsLineage.write_results()")
        return ResultsReport(sid, found)
    found = in_workspace(ws, resource)
    if found:
        return ResultsReport(None, found)
    last = latest(ws)
    found = in_snapshot(ws, last, resource) if last else []
    if not found:
        raise NoResultsError(f"did not find a {FILENAME} file in the workspace or its latest snapshot",
                       "steps write it with ResultsLineage.write_results()")
    return ResultsReport(last, found, fallback=True)


def _specs(ws: Workspace, resource: str | None) -> list[ResourceSpec]:
    if resource is not None:
        spec = ws.config.resource(resource)
        return [spec] if spec else []
    return [r for r in ws.config.resources if r.role == "results"]


def _load(path: str) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as f:
            obj = json.load(f)
    except (OSError, ValueError):
        return None
    return obj if isinstance(obj, dict) else None


def in_workspace(ws: Workspace, resource: str | None) -> list[ResultsFile]:
    out = []
    for spec in _specs(ws, resource):
        if not getattr(registry.get(spec.type), "has_files", True):
            continue
        root = registry.load(ws, spec).local_path
        rels = []
        for dirpath, dirs, files in os.walk(root):
            rel_dir = os.path.relpath(dirpath, root)
            if rel_dir == ".":
                dirs[:] = [d for d in dirs if d not in ("snapshots", ".git")]
            if FILENAME in files:
                rels.append(FILENAME if rel_dir == "." else f"{rel_dir.replace(os.sep, '/')}/{FILENAME}")
        for rel in sorted(rels, key=lambda p: (p.count("/"), p)):
            data = _load(os.path.join(root, *rel.split("/")))
            if data is not None:
                out.append(ResultsFile(spec.name, rel, data))
    return out


def in_snapshot(ws: Workspace, sid: str, resource: str | None) -> list[ResultsFile]:
    info = ws.db.get(sid)
    results_dir = (info.meta.results_dir or "").strip("/")
    out = []
    for state in info.content.resources:
        if resource is not None and state.name != resource:
            continue
        if resource is None and state.role != "results":
            continue
        cls = registry.get(state.type)
        if cls is None or not getattr(cls, "has_files", True):
            continue
        spec = ws.config.resource(state.name) or ResourceSpec(state.name, state.type, state.role, "")
        try:
            entries = cls(ws, spec).files(state.tree)
        except DwsError:
            continue
        paths = [p for p in entries if p == FILENAME or p.endswith("/" + FILENAME)]
        mine = [p for p in paths if results_dir and p.startswith(results_dir + "/")]
        loose = [p for p in paths if not p.startswith("snapshots/")]
        for rel in sorted(mine, key=lambda p: (p.count("/"), p)) + sorted(loose, key=lambda p: (p.count("/"), p)):
            raw = read_entry(ws, entries[rel])
            if raw is None:
                continue
            try:
                data = json.loads(raw)
            except ValueError:
                continue
            if isinstance(data, dict):
                out.append(ResultsFile(state.name, rel, data))
    return out


def read_entry(ws: Workspace, e: FileEntry) -> bytes | None:
    """Content of a file recorded in a snapshot: a git blob, or an object of the content store."""
    if e.is_link:
        return None
    if len(e.digest) == 40 and ws.repo.has_object(e.digest):
        try:
            return ws.repo.read_blob(e.digest)
        except DwsError:
            return None
    try:
        return ws.store.read(e.digest)
    except (DwsError, ValueError, OSError):
        return None
