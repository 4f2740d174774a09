"""Packed data remotes (docs/FORMAT.md, "Data remotes"): small objects travel in a few pack files with an
index, a later push sends only new objects, readers fetch ranges and verify every object, a damaged pack or
index changes nothing, remotes of the one-file-per-object layout still read, and killed pushes leave no
temporaries for ever. Real directory remotes, rclone's local backend and a real S3 server."""

from __future__ import annotations

import os
import time
from pathlib import Path

from collab_fixtures import S3Server, clone, origin, rclone_conf, s3  # noqa: F401
from conftest import assert_error, dws, git_out, pseudo_random, state_diff, take, tree_state, write

from git_dws.store.remotes.packs import parse_index


def _files(ws: Path, n: int, tag: str, size: int = 4096) -> None:
    for i in range(n):
        write(ws / "data" / tag / f"f{i:04}", pseudo_random(size, hash((tag, i)) & 0xFFFF))


def _packs(remote: Path) -> dict[str, dict[str, tuple[int, int]]]:
    out = {}
    for idx in sorted((remote / "packs").glob("*.idx")):
        out[idx.stem] = parse_index(idx.read_bytes(), idx.stem, where="test", key=idx.name).entries
    return out


def _setup(ws: Path, url: str, n: int = 300) -> None:
    _files(ws, n, "a")
    write(ws / "data" / "big.bin", pseudo_random(700 * 1024, 1))
    dws(ws, "add", "local-files", "data", "--role", "source-data")
    dws(ws, "remote", "add", "shared", url)


def test_push_sends_packs_then_only_new_objects(ws: Path, origin: Path, tmp_path: Path) -> None:  # noqa: F811
    remote = tmp_path / "dataremote"
    _setup(ws, str(remote))
    take(ws, "S1")
    out = dws(ws, "publish", str(origin)).stdout
    assert "uploaded 301 object(s)" in out
    files = sorted(str(p.relative_to(remote)) for p in remote.rglob("*") if p.is_file())
    assert len(files) == 3 and files[0].startswith("objects/")  # big.bin loose; one pack and its index
    (first,) = _packs(remote).values()
    assert len(first) == 300

    _files(ws, 10, "b")
    take(ws, "S2")
    assert "uploaded 10 object(s), 301 already there" in dws(ws, "push").stdout
    packs = _packs(remote)
    assert sorted(len(e) for e in packs.values()) == [10, 300]
    for name in packs:  # content-addressed: the pack's name is the BLAKE3 of its bytes
        from git_dws.store.cas import hash_bytes

        assert hash_bytes((remote / "packs" / f"{name}.pack").read_bytes()) == name
    assert "uploaded 0 object(s)" in dws(ws, "push").stdout

    b = clone(tmp_path, origin, "b", "hostb")
    assert state_diff(tree_state(b / "data"), tree_state(ws / "data")) == ""
    dws(b, "restore", "S1")
    assert not (b / "data" / "b").exists()
    assert not (remote / "tmp").exists() or not list((remote / "tmp").iterdir())


def test_old_layout_remote_still_reads(ws: Path, origin: Path, tmp_path: Path) -> None:  # noqa: F811
    remote = tmp_path / "dataremote"
    _setup(ws, str(remote), n=40)
    take(ws, "S1")
    dws(ws, "publish", str(origin))
    # Rewrite the remote as versions before packs wrote it: objects/<2>/<62> for every object.
    for name, entries in _packs(remote).items():
        data = (remote / "packs" / f"{name}.pack").read_bytes()
        for d, (off, size) in entries.items():
            write(remote / "objects" / d[:2] / d[2:], data[off:off + size])
    for p in (remote / "packs").iterdir():
        p.unlink()
    b = clone(tmp_path, origin, "b", "hostb")
    assert state_diff(tree_state(b / "data"), tree_state(ws / "data")) == ""
    # a push next to old objects adds no pack for what is already there
    assert "uploaded 0 object(s), 41 already there" in dws(ws, "push").stdout


def test_corrupt_pack_detected_nothing_written(ws: Path, origin: Path, tmp_path: Path) -> None:  # noqa: F811
    remote = tmp_path / "dataremote"
    _setup(ws, str(remote), n=30)
    take(ws, "S1")
    dws(ws, "publish", str(origin))
    b = clone(tmp_path, origin, "b", "hostb")
    before, head = tree_state(b / "data"), git_out(b, "rev-parse", "HEAD")
    store_before = sorted(p.name for p in (b / ".git" / "dws" / "objects").rglob("*") if p.is_file())

    _files(ws, 5, "c")
    take(ws, "S2")
    have = set((remote / "packs").iterdir())
    dws(ws, "push")
    (pack,) = [p for p in (remote / "packs").iterdir() if p not in have and p.suffix == ".pack"]
    data = bytearray(pack.read_bytes())
    data[5000] ^= 0x01  # same size, one bit: the second object is damaged
    os.chmod(pack, 0o644)
    pack.write_bytes(bytes(data))

    err = assert_error(dws(b, "pull", check=False), "corrupt")
    assert "hash mismatch" in err and "packs/" in err
    assert state_diff(tree_state(b / "data"), before) == ""
    assert git_out(b, "rev-parse", "HEAD") == head
    assert sorted(p.name for p in (b / ".git" / "dws" / "objects").rglob("*") if p.is_file()) == store_before

    idx = pack.with_suffix(".idx")
    raw = bytearray(idx.read_bytes())
    raw[30] ^= 0xFF  # the index is damaged too: refused before any entry is used
    idx.write_bytes(bytes(raw))
    err = assert_error(dws(b, "pull", check=False), "damaged")
    assert "checksum" in err
    assert git_out(b, "rev-parse", "HEAD") == head


