"""Issue 9, items 3, 8, 9 and 10: what the hooks must do on the layouts real projects have: a
snapshot's message and tags outlive later commits, data follows merges, rebased commits get snapshots
that describe them, and a plain `git push` never publishes snapshots whose data is on no data remote."""

from __future__ import annotations

import subprocess
import sys
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


# -- item 8: merges ---------------------------------------------------------------------------------
def _exp_branch(tmp_path: Path, mode: str = "") -> tuple[Path, dict[bytes, object], dict[bytes, object]]:
    ws = make_ws(tmp_path / "ws", data=True)
    if mode:
        dws(ws, "config", "hooks.checkout", mode)
    commit(ws, "data v1")
    v1 = tree_state(ws / "data")
    git(ws, "switch", "-q", "-c", "exp-a")
    write(ws / "data" / "a.txt", b"experiment a\n")
    write(ws / "code" / "exp.py", "print('a')\n")
    git(ws, "add", "code")
    commit(ws, "exp a")
    v2 = tree_state(ws / "data")
    git(ws, "switch", "-q", "main")
    if mode == "warn":  # the switch only warned
        dws(ws, "restore", "--force", "HEAD")
    assert tree_state(ws / "data") == v1
    return ws, v1, v2


def test_fast_forward_merge_brings_the_data_along(tmp_path: Path) -> None:
    ws, _, v2 = _exp_branch(tmp_path)
    proc = git(ws, "merge", "-q", "--ff-only", "exp-a")
    assert tree_state(ws / "data") == v2, proc.stderr
    assert "restored 'data'" in proc.stderr
    status = dws(ws, "status", "--json").stdout
    assert '"clean": false' not in status, status


def test_merge_follows_the_checkout_setting(tmp_path: Path) -> None:
    ws, v1, _ = _exp_branch(tmp_path, "warn")
    proc = git(ws, "merge", "-q", "--ff-only", "exp-a")
    assert tree_state(ws / "data") == v1 and "differs from snapshot" in proc.stderr


def test_merge_commit_gets_its_snapshot(tmp_path: Path) -> None:
    ws, v1, _ = _exp_branch(tmp_path)
    write(ws / "code" / "main.py", "print('main')\n")
    git(ws, "add", "code")
    commit(ws, "main moves on")
    git(ws, "merge", "-q", "--no-edit", "exp-a")
    head = out(ws, "rev-parse", "HEAD")
    assert len(out(ws, "rev-list", "--parents", "-n1", "HEAD").split()) == 3  # a real merge commit
    snap = snapshot_of(ws)
    assert snap["workspace_commit"] == head
    assert snap["resources"]["code"] == out(ws, "rev-parse", "HEAD:code")
    assert tree_state(ws / "data") == v1  # ours: the first parent's data stays
    status = dws(ws, "status", "--json").stdout
    assert '"clean": false' not in status, status
    fsck(ws)


def test_fast_forward_pull_names_the_command_that_brings_the_data(tmp_path: Path) -> None:
    """A plain `git pull` fetches the other clone's snapshots beside ours (they are merged by `git dws
    pull`, which may also drop snapshots deleted there): post-merge says so rather than leaving the data
    silently behind the code."""
    ws = make_ws(tmp_path / "ws", data=True)
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    dws(ws, "remote", "add", "shared", str(tmp_path / "dataremote"))
    commit(ws, "data v1")
    dws(ws, "publish", str(origin))
    dws(tmp_path, "clone", str(origin), "b", "--hostname", "hostb")
    b = tmp_path / "b"
    write(ws / "data" / "a.txt", b"v2 from the first clone\n")
    commit(ws, "data v2")
    dws(ws, "push")
    want = tree_state(ws / "data")
    proc = git(b, "pull", "-q", "--ff-only")
    assert out(b, "rev-parse", "HEAD") == out(ws, "rev-parse", "HEAD")
    assert "git dws pull" in proc.stderr, proc.stderr
    dws(b, "pull")  # the command it names
    assert tree_state(b / "data") == want


