"""Snapshot tags (valid, invalid, hash-like, duplicate) and naming a snapshot by tag, full id, unique id
prefix, or workspace commit; an ambiguous prefix lists its candidates."""

from __future__ import annotations

import hashlib
from pathlib import Path

import blake3
from conftest import (
    MANIFESTS,
    NOTES,
    assert_error,
    dws,
    dws_json,
    fsck,
    git,
    git_out,
    snapshot_id_of_tag,
    snapshot_ids,
    take,
    write,
)

from git_dws.model.manifest import MODE_FILE, FileEntry, encode_listing
from git_dws.model.snapshot import ResourceState, SnapshotContent


def refs(ws: Path) -> dict[str, str]:
    out = git_out(ws, "for-each-ref", "--format=%(refname) %(objectname)")
    return {name: oid for name, oid in (line.split(" ", 1) for line in out.splitlines())}


INVALID = ["bad_tag", "a b", "trail-", "a..b", "ü", "x" * 64, "x/y"]  # more in tests/unit/test_names.py
HASH_LIKE = ["abcdef", "0123456789abcdef0123456789abcdef01234567"]


def test_invalid_and_hash_like_tags_are_refused_and_nothing_is_written(ws: Path) -> None:
    take(ws, "S0")
    write(ws / "code" / "new.py", "new\n")
    git(ws, "add", "code")
    git(ws, "commit", "-q", "-m", "new")
    before = refs(ws)
    for tag in INVALID:
        assert_error(dws(ws, "snapshot", tag, check=False), "tag", code=2)
    for tag in HASH_LIKE:
        assert_error(dws(ws, "snapshot", tag, check=False), "looks like", code=2)
    assert refs(ws) == before


def test_unusual_but_valid_tags(ws: Path) -> None:
    for n, tag in enumerate(["ABCDEF", "v1.0", "abcde"]):
        write(ws / "code" / "n.txt", f"{n}\n")
        take(ws, tag)
        assert git_out(ws, "cat-file", "-t", f"refs/tags/{tag}") == "tag"
    for tag in ("ABCDEF", "abcde"):  # hex-looking but valid tags still name their snapshot
        assert dws_json(ws, "diff", tag, "v1.0")["old"] == snapshot_id_of_tag(ws, tag)


def test_tags_git_refuses_get_a_clear_error(ws: Path) -> None:
    before = refs(ws)
    proc = dws(ws, "snapshot", "v1.lock", check=False)
    assert_error(proc, "invalid snapshot tag", code=2)
    proc = dws(ws, "snapshot", "S1\n", check=False)  # the message quotes the newline, so no assert_error
    assert proc.returncode == 2 and proc.stderr.startswith("error: invalid snapshot tag")
    assert "Traceback" not in proc.stderr
    assert refs(ws) == before
    fsck(ws)


def test_duplicate_tag_in_batch_is_an_error(ws: Path) -> None:
    sid = take(ws, "S1")
    write(ws / "code" / "x.py", "x\n")
    git(ws, "add", "code")
    git(ws, "commit", "-q", "-m", "x")  # (a commit hook, if installed, may snapshot this commit)
    before, ids = refs(ws), snapshot_ids(ws)
    err = assert_error(dws(ws, "snapshot", "S1", check=False), "S1", code=1)
    assert "already" in err
    assert refs(ws) == before, "a refused snapshot moved refs"
    assert snapshot_id_of_tag(ws, "S1") == sid
    assert snapshot_ids(ws) == ids


def test_tag_used_by_a_plain_git_tag_is_an_error(ws: Path) -> None:
    git(ws, "tag", "v1")
    assert_error(dws(ws, "snapshot", "v1", check=False), "v1")
    assert snapshot_ids(ws) == []


def test_same_content_with_a_new_tag_adds_the_tag(ws: Path) -> None:
    sid = take(ws, "S1")
    assert take(ws, "S1b") == sid
    (h,) = dws_json(ws, "report", "history")
    assert sorted(h["tags"]) == ["S1", "S1b"]
    assert snapshot_id_of_tag(ws, "S1b") == sid


def test_same_content_without_a_new_tag_is_an_error(ws: Path) -> None:
    take(ws, "S1")
    tip = git_out(ws, "rev-parse", MANIFESTS)
    assert_error(dws(ws, "snapshot", check=False), "no changes")
    assert git_out(ws, "rev-parse", MANIFESTS) == tip


def test_resolve_by_tag_full_id_and_prefixes(ws: Path) -> None:
    write(ws / "code" / "v.txt", "1\n")
    id1 = take(ws, "S1")
    write(ws / "code" / "v.txt", "2\n")
    id2 = take(ws, "S2")
    names = [id1, id1[:12], id1[:7], "S1"]
    if not id2.startswith(id1[:4]):
        names.append(id1[:4])  # the shortest prefix git-dws accepts is 4 hex digits
    for name in names:
        assert dws_json(ws, "diff", name, "S2")["old"] == id1, name
    dws(ws, "restore", id1[:7])
    assert (ws / "code" / "v.txt").read_text() == "1\n"
    assert dws_json(ws, "status")["snapshot"] == id1


