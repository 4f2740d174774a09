"""Snapshot values and their canonical bytes.

A snapshot's id is the git blob id of its CONTENT bytes: the resources' names, types, roles and manifest
tree ids, nothing else. Same content, same id, on any machine. SNAPSHOT holds what is not content (time,
host, message, metrics, tags) and may be updated when the same content is snapshotted again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import Any

from .notes import note_bytes, note_lines  # the note format; re-exported for callers

FORMAT = 1
__all__ = ["FORMAT", "ResourceState", "SnapshotContent", "SnapshotInfo", "SnapshotMeta", "canonical_json",
           "git_blob_id", "note_bytes", "note_lines"]


def canonical_json(obj: object) -> bytes:
    return (json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode()


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
        obj = json.loads(data)
        return cls(tuple(ResourceState(r["name"], r["type"], r["role"], r["tree"]) for r in obj["resources"]))

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
        obj = json.loads(data)
        known = {"format", "timestamp", "hostname", "message", "workspace_commit", "number", "tags",
                 "metrics", "results_dir", "updated_timestamp"}
        return cls(
            timestamp=obj["timestamp"],
            hostname=obj["hostname"],
            message=obj.get("message", ""),
            workspace_commit=obj.get("workspace_commit", ""),
            number=int(obj.get("number", 0)),
            tags=tuple(obj.get("tags", ())),
            metrics=obj.get("metrics"),
            results_dir=obj.get("results_dir"),
            updated_timestamp=obj.get("updated_timestamp"),
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
