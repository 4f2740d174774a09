"""Real git is the oracle: after a snapshot `git cat-file -p` shows the annotated tag, `git notes --ref=dws
show <commit>` resolves, `git log` of the manifest ref has one commit per snapshot, `git fsck --strict` is
clean; and the whole format can be read back with plain git."""

from __future__ import annotations

import json
from pathlib import Path

import blake3
from conftest import (
    MANIFESTS,
    NOTES,
    dws,
    dws_json,
    fsck,
    git,
    git_out,
    populate,
    snapshot_ids,
    take,
    tree_state,
    write,
)


def test_tag_note_and_manifest_commit(data_ws: Path) -> None:
    ws = data_ws
    fsck(ws)
    head = git_out(ws, "rev-parse", "HEAD")
    sid = take(ws, "S1", "first snapshot\n\nwith a body")
    commit = git_out(ws, "rev-parse", "HEAD")
    assert commit == head  # nothing pending in the git-subdirectories: no commit needed
    tag = git_out(ws, "cat-file", "-p", "refs/tags/S1").splitlines()
    assert tag[0] == f"object {commit}"
    assert tag[1] == "type commit"
    assert tag[2] == "tag S1"
    assert tag[3].startswith("tagger Test User <test@example.com> ")
    assert "first snapshot" in tag
    assert git_out(ws, "cat-file", "-t", "S1") == "tag"
    assert git_out(ws, "rev-parse", "S1^{commit}") == commit
    body = git_out(ws, "for-each-ref", "--format=%(contents)", "refs/tags/S1")
    trailers = git(ws, "interpret-trailers", "--parse", input=body + "\n").stdout
    assert trailers.strip() == f"Dws-Snapshot: {sid}"
    assert git_out(ws, "notes", f"--ref={NOTES}", "show", commit) == f"snapshot {sid}"
    assert git_out(ws, "notes", "--ref=dws", "list", commit) != ""
    log = git_out(ws, "log", "--format=%H %P", MANIFESTS).splitlines()
    assert len(log) == 1 and len(log[0].split()) == 1  # one root commit, no parent
    fsck(ws)


def test_one_manifest_commit_per_snapshot(data_ws: Path) -> None:
    ws = data_ws
    ids = []
    for n in range(4):
        write(ws / "data" / "a.txt", f"{n}\n")
        if n % 2:
            write(ws / "code" / "c.py", f"{n}\n")
        ids.append(take(ws, f"S{n}" if n != 2 else None))
    commits = git_out(ws, "rev-list", "--first-parent", MANIFESTS).splitlines()
    assert len(commits) == 4
    assert git_out(ws, "rev-list", "--count", "--merges", MANIFESTS) == "0"
    # each commit adds exactly its snapshot: tip tree lists all four ids
    assert sorted(snapshot_ids(ws)) == sorted(ids)
    for older, newer in zip(commits[1:], commits[:-1], strict=True):
        added = git_out(ws, "diff", "--name-only", "--diff-filter=A", older, newer, "--", "snapshots/*/CONTENT")
        assert len(added.splitlines()) == 1
    # every snapshot's workspace commit carries its note
    for h in dws_json(ws, "report", "history"):
        assert f"snapshot {h['id']}" in git_out(ws, "notes", f"--ref={NOTES}", "show", h["workspace_commit"])
    fsck(ws)


def test_manifest_branch_is_an_orphan_and_snapshot_leaves_work_tree_alone(data_ws: Path) -> None:
    ws = data_ws
    write(ws / "untracked.txt", "u\n")
    write(ws / "staged.txt", "s\n")
    git(ws, "add", "staged.txt")
    status = git_out(ws, "status", "--porcelain")
    index = (ws / ".git" / "index").read_bytes()
    head = git_out(ws, "rev-parse", "HEAD")
    take(ws, "S1")  # only local-files content: no commit needed
    assert git_out(ws, "rev-parse", "HEAD") == head
    assert git_out(ws, "status", "--porcelain") == status
    assert (ws / ".git" / "index").read_bytes() == index
    assert git(ws, "merge-base", "HEAD", MANIFESTS, check=False).returncode == 1  # no common history
    assert git_out(ws, "branch", "--list") == "* main"  # not a branch users see


def test_content_blob_is_the_id_and_layout_is_as_documented(data_ws: Path) -> None:
    ws = data_ws
    write(ws / "code" / "train.py", "print(1)\n")
    sid = take(ws, "S1", "msg")
    base = f"{MANIFESTS}:snapshots/{sid}"
    assert git_out(ws, "cat-file", "-p", f"{MANIFESTS}:FORMAT") == "git-dws manifests 1"
    names = git_out(ws, "ls-tree", "--name-only", base).split()
    assert {"CONTENT", "SNAPSHOT", "resources"} <= set(names)
    content = git(ws, "cat-file", "blob", f"{base}/CONTENT").stdout
    assert git(ws, "hash-object", "--stdin", input=content).stdout.strip() == sid
    assert git_out(ws, "rev-parse", f"{base}/CONTENT") == sid
    c = json.loads(content)
    assert c["format"] == 1
    trees = {r["name"]: r for r in c["resources"]}
    assert set(trees) == {"code", "results", "data"}
    for name, r in trees.items():
        assert git_out(ws, "rev-parse", f"{base}/resources/{name}") == r["tree"]
    assert trees["data"]["type"] == "local-files" and trees["data"]["role"] == "source-data"
    # a git-subdirectory's manifest is its own git tree in the workspace commit
    commit = git_out(ws, "rev-parse", "S1^{commit}")
    assert trees["code"]["tree"] == git_out(ws, "rev-parse", f"{commit}:code")
    meta = json.loads(git(ws, "cat-file", "blob", f"{base}/SNAPSHOT").stdout)
    assert meta["format"] == 1 and meta["message"] == "msg" and meta["tags"] == ["S1"]
    assert meta["hostname"] == "testhost" and meta["workspace_commit"] == commit and meta["number"] == 1


