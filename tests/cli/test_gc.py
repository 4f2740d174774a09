"""`git dws gc`: what no wanted snapshot references goes, and nothing a snapshot needs ever does.

The stories DVC users lived through (its historical `gc` default kept only the current branch's data):
data of a snapshot that is only on another branch, only in a tag, or only in a remote-tracking ref
must survive and restore byte for byte afterwards."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from conftest import (
    MANIFESTS,
    assert_error,
    dws,
    fsck,
    git,
    git_out,
    pseudo_random,
    take,
    tree_state,
    write,
)

BIG = 600 * 1024  # above the 512 KiB pack threshold: a loose object


def store_objects(ws: Path) -> set[str]:
    """Digests in the local content store (loose and packed), read from the files themselves."""
    root = ws / ".git" / "dws" / "objects"
    out = {p.parent.name + p.name for p in root.glob("??/*") if not p.name.startswith(".")}
    for idx in (root / "packs").glob("*.idx"):
        body = idx.read_bytes()[8:]
        out |= {body[i:i + 32].hex() for i in range(0, len(body), 48)}
    return out


def blake3_of(data: bytes) -> str:
    import blake3

    return str(blake3.blake3(data).hexdigest())


def gc(ws: Path, *args: str) -> dict[str, object]:
    return dict(json.loads(dws(ws, "gc", "--grace", "0", "--json", *args).stdout))


def setup_data(ws: Path) -> None:
    write(ws / "data" / "keep.txt", "always here\n")
    dws(ws, "add", "local-files", "data", "--role", "source-data")


def test_deleted_snapshot_data_is_freed_and_the_rest_kept(data_ws: Path) -> None:
    ws = data_ws
    big1, big2 = pseudo_random(BIG, 1), pseudo_random(BIG, 2)
    write(ws / "data" / "big.bin", big1)
    write(ws / "data" / "small1", "small one\n")
    take(ws, "S1")
    write(ws / "data" / "big.bin", big2)
    (ws / "data" / "small1").unlink()
    write(ws / "data" / "small2", "small two\n")
    take(ws, "S2")
    before = store_objects(ws)
    assert {blake3_of(big1), blake3_of(big2), blake3_of(b"small one\n")} <= before
    dry = gc(ws, "--dry-run")
    assert dry["objects"] == 0  # every object is still needed
    dws(ws, "delete-snapshot", "S1")
    dry = gc(ws, "--dry-run")
    assert dry["objects"] == 2 and dry["bytes"] == BIG + len(b"small one\n")
    assert store_objects(ws) == before  # a dry run removes nothing
    r = gc(ws)
    assert (r["objects"], r["repacked"]) == (2, 1)
    after = store_objects(ws)
    assert after == before - {blake3_of(big1), blake3_of(b"small one\n")}
    state = tree_state(ws / "data")
    (ws / "data" / "big.bin").unlink()
    dws(ws, "restore", "S2", "--force")
    assert tree_state(ws / "data") == state
    assert gc(ws)["objects"] == 0
    out = dws(ws, "fsck").stdout
    assert out.rstrip().endswith("clean"), out
    fsck(ws)


def test_a_snapshot_on_another_branch_survives(data_ws: Path) -> None:
    ws = data_ws
    git(ws, "switch", "-q", "-c", "experiment")
    big = pseudo_random(BIG, 7)
    write(ws / "data" / "exp.bin", big)
    take(ws, "EXP")
    git(ws, "switch", "-q", "main")
    (ws / "data" / "exp.bin").unlink()
    take(ws, "MAIN")
    gc(ws)
    assert blake3_of(big) in store_objects(ws)
    dws(ws, "restore", "EXP")
    assert (ws / "data" / "exp.bin").read_bytes() == big


def test_a_snapshot_only_in_a_tag_survives(data_ws: Path) -> None:
    """The tag is all that is left of it (its entry and note are gone): found in the history of the
    snapshot database, and its data is kept."""
    ws = data_ws
    big = pseudo_random(BIG, 8)
    write(ws / "data" / "tagged.bin", big)
    take(ws, "ONLYTAG")
    tag_object = git_out(ws, "rev-parse", "refs/tags/ONLYTAG")
    (ws / "data" / "tagged.bin").unlink()
    take(ws, "LATER")
    dws(ws, "delete-snapshot", "ONLYTAG")
    git(ws, "update-ref", "refs/tags/ONLYTAG", tag_object)  # e.g. pushed before, fetched back
    r = gc(ws)
    assert blake3_of(big) in store_objects(ws), r
    # without the tag it is garbage: the test can fail
    git(ws, "tag", "-d", "ONLYTAG")
    assert gc(ws)["objects"] == 1
    assert blake3_of(big) not in store_objects(ws)


def test_a_snapshot_only_in_a_remote_tracking_ref_survives(data_ws: Path, tmp_path: Path) -> None:
    """Pushed, then deleted here: origin still has it, so its data stays."""
    ws = data_ws
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    dws(ws, "remote", "add", "shared", str(tmp_path / "dataremote"))
    big = pseudo_random(BIG, 9)
    write(ws / "data" / "pushed.bin", big)
    take(ws, "PUSHED")
    dws(ws, "publish", str(origin))
    dws(ws, "delete-snapshot", "PUSHED")
    assert git_out(ws, "rev-parse", "refs/dws-remote/origin/dws/manifests") != git_out(ws, "rev-parse", MANIFESTS)
    gc(ws)
    assert blake3_of(big) in store_objects(ws)
    # a note in a remote-tracking notes ref alone also keeps it
    git(ws, "update-ref", "-d", "refs/dws-remote/origin/dws/manifests")
    assert git(ws, "notes", "--ref=remotes/origin/dws", "list", check=False).stdout.strip()
    gc(ws)
    assert blake3_of(big) in store_objects(ws)


def test_grace_period_keeps_fresh_objects(data_ws: Path) -> None:
    ws = data_ws
    write(ws / "data" / "big.bin", pseudo_random(BIG, 3))
    take(ws, "S1")
    (ws / "data" / "big.bin").unlink()
    take(ws, "S2")
    dws(ws, "delete-snapshot", "S1")
    out = dws(ws, "gc").stdout  # default grace: 1 hour; the object is seconds old
    assert "Freed 0 object(s)" in out and "newer than the grace period" in out, out
    old = time.time() - 2 * 3600
    for p in (ws / ".git" / "dws" / "objects").rglob("*"):
        if p.is_file():
            os.utime(p, (old, old))
    out = dws(ws, "gc").stdout
    assert "Freed 1 object(s)" in out, out


def test_gc_cleans_temporary_files_and_waits_for_no_lock(data_ws: Path) -> None:
    ws = data_ws
    take(ws, "S1")
    objects = ws / ".git" / "dws" / "objects"
    write(objects / ".tmp-abc", "half a capture")
    write(objects / "packs" / ".tmp-xyz.pack", "half a pack")
    assert "store-temp" in dws(ws, "fsck", check=False).stdout
    r = gc(ws)
    assert r["temps"] == 2
    assert not list(objects.rglob(".tmp-*"))
    assert dws(ws, "fsck").returncode == 0


def test_gc_refuses_bad_arguments_and_an_unknown_remote(data_ws: Path) -> None:
    assert_error(dws(data_ws, "gc", "--grace", "-1", check=False), "number of hours", code=2)
    assert_error(dws(data_ws, "gc", "--grace", "soon", check=False), "number of hours", code=2)
    assert_error(dws(data_ws, "gc", "--remote", "nope", check=False), "no data remote named 'nope'")


def test_gc_remote_keeps_what_any_clone_needs(data_ws: Path, tmp_path: Path) -> None:
    """Checked through `fsck --remote` (whatever layout the data remote uses): what a clone pushed that
    this one never fetched, and a snapshot deleted here but still on origin, both survive."""
    a = data_ws
    origin, remote = tmp_path / "origin.git", tmp_path / "dataremote"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    dws(a, "remote", "add", "shared", str(remote))
    write(a / "data" / "one.bin", pseudo_random(BIG, 11))
    take(a, "S1")
    dws(a, "publish", str(origin))
    dws(tmp_path, "clone", str(origin), "b", "--hostname", "hostb")
    b = tmp_path / "b"
    write(b / "data" / "three.bin", pseudo_random(BIG, 13))
    take(b, "S3")
    dws(b, "push")  # a has never seen S3
    # an unrelated workspace shares the data remote: its objects are garbage to a and b
    c = tmp_path / "c"
    c.mkdir()
    dws(c, "init", "--hostname", "hostc")
    write(c / "data" / "other.bin", pseudo_random(BIG, 15))
    dws(c, "add", "local-files", "data", "--role", "source-data")
    dws(c, "remote", "add", "shared", str(remote))
    take(c, "C1")
    git(tmp_path, "init", "-q", "--bare", str(tmp_path / "origin-c.git"))
    dws(c, "publish", str(tmp_path / "origin-c.git"))
    dws(a, "delete-snapshot", "S1")  # here only: origin still has it
    dry = json.loads(dws(a, "gc", "--remote", "shared", "--grace", "0", "--dry-run", "--json").stdout)
    assert dry["remote_objects"] >= 1, dry
    r = json.loads(dws(a, "gc", "--remote", "shared", "--grace", "0", "--json").stdout)
    assert r["remote_objects"] == dry["remote_objects"], r
    for ws in (a, b):
        dws(ws, "pull")
        assert dws(ws, "fsck", "--remote", "shared").returncode == 0
    assert dws(c, "fsck", "--remote", "shared", check=False).returncode == 1  # c's data is gone, as asked


def test_gc_refuses_when_a_wanted_manifest_is_missing(data_ws: Path) -> None:
    """A snapshot whose manifest tree is not here (a damaged or hand-made database): gc cannot know what
    it needs, so it removes nothing and points to fsck."""
    ws = data_ws
    write(ws / "data" / "big.bin", pseudo_random(BIG, 21))
    s1 = take(ws, "S1")
    tip = git_out(ws, "rev-parse", MANIFESTS)
    content = json.loads(git_out(ws, "show", f"{tip}:snapshots/{s1}/CONTENT"))
    for r in content["resources"]:
        if r["name"] == "data":
            r["tree"] = "0" * 39 + "1"
    text = json.dumps(content, sort_keys=True, separators=(",", ":")) + "\n"
    sid = git(ws, "hash-object", "-w", "--stdin", input=text).stdout.strip()
    entry = git(ws, "mktree", input=f"100644 blob {sid}\tCONTENT\n").stdout.strip()
    index = ws / ".git" / "tmp-index"
    os.environ["GIT_INDEX_FILE"] = str(index)
    try:
        git(ws, "read-tree", f"{tip}^{{tree}}")
        git(ws, "read-tree", f"--prefix=snapshots/{sid}/", entry)
        root = git_out(ws, "write-tree")
    finally:
        del os.environ["GIT_INDEX_FILE"]
    git(ws, "update-ref", MANIFESTS, git_out(ws, "commit-tree", root, "-p", tip, "-m", "broken"))
    (ws / "data" / "big.bin").unlink()
    take(ws, "S2")
    dws(ws, "delete-snapshot", "S1")
    before = store_objects(ws)
    err = assert_error(dws(ws, "gc", "--grace", "0", check=False), "manifest cannot be read")
    assert "git dws fsck" in err
    assert store_objects(ws) == before
