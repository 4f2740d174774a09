"""Data remotes: where snapshot content travels, content-addressed.

Every backend keeps the same layout under its root: `objects/<2 hex>/<62 hex>`, one object per BLAKE3
digest, so an object is uploaded once whoever pushes it, and the presence of a name means the object
is complete (directories: temporary name + rename; S3: PUT is atomic; rclone: its partial-file rename).
Downloads are verified against the digest before anything uses them.

URLs: `/path`, `file:///path` (a directory), `s3://bucket/prefix`, `rclone:REMOTE:path`.
Credentials never appear here: S3 uses the AWS environment/profile chain, rclone its own config.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Protocol

from ...errors import UsageError
from ...progress import Task
from ..cas import ContentStore


class Backend(Protocol):
    url: str

    def present(self) -> dict[str, int]:
        """Every object on the remote: digest -> size (a size that does not match is a damaged upload)."""
        ...

    def upload(self, store: ContentStore, digests: Sequence[str], task: Task) -> None:
        """Upload these objects from the store; stops at the first failure (a rerun resumes)."""
        ...

    def download(self, digests: Sequence[str], dest_dir: str, task: Task) -> dict[str, str]:
        """Download into files under `dest_dir`; returns digest -> file for those the remote has."""
        ...


def object_key(digest: str) -> str:
    return f"objects/{digest[:2]}/{digest[2:]}"


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
