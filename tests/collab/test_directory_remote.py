"""Sharing through a bare git origin and a directory data remote: publish, clone, push, pull in
different orders by three clones; every clone ends up with every snapshot and restores each one
byte for byte; divergence, rejection and corruption are reported and change nothing."""

from __future__ import annotations

import os
from pathlib import Path

from collab_fixtures import clone, origin  # noqa: F401
from conftest import (
    assert_error,
    dws,
    fsck,
    git,
    git_out,
    populate,
    pseudo_random,
    snapshot_ids,
    state_diff,
    take,
    tree_state,
    write,
)


def _start(ws: Path, origin: Path, remote: Path) -> None:  # noqa: F811
    populate(ws / "data", "A")
    dws(ws, "add", "local-files", "data", "--role", "source-data")
    dws(ws, "remote", "add", "shared", str(remote))


def test_publish_clone_restore_every_snapshot(ws: Path, origin: Path, tmp_path: Path) -> None:  # noqa: F811
    _start(ws, origin, tmp_path / "dataremote")
    s1 = take(ws, "S1")
    want = {s1: tree_state(ws / "data")}
    populate(ws / "data", "B")
    s2 = take(ws, "S2")
    want[s2] = tree_state(ws / "data")
    out = dws(ws, "publish", str(origin)).stdout
    assert "uploaded" in out

    b = clone(tmp_path, origin, "b", "hostb")
    assert set(snapshot_ids(b)) == {s1, s2}
    assert state_diff(tree_state(b / "data"), want[s2]) == ""  # the checked-out snapshot's data
    assert git_out(b, "config", "dws.hostname") == "hostb"
    for sid in (s1, s2, s1):
        dws(b, "restore", sid)
        assert state_diff(tree_state(b / "data"), want[sid]) == ""
    fsck(b)
    # a second push uploads nothing new
    out = dws(ws, "push").stdout
    assert "uploaded 0 object(s)" in out


def test_three_clones_in_any_order(ws: Path, origin: Path, tmp_path: Path) -> None:  # noqa: F811
    _start(ws, origin, tmp_path / "dataremote")
    want: dict[str, dict[bytes, object]] = {}
    s0 = take(ws, "base")
    want[s0] = tree_state(ws / "data")
    dws(ws, "publish", str(origin))
    b = clone(tmp_path, origin, "b", "hostb")
    c = clone(tmp_path, origin, "c", "hostc")
    for w in (b, c):
        git(w, "config", "pull.rebase", "false")

    def work(w: Path, tag: str, seed: int, code: bool) -> str:
        write(w / "data" / f"{tag}.bin", pseudo_random(600 * 1024 + seed, seed))  # a large object
        write(w / "data" / "shared.txt", f"written by {tag}\n")
        if code:
            write(w / "code" / f"{tag}.py", f"print('{tag}')\n")
        sid = take(w, tag)
        want[sid] = tree_state(w / "data")
        return sid

    work(ws, "A1", 1, code=True)
    dws(ws, "push")
    work(b, "B1", 2, code=True)  # diverges from A1 on the branch, and on the notes and manifests
    assert_error(dws(b, "push", check=False), "pull")
    dws(b, "pull")
    dws(b, "push")
    work(c, "C1", 3, code=False)  # only notes and manifests diverge
    dws(c, "pull", "--merge")
    dws(c, "push")
    work(ws, "A2", 4, code=False)
    dws(ws, "pull", "--merge")
    dws(ws, "push")
    for w in (b, c, ws):
        dws(w, "pull", "--merge")

    everything = set(want)
    for w in (ws, b, c):
        assert set(snapshot_ids(w)) == everything, w
        for sid in sorted(everything):
            dws(w, "restore", sid)
            assert state_diff(tree_state(w / "data"), want[sid]) == "", (w, sid)
        fsck(w)
    # all tags everywhere, each naming its snapshot
    tags = git_out(c, "tag", "--list").split()
    assert {"base", "A1", "A2", "B1", "C1"} <= set(tags)
    # the notes of the shared commit carry both clones' snapshots
    assert git_out(ws, "notes", "--ref=dws", "list")


def test_divergent_branch_needs_a_strategy(ws: Path, origin: Path, tmp_path: Path) -> None:  # noqa: F811
    _start(ws, origin, tmp_path / "dataremote")
    take(ws, "S1")
    dws(ws, "publish", str(origin))
    b = clone(tmp_path, origin, "b", "hostb")
    write(ws / "code" / "a.py", "a\n")
    git(ws, "add", "code")
    git(ws, "commit", "-qm", "a")
    dws(ws, "push")
    write(b / "code" / "b.py", "b\n")
    git(b, "add", "code")
    git(b, "commit", "-qm", "b")
    head = git_out(b, "rev-parse", "HEAD")
    err = assert_error(dws(b, "pull", check=False), "diverged")
    assert "--merge" in err or "pull.rebase" in err
    assert git_out(b, "rev-parse", "HEAD") == head
    assert_error(dws(b, "pull", "--ff-only", check=False), "diverged")
    dws(b, "pull", "--rebase")
    assert (b / "code" / "a.py").exists() and (b / "code" / "b.py").exists()
    assert git_out(b, "rev-parse", "HEAD~1") == git_out(ws, "rev-parse", "HEAD")


def test_pull_refuses_uncommitted_changes(ws: Path, origin: Path, tmp_path: Path) -> None:  # noqa: F811
    _start(ws, origin, tmp_path / "dataremote")
    take(ws, "S1")
    dws(ws, "publish", str(origin))
    b = clone(tmp_path, origin, "b", "hostb")
    write(ws / "code" / "a.py", "a\n")
    take(ws, "S2")
    dws(ws, "push")
    write(b / "code" / "README.txt", "local edit\n")
    assert_error(dws(b, "pull", check=False), "uncommitted")
    assert (b / "code" / "README.txt").read_text() == "local edit\n"


