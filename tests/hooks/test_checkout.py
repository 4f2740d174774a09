"""`git checkout` / `git switch` / `git worktree add` with the installed hooks bring the data of
local-files resources in step with the commit checked out, when nothing would be lost."""

from __future__ import annotations

from pathlib import Path

from conftest import dws, tree_state, write
from hook_fixtures import commit, git, history, make_ws, note_ids, out, snapshot_of


def _two_branches(tmp_path: Path, mode: str = "") -> tuple[Path, dict[bytes, object], dict[bytes, object]]:
    ws = make_ws(tmp_path / "ws", data=True)
    if mode:  # hooks.checkout is committed in .dws.toml: set it before the branches part
        dws(ws, "config", "hooks.checkout", mode)
    commit(ws, "data v1")
    v1 = tree_state(ws / "data")
    git(ws, "switch", "-q", "-c", "feature")
    write(ws / "data" / "a.txt", b"feature\n")
    write(ws / "data" / "only-feature.txt", b"f\n")
    commit(ws, "data v2")
    return ws, v1, tree_state(ws / "data")


def test_checkout_and_switch_restore_the_data(tmp_path: Path) -> None:
    ws, v1, v2 = _two_branches(tmp_path)
    proc = git(ws, "checkout", "-q", "main")
    assert tree_state(ws / "data") == v1
    assert "restored 'data'" in proc.stderr
    git(ws, "switch", "-q", "feature")
    assert tree_state(ws / "data") == v2
    # a file checkout (flag 0) leaves data alone
    git(ws, "checkout", "main", "--", ".dws.toml")
    assert tree_state(ws / "data") == v2
    # a new branch at the same commit: nothing to do, nothing printed
    proc = git(ws, "switch", "-q", "-c", "again")
    assert proc.stderr == "" and tree_state(ws / "data") == v2


def test_checkout_refuses_to_lose_unsnapshotted_changes(tmp_path: Path) -> None:
    ws, v1, _ = _two_branches(tmp_path)
    write(ws / "data" / "a.txt", b"precious, never snapshotted\n")
    edited = tree_state(ws / "data")
    proc = git(ws, "checkout", "-q", "main")
    assert proc.returncode == 0 and tree_state(ws / "data") == edited  # git's checkout still happened
    sid = note_ids(ws)[0]
    assert "did not restore 'data'" in proc.stderr and "a.txt" in proc.stderr
    assert f"git dws restore --force --only data {sid[:12]}" in proc.stderr
    dws(ws, "restore", "--force", "--only", "data", sid[:12])  # the command it printed
    assert tree_state(ws / "data") == v1


def test_checkout_modes_warn_and_off(tmp_path: Path) -> None:
    ws, _, v2 = _two_branches(tmp_path, "warn")
    proc = git(ws, "checkout", "-q", "main")
    assert tree_state(ws / "data") == v2 and "differs from snapshot" in proc.stderr
    assert "git dws restore --only data" in proc.stderr
    git(ws, "switch", "-q", "feature")
    dws(ws, "config", "hooks.checkout", "off")
    git(ws, "switch", "-q", "-c", "off-too", "main")
    dws(ws, "config", "hooks.checkout", "off")
    proc = git(ws, "checkout", "-q", "feature")
    assert proc.stderr == "" and tree_state(ws / "data") == v2


def test_checkout_uses_the_nearest_snapshotted_ancestor(tmp_path: Path) -> None:
    ws, v1, v2 = _two_branches(tmp_path)
    commit(ws, "not snapshotted", GIT_DWS_SKIP="1")
    git(ws, "checkout", "-q", "main")
    assert tree_state(ws / "data") == v1
    git(ws, "checkout", "-q", "feature")  # HEAD has no note: its parent's snapshot
    assert tree_state(ws / "data") == v2


def test_worktree_add_restores_and_keeps_state_apart(tmp_path: Path) -> None:
    ws, v1, v2 = _two_branches(tmp_path)
    wt = tmp_path / "wt"
    git(ws, "worktree", "add", "-q", str(wt), "main")
    assert tree_state(wt / "data") == v1 and tree_state(ws / "data") == v2
    write(wt / "data" / "wt.txt", b"from the worktree\n")
    commit(wt, "in the worktree")
    assert snapshot_of(wt)["workspace_commit"] == out(wt, "rev-parse", "HEAD")
    # per-worktree state: each worktree's current snapshot is its own
    own = Path(out(wt, "rev-parse", "--absolute-git-dir")) / "dws" / "HEAD"
    main = Path(out(ws, "rev-parse", "--absolute-git-dir")) / "dws" / "HEAD"
    assert own.read_bytes() != main.read_bytes()
    assert dws(ws, "status", "--json").stdout.count('"clean": true') == 2
    # main moved on in the worktree (and is checked out there): a new branch at it brings its data here
    git(ws, "switch", "-q", "-c", "other", "main")
    assert tree_state(ws / "data") == tree_state(wt / "data") != v1
    assert len(history(ws)) == 3


def test_bisect_checkouts_leave_data_alone(tmp_path: Path) -> None:
    ws, v1, v2 = _two_branches(tmp_path)
    write(ws / "data" / "a.txt", b"feature 2\n")
    commit(ws, "data v3")
    v3 = tree_state(ws / "data")
    proc = git(ws, "bisect", "start", "HEAD", "main")  # checks out a commit in between
    assert out(ws, "rev-parse", "HEAD") != out(ws, "rev-parse", "feature")
    assert tree_state(ws / "data") == v3 and "restored" not in proc.stderr
    git(ws, "bisect", "reset")
    assert tree_state(ws / "data") == v3 and v3 not in (v1, v2)
