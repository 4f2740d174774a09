"""The pack index of data remotes is read from hostile storage: every malformed index is refused before
an entry is used; range reads group neighbours and fetch only what is needed; keys from a remote become
paths only when they are exactly a digest or a pack name."""

from __future__ import annotations

import struct
from pathlib import Path

import blake3
import pytest

from git_dws.progress import NULL
from git_dws.store.cas import SMALL, ContentStore, hash_bytes
from git_dws.store.remotes import object_key, split_object_key
from git_dws.store.remotes.directory import DirectoryBackend
from git_dws.store.remotes.packs import (
    MAGIC,
    BadIndex,
    encode_index,
    index_key,
    parse_index,
    spans,
    split_pack_key,
)
from git_dws.store.remotes.transfer import fetch_objects, push_objects

D1, D2 = "a" * 64, "b" * 64


def _sealed(body: bytes) -> bytes:
    return body + blake3.blake3(body).digest()


def test_roundtrip() -> None:
    data = encode_index(100, {D2: (10, 5), D1: (0, 10)})
    idx = parse_index(data, "c" * 64, where="r", key="k")
    assert idx.entries == {D1: (0, 10), D2: (10, 5)} and idx.pack_size == 100


@pytest.mark.parametrize("data, why", [
    (b"", "too short"),
    (_sealed(struct.pack(">8sQQ", b"NOTMAGIC", 0, 0)), "not a git-dws"),
    (_sealed(struct.pack(">8sQQ", MAGIC, 2, 100) + struct.pack(">32sQQ", b"\xaa" * 32, 0, 1)), "length"),
    (struct.pack(">8sQQ", MAGIC, 0, 0) + b"\0" * 32, "checksum"),
    (_sealed(struct.pack(">8sQQ", MAGIC, 1, 100) + struct.pack(">32sQQ", b"\xaa" * 32, 99, 2)), "outside"),
    (_sealed(struct.pack(">8sQQ", MAGIC, 1, 1 << 40) + struct.pack(">32sQQ", b"\xaa" * 32, 0, SMALL)), "outside"),
    (_sealed(struct.pack(">8sQQ", MAGIC, 1, 2**64 - 1) + struct.pack(">32sQQ", b"\xaa" * 32, 2**64 - 1, 1)),
     "outside"),
    (_sealed(struct.pack(">8sQQ", MAGIC, 2, 100) + struct.pack(">32sQQ", b"\xbb" * 32, 0, 1)
             + struct.pack(">32sQQ", b"\xaa" * 32, 1, 1)), "sorted"),
    (_sealed(struct.pack(">8sQQ", MAGIC, 2, 100) + struct.pack(">32sQQ", b"\xaa" * 32, 0, 1) * 2), "sorted"),
])
def test_malformed_index_refused(data: bytes, why: str) -> None:
    with pytest.raises(BadIndex) as e:
        parse_index(data, "c" * 64, where="r", key="packs/x.idx")
    assert why in e.value.message and e.value.hint


@pytest.mark.parametrize("key", ["objects/ab/" + "c" * 61, "objects/AB/" + "c" * 62, "objects/../" + "c" * 62,
                                 "objects/ab/" + "c" * 62 + "/x", "objects/ab/.tmp-1", "objects/ab/" + "g" * 62])
def test_hostile_object_keys_ignored(key: str) -> None:
    assert split_object_key(key) is None


def test_names_become_keys_only_when_they_are_digests() -> None:
    assert split_pack_key("packs/" + "c" * 64 + ".idx") == ("c" * 64, "idx")
    for bad in ("packs/../x.idx", "packs/" + "c" * 63 + ".idx", "packs/" + "C" * 64 + ".pack"):
        assert split_pack_key(bad) is None
    for bad in ("../" * 21 + "x", "c" * 63, "c" * 64 + "\n"):
        with pytest.raises(ValueError):
            object_key(bad)
        with pytest.raises(ValueError):
            index_key(bad)


def test_spans_group_neighbours_and_split_far_ones() -> None:
    wanted = {f"{i:064x}": ("p" * 64, i * 4096, 4096) for i in range(10)}
    wanted["f" * 64] = ("p" * 64, 50 << 20, 10)
    got = list(spans(wanted))
    assert [(s.offset, s.size, len(s.objects)) for s in got] == [(0, 40960, 10), (50 << 20, 10, 1)]


class CountingBackend(DirectoryBackend):
    def __init__(self, root: str) -> None:
        super().__init__(root, root)
        self.ranges: list[tuple[str, int, int | None]] = []

    def read(self, key: str, offset: int = 0, size: int | None = None) -> bytes:
        self.ranges.append((key, offset, size))
        return super().read(key, offset, size)


def test_reader_fetches_only_the_objects_it_needs(tmp_path: Path) -> None:
    src = ContentStore(str(tmp_path / "src"))
    blobs = [bytes([i]) * 3000 + str(i).encode() for i in range(200)]
    with src.pack_writer() as pack:
        digests = [pack.add(b) for b in blobs]
    remote = CountingBackend(str(tmp_path / "remote"))
    sizes = {d: len(b) for d, b in zip(digests, blobs, strict=True)}
    assert push_objects(src, remote, sizes, NULL).uploaded == 200
    dst = ContentStore(str(tmp_path / "dst"))
    pick = {digests[7]: sizes[digests[7]], digests[150]: sizes[digests[150]]}
    assert fetch_objects(dst, remote, pick, NULL) == 2
    packs = [r for r in remote.ranges if r[0].endswith(".pack")]
    assert sum(r[2] or 0 for r in packs) == sum(pick.values())  # no byte more than needed
    assert dst.read(digests[150]) == blobs[150] and hash_bytes(dst.read(digests[7])) == digests[7]
