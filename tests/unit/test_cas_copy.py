"""The copy internals of the content store: capture hashes exactly the bytes it stores in one pass, and
every export fallback (copy_file_range, sendfile, read/write) writes the same bytes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from git_dws.store import cas
from git_dws.store.cas import ContentStore, _clone_or_copy, hash_bytes


def _can_reflink(where: Path) -> bool:
    import fcntl

    (where / "r1").write_bytes(b"x")
    with open(where / "r1", "rb") as a, open(where / "r2", "wb") as b:
        try:
            fcntl.ioctl(b.fileno(), cas._FICLONE, a.fileno())
            return True
        except OSError:
            return False


def _data(n: int) -> bytes:
    return bytes((i * 7 + i // 251) & 0xFF for i in range(n))


@pytest.mark.parametrize("broken", [(), ("copy_file_range",), ("copy_file_range", "sendfile")])
def test_copy_fd_fallbacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: tuple[str, ...]) -> None:
    def fail(*a: object) -> int:
        raise OSError(38, "not supported")

    for name in broken:
        monkeypatch.setattr(os, name, fail)
    data = _data(3 * 1024 * 1024 + 17)
    (tmp_path / "src").write_bytes(data)
    with open(tmp_path / "src", "rb") as s, open(tmp_path / "dst", "xb") as d:
        _clone_or_copy(s.fileno(), d.fileno())
    assert (tmp_path / "dst").read_bytes() == data


def test_capture_in_one_pass_hashes_what_it_stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cas, "_CHUNK", 64 * 1024)  # several chunks
    data = _data(cas.SMALL * 3 + 5)
    src = tmp_path / "big"
    src.write_bytes(data)
    reads: list[int] = []
    real = cas.hash_file

    def no_second_read(path: str, size: int) -> str:
        reads.append(size)
        return real(path, size)

    monkeypatch.setattr(cas, "hash_file", no_second_read)
    store = ContentStore(str(tmp_path / "store"))
    d = store.add_large(str(src))
    assert d == hash_bytes(data) and store.read(d) == data
    if not _can_reflink(tmp_path):  # a reflink copies nothing, so there the clone is hashed
        assert reads == []  # no second pass over the data
    out = tmp_path / "out"
    with open(out, "xb") as f:
        store.export_into(d, f.fileno())
    assert out.read_bytes() == data


def test_read_many_returns_every_object_once(tmp_path: Path) -> None:
    store = ContentStore(str(tmp_path / "s"))
    blobs = [b"%d" % i * (i + 1) for i in range(50)]
    with store.pack_writer() as pack:
        digests = [pack.add(b) for b in blobs[:30]]
    with store.pack_writer() as pack:  # a second pack
        digests += [pack.add(b) for b in blobs[30:]]
    big = tmp_path / "big"
    big.write_bytes(b"z" * (cas.SMALL + 1))
    digests.append(store.add_large(str(big)))
    got = dict(ContentStore(store.root).read_many(reversed(digests)))
    assert got == {d: [*blobs, big.read_bytes()][i] for i, d in enumerate(digests)}
