"""The BLAKE3 content store: capture, lookup, export, and never a hard link to the user's file."""

from __future__ import annotations

import os
from pathlib import Path

import blake3
import pytest

from git_dws.errors import DwsError
from git_dws.store.cas import SMALL, ContentStore, hash_file


def _digest(result: object) -> str:
    """add_large returns the digest (older versions: (digest, size))."""
    return str(result[0] if isinstance(result, tuple) else result)


def data(n: int, seed: int = 0) -> bytes:
    return bytes((i * 7 + seed) % 251 for i in range(n))


def test_small_objects_go_through_a_pack(tmp_path: Path) -> None:
    store = ContentStore(str(tmp_path / "objects"))
    blobs = [b"", b"one", data(1000), data(SMALL - 1)]
    with store.pack_writer() as pack:
        digests = [pack.add(b) for b in blobs]
    assert digests == [blake3.blake3(b).hexdigest() for b in blobs]
    again = ContentStore(str(tmp_path / "objects"))  # a fresh reader sees what was written
    for d, b in zip(digests, blobs, strict=True):
        assert again.has(d)
        assert again.read(d) == b
        out = tmp_path / f"out-{d[:8]}"
        _export(again, d, out)
        assert out.read_bytes() == b


def test_large_objects_are_copied_never_hard_linked(tmp_path: Path) -> None:
    src = tmp_path / "big.bin"
    content = data(SMALL + 12345)
    src.write_bytes(content)
    store = ContentStore(str(tmp_path / "objects"))
    digest = _digest(store.add_large(str(src)))
    assert digest == blake3.blake3(content).hexdigest() == hash_file(str(src), len(content))
    assert os.stat(src).st_nlink == 1
    stored = [p for p in (tmp_path / "objects").rglob("*") if p.is_file()]
    assert stored and all(os.stat(p).st_ino != os.stat(src).st_ino for p in stored)
    # an in-place edit of the user's file must not reach the store (DVC's worst bug)
    with open(src, "r+b") as f:
        f.write(b"CORRUPTED")
    assert store.read(digest) == content
    out = tmp_path / "restored"
    _export(store, digest, out)
    assert out.read_bytes() == content


def test_dedup(tmp_path: Path) -> None:
    store = ContentStore(str(tmp_path / "o"))
    with store.pack_writer() as pack:
        a = pack.add(b"same")
        b = pack.add(b"same")
    assert a == b
    packs = list((tmp_path / "o" / "packs").glob("*.pack"))
    assert len(packs) == 1 and packs[0].stat().st_size == 4
    with store.pack_writer() as pack:  # already stored: no second pack
        pack.add(b"same")
    assert len(list((tmp_path / "o" / "packs").glob("*.pack"))) == 1


def test_missing_content_is_a_clean_error(tmp_path: Path) -> None:
    store = ContentStore(str(tmp_path / "o"))
    assert not store.has("0" * 64)
    with pytest.raises(DwsError, match="missing"):
        store.read("0" * 64)
    with pytest.raises(DwsError, match="missing"):
        _export(store, "0" * 64, tmp_path / "x")


def test_export_never_overwrites(tmp_path: Path) -> None:
    store = ContentStore(str(tmp_path / "o"))
    with store.pack_writer() as pack:
        d = pack.add(b"x")
    dest = tmp_path / "exists"
    dest.write_bytes(b"keep")
    with pytest.raises(FileExistsError):
        _export(store, d, dest)
    assert dest.read_bytes() == b"keep"


def test_no_temporary_files_left(tmp_path: Path) -> None:
    store = ContentStore(str(tmp_path / "o"))
    src = tmp_path / "big"
    src.write_bytes(data(SMALL * 2))
    store.add_large(str(src))
    with store.pack_writer() as pack:
        pack.add(b"small")
    leftovers = [p for p in (tmp_path / "o").rglob(".tmp-*")]
    assert leftovers == []


def _export(store: ContentStore, digest: str, dest: object) -> None:
    with open(str(dest), "xb") as f:
        store.export_into(digest, f.fileno())
