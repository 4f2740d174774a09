"""`git commit --amend` and `git rebase`: the snapshot stays attached to the rewritten commit."""

from __future__ import annotations

from pathlib import Path

from conftest import dws, fsck, tree_state, write
from hook_fixtures import commit, git, history, make_ws, note_ids, out, snapshot_of


def test_amend_keeps_the_snapshot_or_the_newer_one(tmp_path: Path) -> None:
    ws = make_ws(tmp_path / "ws", data=True)
    commit(ws, "first")
    first = snapshot_of(ws)
    git(ws, "commit", "-q", "--amend", "--allow-empty", "-m", "first, reworded")
    # same data: the same snapshot, attached to the amended commit, which its metadata now names
    assert note_ids(ws) == [first["id"]]
    assert snapshot_of(ws)["workspace_commit"] == out(ws, "rev-parse", "HEAD")
    raw = out(ws, "notes", "--ref=dws", "show", "HEAD")
    assert raw == f"snapshot {first['id']}"  # canonical: no duplicate from git's own notes copy
    # new data: the snapshot the commit hook just took wins over the one of the replaced commit
    write(ws / "data" / "a.txt", b"amended data\n")
    v2 = tree_state(ws / "data")
    git(ws, "commit", "-q", "--amend", "--allow-empty", "-m", "first, with new data")
    (sid,) = note_ids(ws)
    assert sid != first["id"] and len(history(ws)) == 2
    write(ws / "data" / "a.txt", b"scratch\n")
    dws(ws, "restore", "--force", "HEAD")
    assert tree_state(ws / "data") == v2
    fsck(ws)


def test_rebase_carries_notes_and_records_nothing_midway(tmp_path: Path) -> None:
    ws = make_ws(tmp_path / "ws", data=True)
    commit(ws, "base")
    git(ws, "switch", "-q", "-c", "topic")
    states = []
    for i in range(2):
        write(ws / "data" / "a.txt", f"topic {i}\n".encode())
        write(ws / "code" / f"t{i}.py", f"print({i})\n")
        git(ws, "add", "code")
        commit(ws, f"topic {i}")
        states.append((note_ids(ws), tree_state(ws / "data")))
    git(ws, "switch", "-q", "main")
    write(ws / "code" / "main.py", "print('main')\n")
    git(ws, "add", "code")
    commit(ws, "main moves on")
    git(ws, "switch", "-q", "topic")
    count = len(history(ws))
    git(ws, "rebase", "-q", "main")
    # no snapshot for the replayed picks; post-rewrite re-records each one for its new commit (the
    # code they hold changed: main.py came in), one new snapshot per rewritten commit
    assert len(history(ws)) == count + 2
    assert tree_state(ws / "data") == states[-1][1]  # nor a restore at the rebase's own checkouts
    rebased = out(ws, "rev-list", "--reverse", "main..HEAD").split()
    assert all(len(note_ids(ws, c)) == 1 for c in rebased)
    assert [note_ids(ws, c) for c in rebased] != [ids for ids, _ in states]
    by_id = {s["id"]: s for s in history(ws)}
    assert [by_id[note_ids(ws, c)[0]]["workspace_commit"] for c in rebased] == rebased
    dws(ws, "restore", rebased[0])
    assert tree_state(ws / "data") == states[0][1]
    fsck(ws)


def test_rewrite_without_hooks_still_copies_notes(tmp_path: Path) -> None:
    """notes.rewriteRef (added at init beside the user's own values) copies notes for users without
    the hooks, too."""
    ws = tmp_path / "ws"
    ws.mkdir()
    git(ws, "init", "-q")
    git(ws, "config", "notes.rewriteRef", "refs/notes/commits")
    dws(ws, "init", "--hostname", "testhost", "--no-hooks")
    assert out(ws, "config", "--get-all", "notes.rewriteRef").split() == ["refs/notes/commits", "refs/notes/dws"]
    dws(ws, "snapshot", "S1")
    sid = note_ids(ws)
    git(ws, "commit", "-q", "--amend", "--allow-empty", "-m", "amended")
    assert note_ids(ws) == sid