# -- item 9: rebase ---------------------------------------------------------------------------------
def test_rebased_commits_get_snapshots_that_describe_them(tmp_path: Path) -> None:
    ws = make_ws(tmp_path / "ws", data=True)
    commit(ws, "base")
    git(ws, "switch", "-q", "-c", "topic")
    before = []
    for i in range(2):
        write(ws / "data" / "a.txt", f"topic {i}\n".encode())
        write(ws / "code" / f"t{i}.py", f"print({i})\n")
        git(ws, "add", "code")
        commit(ws, f"topic {i}")
        before.append(snapshot_of(ws))
    dws(ws, "snapshot", "kept", "-m", "tagged before the rebase")  # same content: names that snapshot
    before[-1] = snapshot_of(ws)
    assert before[-1]["message"] == "tagged before the rebase" and before[-1]["tags"] == ["kept"]
    git(ws, "switch", "-q", "main")
    write(ws / "code" / "main.py", "print('main')\n")
    git(ws, "add", "code")
    commit(ws, "main moves on")
    git(ws, "switch", "-q", "topic")
    data = tree_state(ws / "data")
    git(ws, "rebase", "-q", "main")
    assert tree_state(ws / "data") == data
    rebased = out(ws, "rev-list", "--reverse", "main..HEAD").split()
    for c, old in zip(rebased, before, strict=True):
        snap = snapshot_of(ws, c)
        assert snap["workspace_commit"] == c
        assert snap["resources"]["code"] == out(ws, "rev-parse", f"{c}:code")  # what git holds now
        assert snap["resources"]["data"] == old["resources"]["data"]  # the data manifest, kept
        assert snap["message"] == old["message"]
    assert snapshot_of(ws, rebased[-1])["tags"] == []  # tags stay with the commit they name
    status = dws(ws, "status", "--json").stdout
    assert '"clean": false' not in status, status
    dws(ws, "restore", "HEAD")
    assert (ws / "code" / "main.py").exists()  # the rebase is not undone
    assert tree_state(ws / "data") == data
    dws(ws, "restore", rebased[0])
    assert (ws / "data" / "a.txt").read_bytes() == b"topic 0\n" and (ws / "code" / "main.py").exists()
    fsck(ws)


# -- item 10: plain git push ------------------------------------------------------------------------
def _published(tmp_path: Path, data_remote: bool) -> tuple[Path, Path]:
    ws = make_ws(tmp_path / "ws", data=True)
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    if data_remote:
        dws(ws, "remote", "add", "shared", str(tmp_path / "dataremote"))
    commit(ws, "data v1")
    dws(ws, "publish", str(origin))
    write(ws / "data" / "a.txt", b"only pushed by plain git\n")
    write(ws / "data" / "big.bin", bytes(range(256)) * 40)
    commit(ws, "data v2")
    return ws, origin


def test_plain_git_push_sends_the_data_first(tmp_path: Path) -> None:
    ws, origin = _published(tmp_path, data_remote=True)
    want = tree_state(ws / "data")
    proc = git(ws, "push", "-q")
    assert "uploaded" in proc.stderr, proc.stderr
    assert out(origin, "rev-parse", "refs/dws/manifests") == out(ws, "rev-parse", "refs/dws/manifests")
    dws(tmp_path, "clone", str(origin), "b", "--hostname", "hostb")
    assert tree_state(tmp_path / "b" / "data") == want
    # nothing new: the hook decides without sending anything
    proc = git(ws, "push", "-q")
    assert proc.stderr == "", proc.stderr


def test_plain_git_push_refuses_when_no_data_remote_can_hold_the_data(tmp_path: Path) -> None:
    ws, origin = _published(tmp_path, data_remote=False)
    before = out(origin, "rev-parse", "refs/dws/manifests")
    proc = git(ws, "push", "-q", check=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "error: " in proc.stderr and "git dws remote add" in proc.stderr, proc.stderr
    assert out(origin, "rev-parse", "refs/dws/manifests") == before  # nothing was published
    # a push that publishes no snapshot (the branch alone) is not held up
    write(ws / "code" / "x.py", "x = 1\n")
    git(ws, "add", "code")
    git(ws, "commit", "-q", "-m", "code", GIT_DWS_SKIP="1")
    git(ws, "push", "-q", "origin", "main")


_PROBE = """
import sys
from git_dws.hooks.entry import main
code = main(["pre-push", "--", "origin", "url"])
print(code, "pygit2" in sys.modules)
"""


def test_pre_push_decides_cheaply_when_there_is_nothing_to_send(tmp_path: Path) -> None:
    """No snapshot published (a branch alone), or none the remote lacks: decided from stdin and two
    manifest trees, without the regular code (pygit2 alone costs more than a hook's budget)."""
    ws, _ = _published(tmp_path, data_remote=True)
    git(ws, "push", "-q")
    head, manifests = out(ws, "rev-parse", "HEAD"), out(ws, "rev-parse", "refs/dws/manifests")
    zero = "0" * 40
    for line in (
        f"refs/heads/main {head} refs/heads/topic {zero}",
        f"refs/dws/manifests {manifests} refs/dws/manifests {manifests}",
        f"refs/dws/manifests {zero} refs/dws/manifests {manifests}",
    ):  # a deletion
        proc = subprocess.run(
            [sys.executable, "-c", _PROBE], cwd=ws, input=line + "\n", capture_output=True, text=True, check=True
        )
        assert proc.stdout.split() == ["0", "False"], (line, proc.stdout, proc.stderr)


def test_pre_push_knows_the_content_types() -> None:
    from git_dws.ops import hook_push, remote

    assert hook_push.CONTENT_TYPES == remote.CONTENT_TYPES
