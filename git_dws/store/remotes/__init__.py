"""Data remotes: where snapshot content travels, content-addressed.

Layout under a remote's root (docs/FORMAT.md, "Data remotes"):
  objects/<2 hex>/<62 hex>   one large object (>= cas.SMALL) per file, named by its BLAKE3 digest; also
                             small objects pushed by git-dws before packs existed (still read)
  packs/<H>.pack, <H>.idx    small objects, concatenated, and their index (store/remotes/packs.py)
  tmp/                       a directory remote's temporaries; readers ignore it, pushes clear old ones
An object is uploaded once whoever pushes it, and the presence of a name means the file is complete
(directories: temporary name + rename; S3: PUT is atomic; rclone: its partial-file rename); a pack counts
only once its index is there. Downloads are verified against the digest before anything uses them.

A backend only moves bytes (list, ranged read, atomic put, delete, plus batched loose transfers); the
format lives in catalog.py, packs.py and transfer.py, the same for every backend.

URLs: `/path`, `file:///path` (a directory), `s3://bucket/prefix`, `rclone:REMOTE:path`.
Credentials never appear here: S3 uses the AWS environment/profile chain, rclone its own config.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ...errors import UsageError
from ...progress import Task
from ..cas import ContentStore


@dataclass(frozen=True, slots=True)
class Entry:
    size: int
    mtime: float  # seconds since the epoch (the remote's idea of when it was written)


class Backend(Protocol):
    url: str

    def list(self, prefix: str) -> dict[str, Entry]:
        """Every file under `prefix` ("objects/" or "packs/"), recursively: key relative to the root ->
        Entry. Temporaries are not listed. Keys are hostile (callers validate them)."""
        ...

    def read(self, key: str, offset: int = 0, size: int | None = None) -> bytes:
        """The bytes of one file, or of the range [offset, offset + size)."""
        ...

    def read_many(self, keys: Sequence[str]) -> dict[str, bytes]:
        """Several whole (small) files at once; those missing are left out."""
        ...

    def put_file(self, path: str, key: str) -> None:
        """Upload a local file under `key`, atomically (never visible half-written)."""
        ...

    def delete(self, keys: Sequence[str]) -> None:
        """Remove these files (missing ones are fine)."""
        ...

    def clean_temporaries(self, older_than: float) -> int:
        """Remove temporaries older than `older_than` seconds left by killed pushes; returns how many."""
        ...

    def upload(self, store: ContentStore, digests: Sequence[str], task: Task, sizes: Mapping[str, int]) -> None:
        """Upload these objects as loose files; stops at the first failure (a rerun resumes). `task`
        advances by each object's size."""
        ...

    def download(self, digests: Sequence[str], dest_dir: str, task: Task,
                 sizes: Mapping[str, int]) -> dict[str, str]:
        """Download loose objects into files under `dest_dir`; returns digest -> file for those found."""
        ...


_HEX64 = re.compile(r"[0-9a-f]{64}")
_OBJECT_KEY = re.compile(r"objects/([0-9a-f]{2})/([0-9a-f]{62})")


def is_digest(text: str) -> bool:
    """The only test that lets a string from a remote become part of a path or a key."""
    return _HEX64.fullmatch(text) is not None


def object_key(digest: str) -> str:
    if not is_digest(digest):
        raise ValueError(f"not a digest: {digest!r}")
    return f"objects/{digest[:2]}/{digest[2:]}"


def split_object_key(key: str) -> str | None:
    """The digest a key `objects/<2>/<62>` names, None for anything else (ignored)."""
    m = _OBJECT_KEY.fullmatch(key)
    return m.group(1) + m.group(2) if m else None


def parse_url(url: str, base: str) -> tuple[str, str]:
    """(kind, location) for a data remote URL; relative directory paths are relative to `base`."""
    if url.startswith("s3://"):
        rest = url[5:].strip("/")
        if not rest:
            raise UsageError(f"'{url}' names no bucket", "use s3://BUCKET or s3://BUCKET/PREFIX")
        return "s3", rest
    if url.startswith("rclone:"):
        rest = url[7:]
        if ":" not in rest or rest.startswith(":"):
            raise UsageError(f"'{url}' is not rclone:REMOTE:PATH", "example: rclone:mydrive:projects/data")
        return "rclone", rest
    if url.startswith("file://"):
        return "dir", url[7:]
    if "://" in url:
        raise UsageError(f"unsupported data remote URL '{url}'",
                         "use a directory, file://DIR, s3://BUCKET/PREFIX or rclone:REMOTE:PATH")
    return "dir", os.path.normpath(os.path.join(base, os.path.expanduser(url)))


def open_backend(url: str, base: str, endpoint_url: str | None = None) -> Backend:
    kind, where = parse_url(url, base)
    if kind == "s3":
        from .s3 import S3Backend

        bucket, _, prefix = where.partition("/")
        return S3Backend(url, bucket, prefix, endpoint_url)
    if kind == "rclone":
        from .rclone import RcloneBackend

        return RcloneBackend(url, where)
    from .directory import DirectoryBackend

    return DirectoryBackend(url, where)
