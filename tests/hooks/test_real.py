"""Issue 9, items 3, 8, 9 and 10: what the hooks must do on the layouts real projects have: a
snapshot's message and tags outlive later commits, data follows merges, rebased commits get snapshots
that describe them, and a plain `git push` never publishes snapshots whose data is on no data remote."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import dws, fsck, tree_state, write
from hook_fixtures import commit, git, history, make_ws, note_ids, out, snapshot_of


# -- item 3: snapshot messages and tags are the user's --------------------------------------------------
@pytest.mark.parametrize("data", [False, True])  # True: a local-files resource; lineage: the regular path
@pytest.mark.parametrize("slow", [False, True])
def test_commit_keeps_an_existing_snapshots_message_and_tags(tmp_path: Path, data: bool, slow: bool) -> None:
    ws = make_ws(tmp_path / "ws", data=data)
    if slow:  # current lineage makes the hook take the regular path (ops.snapshot)
        lineage = Path(out(ws, "rev-parse", "--absolute-git-dir")) / "dws" / "lineage"
        lineage.mkdir(parents=True, exist_ok=True)
        (lineage / "code.json").write_text('{"format": 1, "resource_name": "code", "lineages": []}')
    dws(ws, "snapshot", "keep", "-m", "paper figure 3")
    (keep,) = [s["id"] for s in history(ws)]
    proc = commit(ws, "x", GIT_DWS_HOOK_DEBUG="1")
    assert ("post-commit: regular" if slow else "post-commit: fast") in proc.stderr, proc.stderr
    assert note_ids(ws) == [keep]  # same content: the same snapshot, now on this commit too
    snap = snapshot_of(ws)
    assert snap["message"] == "paper figure 3" and snap["tags"] == ["keep"]
    assert snap["workspace_commit"] == out(ws, "rev-parse", "HEAD")
    git(ws, "commit", "-q", "--amend", "--allow-empty", "-m", "y")
    snap = snapshot_of(ws)
    assert snap["message"] == "paper figure 3" and snap["tags"] == ["keep"]
    # asked for: the user's own snapshot command still changes the message
    dws(ws, "snapshot", "keep2", "-m", "paper figure 4")
    snap = snapshot_of(ws)
    assert snap["message"] == "paper figure 4" and snap["tags"] == ["keep", "keep2"]
    fsck(ws)
