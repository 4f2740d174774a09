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

from ..errors import BadManifest
from . import validate

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


def decode_listing(data: bytes, prefix: str, uncaptured: bool = False) -> list[FileEntry]:
    """The entries of one listing blob, validated: this is read from git objects another clone may
    have crafted, so anything malformed raises BadManifest (and nothing else) before it is used."""
    where = prefix + LISTING
    try:
        # One parse per directory: lines are JSON objects without raw newlines, so they join into an array.
        objs = json.loads(b"[" + data.rstrip(b"\n").replace(b"\n", b",") + b"]") if data else []
    except (ValueError, RecursionError):
        raise BadManifest("the listing is not one JSON object per line", where) from None
    out = []
    seen: set[str] = set()
    for obj in objs:
        if not isinstance(obj, dict):
            raise BadManifest("a listing line is not a JSON object", where)
        name = obj.get("name")
        if not isinstance(name, str):
            raise BadManifest("a listing line has no name", where)
        path = prefix + validate.check_component(name)
        if name in seen:
            raise BadManifest("the name appears twice in one directory", path)
        seen.add(name)
        mode_text = obj.get("mode")
        if not isinstance(mode_text, str) or not _OCTAL.fullmatch(mode_text):
            raise BadManifest(f"mode {mode_text!r} is not an octal file mode", path)
        try:
            mode = validate.check_mode(int(mode_text, 8))
            if mode == MODE_LINK:
                out.append(FileEntry(path, mode, "", 0, validate.check_link_target(obj.get("target"))))
            else:
                b3 = obj.get("b3")  # "": content not captured (S3 with store = false), if `uncaptured`
                out.append(FileEntry(path, mode, "" if b3 == "" and uncaptured else validate.check_b3(b3),
                                     validate.check_size(obj.get("size"))))
        except BadManifest as e:
            raise BadManifest(e.why, path) from None
    return out


_OCTAL = re.compile(r"[0-7]{6}")


_FSCK_SENSITIVE = re.compile(r"\.git|git~\d|gitmod~\d|\.gitmodules")


def dir_to_tree_name(name: str) -> str:
    """Directory names git fsck would reject as tree entries (".git" and what NTFS or HFS+ read as
    ".git" or ".gitmodules": "git~1", ".git ", ".GIT.") are stored escaped, as are names that could
    collide with our own ".dws-" entries. A data directory may well hold a repository."""
    folded = name.translate(validate.HFS_IGNORABLE).lower().split(":")[0].rstrip(" .")  # NTFS streams, trailing dots
    if name.startswith(".dws-") or _FSCK_SENSITIVE.fullmatch(folded):
        return _DIR_ESCAPE + name
    return name


def tree_name_to_dir(name: str) -> str:
    """The directory name a manifest subtree stands for, validated (a crafted tree may name anything)."""
    if name.startswith(_DIR_ESCAPE):
        real = name[len(_DIR_ESCAPE):]
        if dir_to_tree_name(real) != name:  # we escape only what needs it: anything else was not written by us
            raise BadManifest("an escaped directory name git-dws would not write", name)
        return validate.check_component(real)
    if name.startswith(".dws-"):
        raise BadManifest("a '.dws-' name git-dws would not write", name)
    return validate.check_component(name)
