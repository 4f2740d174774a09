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
from collections.abc import Callable, Iterable, Iterator

import blake3

from ..errors import BadManifest, DwsError
from ..model.validate import is_b3

SMALL = 512 * 1024  # objects below this size go into packs
_IDX_MAGIC = b"DWSIDX1\n"
_IDX_ENTRY = struct.Struct(">32sQQ")
_FICLONE = 0x40049409
_CHUNK = 4 << 20  # fits the L2/L3 caches better than 16 MiB: hashed while still hot


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
        self._fds: dict[str, int] = {}  # open packs (see _pack_fd)

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

    def _pack_fd(self, pack: str) -> int:
        """One descriptor per pack for the store's life: a restore of 20,000 small files would otherwise
        open and close the same pack 20,000 times. pread needs no shared offset, so threads may share it."""
        fd = self._fds.get(pack)
        if fd is None:
            fd = self._fds.setdefault(pack, os.open(pack, os.O_RDONLY | os.O_CLOEXEC))
        return fd

    def read(self, digest: str) -> bytes:
        loc = self._packed().get(digest)
        if loc is not None:
            return os.pread(self._pack_fd(loc[0]), loc[2], loc[1])
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
            _write_all(fd, os.pread(self._pack_fd(loc[0]), loc[2], loc[1]))
            return
        try:
            src = open(self._loose(digest), "rb")  # noqa: SIM115 (closed below; the with would hide the hint)
        except FileNotFoundError:
            raise DwsError(f"content {digest[:12]} is missing from the store",
                           "fetch it from your data remote (git dws pull)") from None
        with src:
            _clone_or_copy(src.fileno(), fd)

    def read_many(self, digests: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """(digest, bytes) of many objects, in the order they lie on disk: one open file per pack and
        reads in offset order, not an open per object (a push of 20,000 objects reads them all)."""
        packed = self._packed()
        by_pack: dict[str, list[tuple[int, int, str]]] = {}
        loose: list[str] = []
        for d in digests:
            loc = packed.get(d)
            if loc is None:
                loose.append(d)
            else:
                by_pack.setdefault(loc[0], []).append((loc[1], loc[2], d))
        for pack, items in sorted(by_pack.items()):
            items.sort()
            with open(pack, "rb") as f:
                for off, size, d in items:
                    yield d, os.pread(f.fileno(), size, off)
        for d in loose:
            yield d, self.read(d)

    # -- adding --------------------------------------------------------------------------------------
    def add_large(self, path: str, expect: str | None = None,
                  on_bytes: Callable[[int], None] | None = None) -> str:
        """Capture a large file and return its digest, computed from the bytes stored (so store and
        manifest agree even if the user's file changes meanwhile). With `expect` (the digest the file
        had before) the file is hashed first and not copied again when the store already has it.
        `on_bytes(n)` is told of every n bytes copied (a progress bar in bytes)."""
        if expect is not None and self.has(expect) and hash_file(path, os.path.getsize(path)) == expect:
            return expect
        os.makedirs(self.root, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
        os.close(fd)
        try:
            digest = _capture(path, tmp, on_bytes)
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
        self.add_known(digest, data)
        return digest

    def add_known(self, digest: str, data: bytes) -> None:
        """Add bytes whose BLAKE3 `digest` the caller has just verified (a download), not hashing twice."""
        if digest not in self._index and digest not in self._entries:
            self._f.write(data)
            self._entries[digest] = (self._offset, len(data))
            self._offset += len(data)

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


def _capture(src: str, dest: str, on_bytes: Callable[[int], None] | None = None) -> str:
    """Reflink `src` to the existing empty file `dest` and hash the clone, or, where the filesystem
    cannot clone, copy and hash in one pass: each chunk is read once into a reused buffer, hashed there
    and written from there, so the digest is of exactly the bytes stored and nothing is read twice."""
    with open(src, "rb", buffering=0) as s, open(dest, "r+b", buffering=0) as d:
        try:
            fcntl.ioctl(d.fileno(), _FICLONE, s.fileno())
            size = os.fstat(d.fileno()).st_size
            digest = hash_file(dest, size)
            if on_bytes:
                on_bytes(size)
            return digest
        except OSError:
            pass
        size = os.fstat(s.fileno()).st_size
        with contextlib.suppress(OSError):  # a hint: read ahead generously
            os.posix_fadvise(s.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
        h = blake3.blake3(max_threads=blake3.blake3.AUTO)
        buf = bytearray(_CHUNK)
        view = memoryview(buf)
        written = 0
        while n := s.readinto(buf):
            chunk = view[:n]
            h.update(chunk)  # blake3 and the write below release the GIL: two files keep two cores busy
            _write_all(d.fileno(), chunk)
            written += n
            if on_bytes:
                on_bytes(n)
        if written != size:
            os.ftruncate(d.fileno(), written)  # the file shrank while we read it: keep what we hashed
        return str(h.hexdigest())


def _write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _clone_or_copy(src_fd: int, dest_fd: int) -> None:
    """Copy an open file into an open, empty one, fastest first: a reflink (btrfs, xfs: no data
    copied), copy_file_range (in the kernel, no trip through user space; a reflink too where the
    filesystem can), sendfile, then read/write."""
    size = os.fstat(src_fd).st_size
    try:
        fcntl.ioctl(dest_fd, _FICLONE, src_fd)
        return
    except OSError:
        pass
    done = _kernel_copy(lambda off, n: os.copy_file_range(src_fd, dest_fd, n, off, off), 0, size)
    if done < size:
        os.lseek(dest_fd, done, os.SEEK_SET)  # sendfile writes at the file position
        done = _kernel_copy(lambda off, n: os.sendfile(dest_fd, src_fd, off, n), done, size)
    if done == size:
        return
    os.lseek(src_fd, done, os.SEEK_SET)
    os.lseek(dest_fd, done, os.SEEK_SET)
    while chunk := os.read(src_fd, _CHUNK):
        _write_all(dest_fd, chunk)


def _kernel_copy(step: Callable[[int, int], int], done: int, size: int) -> int:
    """Repeat one in-kernel copy call (copy_file_range, sendfile) from offset `done` up to `size`;
    returns how far it got (a filesystem or kernel that refuses stops it early, not an error)."""
    try:
        while done < size:
            n = step(done, size - done)
            if n == 0:
                break
            done += n
    except OSError:
        pass
    return done
