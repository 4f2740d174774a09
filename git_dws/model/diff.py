"""File-level differences between two states of a resource.

`added` / `modified` / `deleted` are complete (restore writes and removes exactly those paths);
`renamed` pairs a deleted path with an added one of the same content (same hash, size and mode), as
`dvc diff` reports renames, so that what people read (summary, listings, JSON) shows a moved file once,
as a rename, instead of as a deletion plus an addition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .manifest import FileEntry

# Empty files all share one hash: pairing them would report renames that are not there.
_EMPTY = frozenset({
    "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",  # BLAKE3 of nothing
    "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391",  # git's empty blob
})


@dataclass(frozen=True, slots=True)
class Changes:
    added: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (old, new): old in deleted, new in added

    @property
    def clean(self) -> bool:
        return not (self.added or self.modified or self.deleted)

    @property
    def only_added(self) -> list[str]:
        """Added paths that are not the new name of a renamed file."""
        if not self.renamed:
            return self.added
        targets = {new for _, new in self.renamed}
        return [p for p in self.added if p not in targets]

    @property
    def only_deleted(self) -> list[str]:
        """Deleted paths that are not the old name of a renamed file."""
        if not self.renamed:
            return self.deleted
        sources = {old for old, _ in self.renamed}
        return [p for p in self.deleted if p not in sources]

    def summary(self) -> str:
        if self.clean:
            return "unchanged"
        parts = [
            f"{len(v)} {k}" for k, v in (("added", self.only_added), ("modified", self.modified),
                                         ("deleted", self.only_deleted), ("renamed", self.renamed)) if v
        ]
        return ", ".join(parts)

    def listing(self) -> list[tuple[str, str, str | None]]:
        """(status letter, path, new path of a rename), in path order: A added, M modified, D deleted,
        R renamed (path is the old name). The paths are those of `to_json`."""
        rows: list[tuple[str, str, str | None]] = [("A", p, None) for p in self.only_added]
        rows += [("M", p, None) for p in self.modified]
        rows += [("D", p, None) for p in self.only_deleted]
        rows += [("R", old, new) for old, new in self.renamed]
        return sorted(rows, key=lambda r: (r[1], r[0]))

    def to_json(self) -> dict[str, list[str] | list[dict[str, str]]]:
        return {"added": self.only_added, "modified": self.modified, "deleted": self.only_deleted,
                "renamed": [{"old": old, "new": new} for old, new in self.renamed]}


def compare(old: Mapping[str, FileEntry], new: Mapping[str, FileEntry]) -> Changes:
    added = sorted(p for p in new if p not in old)
    deleted = sorted(p for p in old if p not in new)
    modified = sorted(p for p in new if p in old and not new[p].same_content(old[p]))
    return Changes(added, modified, deleted, _renames(old, new, added, deleted) if added and deleted else [])


def _renames(old: Mapping[str, FileEntry], new: Mapping[str, FileEntry], added: list[str],
             deleted: list[str]) -> list[tuple[str, str]]:
    """Pair deleted and added paths of equal content; several of one content pair up in path order."""
    gone: dict[tuple[int, str, int, str], list[str]] = {}
    for p in deleted:
        e = old[p]
        if e.digest not in _EMPTY and (e.digest or e.target):
            gone.setdefault((e.mode, e.digest, e.size, e.target), []).append(p)
    pairs = []
    for p in added:
        e = new[p]
        olds = gone.get((e.mode, e.digest, e.size, e.target))
        if olds:
            pairs.append((olds.pop(0), p))
    return sorted(pairs)
