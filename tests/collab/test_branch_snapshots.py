"""Issue 9 item 4: status and restore on a workspace with branches. The baseline of `status` is the
snapshot of HEAD, else of its nearest snapshotted ancestor, never the newest snapshot of another
branch; `restore COMMIT` on a commit with two snapshots names both instead of picking one."""

from __future__ import annotations

from pathlib import Path

from conftest import assert_error, dws, dws_json, git, take, write


def two_branches(ws: Path) -> tuple[str, str]:
    """main: code/a.py = 1, snapshot v1; branch exp: code/a.py = 2, snapshot e1 (the newest)."""
    dws(ws, "hooks", "uninstall")  # plain git: no hook moves the data or the current snapshot
    write(ws / "code" / "a.py", "a = 1\n")
    v1 = take(ws, "v1")
    git(ws, "switch", "-q", "-c", "exp")
    write(ws / "code" / "a.py", "a = 2\n")
    e1 = take(ws, "e1")
    return v1, e1


def status(ws: Path) -> tuple[str | None, dict[str, bool]]:
    s = dws_json(ws, "status")
    return s["snapshot"], {r["name"]: r["clean"] for r in s["resources"]}


def test_status_without_current_snapshot_uses_heads(ws: Path) -> None:
    v1, e1 = two_branches(ws)
    git(ws, "switch", "-q", "main")
    (ws / ".git" / "dws" / "HEAD").unlink()  # as in a clone that never restored anything
    base, clean = status(ws)
    assert base == v1 and clean["code"], (base, e1)  # was: e1, the newest of any branch, and code dirty


def test_status_ignores_a_stale_current_snapshot_of_another_branch(ws: Path) -> None:
    v1, e1 = two_branches(ws)
    git(ws, "switch", "-q", "main")  # no hook: the current snapshot still says e1
    base, clean = status(ws)
    assert base == v1 and clean["code"]
    git(ws, "commit", "-q", "--allow-empty", "-m", "later")  # no snapshot: its nearest ancestor's
    assert status(ws)[0] == v1
    git(ws, "switch", "-q", "exp")
    assert status(ws) == (e1, {"code": True, "results": True})


def test_a_restored_snapshot_stays_the_baseline_until_head_moves(ws: Path) -> None:
    dws(ws, "hooks", "uninstall")
    write(ws / "data" / "x.txt", "1\n")
    dws(ws, "add", "local-files", "data", "--role", "source-data")
    s1 = take(ws, "s1")
    write(ws / "data" / "x.txt", "2\n")
    git(ws, "commit", "-q", "--allow-empty", "-m", "next")
    s2 = take(ws, "s2")
    dws(ws, "restore", "s1")  # the data of s1 on the commit of s2
    base, clean = status(ws)
    assert base == s1 and clean["data"]
    git(ws, "commit", "-q", "--allow-empty", "-m", "more")  # past no other snapshot: still s1
    assert status(ws)[0] == s1
    git(ws, "switch", "-q", "--detach", "HEAD~2")  # the commit of s1
    assert status(ws)[0] == s1
    git(ws, "switch", "-q", "main")
    assert status(ws)[0] == s1
    dws(ws, "restore", "s2")
    assert status(ws) == (s2, {"code": True, "results": True, "data": True})


def test_restore_of_a_commit_with_two_snapshots_names_both(ws: Path) -> None:
    write(ws / "data" / "x.txt", "1\n")
    dws(ws, "add", "local-files", "data", "--role", "source-data")
    s1 = take(ws, "first")
    write(ws / "data" / "x.txt", "2\n")
    s2 = take(ws, "second")  # same commit: local-files are not held by git
    err = assert_error(dws(ws, "restore", "HEAD", check=False), "2 snapshots")
    assert s1[:12] in err and s2[:12] in err and "first" in err and "second" in err
    assert (ws / "data" / "x.txt").read_text() == "2\n"  # nothing restored
    dws(ws, "restore", "first")
    assert (ws / "data" / "x.txt").read_text() == "1\n"


def test_history_is_scoped_like_git_log_and_says_where_each_snapshot_is(ws: Path) -> None:
    v1, e1 = two_branches(ws)  # on exp: v1's commit is exp~1 and main
    rows = {r["id"]: r["on"] for r in dws_json(ws, "report", "history")}
    assert rows == {v1: "main", e1: "exp"}
    git(ws, "switch", "-q", "main")
    hist = dws(ws, "report", "history").stdout
    assert "v1" in hist and "e1" not in hist and "1 snapshots total" in hist
    assert "1 more snapshot(s) on commits not reachable from HEAD (--all lists them)" in hist
    assert {r["id"] for r in dws_json(ws, "report", "history", "--all")} == {v1, e1}
    assert "e1" in dws(ws, "report", "history", "--all").stdout
    assert [r["id"] for r in dws_json(ws, "report", "history", "exp")] == [e1, v1]  # newest first
    assert_error(dws(ws, "report", "history", "nosuch", check=False), "names no commit", code=2)
    assert_error(dws(ws, "report", "history", "exp", "--all", check=False), code=2)
