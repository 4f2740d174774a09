"""Inventory, verification and pruning of the local content store (for `git dws fsck` and `gc`).

It knows the layout `store/cas.py` writes (loose `ab/cdef...`, `packs/pack-*.pack` + `.idx`, temporary
`.tmp-*` names) but adds nothing to it: the writer stays the only place that creates objects. Pruning
keeps the reader's guarantee that every listed object is complete: a pack that holds dead objects is
rewritten with the live ones under a new name (pack, then idx) before the old idx and pack are removed,
so at every moment each live object is reachable through at least one idx.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field

from .cas import _IDX_ENTRY, _IDX_MAGIC, _atomic_write, hash_bytes, hash_file


@dataclass(frozen=True, slots=True)
class Loose:
    digest: str
    path: str
    size: int
    mtime: float


@dataclass(frozen=True, slots=True)
class Pack:
    name: str  # pack-<40 hex>
    pack: str
    idx: str
    mtime: float
    entries: dict[str, tuple[int, int]]  # digest -> (offset, size)
    damaged: str | None = None  # why the idx cannot be read


@dataclass(frozen=True, slots=True)
class Inventory:
    loose: dict[str, Loose] = field(default_factory=dict)
    packs: list[Pack] = field(default_factory=list)
    temps: list[str] = field(default_factory=list)  # left by a killed command (we hold the lock)

    def packed(self) -> dict[str, tuple[Pack, int, int]]:
        out: dict[str, tuple[Pack, int, int]] = {}
        for p in self.packs:
            for d, (off, size) in p.entries.items():
                out.setdefault(d, (p, off, size))
        return out

    def sizes(self) -> dict[str, int]:
        out = {d: s for d, (_, _, s) in self.packed().items()}
        out.update((d, o.size) for d, o in self.loose.items())
        return out


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)


def inventory(root: str) -> Inventory:
    inv = Inventory()
    try:
        names = sorted(os.listdir(root))
    except FileNotFoundError:
        return inv
    for fan in names:
        path = os.path.join(root, fan)
        if fan.startswith(".tmp-"):
            inv.temps.append(path)
        elif len(fan) == 2 and _is_hex(fan) and os.path.isdir(path):
            for e in os.scandir(path):
                if e.name.startswith(".tmp-"):
                    inv.temps.append(e.path)
                elif len(e.name) == 62 and _is_hex(e.name):
                    st = e.stat(follow_symlinks=False)
                    inv.loose[fan + e.name] = Loose(fan + e.name, e.path, st.st_size, st.st_mtime)
    packs = os.path.join(root, "packs")
    with contextlib.suppress(FileNotFoundError):
        for name in sorted(os.listdir(packs)):
            path = os.path.join(packs, name)
            if name.startswith(".tmp-"):
                inv.temps.append(path)
            elif name.endswith(".idx"):
                inv.packs.append(_read_pack(packs, name[:-4]))
            elif name.endswith(".pack") and not os.path.exists(path[:-5] + ".idx"):
                inv.temps.append(path)  # a pack whose idx was never written: invisible to readers
    return inv


def _read_pack(packs: str, name: str) -> Pack:
    idx, pack = os.path.join(packs, name + ".idx"), os.path.join(packs, name + ".pack")
    try:
        mtime = os.stat(idx).st_mtime
        with open(idx, "rb") as f:
            data = f.read()
        size = os.path.getsize(pack)
    except OSError as e:
        return Pack(name, pack, idx, 0.0, {}, f"cannot read it: {e.strerror}")
    body = data[len(_IDX_MAGIC):]
    if not data.startswith(_IDX_MAGIC) or len(body) % _IDX_ENTRY.size:
        return Pack(name, pack, idx, mtime, {}, "its index is damaged")
    entries = {raw.hex(): (off, n) for raw, off, n in _IDX_ENTRY.iter_unpack(body)}
    if any(off + n > size for off, n in entries.values()):
        return Pack(name, pack, idx, mtime, entries, "the pack is shorter than its index says")
    return Pack(name, pack, idx, mtime, entries)


def verify(inv: Inventory, digests: set[str], quick: bool) -> Iterator[tuple[str, str]]:
    """(digest, what is wrong) for each object of `digests` that the store holds but that is damaged:
    its size disagrees with the file (quick) or its BLAKE3 hash does (full)."""
    packed = inv.packed()
    for d in sorted(digests):
        loose = inv.loose.get(d)
        if loose is not None:
            if not quick and hash_file(loose.path, loose.size) != d:
                yield d, f"loose object {loose.path} does not match its hash"
            continue
        hit = packed.get(d)
        if hit is None or quick:
            continue
        pack, off, size = hit
        with open(pack.pack, "rb") as f:
            data = os.pread(f.fileno(), size, off)
        if len(data) != size or hash_bytes(data) != d:
            yield d, f"object in {pack.pack} does not match its hash"


def remove_loose(obj: Loose) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(obj.path)
    with contextlib.suppress(OSError):
        os.rmdir(os.path.dirname(obj.path))  # only when empty


def repack(pack: Pack, keep: set[str]) -> None:
    """Rewrite `pack` with only the objects of `keep` (those it holds), then remove the old one."""
    live = sorted(d for d in pack.entries if d in keep)
    packs = os.path.dirname(pack.pack)
    if live:
        tmp = os.path.join(packs, f".tmp-gc-{os.getpid()}.pack")
        entries = []
        with open(pack.pack, "rb") as src, open(tmp, "wb") as out:
            offset = 0
            for d in live:
                off, size = pack.entries[d]
                out.write(os.pread(src.fileno(), size, off))
                entries.append((d, offset, size))
                offset += size
        idx = _IDX_MAGIC + b"".join(_IDX_ENTRY.pack(bytes.fromhex(d), o, s) for d, o, s in entries)
        name = "pack-" + hash_bytes(idx)[:40]
        os.chmod(tmp, 0o444)
        os.replace(tmp, os.path.join(packs, name + ".pack"))  # the pack before its idx, as the writer does
        _atomic_write(os.path.join(packs, name + ".idx"), idx)
        if name == pack.name:
            return
    with contextlib.suppress(FileNotFoundError):
        os.unlink(pack.idx)  # idx first: readers never see an idx without its pack
    with contextlib.suppress(FileNotFoundError):
        os.unlink(pack.pack)


def remove_temp(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def temp_size(path: str) -> int:
    if os.path.isdir(path) and not os.path.islink(path):
        return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)
    try:
        return os.lstat(path).st_size
    except FileNotFoundError:
        return 0
