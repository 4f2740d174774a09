"""Snapshot values and their canonical bytes.

A snapshot's id is the git blob id of its CONTENT bytes: the resources' names, types, roles and manifest
tree ids, nothing else. Same content, same id, on any machine. SNAPSHOT holds what is not content (time,
host, message, metrics, tags) and may be updated when the same content is snapshotted again.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import BadManifest
from .names import HOSTNAME_RE, ROLES, is_resource_name
from .notes import note_bytes, note_lines  # the note format; re-exported for callers
from .validate import check_oid, component_problem

FORMAT = 1
__all__ = ["FORMAT", "ResourceState", "SnapshotContent", "SnapshotInfo", "SnapshotMeta", "canonical_json",
           "git_blob_id", "note_bytes", "note_lines"]


def canonical_json(obj: object) -> bytes:
    return (json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode()


_TYPE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


def _json(data: bytes, what: str) -> dict[str, Any]:
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError):
        raise BadManifest(f"{what} is not valid JSON", what) from None
    if not isinstance(obj, dict):
        raise BadManifest(f"{what} is not a JSON object", what)
    return obj


def is_results_dir(path: str) -> bool:
    """Where results of a snapshot were moved: `snapshots/...`, relative, every component valid."""
    parts = path.split("/")
    return len(parts) >= 2 and parts[0] == "snapshots" and all(component_problem(p) is None for p in parts)


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass(frozen=True, slots=True)
class ResourceState:
    name: str
    type: str
    role: str
    tree: str  # manifest tree id (or gitlink commit id for external git repos)


@dataclass(frozen=True, slots=True)
class SnapshotContent:
    resources: tuple[ResourceState, ...]

    def to_bytes(self) -> bytes:
        return canonical_json(
            {
                "format": FORMAT,
                "resources": [
                    {"name": r.name, "role": r.role, "tree": r.tree, "type": r.type}
                    for r in sorted(self.resources, key=lambda r: r.name)
                ],
            }
        )

    @property
    def id(self) -> str:
        return git_blob_id(self.to_bytes())

    @classmethod
    def from_bytes(cls, data: bytes) -> SnapshotContent:
        """Parse and validate (CONTENT may come from another clone): resource names become paths."""
        obj = _json(data, "CONTENT")
        items = obj.get("resources")
        if not isinstance(items, list):
            raise BadManifest("CONTENT lists no resources", "CONTENT")
        out = []
        for r in items:
            if not isinstance(r, dict):
                raise BadManifest("a resource of CONTENT is not an object", "CONTENT")
            name = r.get("name")
            if not (isinstance(name, str) and is_resource_name(name)):
                raise BadManifest("not a valid resource name", repr(name))
            kind, role = r.get("type"), r.get("role")
            if not (isinstance(kind, str) and _TYPE.fullmatch(kind)) or role not in ROLES:
                raise BadManifest(f"resource type {kind!r} or role {role!r} is not valid", name)
            try:
                out.append(ResourceState(name, kind, str(role), check_oid(r.get("tree"))))
            except BadManifest as e:
                raise e.at(resource=name) from None
        if len({r.name for r in out}) != len(out):
            raise BadManifest("a resource is listed twice", "CONTENT")
        return cls(tuple(out))

    def resource(self, name: str) -> ResourceState | None:
        return next((r for r in self.resources if r.name == name), None)


@dataclass(frozen=True, slots=True)
class SnapshotMeta:
    timestamp: str  # ISO 8601, local time with offset
    hostname: str
    message: str
    workspace_commit: str
    number: int
    tags: tuple[str, ...] = ()
    metrics: dict[str, Any] | None = None
    results_dir: str | None = None
    updated_timestamp: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        obj: dict[str, Any] = {
            "format": FORMAT,
            "timestamp": self.timestamp,
            "hostname": self.hostname,
            "message": self.message,
            "workspace_commit": self.workspace_commit,
            "number": self.number,
            "tags": sorted(self.tags),
            "metrics": self.metrics,
            "results_dir": self.results_dir,
        }
        if self.updated_timestamp:
            obj["updated_timestamp"] = self.updated_timestamp
        obj.update(self.extra)
        return canonical_json(obj)

    @classmethod
    def from_bytes(cls, data: bytes) -> SnapshotMeta:
        """Parse and validate (SNAPSHOT may come from another clone): `results_dir` becomes a path
        (delete-snapshot removes it), tags become ref names."""
        obj = _json(data, "SNAPSHOT")
        known = {"format", "timestamp", "hostname", "message", "workspace_commit", "number", "tags",
                 "metrics", "results_dir", "updated_timestamp"}
        texts = {k: obj.get(k, "") for k in ("timestamp", "hostname", "message", "workspace_commit")}
        tags, number, metrics = obj.get("tags", []), obj.get("number", 0), obj.get("metrics")
        results_dir, updated = obj.get("results_dir"), obj.get("updated_timestamp")
        if not all(isinstance(v, str) for v in texts.values()) or not isinstance(updated, str | None):
            raise BadManifest("a text field of SNAPSHOT is not text", "SNAPSHOT")
        if texts["workspace_commit"]:
            check_oid(texts["workspace_commit"])
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise BadManifest("the snapshot number is not a whole number", repr(number))
        if not (isinstance(tags, list) and all(isinstance(t, str) and HOSTNAME_RE.fullmatch(t) for t in tags)):
            raise BadManifest("a tag of SNAPSHOT is not a valid tag name", repr(tags)[:80])
        if not isinstance(metrics, dict | None):
            raise BadManifest("the metrics of SNAPSHOT are not an object", "SNAPSHOT")
        if results_dir is not None and not (isinstance(results_dir, str) and is_results_dir(results_dir)):
            raise BadManifest("results_dir is not a relative path under snapshots/", repr(results_dir)[:80])
        return cls(
            timestamp=texts["timestamp"],
            hostname=texts["hostname"],
            message=texts["message"],
            workspace_commit=texts["workspace_commit"],
            number=number,
            tags=tuple(tags),
            metrics=metrics,
            results_dir=results_dir,
            updated_timestamp=updated,
            extra={k: v for k, v in obj.items() if k not in known},
        )

    def with_tags(self, tags: tuple[str, ...]) -> SnapshotMeta:
        return replace(self, tags=tuple(sorted(set(tags))))


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    """A snapshot as listed in history: id, content and metadata."""

    id: str
    content: SnapshotContent
    meta: SnapshotMeta

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.meta.number,
            "tags": list(self.meta.tags),
            "timestamp": self.meta.timestamp,
            "hostname": self.meta.hostname,
            "message": self.meta.message,
            "workspace_commit": self.meta.workspace_commit,
            "metrics": self.meta.metrics,
            "resources": {r.name: r.tree for r in self.content.resources},
        }
