"""The note on a workspace commit: one `snapshot <id>` line per snapshot taken on it, sorted and unique,
so that `git notes merge -s cat_sort_uniq` merges two clones' notes. Stdlib only and import-free: the
commit hook's fast path uses it too."""

from __future__ import annotations


def note_lines(data: bytes) -> list[str]:
    """Snapshot ids recorded in a note (lines of other forms are ignored)."""
    out = []
    for line in data.decode("utf-8", "replace").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "snapshot":
            out.append(parts[1])
    return out


def note_bytes(ids: list[str]) -> bytes:
    return "".join(f"snapshot {i}\n" for i in sorted(set(ids))).encode()