def test_corrupt_object_is_detected_and_nothing_written(ws: Path, origin: Path, tmp_path: Path) -> None:  # noqa: F811
    remote = tmp_path / "dataremote"
    _start(ws, origin, remote)
    take(ws, "S1")
    dws(ws, "publish", str(origin))
    b = clone(tmp_path, origin, "b", "hostb")
    before = tree_state(b / "data")
    head = git_out(b, "rev-parse", "HEAD")

    write(ws / "data" / "new.bin", pseudo_random(800 * 1024, 9))
    write(ws / "code" / "x.py", "x\n")
    take(ws, "S2")
    have = {p for p in remote.rglob("*") if p.is_file()}
    dws(ws, "push")
    new = [p for p in remote.rglob("*") if p.is_file() and p not in have]
    assert len(new) == 1 and new[0].stat().st_size == 800 * 1024
    data = bytearray(new[0].read_bytes())
    data[1000] ^= 0xFF  # same size, different bytes
    os.chmod(new[0], 0o644)
    new[0].write_bytes(bytes(data))

    err = assert_error(dws(b, "pull", check=False), "corrupt")
    assert "hash mismatch" in err
    assert state_diff(tree_state(b / "data"), before) == ""
    assert git_out(b, "rev-parse", "HEAD") == head  # the branch did not move either
    assert not (b / "code" / "x.py").exists()

    new[0].unlink()  # repaired: the push from a clone that has it uploads it again
    dws(ws, "push")
    dws(b, "pull")
    assert state_diff(tree_state(b / "data"), tree_state(ws / "data")) == ""


def test_interrupted_push_resumes(ws: Path, origin: Path, tmp_path: Path) -> None:  # noqa: F811
    remote = tmp_path / "dataremote"
    _start(ws, origin, remote)
    for i in range(6):
        write(ws / "data" / f"f{i}.bin", pseudo_random(1000 + i, i))
    take(ws, "S1")
    dws(ws, "publish", str(origin))
    (idx,) = (remote / "packs").glob("*.idx")
    (pack,) = (remote / "packs").glob("*.pack")
    packed = (idx.stat().st_size - 56) // 48  # header 24 + 48 per entry + checksum 32 (docs/FORMAT.md)
    assert packed > 6
    idx.unlink()  # killed between the pack and its index: the pack must not count
    pack.write_bytes(b"truncated")
    out = dws(ws, "push").stdout
    assert f"uploaded {packed} object(s)" in out
    b = clone(tmp_path, origin, "b", "hostb")
    assert state_diff(tree_state(b / "data"), tree_state(ws / "data")) == ""


def test_only_skip_and_only_workspace(ws: Path, origin: Path, tmp_path: Path) -> None:  # noqa: F811
    remote = tmp_path / "dataremote"
    _start(ws, origin, remote)
    write(ws / "more" / "m.txt", "more\n")
    dws(ws, "add", "local-files", "more", "--role", "intermediate-data")
    take(ws, "S1")
    git(ws, "remote", "add", "origin", str(origin))
    dws(ws, "push", "--only-workspace")
    assert not remote.exists()
    dws(ws, "push", "--skip", "data")
    assert len([p for p in remote.rglob("*") if p.is_file()]) == 2  # one pack and its index
    dws(ws, "push", "--only", "data")
    assert len([p for p in remote.rglob("*") if p.is_file()]) > 2
    assert_error(dws(ws, "push", "--only", "nosuch", check=False), "nosuch")


def test_clone_without_data_remote_explains(ws: Path, origin: Path, tmp_path: Path) -> None:  # noqa: F811
    write(ws / "data" / "a.txt", "a\n")
    dws(ws, "add", "local-files", "data", "--role", "source-data")
    take(ws, "S1")
    proc = dws(ws, "publish", str(origin))
    assert "no data remote" in proc.stderr
    proc = dws(tmp_path, "clone", str(origin), "b")  # the clone works; the data it cannot get is named
    assert "no data remote" in proc.stderr and "git dws remote add" in proc.stderr
    assert (tmp_path / "b" / ".git").is_dir() and not any((tmp_path / "b" / "data").iterdir())


def test_remote_add_list_remove(ws: Path, tmp_path: Path) -> None:
    dws(ws, "remote", "add", "one", str(tmp_path / "r1"))
    dws(ws, "remote", "add", "two", "s3://bucket/prefix", "--endpoint-url", "http://127.0.0.1:9")
    listed = dws(ws, "remote", "list").stdout
    assert "one *" in listed and "s3://bucket/prefix" in listed
    dws(ws, "remote", "add", "three", "rclone:loc:/x", "--default")
    import json

    rows = json.loads(dws(ws, "remote", "list", "--json").stdout)
    assert [r["name"] for r in rows if r["default"]] == ["three"]
    toml = (ws / ".dws.toml").read_text()
    assert '[data-remotes.two]' in toml and 'endpoint_url = "http://127.0.0.1:9"' in toml
    assert git_out(ws, "status", "--porcelain") == ""  # committed
    assert_error(dws(ws, "remote", "add", "bad", "s3://KEY:SECRET@bucket/x", check=False), "credentials")
    assert_error(dws(ws, "remote", "add", "x", "/tmp/x", "--endpoint-url", "http://h", check=False), "s3")
    assert_error(dws(ws, "remote", "add", "one", "/tmp/y", check=False), "already exists")
    dws(ws, "remote", "remove", "three")
    assert_error(dws(ws, "remote", "remove", "three", check=False), "no data remote")
    assert "three" not in dws(ws, "remote", "list").stdout
