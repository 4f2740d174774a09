"""Manifest entries and their canonical wire format.

A local-files manifest is a git tree that mirrors the resource's directories. Each directory node holds
its subdirectories as subtrees and its files in one blob, `.dws-files`: one canonical JSON object per
line, sorted by name. One blob per directory (not per file) keeps a 20,000-file resource at a few hundred
git objects, and unchanged directories keep their tree ids, so diffs skip them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii as _quote

LISTING = ".dws-files"
_DIR_ESCAPE = ".dws-dir-"  # a user directory named ".git" or ".dws-*" is stored with this prefix

MODE_FILE = 0o100644
MODE_EXEC = 0o100755
MODE_LINK = 0o120000


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One file of a resource. `digest` is the content hash (BLAKE3 hex for data, git blob id for git
    resources); for a symlink it is empty and `target` holds the link text."""

    path: str
    mode: int
    digest: str
    size: int
    target: str = ""

    @property
    def is_link(self) -> bool:
        return self.mode == MODE_LINK

    def same_content(self, other: FileEntry) -> bool:
        return (self.mode, self.digest, self.size, self.target) == (
            other.mode,
            other.digest,
            other.size,
            other.target,
        )


def encode_listing(entries: list[FileEntry]) -> bytes:
    """Canonical bytes for the files of one directory (entries carry their base names): one JSON object
    per line with sorted keys, no spaces, ASCII only, exactly what json.dumps(sort_keys=True,
    separators=(",", ":")) gives, written by hand because this runs once per file."""
    lines = []
    for e in sorted(entries, key=lambda x: x.path.encode("utf-8", "surrogateescape")):
        name = _quote(e.path)
        if e.is_link:
            lines.append(f'{{"mode":"{e.mode:o}","name":{name},"target":{_quote(e.target)}}}')
        else:
            lines.append(f'{{"b3":"{e.digest}","mode":"{e.mode:o}","name":{name},"size":{e.size}}}')
    return ("\n".join(lines) + "\n").encode() if lines else b""


def decode_listing(data: bytes, prefix: str) -> list[FileEntry]:
    out = []
    # One parse per directory: lines are JSON objects without raw newlines, so they join into an array.
    for obj in json.loads(b"[" + data.rstrip(b"\n").replace(b"\n", b",") + b"]") if data else []:
        out.append(
            FileEntry(
                path=prefix + obj["name"],
                mode=int(obj["mode"], 8),
                digest=obj.get("b3", ""),
                size=int(obj.get("size", 0)),
                target=obj.get("target", ""),
            )
        )
    return out


# Characters HFS+ ignores when comparing names: with them, git fsck treats e.g. ".g\u200cit" as ".git".
_HFS_IGNORABLE = dict.fromkeys(map(ord, "\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                                        "\u206a\u206b\u206c\u206d\u206e\u206f\ufeff"))
_FSCK_SENSITIVE = re.compile(r"\.git|git~\d|gitmod~\d|\.gitmodules")


def dir_to_tree_name(name: str) -> str:
    """Directory names git fsck would reject as tree entries (".git" and what NTFS or HFS+ read as
    ".git" or ".gitmodules": "git~1", ".git ", ".GIT.") are stored escaped, as are names that could
    collide with our own ".dws-" entries. A data directory may well hold a repository."""
    folded = name.translate(_HFS_IGNORABLE).lower().split(":")[0].rstrip(" .")  # NTFS streams, trailing dots
    if name.startswith(".dws-") or _FSCK_SENSITIVE.fullmatch(folded):
        return _DIR_ESCAPE + name
    return name


def tree_name_to_dir(name: str) -> str:
    return name[len(_DIR_ESCAPE) :] if name.startswith(_DIR_ESCAPE) else name