def test_resolve_by_workspace_commit(ws: Path) -> None:
    write(ws / "code" / "v.txt", "1\n")
    id1 = take(ws, "S1")
    commit = git_out(ws, "rev-parse", "S1^{commit}")
    write(ws / "code" / "v.txt", "2\n")
    take(ws, "S2")
    dws(ws, "restore", commit)
    assert dws_json(ws, "status")["snapshot"] == id1


def test_unknown_snapshot_names(ws: Path) -> None:
    take(ws, "S1")
    for name in ("nope", "0000", "0" * 40, "S1x", "HEAD~1"):
        assert_error(dws(ws, "restore", name, check=False), "no snapshot")
    assert_error(dws(ws, "delete-snapshot", "nope", check=False), "no snapshot")
    assert_error(dws(ws, "diff", "S1", "nope", check=False), "no snapshot")
    assert len(snapshot_ids(ws)) == 1


def tree_id_of_listing(listing: bytes) -> str:
    blob = hashlib.sha1(b"blob %d\0" % len(listing) + listing).digest()
    body = b"100644 .dws-files\0" + blob
    return hashlib.sha1(b"tree %d\0" % len(body) + body).hexdigest()


def predicted_id(content: bytes) -> str:
    """The snapshot id of a workspace whose only resource is local-files `data` holding one file `a`."""
    entry = FileEntry("a", MODE_FILE, blake3.blake3(content).hexdigest(), len(content))
    tree = tree_id_of_listing(encode_listing([entry]))
    return SnapshotContent((ResourceState("data", "local-files", "source-data", tree),)).id


def test_ambiguous_prefix_lists_the_candidates(bare_ws: Path) -> None:
    ws = bare_ws
    write(ws / "data" / "a", b"seed\n")
    dws(ws, "add", "local-files", "data", "--role", "source-data")
    seen: dict[str, bytes] = {}
    pair: tuple[bytes, bytes] | None = None
    for i in range(20000):  # birthday search for two contents whose ids share 4 hex digits
        content = b"content %d\n" % i
        prefix = predicted_id(content)[:4]
        if prefix in seen:
            pair = (seen[prefix], content)
            break
        seen[prefix] = content
    assert pair is not None
    ids = []
    for n, content in enumerate(pair):
        write(ws / "data" / "a", content)
        ids.append(take(ws, f"T{n}"))
    assert ids == [predicted_id(c) for c in pair], "snapshot ids are not the stable content ids"
    prefix = ids[0][:4]
    assert ids[1].startswith(prefix)

    err = assert_error(dws(ws, "restore", prefix, check=False), "ambiguous")
    assert ids[0] in err and ids[1] in err  # full candidate ids, so the user can pick one
    assert (ws / "data" / "a").read_bytes() == pair[1]
    assert_error(dws(ws, "diff", prefix, "T1", check=False), "ambiguous")
    assert_error(dws(ws, "delete-snapshot", prefix, check=False), "ambiguous")
    assert sorted(snapshot_ids(ws)) == sorted(ids)

    n = next(k for k in range(5, 41) if ids[0][:k] != ids[1][:k])
    dws(ws, "restore", ids[0][:n])  # one more digit is unique
    assert (ws / "data" / "a").read_bytes() == pair[0]


def test_same_content_gives_the_same_id_in_two_workspaces(tmp_path: Path) -> None:
    """Different names, hosts, times and absolute paths; same content: same snapshot id."""
    ids = []
    for n, (name, host) in enumerate((("one", "host-a"), ("two", "host-b"))):
        root = tmp_path / f"ws{n}"
        root.mkdir()
        dws(root, "init", name, "--hostname", host, "--create-resources", "code")
        write(root / "code" / "train.py", "print(1)\n")
        data = root / "data" if n == 0 else tmp_path / "elsewhere" / "data"  # in and outside the workspace
        write(data / "x.bin", bytes(range(256)))
        write(data / "sub dir" / "y", "y\n")
        dws(root, "add", "local-files", str(data), "--role", "source-data", "--name", "data")
        ids.append(take(root, f"T{n}", f"message {n}"))
        git(root, "notes", "--ref", NOTES.removeprefix("refs/notes/"), "list")
    assert ids[0] == ids[1]
    # and the id is the git blob id of the CONTENT blob, in both repositories
    for n in range(2):
        root = tmp_path / f"ws{n}"
        assert git_out(root, "rev-parse", f"{MANIFESTS}:snapshots/{ids[n]}/CONTENT") == ids[n]


def test_same_content_again_gives_the_same_id(ws: Path) -> None:
    write(ws / "code" / "v.txt", "1\n")
    id1 = take(ws, "S1")
    write(ws / "code" / "v.txt", "2\n")
    take(ws, "S2")
    write(ws / "code" / "v.txt", "1\n")
    assert take(ws, "S3") == id1
    assert sorted(dws_json(ws, "report", "history")[-1]["tags"]) == ["S1", "S3"]


def test_message_quoting_a_trailer_does_not_redirect_the_tag(data_ws: Path) -> None:
    ws = data_ws
    id1 = take(ws, "S1")
    write(ws / "data" / "a.txt", "changed\n")
    id2 = take(ws, "S2", f"copied from an old tag:\nDws-Snapshot: {id1}")
    assert id2 != id1
    assert dws_json(ws, "diff", "S2", "S1")["old"] == id2
    dws(ws, "restore", "S1")
    dws(ws, "restore", "S2")
    assert (ws / "data" / "a.txt").read_text() == "changed\n"
