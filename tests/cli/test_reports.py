"""status, report status, report history and diff: text for people, stable --json for scripts."""

from __future__ import annotations

from pathlib import Path

from conftest import assert_error, dws, dws_json, take, write

STATUS_KEYS = {"workspace", "snapshot", "tags", "resources"}
RESOURCE_KEYS = {"name", "role", "type", "new", "clean", "added", "modified", "deleted", "renamed"}
HISTORY_KEYS = {"id", "number", "tags", "timestamp", "hostname", "message", "workspace_commit", "metrics",
                "resources", "parameters"}


def by_name(items: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {str(i["name"]): i for i in items}


def test_status_json_before_any_snapshot(data_ws: Path) -> None:
    st = dws_json(data_ws, "status")
    assert set(st) == STATUS_KEYS
    assert st["snapshot"] is None and st["tags"] == [] and st["workspace"] == "ws"
    res = by_name(st["resources"])
    assert set(res) == {"code", "results", "data"}
    for r in res.values():
        assert set(r) == RESOURCE_KEYS and r["new"] is True
    assert res["data"]["added"] == ["a.txt"] and res["data"]["clean"] is False
    assert res["data"]["type"] == "local-files" and res["data"]["role"] == "source-data"
    assert res["code"]["type"] == "git-subdirectory" and res["code"]["added"] == ["README.txt"]


def test_status_counts_changes_since_the_snapshot(data_ws: Path) -> None:
    ws = data_ws
    write(ws / "data" / "gone.txt", "gone\n")
    write(ws / "code" / "m.py", "m\n")
    sid = take(ws, "S1")
    st = dws_json(ws, "status")
    assert st["snapshot"] == sid and st["tags"] == ["S1"]
    assert all(r["clean"] and not r["new"] for r in st["resources"])
    assert "unchanged" in dws(ws, "status").stdout

    write(ws / "data" / "a.txt", "modified\n")
    write(ws / "data" / "sub dir" / "new file", "new\n")
    (ws / "data" / "gone.txt").unlink()
    write(ws / "code" / "m.py", "m2\n")
    write(ws / "code" / "n.py", "n\n")
    res = by_name(dws_json(ws, "status")["resources"])
    assert (res["data"]["added"], res["data"]["modified"], res["data"]["deleted"]) == (
        ["sub dir/new file"], ["a.txt"], ["gone.txt"])
    assert (res["code"]["added"], res["code"]["modified"], res["code"]["deleted"]) == (["n.py"], ["m.py"], [])
    assert res["results"]["clean"] is True
    text = dws(ws, "status").stdout
    assert "1 added, 1 modified, 1 deleted" in text


def test_status_is_read_only(data_ws: Path) -> None:
    from conftest import git_out

    ws = data_ws
    take(ws, "S1")
    write(ws / "code" / "m.py", "m\n")
    head, refs = git_out(ws, "rev-parse", "HEAD"), git_out(ws, "for-each-ref")
    index = (ws / ".git" / "index").read_bytes()
    dws(ws, "status")
    assert git_out(ws, "rev-parse", "HEAD") == head and git_out(ws, "for-each-ref") == refs
    assert (ws / ".git" / "index").read_bytes() == index


def test_history_json_and_limit(ws: Path) -> None:
    ids = []
    for n in range(3):
        write(ws / "code" / "v.txt", f"{n}\n")
        ids.append(take(ws, f"S{n}", f"message {n}"))
    hist = dws_json(ws, "report", "history")
    assert [h["id"] for h in hist] == ids[::-1]  # newest first
    for n, h in enumerate(reversed(hist)):
        assert set(h) == HISTORY_KEYS
        assert h["number"] == n + 1 and h["tags"] == [f"S{n}"] and h["message"] == f"message {n}"
        assert h["hostname"] == "testhost" and len(h["workspace_commit"]) == 40
        assert set(h["resources"]) == {"code", "results"} and h["metrics"] is None
    assert [h["id"] for h in dws_json(ws, "report", "history", "--limit", "2")] == ids[:0:-1]
    text = dws(ws, "report", "history").stdout
    assert "3 snapshots total" in text and ids[0][:7] in text and "message 2" in text
    assert "Showing first 1 snapshots" in dws(ws, "report", "history", "--limit", "1").stdout


def test_report_status(data_ws: Path) -> None:
    rep = dws_json(data_ws, "report", "status")
    assert rep["workspace"] == "ws"
    assert [r["name"] for r in rep["resources"]] == ["data", "code", "results"]  # by role, as the original
    d = by_name(rep["resources"])["data"]
    assert d["path"] == "data" and d["local_path"] == str((data_ws / "data").resolve())
    text = dws(data_ws, "report", "status").stdout
    assert "Status for workspace: ws" in text and "intermediate-data" in text  # the roles nobody has


def test_diff_json_and_styles(data_ws: Path) -> None:
    ws = data_ws
    write(ws / "data" / "gone.txt", "gone\n")
    take(ws, "S1")
    write(ws / "data" / "a.txt", "modified\n")
    write(ws / "data" / "new.txt", "new\n")
    (ws / "data" / "gone.txt").unlink()
    write(ws / "extra" / "e", "e\n")
    dws(ws, "add", "local-files", "extra", "--role", "intermediate-data")
    take(ws, "S2")
    d = dws_json(ws, "diff", "S1", "S2")
    assert set(d) == {"old", "new", "resources"}
    res = by_name(d["resources"])
    assert set(res) == {"code", "results", "data", "extra"}
    assert set(res["data"]) == {"name", "state", "added", "modified", "deleted", "renamed"}
    assert res["data"]["state"] == "different"
    assert (res["data"]["added"], res["data"]["modified"], res["data"]["deleted"]) == (
        ["new.txt"], ["a.txt"], ["gone.txt"])
    assert res["code"]["state"] == "same" and res["extra"]["state"] == "added"
    assert res["extra"]["added"] == ["e"]
    back = by_name(dws_json(ws, "diff", "S2", "S1")["resources"])
    assert back["extra"]["state"] == "removed" and back["data"]["deleted"] == ["new.txt"]

    names = dws(ws, "diff", "--name-status", "S1", "S2").stdout.splitlines()
    # CODE, resource, path: the path exactly as --json names it (relative to the resource)
    assert sorted(names) == sorted(["A\tdata\tnew.txt", "M\tdata\ta.txt", "D\tdata\tgone.txt", "A\textra\te"])
    stat = dws(ws, "diff", "S1", "S2", "--stat").stdout
    assert "data (different): 1 added, 1 modified, 1 deleted" in stat and "code (same)" in stat
    assert dws(ws, "diff", "S1", "S2").stdout == stat  # --stat is the default


def test_diff_of_git_subdirectories(ws: Path) -> None:
    write(ws / "code" / "a.py", "a\n")
    write(ws / "code" / "x.sh", "x\n")
    take(ws, "S1")
    write(ws / "code" / "a.py", "a2\n")
    (ws / "code" / "x.sh").chmod(0o755)  # a mode change is a modification
    take(ws, "S2")
    code = by_name(dws_json(ws, "diff", "S1", "S2")["resources"])["code"]
    assert code["modified"] == ["a.py", "x.sh"] and code["added"] == [] and code["deleted"] == []


def test_diff_and_history_errors(ws: Path) -> None:
    take(ws, "S1")
    assert_error(dws(ws, "diff", "S1", "S1", "S1", check=False), code=2)  # one or two snapshots, not three
    assert_error(dws(ws, "report", "history", "--limit", "x", check=False), code=2)


def test_negative_history_limit_is_refused(ws: Path) -> None:
    take(ws, "S1")
    assert_error(dws(ws, "report", "history", "--limit", "-1", check=False), "limit", code=2)
