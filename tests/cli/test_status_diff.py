"""Issue 9 item 7: `git dws status -v` names the files, `git dws diff` takes zero, one or two snapshots
as `git diff` does, renames (same content at a new path) are reported as renames as `dvc diff` does,
text and JSON name the same paths, and `--porcelain` / `--exit-code` serve scripts."""

from __future__ import annotations

from pathlib import Path

from conftest import dws, dws_json, git, take, write


def _changed(ws: Path) -> None:
    """From snapshot S1: one file added, one modified, one deleted, one renamed, in `data` and `code`."""
    write(ws / "data" / "gone.txt", "gone\n")
    write(ws / "data" / "old name.bin", bytes(range(256)) * 4)
    write(ws / "code" / "lib.py", "def f(): return 1\n")
    take(ws, "S1")
    write(ws / "data" / "a.txt", "modified\n")
    write(ws / "data" / "new.txt", "new\n")
    (ws / "data" / "gone.txt").unlink()
    (ws / "data" / "sub").mkdir()
    (ws / "data" / "old name.bin").rename(ws / "data" / "sub" / "ünï name.bin")
    (ws / "code" / "lib.py").rename(ws / "code" / "util.py")


def _by_name(obj: dict[str, object]) -> dict[str, dict[str, object]]:
    return {r["name"]: r for r in obj["resources"]}  # type: ignore[index, union-attr, misc]


WANT_DATA = {
    "added": ["new.txt"],
    "modified": ["a.txt"],
    "deleted": ["gone.txt"],
    "renamed": [{"old": "old name.bin", "new": "sub/ünï name.bin"}],
}
WANT_LINES = [
    "A\tdata\tnew.txt",
    "D\tdata\tgone.txt",
    "M\tdata\ta.txt",
    "R\tdata\told name.bin\tsub/ünï name.bin",
    "R\tcode\tlib.py\tutil.py",
]


def test_status_verbose_lists_paths_as_json_names_them(data_ws: Path) -> None:
    ws = data_ws
    _changed(ws)
    res = _by_name(dws_json(ws, "status"))
    assert {k: res["data"][k] for k in WANT_DATA} == WANT_DATA
    assert res["code"]["renamed"] == [{"old": "lib.py", "new": "util.py"}] and res["code"]["added"] == []
    text = dws(ws, "status", "-v").stdout
    assert "  data     1 added, 1 modified, 1 deleted, 1 renamed\n" in text, text
    for line in (
        "A  new.txt",
        "M  a.txt",
        "D  gone.txt",
        "R  old name.bin -> sub/ünï name.bin",
        "R  lib.py -> util.py",
    ):
        assert f"      {line}\n" in text, text
    assert "new.txt" not in dws(ws, "status").stdout  # without -v: counts only


def test_status_porcelain_and_exit_code(data_ws: Path) -> None:
    ws = data_ws
    take(ws, "S0")
    assert dws(ws, "status", "--exit-code").returncode == 0
    assert dws(ws, "status", "--porcelain").stdout == ""
    _changed(ws)
    proc = dws(ws, "status", "--porcelain", "--exit-code", check=False)
    assert proc.returncode == 1
    assert sorted(proc.stdout.splitlines()) == sorted(WANT_LINES)


def test_diff_defaults_like_git_diff(data_ws: Path) -> None:
    ws = data_ws
    _changed(ws)
    # no snapshot named: the current snapshot against the working state, which is what status shows
    d = dws_json(ws, "diff")
    assert d["new"] is None and d["old"] == dws_json(ws, "status")["snapshot"]
    assert {k: _by_name(d)["data"][k] for k in WANT_DATA} == WANT_DATA
    assert _by_name(d)["results"]["state"] == "same" and _by_name(d)["data"]["state"] == "different"
    assert sorted(dws(ws, "diff", "--name-status").stdout.splitlines()) == sorted(WANT_LINES)
    assert dws(ws, "diff", "--exit-code", check=False).returncode == 1
    s2 = take(ws, "S2")
    assert dws(ws, "diff", "--exit-code").returncode == 0  # S2 is current now: nothing differs
    # one: that snapshot against the working state
    d = dws_json(ws, "diff", "S1")
    assert {k: _by_name(d)["data"][k] for k in WANT_DATA} == WANT_DATA and d["new"] is None
    text = dws(ws, "diff", "S1").stdout
    assert "data (different): 1 added, 1 modified, 1 deleted, 1 renamed" in text, text
    assert "against the working state" in text
    # two: between them, renames too
    d = dws_json(ws, "diff", "S1", "S2")
    assert d["new"] == s2 and {k: _by_name(d)["data"][k] for k in WANT_DATA} == WANT_DATA
    assert sorted(dws(ws, "diff", "--name-status", "S1", "S2").stdout.splitlines()) == sorted(WANT_LINES)
    assert "    R  old name.bin -> sub/ünï name.bin\n" in dws(ws, "diff", "-v", "S1", "S2").stdout


def test_diff_against_the_working_state_of_added_and_removed_resources(data_ws: Path) -> None:
    ws = data_ws
    write(ws / "extra" / "e", "e\n")
    dws(ws, "add", "local-files", "extra", "--role", "intermediate-data")
    take(ws, "S1")
    config = (ws / ".dws.toml").read_text()
    start = config.index("[resources.extra]")
    end = config.find("\n[", start + 1)
    (ws / ".dws.toml").write_text(config[:start] + (config[end + 1 :] if end >= 0 else ""))
    git(ws, "commit", "-q", "-m", "drop extra", ".dws.toml")
    write(ws / "more" / "m", "m\n")
    dws(ws, "add", "local-files", "more", "--role", "intermediate-data")
    res = _by_name(dws_json(ws, "diff", "S1"))
    assert res["extra"]["state"] == "removed" and res["extra"]["deleted"] == ["e"]
    assert res["more"]["state"] == "added" and res["more"]["added"] == ["m"]
    assert "D\textra\te" in dws(ws, "diff", "--name-status", "S1").stdout.splitlines()
