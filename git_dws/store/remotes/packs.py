"""The pack format of data remotes: small objects travel as a few content-addressed pack files, each
with an index, instead of one file (one PUT, one LIST entry, one GET) per object.

    packs/<H>.pack   the objects' bytes, concatenated; H = BLAKE3 of these bytes (64 hex)
    packs/<H>.idx    "DWSRIDX1" | count u64 | pack size u64 | count x (digest 32 B, offset u64, size u64)
                     sorted by digest, strictly | BLAKE3 (32 B) of everything before it; integers big-endian

A pack is uploaded before its index, and readers trust only packs whose index is present and valid and
whose pack file has the size the index names, so a half-written or half-uploaded pack is never used.
Everything read back is hostile: `parse_index` checks the layout before any entry is used, and every
object fetched is verified against its digest by the caller (`transfer.py`). See docs/FORMAT.md.
"""

from __future__ import annotations

import contextlib
import os
import re
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

import blake3

from ...errors import DwsError
from ..cas import SMALL
from . import is_digest

MAGIC = b"DWSRIDX1"
_HEAD = struct.Struct(">8sQQ")
_ENTRY = struct.Struct(">32sQQ")
_TRAILER = 32
PACK_TARGET = 32 << 20  # a pack is closed once it holds this much: a few large PUTs, ranges in parallel
MAX_INDEX = 256 << 20  # an index larger than this is refused unread (5.6 million entries)
_PACK_NAME = re.compile(r"packs/([0-9a-f]{64})\.(pack|idx)")


def pack_key(name: str) -> str:
    if not is_digest(name):
        raise ValueError(f"not a pack name: {name!r}")
    return f"packs/{name}.pack"


def index_key(name: str) -> str:
    if not is_digest(name):
        raise ValueError(f"not a pack name: {name!r}")
    return f"packs/{name}.idx"


def split_pack_key(key: str) -> tuple[str, str] | None:
    """('<64 hex>', 'pack'|'idx') for a key under packs/, None for anything else (ignored)."""
    m = _PACK_NAME.fullmatch(key)
    return (m.group(1), m.group(2)) if m else None


@dataclass(frozen=True, slots=True)
class PackIndex:
    name: str  # 64 hex: the BLAKE3 of the pack's bytes
    pack_size: int
    entries: dict[str, tuple[int, int]]  # digest -> (offset, size)


class BadIndex(DwsError):
    def __init__(self, where: str, key: str, why: str) -> None:
        super().__init__(f"pack index {key} on data remote {where} is damaged ({why})",
                         f"delete {key} (and its .pack) from the remote, then push again from a clone that has "
                         "the content; nothing was written")


def encode_index(pack_size: int, entries: dict[str, tuple[int, int]]) -> bytes:
    """The index of a pack (its name, the pack's hash, is in the key, not repeated inside)."""
    body = [_HEAD.pack(MAGIC, len(entries), pack_size)]
    body += [_ENTRY.pack(bytes.fromhex(d), o, s) for d, (o, s) in sorted(entries.items())]
    data = b"".join(body)
    return data + blake3.blake3(data).digest()


def parse_index(data: bytes, name: str, *, where: str, key: str) -> PackIndex:
    """Validate and decode an index read from a remote; raise BadIndex on any inconsistency."""
    if len(data) < _HEAD.size + _TRAILER:
        raise BadIndex(where, key, "too short")
    magic, count, pack_size = _HEAD.unpack_from(data)
    if magic != MAGIC:
        raise BadIndex(where, key, "not a git-dws pack index")
    if len(data) != _HEAD.size + count * _ENTRY.size + _TRAILER:
        raise BadIndex(where, key, "length does not match its entry count")
    body, trailer = memoryview(data)[:-_TRAILER], data[-_TRAILER:]
    if blake3.blake3(body).digest() != trailer:
        raise BadIndex(where, key, "checksum mismatch")
    entries: dict[str, tuple[int, int]] = {}
    last = b""
    for raw, off, size in _ENTRY.iter_unpack(body[_HEAD.size:]):
        if raw <= last:
            raise BadIndex(where, key, "entries not sorted")
        last = raw
        if size >= SMALL or off + size > pack_size:
            raise BadIndex(where, key, "an entry lies outside the pack")
        digest = raw.hex()
        assert len(digest) == 64  # 32 raw bytes by construction of the struct
        entries[digest] = (off, size)
    return PackIndex(name, pack_size, entries)


class PackBuilder:
    """Writes packs of at most ~PACK_TARGET bytes into a local temporary directory, hashing as it
    writes; `add` returns a finished (path, name, index bytes) each time a pack fills."""

    def __init__(self, tmp_dir: str) -> None:
        self._dir = tmp_dir
        self._start()

    def _start(self) -> None:
        fd, self._path = tempfile.mkstemp(dir=self._dir, prefix="pack-")
        self._out = os.fdopen(fd, "wb")
        self._hash = blake3.blake3()
        self._entries: dict[str, tuple[int, int]] = {}
        self._size = 0

    def add(self, digest: str, data: bytes) -> tuple[str, str, bytes] | None:
        if digest in self._entries:
            return None
        self._out.write(data)
        self._hash.update(data)
        self._entries[digest] = (self._size, len(data))
        self._size += len(data)
        return self.flush() if self._size >= PACK_TARGET else None

    def flush(self) -> tuple[str, str, bytes] | None:
        """Close the current pack (if it holds anything) and start another."""
        if not self._entries:
            return None
        self._out.close()
        name = self._hash.hexdigest()
        done = (self._path, name, encode_index(self._size, self._entries))
        self._start()
        return done

    def close(self) -> None:
        self._out.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._path)


@dataclass(frozen=True, slots=True)
class Span:
    """One range read: bytes [offset, offset + size) of a pack, holding these objects."""
    pack: str
    offset: int
    size: int
    objects: list[tuple[str, int, int]]  # digest, offset, size (absolute in the pack)


SPAN_GAP = 256 << 10  # read across holes smaller than this rather than issuing another request
SPAN_MAX = 8 << 20  # but keep each range small enough to fetch several in parallel


def spans(wanted: dict[str, tuple[str, int, int]]) -> Iterator[Span]:
    """Group wanted objects (digest -> pack, offset, size) into few range reads."""
    by_pack: dict[str, list[tuple[int, int, str]]] = {}
    for d, (pack, off, size) in wanted.items():
        by_pack.setdefault(pack, []).append((off, size, d))
    for pack, items in sorted(by_pack.items()):
        items.sort()
        cur: list[tuple[str, int, int]] = []
        start = end = 0
        for off, size, d in items:
            if cur and (off - end > SPAN_GAP or off + size - start > SPAN_MAX):
                yield Span(pack, start, end - start, cur)
                cur = []
            if not cur:
                start = off
            cur.append((d, off, size))
            end = max(end, off + size)
        if cur:
            yield Span(pack, start, end - start, cur)
