"""`git commit` with the installed hooks records the snapshot of the new commit, as `git dws snapshot`
would, and `git dws restore <commit>` brings that state back."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import dws, fsck, tree_state, write
from hook_fixtures import HOOKS, commit, git, history, hooks_dir, make_ws, note_ids, out, snapshot_of


def test_init_installs_the_hooks_recording_the_interpreter(tmp_path: Path) -> None:
    ws = make_ws(tmp_path / "ws")
    for name in HOOKS:
        text = (hooks_dir(ws) / name).read_text()
        assert os.access(hooks_dir(ws) / name, os.X_OK)
        assert "git-dws-hook-5f0c4a7e" in text
        python = text.split("INSTALL_PYTHON=", 1)[1].split("\n", 1)[0].strip("'")
        assert os.access(python, os.X_OK), python
    status = dws(ws, "hooks", "status", "--json").stdout
    assert '"state": "installed"' in status and '"missing"' not in status
    bare = make_ws(tmp_path / "nohooks", hooks=False)
    assert not any((hooks_dir(bare) / h).exists() for h in HOOKS)


def test_commit_records_a_snapshot_without_the_venv_on_path(tmp_path: Path) -> None:
    ws = make_ws(tmp_path / "ws")
    write(ws / "code" / "train.py", "print('v1')\n")
    git(ws, "add", "code")
    commit(ws, "first model")
    head = out(ws, "rev-parse", "HEAD")
    snap = snapshot_of(ws)
    assert snap["workspace_commit"] == head and snap["message"] == "first model"
    assert snap["resources"]["code"] == out(ws, "rev-parse", "HEAD:code")
    # the same content on the next commit: the same snapshot, now attached to that commit too
    commit(ws, "notes only")
    assert note_ids(ws) == [snap["id"]] and len(history(ws)) == 1
    assert snapshot_of(ws)["workspace_commit"] == out(ws, "rev-parse", "HEAD")
    # what the hook recorded is what `git dws snapshot` computes: it finds nothing new
    proc = dws(ws, "snapshot", check=False)
    assert proc.returncode == 1 and "no changes since snapshot" in proc.stderr
    fsck(ws)


def test_commit_captures_local_files_and_restore_by_commit(tmp_path: Path) -> None:
    ws = make_ws(tmp_path / "ws", data=True)
    commit(ws, "data v1")
    first = out(ws, "rev-parse", "HEAD")
    v1 = tree_state(ws / "data")
    write(ws / "data" / "a.txt", b"beta\n")
    write(ws / "data" / "new" / "c.csv", b"1,2\n")
    (ws / "data" / "sub" / "b.bin").unlink()
    commit(ws, "data v2")
    v2 = tree_state(ws / "data")
    assert note_ids(ws, first) != note_ids(ws) and len(history(ws)) == 2
    dws(ws, "restore", first)
    assert tree_state(ws / "data") == v1
    dws(ws, "restore", out(ws, "rev-parse", "--short", "HEAD"))
    assert tree_state(ws / "data") == v2
    fsck(ws)


def test_no_verify_still_records_and_captures(tmp_path: Path) -> None:
    """--no-verify skips pre-commit: post-commit captures the data itself."""
    ws = make_ws(tmp_path / "ws", data=True)
    commit(ws, "v1")
    write(ws / "data" / "a.txt", b"changed\n")
    commit(ws, "v2", "--no-verify")
    sid = snapshot_of(ws)["id"]
    write(ws / "data" / "a.txt", b"changed again\n")
    dws(ws, "restore", "--force", sid)
    assert (ws / "data" / "a.txt").read_bytes() == b"changed\n"


def test_unreadable_resource_stops_the_commit(tmp_path: Path) -> None:
    ws = make_ws(tmp_path / "ws", data=True)
    os.rename(ws / "data", ws / "elsewhere")
    before = out(ws, "rev-parse", "HEAD")
    proc = commit(ws, "no data", check=False)
    assert proc.returncode != 0 and out(ws, "rev-parse", "HEAD") == before
    assert "error: resource directory" in proc.stderr and "--no-verify" in proc.stderr
    assert "Traceback" not in proc.stderr
    commit(ws, "without data", "--no-verify")  # the way out the message gives
    assert out(ws, "rev-parse", "HEAD") != before


def test_skip_switch_and_recursion_guard(tmp_path: Path) -> None:
    ws = make_ws(tmp_path / "ws", data=True)
    # git-dws's own commits (here: the .dws.toml commit of `add`) run with GIT_DWS_RUNNING=1: no snapshot
    assert note_ids(ws) == [] and history(ws) == []
    commit(ws, "skipped", GIT_DWS_SKIP="1")
    assert note_ids(ws) == [] and history(ws) == []
    commit(ws, "recorded", GIT_DWS_SKIP="0")
    assert len(note_ids(ws)) == 1


def test_auto_tag(tmp_path: Path) -> None:
    ws = make_ws(tmp_path / "ws")
    dws(ws, "config", "snapshot.auto_tag", "{BRANCH}-{SNAPSHOT_NO}")
    proc = commit(ws, "tagged")
    sid = note_ids(ws)[0]
    assert "tagged snapshot" in proc.stderr
    body = out(ws, "cat-file", "tag", "main-001")
    assert f"Dws-Snapshot: {sid}" in body and out(ws, "rev-parse", "main-001^{commit}") == out(ws, "rev-parse", "HEAD")
    assert snapshot_of(ws)["tags"] == ["main-001"]
    # the same content again: the commit attaches to that snapshot, which keeps its one tag
    commit(ws, "again")
    assert snapshot_of(ws)["tags"] == ["main-001"] and git(ws, "tag").stdout.split() == ["main-001"]
    git(ws, "tag", "main-002", "HEAD")  # a lightweight tag in the way: warn, record without a tag
    write(ws / "code" / "new.py", "x = 1\n")
    git(ws, "add", "code")
    proc = commit(ws, "clash")
    assert "exists already" in proc.stderr and len(note_ids(ws)) == 1 and snapshot_of(ws)["tags"] == []
    bad = dws(ws, "config", "snapshot.auto_tag", "{NOPE}", check=False)
    assert bad.returncode != 0 and "unknown variable" in bad.stderr
    fsck(ws)


def test_hook_outside_a_workspace_does_nothing(tmp_path: Path) -> None:
    repo = tmp_path / "plain"
    repo.mkdir()
    git(repo, "init", "-q")
    ws = make_ws(tmp_path / "ws")
    git(repo, "config", "core.hooksPath", str(hooks_dir(ws)))
    proc = commit(repo, "plain")
    assert proc.stderr == "" and note_ids(repo) == []


def test_pre_commit_marker_follows_the_configuration(tmp_path: Path) -> None:
    """With only git resources the pre-commit shim skips Python (a marker, valid while .dws.toml is
    older); adding a local-files resource makes pre-commit capture again."""
    ws = make_ws(tmp_path / "ws")
    marker = Path(out(ws, "rev-parse", "--absolute-git-dir")) / "dws" / "hook-nothing-to-capture"
    os.utime(ws / ".dws.toml", (1_600_000_000, 1_600_000_000))  # older than the racy window
    commit(ws, "git only")
    assert marker.exists() and len(note_ids(ws)) == 1
    write(ws / "data" / "a.txt", b"x\n")
    dws(ws, "add", "local-files", "data", "--role", "source-data")
    os.rename(ws / "data", ws / "moved")  # pre-commit must notice: it runs again and refuses
    proc = commit(ws, "data missing", check=False)
    assert proc.returncode != 0 and "resource directory" in proc.stderr
    os.rename(ws / "moved", ws / "data")
    commit(ws, "with data")
    assert not marker.exists() and snapshot_of(ws)["resources"]["data"]