def test_killed_push_leaves_no_visible_pack_and_old_temporaries_go(ws: Path, origin: Path,  # noqa: F811
                                                                     tmp_path: Path) -> None:
    remote = tmp_path / "dataremote"
    _setup(ws, str(remote), n=20)
    take(ws, "S1")
    from conftest import git

    git(ws, "remote", "add", "origin", str(origin))
    # What kill -9 at each point of a push leaves: temporaries in tmp/ (and, from versions before tmp/,
    # .tmp-* beside the objects), and a pack whose index never arrived.
    (remote / "tmp").mkdir(parents=True)
    (remote / "objects" / "ab").mkdir(parents=True)
    old = [remote / "tmp" / "0123", remote / "objects" / "ab" / ".tmp-dead"]
    young = remote / "tmp" / "4567"
    for p in [*old, young]:
        p.write_bytes(b"half")
    for p in old:
        os.utime(p, (time.time() - 7200, time.time() - 7200))
    (remote / "packs").mkdir()
    orphan = remote / "packs" / ("e" * 64 + ".pack")
    orphan.write_bytes(b"half a pack")
    dws(ws, "push")
    assert not any(p.exists() for p in old)
    assert young.exists()  # may belong to a push still running
    b = clone(tmp_path, origin, "b", "hostb")
    assert state_diff(tree_state(b / "data"), tree_state(ws / "data")) == ""


def test_rclone_remote_packs_and_ranges(ws: Path, origin: Path, rclone_conf: Path,  # noqa: F811
                                        tmp_path: Path) -> None:
    store = tmp_path / "rclone-store"
    _setup(ws, f"rclone:loc:{store}", n=50)
    take(ws, "S1")
    assert "uploaded 51 object(s)" in dws(ws, "publish", str(origin)).stdout
    assert len(_packs(store)) == 1
    _files(ws, 3, "b")
    take(ws, "S2")
    assert "uploaded 3 object(s), 51 already there" in dws(ws, "push").stdout
    b = clone(tmp_path, origin, "b", "hostb")
    assert state_diff(tree_state(b / "data"), tree_state(ws / "data")) == ""
    dws(b, "restore", "S1")


def test_s3_push_is_a_few_requests(ws: Path, origin: Path, s3: S3Server, tmp_path: Path) -> None:  # noqa: F811
    _setup(ws, "s3://bucket/team", n=400)
    dws(ws, "remote", "remove", "shared")
    dws(ws, "remote", "add", "s3", "s3://bucket/team", "--endpoint-url", s3.endpoint)
    take(ws, "S1")
    dws(ws, "publish", str(origin))
    keys = sorted(str(p.relative_to(s3.root / "bucket")) for p in (s3.root / "bucket").rglob("*") if p.is_file())
    assert len(keys) == 3 and sum(k.startswith("team/packs/") for k in keys) == 2
    b = clone(tmp_path, origin, "b", "hostb")
    assert state_diff(tree_state(b / "data"), tree_state(ws / "data")) == ""


def test_s3_range_reads_fetch_only_what_is_needed(s3: S3Server, tmp_path: Path) -> None:  # noqa: F811
    from git_dws.progress import NULL
    from git_dws.store.cas import ContentStore
    from git_dws.store.remotes.s3 import S3Backend
    from git_dws.store.remotes.transfer import fetch_objects, push_objects

    src = ContentStore(str(tmp_path / "src"))
    with src.pack_writer() as pack:
        blobs = {pack.add(pseudo_random(3000, i)): pseudo_random(3000, i) for i in range(200)}
    backend = S3Backend("s3://bucket/r", "bucket", "r", s3.endpoint)
    push_objects(src, backend, {d: len(b) for d, b in blobs.items()}, NULL)
    reads: list[tuple[str, int, int | None]] = []
    real = backend.read

    def read(key: str, offset: int = 0, size: int | None = None) -> bytes:
        reads.append((key, offset, size))
        return real(key, offset, size)

    backend.read = read  # type: ignore[method-assign]
    pick = sorted(blobs)[50:52]
    dst = ContentStore(str(tmp_path / "dst"))
    assert fetch_objects(dst, backend, {d: 3000 for d in pick}, NULL) == 2
    assert all(dst.read(d) == blobs[d] for d in pick)
    ranged = [r for r in reads if r[0].endswith(".pack")]
    assert ranged and sum(r[2] or 0 for r in ranged) <= 2 * 3000 + (256 << 10)  # a part of the pack only


def test_directory_remote_that_is_a_file(ws: Path, origin: Path, tmp_path: Path) -> None:  # noqa: F811
    remote = tmp_path / "afile"
    remote.write_text("not a directory\n")
    err = assert_error(dws(ws, "remote", "add", "shared", str(remote), check=False), "not a directory")
    assert "afile" in err  # refused when it is added...
    _setup(ws, str(tmp_path / "dir"), n=2)
    take(ws, "S1")
    from conftest import git

    git(ws, "remote", "add", "origin", str(origin))
    git(ws, "config", "dws-remote.shared.url", str(remote))  # ...and when this machine's URL names a file
    err = assert_error(dws(ws, "push", check=False), "not a directory")
    assert "afile" in err
    assert remote.read_text() == "not a directory\n"
