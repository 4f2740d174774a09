"""The content-addressed store for data git does not hold, keyed by BLAKE3.

Layout under `$GIT_COMMON_DIR/dws/objects/`:
  ab/cdef...            one file per large object (reflinked where the filesystem can, copied otherwise,
                        never hard-linked: an in-place edit of the user's file would corrupt the store)
  packs/<name>.pack     small objects concatenated; one pack per snapshot. Creating 20,000 files costs
  packs/<name>.idx      ~1.6 s here, appending them to one file ~0.1 s. idx: sorted (digest, offset, size).
Everything is written under a temporary name and renamed into place, idx after pack, so a reader never
sees half an object.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import struct
import tempfile
from collections.abc import Iterator

import blake3

from ..errors import BadManifest, DwsError
from ..model.validate import is_b3

SMALL = 512 * 1024  # objects below this size go into packs
_IDX_MAGIC = b"DWSIDX1\n"
_IDX_ENTRY = struct.Struct(">32sQQ")
_FICLONE = 0x40049409
_CHUNK = 16 << 20


def hash_bytes(data: bytes) -> str:
    return blake3.blake3(data).hexdigest()


def hash_file(path: str, size: int) -> str:
    if size == 0:
        return hash_bytes(b"")
    if size < SMALL:
        with open(path, "rb") as f:
            return hash_bytes(f.read())
    h = blake3.blake3(max_threads=blake3.blake3.AUTO)
    h.update_mmap(path)
    return str(h.hexdigest())


_Loc = tuple[str, int, int]  # pack path, offset, size


class ContentStore:
    def __init__(self, root: str) -> None:
        self.root = root
        self._packs_dir = os.path.join(root, "packs")
        self._index: dict[str, _Loc] | None = None

    # -- lookup --------------------------------------------------------------------------------------
    def _packed(self) -> dict[str, _Loc]:
        if self._index is None:
            index: dict[str, _Loc] = {}
            with contextlib.suppress(FileNotFoundError):
                for name in sorted(os.listdir(self._packs_dir)):
                    if name.endswith(".idx"):
                        pack = os.path.join(self._packs_dir, name[:-4] + ".pack")
                        for digest, loc in _read_idx(os.path.join(self._packs_dir, name), pack):
                            index[digest] = loc
            self._index = index
        return self._index

    def _loose(self, digest: str) -> str:
        # A digest comes from a manifest another clone may have crafted: never let it name a path
        # outside the store ("../../etc/passwd" would otherwise be "found" and copied into a resource).
        if not is_b3(digest):
            raise BadManifest("a content digest must be 64 lowercase hex digits (BLAKE3)", digest[:80])
        return os.path.join(self.root, digest[:2], digest[2:])

    def has(self, digest: str) -> bool:
        return digest in self._packed() or os.path.exists(self._loose(digest))

    def read(self, digest: str) -> bytes:
        loc = self._packed().get(digest)
        if loc is not None:
            with open(loc[0], "rb") as f:
                return os.pread(f.fileno(), loc[2], loc[1])
        try:
            with open(self._loose(digest), "rb") as f:
                return f.read()
        except FileNotFoundError:
            raise DwsError(f"content {digest[:12]} is missing from the store",
                           "fetch it from your data remote (git dws pull)") from None

    def export_into(self, digest: str, fd: int) -> None:
        """Write the object into `fd`, an open, empty file: reflinked or copied from a loose object."""
        loc = self._packed().get(digest)
        if loc is not None:
            with open(loc[0], "rb") as f:
                _write_all(fd, os.pread(f.fileno(), loc[2], loc[1]))
            return
        try:
            src = open(self._loose(digest), "rb")  # noqa: SIM115 (closed below; the with would hide the hint)
        except FileNotFoundError:
            raise DwsError(f"content {digest[:12]} is missing from the store",
                           "fetch it from your data remote (git dws pull)") from None
        with src:
            _clone_or_copy(src.fileno(), fd)

    # -- adding --------------------------------------------------------------------------------------
    def add_large(self, path: str, expect: str | None = None) -> str:
        """Capture a large file and return its digest, computed from the bytes stored (so store and
        manifest agree even if the user's file changes meanwhile). With `expect` (the digest the file
        had before) the file is hashed first and not copied again when the store already has it."""
        if expect is not None and self.has(expect) and hash_file(path, os.path.getsize(path)) == expect:
            return expect
        os.makedirs(self.root, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
        os.close(fd)
        try:
            digest = _capture(path, tmp)
            final = self._loose(digest)
            if os.path.exists(final):
                os.unlink(tmp)
            else:
                os.makedirs(os.path.dirname(final), exist_ok=True)
                os.chmod(tmp, 0o444)
                os.replace(tmp, final)
            return digest
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def loose_path(self, digest: str) -> str | None:
        """The file of a loose (large) object, or None if it is packed or missing (for transfers)."""
        path = self._loose(digest)
        return path if os.path.exists(path) else None

    def adopt(self, tmp: str, digest: str) -> None:
        """Move a file whose BLAKE3 `digest` the caller has verified into the store (a download)."""
        final = self._loose(digest)
        if os.path.exists(final):
            os.unlink(tmp)
            return
        os.makedirs(os.path.dirname(final), exist_ok=True)
        os.chmod(tmp, 0o444)
        os.replace(tmp, final)

    @contextlib.contextmanager
    def pack_writer(self) -> Iterator[PackWriter]:
        os.makedirs(self._packs_dir, exist_ok=True)
        writer = PackWriter(self._packs_dir, self._packed())
        try:
            yield writer
            writer.finish()
        finally:
            writer.discard()


class PackWriter:
    def __init__(self, packs_dir: str, index: dict[str, _Loc]) -> None:
        self._dir = packs_dir
        self._index = index
        fd, self._tmp = tempfile.mkstemp(dir=packs_dir, prefix=".tmp-", suffix=".pack")
        self._f = os.fdopen(fd, "wb")
        self._entries: dict[str, tuple[int, int]] = {}
        self._offset = 0

    def add(self, data: bytes) -> str:
        digest = hash_bytes(data)
        if digest not in self._index and digest not in self._entries:
            self._f.write(data)
            self._entries[digest] = (self._offset, len(data))
            self._offset += len(data)
        return digest

    def finish(self) -> None:
        self._f.close()
        if not self._entries:
            return
        ordered = sorted(self._entries.items())
        idx = _IDX_MAGIC + b"".join(_IDX_ENTRY.pack(bytes.fromhex(d), o, s) for d, (o, s) in ordered)
        name = "pack-" + hash_bytes(idx)[:40]
        pack = os.path.join(self._dir, name + ".pack")
        os.chmod(self._tmp, 0o444)
        os.replace(self._tmp, pack)
        _atomic_write(os.path.join(self._dir, name + ".idx"), idx)
        for d, (o, s) in ordered:
            self._index[d] = (pack, o, s)
        self._entries.clear()

    def discard(self) -> None:
        if not self._f.closed:
            self._f.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._tmp)


def _read_idx(path: str, pack: str) -> Iterator[tuple[str, _Loc]]:
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(_IDX_MAGIC):
        raise DwsError(f"content store index {path} is damaged", "remove it and its .pack, then pull again")
    body = memoryview(data)[len(_IDX_MAGIC):]
    hexed = body.hex()  # one conversion for all digests, sliced below
    step = _IDX_ENTRY.size * 2
    for i, (_, off, size) in enumerate(_IDX_ENTRY.iter_unpack(body)):
        yield hexed[i * step:i * step + 64], (pack, off, size)


def _atomic_write(path: str, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _capture(src: str, dest: str) -> str:
    """Reflink `src` to the existing empty file `dest` and hash the clone, or, where the filesystem
    cannot clone, copy and hash in one pass (measured here: 0.45 s per 512 MiB against 1.1 s for
    copy_file_range followed by a hash)."""
    with open(src, "rb") as s, open(dest, "r+b") as d:
        try:
            fcntl.ioctl(d.fileno(), _FICLONE, s.fileno())
            return hash_file(dest, os.fstat(d.fileno()).st_size)
        except OSError:
            pass
        h = blake3.blake3(max_threads=blake3.blake3.AUTO)
        while chunk := s.read(_CHUNK):
            h.update(chunk)
            d.write(chunk)
        return str(h.hexdigest())


def _clone_or_copy(src: int, dest: int) -> None:
    """Reflink where the filesystem can, else a plain chunked copy (faster than copy_file_range on
    ext4 here, see _capture)."""
    try:
        fcntl.ioctl(dest, _FICLONE, src)
        return
    except OSError:
        pass
    while chunk := os.read(src, _CHUNK):
        _write_all(dest, chunk)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