def read_listing_with_git(ws: Path, tree: str, prefix: str = "") -> dict[str, dict[str, object]]:
    """Decode a local-files manifest using only git plumbing and json: the documented format."""
    out: dict[str, dict[str, object]] = {}
    for line in git(ws, "ls-tree", "-z", tree).stdout.split("\0"):
        if not line:
            continue
        info, name = line.split("\t", 1)
        _mode, kind, oid = info.split()
        if kind == "tree":
            real = name[len(".dws-dir-"):] if name.startswith(".dws-dir-") else name
            out.update(read_listing_with_git(ws, oid, prefix + real + "/"))
        else:
            assert name == ".dws-files", f"unexpected blob {name!r} in a manifest tree"
            for entry in git(ws, "cat-file", "blob", oid).stdout.splitlines():
                obj = json.loads(entry)
                out[prefix + obj["name"]] = obj
    return out


def test_local_files_manifest_is_readable_with_plain_git(data_ws: Path) -> None:
    ws, data = data_ws, data_ws / "data"
    populate(data, "A")
    sid = take(ws, "S1")
    tree = git_out(ws, "rev-parse", f"{MANIFESTS}:snapshots/{sid}/resources/data")
    listing = read_listing_with_git(ws, tree)
    state = tree_state(data)
    assert set(listing) == {k.decode() for k in state}
    for path, obj in listing.items():
        kind = state[path.encode()]
        if kind[0] == "link":
            assert obj["mode"] == "120000" and obj["target"] == kind[1].decode()
            assert "b3" not in obj
        else:
            assert obj["mode"] == ("100755" if kind[1] else "100644")
            assert obj["size"] == len(kind[2])
            assert obj["b3"] == blake3.blake3(kind[2]).hexdigest()


def test_fsck_after_every_kind_of_operation(data_ws: Path) -> None:
    ws = data_ws
    populate(ws / "data", "A", big=False)
    populate(ws / "code", "A", big=False)
    write(ws / "results" / "r.json", "{}")
    take(ws, "S1")
    fsck(ws)
    populate(ws / "data", "B", big=False)
    write(ws / "code" / "plain.txt", "changed\n")
    take(ws, "S2")
    take(ws, "S2b")
    fsck(ws)
    dws(ws, "restore", "S1")
    fsck(ws)
    dws(ws, "delete-snapshot", "S2")
    fsck(ws)
    dws(ws, "config", "results.dir_template", "snapshots/{TAG}")
    dws(ws, "snapshot", "S3", "-m", "again")
    fsck(ws)


def test_snapshots_survive_gc(data_ws: Path) -> None:
    ws = data_ws
    populate(ws / "data", "A", big=False)
    write(ws / "code" / "c.py", "1\n")
    take(ws, "S1")
    state = tree_state(ws)
    populate(ws / "data", "B", big=False)
    write(ws / "code" / "c.py", "2\n")
    take(ws, "S2")
    git(ws, "gc", "-q", "--prune=now")
    fsck(ws)
    dws(ws, "restore", "S1")
    now = tree_state(ws)
    for k in state:
        if k.startswith((b"data/", b"code/")):
            assert now[k] == state[k], k


def test_plain_git_push_carries_snapshots(tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    root = tmp_path / "w"
    root.mkdir()
    git(root, "init", "-q")
    git(root, "remote", "add", "origin", str(remote))
    dws(root, "init", "--hostname", "h", "--create-resources", "code")
    sid = take(root, "S1")
    git(root, "push", "-q", "origin")
    refs = git_out(remote, "for-each-ref", "--format=%(refname)").split()
    assert {"refs/heads/main", MANIFESTS, NOTES, "refs/tags/S1"} <= set(refs)
    fsck(remote)
    assert git_out(remote, "rev-parse", f"{MANIFESTS}:snapshots/{sid}/CONTENT") == sid


def test_data_holding_a_git_repository_stays_fsck_clean(data_ws: Path) -> None:
    """A nested repository's .git (any spelling) is never recorded, as git records a nested repository
    as a link and never its .git: restore never writes a repository's control directory (a pulled
    snapshot could otherwise plant hooks or a config that runs code). The rest of the data is kept."""
    ws, data = data_ws, data_ws / "data"
    for name in (".git", ".GIT", ".Git"):
        write(data / "clone" / name / "HEAD", "ref: refs/heads/main\n")
        write(data / "clone" / name / "config", "[core]\n")
    write(data / "clone" / "README", "the work tree of a nested repository\n")
    take(ws, "S1")
    fsck(ws)
    assert ".git" not in git_out(ws, "ls-tree", "-r", "--name-only", "refs/dws/manifests").lower()
    import shutil

    shutil.rmtree(data / "clone")
    dws(ws, "restore", "S1")
    assert (data / "clone" / "README").read_text() == "the work tree of a nested repository\n"
    assert sorted(p.name for p in (data / "clone").iterdir()) == ["README"]


def test_directory_names_git_fsck_treats_as_dot_git(data_ws: Path) -> None:
    ws, data = data_ws, data_ws / "data"
    for name in ("git~1", ".git ", ".gitmodules", "GIT~1"):
        write(data / name / "f", "x\n")
    state = tree_state(data)
    take(ws, "S1")
    fsck(ws)
    dws(ws, "restore", "S1")
    assert tree_state(data) == state
