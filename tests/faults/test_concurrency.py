"""Concurrency: two snapshots at once, a commit during a snapshot, two clones pushing to one origin and
data remote at once, gc during a push. Whatever the interleaving: each command succeeds or fails
cleanly with a message that says what to do, and afterwards everything is consistent and whole."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import assert_error, dws, fsck, git, pseudo_random, snapshot_id_of_tag, write
from faultlib import dws_fsck_clean, make_data, new_workspace, touch_all, user_state
from scenarios import _exe


def popen(cwd: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(list(args), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(p: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    out, err = p.communicate(timeout=300)
    return subprocess.CompletedProcess(p.args, p.returncode, out, err)


def test_two_snapshots_at_once(tmp_path: Path) -> None:
    ws = new_workspace(tmp_path / "ws")
    make_data(ws / "data")
    dws(ws, "add", "local-files", "data", "--role", "source-data")
    touch_all(ws / "data")
    procs = [popen(ws, _exe(), "--batch", "snapshot", tag) for tag in ("A", "B")]
    results = [finish(p) for p in procs]
    for r in results:
        if r.returncode:
            assert_error(r, "another git-dws command is running")
    assert any(r.returncode == 0 for r in results)
    for tag, r in zip("AB", results, strict=True):
        if r.returncode == 0:
            snapshot_id_of_tag(ws, tag)
    fsck(ws)
    assert dws_fsck_clean(ws) == []


def test_a_commit_during_a_snapshot(tmp_path: Path) -> None:
    ws = new_workspace(tmp_path / "ws", hooks=True)
    make_data(ws / "data")
    dws(ws, "add", "local-files", "data", "--role", "source-data")
    git(ws, "commit", "-q", "--allow-empty", "-m", "first")
    touch_all(ws / "data")
    write(ws / "code" / "c.py", "c = 1\n")
    git(ws, "add", "code")
    before = user_state(ws)
    snap = popen(ws, _exe(), "--batch", "snapshot", "S")
    commit = finish(popen(ws, "git", "commit", "-q", "-m", "during"))
    s = finish(snap)
    if commit.returncode:
        assert "another git-dws command is running" in commit.stderr, commit.stderr
    assert s.returncode == 0 or "another git-dws command is running" in s.stderr, s.stderr
    assert user_state(ws) == before
    fsck(ws)
    assert dws_fsck_clean(ws) == []
    git(ws, "commit", "-q", "--allow-empty", "-m", "after")  # and work goes on
    assert dws_fsck_clean(ws) == []


def _clone_pair(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    origin, remote = tmp_path / "origin.git", tmp_path / "dataremote"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    a = new_workspace(tmp_path / "a")
    make_data(a / "data", files=100, big=1)
    dws(a, "add", "local-files", "data", "--role", "source-data")
    dws(a, "remote", "add", "shared", str(remote))
    dws(a, "snapshot", "BASE")
    dws(a, "publish", str(origin))
    dws(tmp_path, "clone", str(origin), "b", "--hostname", "hostb")
    return a, tmp_path / "b", origin, remote


def test_two_clones_push_at_once(tmp_path: Path) -> None:
    a, b, origin, _ = _clone_pair(tmp_path)
    for n, ws in enumerate((a, b)):
        write(ws / "data" / f"new{n}.bin", pseudo_random(6 << 20, 40 + n))
        dws(ws, "snapshot", f"T{n}")
    results = [finish(p) for p in [popen(ws, _exe(), "--batch", "push") for ws in (a, b)]]
    assert any(r.returncode == 0 for r in results), results
    for ws, r in zip((a, b), results, strict=True):
        if r.returncode:
            assert_error(r, "pull")  # the loser is told to pull first
            dws(ws, "pull")
            dws(ws, "push")
    for ws in (a, b):
        dws(ws, "pull")
        fsck(ws)
        assert dws_fsck_clean(ws) == []
        assert dws(ws, "fsck", "--remote", "shared").returncode == 0
        assert {"T0", "T1", "BASE"} <= set(git(ws, "tag", "--list").stdout.split())
    fsck(origin)


def test_gc_during_a_push(tmp_path: Path) -> None:
    a, _, origin, _ = _clone_pair(tmp_path)
    for n in range(3):
        write(a / "data" / f"g{n}.bin", pseudo_random(6 << 20, 60 + n))
    dws(a, "snapshot", "BIG")
    push = popen(a, _exe(), "--batch", "push")
    gc = finish(popen(a, _exe(), "--batch", "gc", "--grace", "0"))
    p = finish(push)
    assert p.returncode == 0 or "another git-dws command is running" in p.stderr, p.stderr
    if gc.returncode:
        assert_error(gc, "another git-dws command is running")
    if p.returncode:
        dws(a, "push")
    fsck(a)
    assert dws_fsck_clean(a) == []
    assert dws(a, "fsck", "--remote", "shared").returncode == 0
    fsck(origin)
