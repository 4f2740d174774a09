"""The hooks' stdlib-only writer (store.lite, ops.hook_record) against the regular one (pygit2 through
store.repo, the model's canonical bytes): equal inputs, equal bytes and object ids."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import dws, fsck, write
from hook_fixtures import git, make_ws, out

from git_dws.model import autotag
from git_dws.model.snapshot import FORMAT, ResourceState, SnapshotContent, SnapshotMeta, note_bytes, note_lines
from git_dws.ops import hook_context, hook_record
from git_dws.store import lite
from git_dws.store.repo import MODE_TREE, Identity, Repo, TreeEntry

NAMES = ["foo", "foo.txt", "foo-bar", "foo0", "Foo", "a", "a b", "ü", "日本", ".dws-files", "z" * 100]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "r")
    return tmp_path / "r"


def _lite(path: Path) -> lite.LiteGit:
    found = lite.LiteGit.discover(str(path))
    assert found is not None
    return found


def test_objects_and_trees_match_pygit2(repo: Path) -> None:
    r, lg = Repo(str(repo)), _lite(repo)
    blob = r.write_blob(b"x\n")
    assert lg.write("blob", b"x\n") == blob == lite.object_id("blob", b"x\n")
    sub = r.write_tree([TreeEntry("inner", blob, 0o100644)])
    for trees in ([], ["foo"], ["foo", "a"], NAMES):
        entries = [(n, sub if n in trees else blob, MODE_TREE if n in trees else 0o100644) for n in NAMES]
        want = r.write_tree([TreeEntry(*e) for e in entries])
        assert lg.write("tree", lite.encode_tree(entries)) == want
        assert lite.decode_tree(lg.read(want)[2]) == {e[0]: e for e in entries}  # type: ignore[index]
    who = Identity("Test User", "test@example.com", 1_700_000_000, 120)
    line = lite.identity_line(who.name, who.email, who.when)
    assert line.rsplit(" ", 1)[0] == who.git_line().rsplit(" ", 1)[0]
    who = Identity(who.name, who.email, who.when, int(line.rsplit(" ", 1)[1][:3]) * 60)  # the local zone
    for parents, message in (([], "root"), ([r.write_commit(sub, [], "p", who)], "snapshot abc (T1)")):
        assert lg.write("commit", lite.commit_bytes(sub, parents, message, who.git_line())) == \
            r.write_commit(sub, parents, message, who)
    commit = r.write_commit(sub, [], "c", who)
    body = "msg\n\nDws-Snapshot: " + "1" * 40 + "\n"
    assert lg.write("tag", lite.tag_bytes("T1", commit, body, who.git_line())) == \
        r.write_tag_object("T1", commit, body, who)
    lg.close()
    fsck(repo)


def test_notes_trees_match_repo(repo: Path) -> None:
    r = Repo(str(repo))
    who = Identity("Test User", "test@example.com", 1_700_000_000, 0)
    commits = [r.write_commit(r.write_tree([]), [], f"c{i}", who) for i in range(3)]
    tip = None
    changes: list[dict[str, bytes | None]] = [{commits[0]: b"snapshot a\n"},
                                              {commits[1]: b"snapshot b\n", commits[0]: None}]
    for step, change in enumerate(changes):
        lg = _lite(repo)
        mine = lg.notes_tree(tip, change)
        theirs, _ = r.notes_commit("refs/notes/dws", change, who, f"step {step}")
        assert mine == r.commit_tree_id(theirs)
        r.update_refs([("refs/notes/dws", theirs, tip)], "test")
        tip = theirs
        lg.close()
    # a fanned-out notes tree as git writes it for many notes: read and written the same way
    fan = r.write_tree([TreeEntry(commits[2][2:], r.write_blob(b"snapshot c\n"), 0o100644)])
    root = r.write_tree([TreeEntry(commits[2][:2], fan, MODE_TREE)])
    fanned = r.write_commit(root, [], "fan", who)
    lg = _lite(repo)
    assert lg.note(fanned, commits[2]) == b"snapshot c\n" and lg.note(fanned, commits[1]) is None
    r.update_refs([("refs/notes/dws", fanned, tip)], "test")
    more: dict[str, bytes | None] = {commits[2]: b"snapshot c\nsnapshot d\n"}
    assert lg.notes_tree(fanned, more) == r.commit_tree_id(r.notes_commit("refs/notes/dws", more, who, "x")[0])
    lg.close()


def test_canonical_bytes_match_the_model() -> None:
    states = [("z", "local-files", "source-data", "1" * 40, MODE_TREE), ("code", "git-subdirectory", "code", "2" * 40,
                                                                         MODE_TREE)]
    content = SnapshotContent(tuple(ResourceState(n, k, r, t) for n, k, r, t, _ in states))
    assert hook_record.content_bytes(states) == content.to_bytes()
    metas = [
        SnapshotMeta("2026-01-02T03:04:05+01:00", "h", "m é \"q\" \n", "3" * 40, 7, ("b", "a"),
                     {"acc": 0.91, "n": 3, "nested": {"x": [1, 2.5, None, True]}, "inf": float("inf")}),
        SnapshotMeta("t", "h", "", "", 1, (), None, "snapshots/h-T", "u", {"future": {"k": "v"}}),
    ]
    for m in metas:
        data = m.to_bytes()
        assert hook_record.meta_bytes(hook_record.parse_meta(data)) == SnapshotMeta.from_bytes(data).to_bytes()
        assert json.dumps(hook_record.loads(data), sort_keys=True) == json.dumps(json.loads(data), sort_keys=True)
    ids = ["b" * 40, "a" * 40, "b" * 40]
    assert hook_record.note_bytes(ids) == note_bytes(ids)
    text = b"snapshot x\n\nsnapshot y\ngarbage\n"
    assert hook_record.note_lines(text) == note_lines(text)
    with pytest.raises(ValueError):
        hook_record.loads(b"{} extra")


def test_mirrored_constants() -> None:
    from git_dws import config, workspace
    from git_dws.lineage import model as lineage_model
    from git_dws.store import git as gitcmd
    from git_dws.store import snapdb

    assert (hook_record.MANIFESTS_REF, hook_record.NOTES_REF) == (workspace.MANIFESTS_REF, workspace.NOTES_REF)
    assert hook_record.FORMAT_BLOB == snapdb.FORMAT_BLOB and hook_record.FORMAT == FORMAT
    assert hook_record.LINEAGE_FORMAT == lineage_model.FORMAT
    assert hook_context.CONFIG_FILE == config.FILENAME and lite.GUARD == gitcmd.GUARD


def test_local_config_reader(repo: Path) -> None:
    git(repo, "config", "dws.hostname", "box-1")
    git(repo, "config", "dws-resource.data.path", "/mnt/data")
    lg = _lite(repo)
    assert lg.local_config("dws.hostname") == "box-1"
    assert lg.local_config("dws-resource.data.path") == "/mnt/data"
    assert lg._local  # read from the file, no git process
    git(repo, "config", "dws-resource.odd.path", 'with "quotes" ; and comment')
    lg = _lite(repo)
    assert lg.local_config("dws-resource.odd.path") == 'with "quotes" ; and comment'
    assert lg._local == {}  # git read it
    lg.close()


def test_discover_matches_repo(tmp_path: Path) -> None:
    ws = make_ws(tmp_path / "ws")
    git(ws, "worktree", "add", "-q", str(tmp_path / "wt"))
    for where in (ws, tmp_path / "wt"):
        r, lg = Repo(str(where)), _lite(where)
        assert (lg.workdir, os.path.realpath(lg.git_dir), lg.common_dir) == (r.workdir, r.git_dir, r.common_dir)
        assert lg.oid("HEAD") == out(where, "rev-parse", "HEAD")
        lg.close()


def test_auto_tag_template() -> None:
    tag = autotag.expand("{BRANCH}-{SNAPSHOT_NO}.{HOSTNAME}", number=7, hostname="box", username="me",
                         branch="feature/x_y", commit="abcdef0123")
    assert tag == "feature-x-y-007.box"
    assert autotag.expand("run-{COMMIT}", number=1, hostname="h", username="u", branch=None,
                          commit="abcdef0123") == "run-abcdef0"
    for bad in ("{NOPE}", "{BRANCH", "{COMMIT}"):
        with pytest.raises(Exception, match="auto_tag"):
            autotag.expand(bad, number=1, hostname="h", username="u", branch="b", commit="abcdef0123")


@pytest.mark.parametrize("parallel", [False, True])
def test_known_tree_vouches_only_for_unchanged_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     parallel: bool) -> None:
    ws = make_ws(tmp_path / "ws")
    for d in range(4):
        for f in range(5):
            write(ws / "data" / f"d{d}" / f"f{f}.txt", f"{d}-{f}\n")
    write(ws / "data" / "top.txt", "top\n")
    old = 1_600_000_000
    for path in (ws / "data").rglob("*"):
        os.utime(path, (old, old))  # not "racy": the stat cache keeps them
    dws(ws, "add", "local-files", "data", "--role", "source-data")
    dws(ws, "snapshot")
    monkeypatch.setattr(hook_context, "PARALLEL_FILES", 1 if parallel else 10**9)
    ctx = hook_context.open_context(str(ws))
    assert ctx is not None
    (data,) = [r for r in ctx.resources if r.name == "data"]
    recorded = json.loads(dws(ws, "report", "history", "--json").stdout)[0]["resources"]["data"]
    assert hook_context.known_tree(ctx, data) == recorded
    write(ws / "data" / "d2" / "f3.txt", "changed\n")
    assert hook_context.known_tree(ctx, data) is None
    os.utime(ws / "data" / "d2" / "f3.txt", (old, old))
    dws(ws, "snapshot")
    assert hook_context.known_tree(ctx, data) is not None
    os.symlink("top.txt", ws / "data" / "d1" / "link")
    assert hook_context.known_tree(ctx, data) is None
    ctx.git.close()
