"""The one validator for what others wrote: names, modes, sizes, digests and link targets read from git
objects (manifest trees, listings, snapshot content) or from a data remote.

Everything a user fetches is attacker-controlled, exactly as git treats a fetched tree: git refuses `..`,
`.git` and `/`-containing names in everything it checks out (`verify_path()` in read-cache.c, the fsck
`badTree` checks, with `core.protectNTFS`/`core.protectHFS`). So do we, here, before a byte is written.
Pure: every reader (restore, pull, clone, status, diff, fsck, the hooks) calls these.
"""

from __future__ import annotations

import re

from ..errors import BadManifest

MAX_SIZE = 1 << 50  # 1 PiB: larger is no real file, and an int this size stays exact in JSON readers
MAX_TARGET = 4096  # PATH_MAX: a longer symlink target cannot be created
MAX_NAME = 4096  # bytes of one name; filesystems stop at 255, but that is for the OS to refuse

LISTING_MODES = (0o100644, 0o100755, 0o120000)
GIT_MODES = (0o100644, 0o100755, 0o120000, 0o040000, 0o160000)  # what git itself writes in trees

_B3 = re.compile(r"[0-9a-f]{64}")
_OID = re.compile(r"[0-9a-f]{40}")

# Characters HFS+ ignores when comparing names: with them ".g\u200cit" is ".git" there (git's is_hfs_dotgit).
HFS_IGNORABLE = dict.fromkeys(map(ord, "\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                                       "\u206a\u206b\u206c\u206d\u206e\u206f\ufeff"))


# The first character of any name is_dotgit accepts: a cheap test before the full one, which a scan of
# 20,000 files would otherwise pay for every name (~30 ms).
DOTGIT_START = frozenset(".gG") | frozenset(map(chr, HFS_IGNORABLE))


def is_dotgit(name: str) -> bool:
    """Does any filesystem git protects read this name as `.git`? Case-insensitive, HFS+-ignorable
    characters dropped, NTFS trailing dots/spaces, `:stream` suffixes and the 8.3 short name `git~1`."""
    folded = name.translate(HFS_IGNORABLE).lower().split(":")[0].rstrip(" .")
    return folded == ".git" or folded == "git~1"


def component_problem(name: str) -> str | None:
    """Why `name` cannot be one path component of a resource, or None if it can."""
    if not isinstance(name, str):
        return "a name must be text"
    if name in ("", ".", ".."):
        return "empty, '.' and '..' are not file names"
    if "/" in name or "\0" in name:
        return "a name may not contain '/' or NUL"
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return "a name must be UTF-8 or raw bytes"
    if len(raw) > MAX_NAME:
        return "the name is too long"
    if is_dotgit(name):
        return "'.git' is never written by git-dws (it would be a repository's control directory)"
    return None


def check_component(name: str) -> str:
    why = component_problem(name)
    if why is not None:
        raise BadManifest(why, str(name))
    return name


def check_rel_path(path: str) -> str:
    """A relative path inside a resource: '/'-separated valid components, nothing else."""
    if not isinstance(path, str) or not path:
        raise BadManifest("an empty path", str(path))
    for part in path.split("/"):
        why = component_problem(part)
        if why is not None:
            raise BadManifest(why, path)
    return path


def check_mode(mode: object, allowed: tuple[int, ...] = LISTING_MODES) -> int:
    if not isinstance(mode, int) or isinstance(mode, bool) or mode not in allowed:
        shown = f"{mode:o}" if isinstance(mode, int) else repr(mode)
        raise BadManifest(f"mode {shown} is not one of {', '.join(f'{m:o}' for m in allowed)}", shown)
    return mode


def check_size(size: object) -> int:
    if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= MAX_SIZE:
        raise BadManifest("a size must be a whole number from 0 to 2**50", repr(size))
    return size


def check_b3(digest: object) -> str:
    if not isinstance(digest, str) or not _B3.fullmatch(digest):
        raise BadManifest("a content digest must be 64 lowercase hex digits (BLAKE3)", repr(digest)[:80])
    return digest


def check_oid(oid: object) -> str:
    if not isinstance(oid, str) or not _OID.fullmatch(oid):
        raise BadManifest("a git object id must be 40 lowercase hex digits", repr(oid)[:80])
    return oid


def check_link_target(target: object) -> str:
    if not isinstance(target, str) or not target or "\0" in target:
        raise BadManifest("a symbolic link needs a target without NUL", repr(target)[:80])
    try:
        raw = target.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raise BadManifest("a link target must be UTF-8 or raw bytes", repr(target)[:80]) from None
    if len(raw) > MAX_TARGET:
        raise BadManifest("the link target is longer than 4096 bytes", repr(target)[:80])
    return target


def is_b3(digest: str) -> bool:
    return bool(_B3.fullmatch(digest))
