"""File-level differences between two states of a resource."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .manifest import FileEntry


@dataclass(frozen=True, slots=True)
class Changes:
    added: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.added or self.modified or self.deleted)

    def summary(self) -> str:
        if self.clean:
            return "unchanged"
        parts = [
            f"{len(v)} {k}" for k, v in (("added", self.added), ("modified", self.modified),
                                         ("deleted", self.deleted)) if v
        ]
        return ", ".join(parts)

    def to_json(self) -> dict[str, list[str]]:
        return {"added": self.added, "modified": self.modified, "deleted": self.deleted}


def compare(old: Mapping[str, FileEntry], new: Mapping[str, FileEntry]) -> Changes:
    added = sorted(p for p in new if p not in old)
    deleted = sorted(p for p in old if p not in new)
    modified = sorted(p for p in new if p in old and not new[p].same_content(old[p]))
    return Changes(added, modified, deleted)
