"""restore --only / --leave / --strict with the original's semantics; results are never restored."""

from __future__ import annotations

from pathlib import Path

from conftest import assert_error, dws, git, take, tree_state, write


def two_snapshots(ws: Path) -> None:
    write(ws / "data" / "f.txt", "v1\n")
    write(ws / "code" / "c.py", "v1\n")
    take(ws, "S1")
    write(ws / "data" / "f.txt", "v2\n")
    write(ws / "code" / "c.py", "v2\n")
    write(ws / "results" / "r.txt", "result 2\n")
    take(ws, "S2")


def test_only_restores_just_those(data_ws: Path) -> None:
    ws = data_ws
    two_snapshots(ws)
    dws(ws, "restore", "S1", "--only", "data")
    assert (ws / "data" / "f.txt").read_text() == "v1\n"
    assert (ws / "code" / "c.py").read_text() == "v2\n"


def test_only_takes_a_comma_list(data_ws: Path) -> None:
    ws = data_ws
    two_snapshots(ws)
    dws(ws, "restore", "S1", "--only", "data,code")
    assert (ws / "data" / "f.txt").read_text() == "v1\n"
    assert (ws / "code" / "c.py").read_text() == "v1\n"


def test_leave_restores_all_but_those(data_ws: Path) -> None:
    ws = data_ws
    two_snapshots(ws)
    proc = dws(ws, "restore", "S1", "--leave", "data")
    assert (ws / "data" / "f.txt").read_text() == "v2\n"
    assert (ws / "code" / "c.py").read_text() == "v1\n"
    assert "results" in proc.stdout  # reported as skipped


def test_only_and_leave_are_exclusive(data_ws: Path) -> None:
    ws = data_ws
    two_snapshots(ws)
    before = tree_state(ws)
    assert_error(dws(ws, "restore", "S1", "--only", "data", "--leave", "code", check=False), code=2)
    assert tree_state(ws) == before


def test_unknown_resource_names_are_refused(data_ws: Path) -> None:
    ws = data_ws
    two_snapshots(ws)
    before = tree_state(ws)
    for opt in ("--only", "--leave"):
        err = assert_error(dws(ws, "restore", "S1", opt, "nope", check=False), "nope")
        assert "data" in err  # the hint lists the real names
    assert tree_state(ws) == before


def test_results_are_never_restored(data_ws: Path) -> None:
    ws = data_ws
    two_snapshots(ws)
    results_before = tree_state(ws / "results")
    proc = dws(ws, "restore", "S1")
    assert tree_state(ws / "results") == results_before
    assert "results" in proc.stdout and "never restored" in proc.stdout
    assert (ws / "data" / "f.txt").read_text() == "v1\n"


def test_strict_skips_results_without_failing(data_ws: Path) -> None:
    """Results are never restored by design, so --strict does not fail on them (the original's plain
    --strict always failed in a workspace with a results resource)."""
    ws = data_ws
    two_snapshots(ws)
    results_before = tree_state(ws / "results")
    proc = dws(ws, "restore", "S1", "--strict")
    assert "results" in proc.stdout
    assert (ws / "code" / "c.py").read_text() == "v1\n"
    assert (ws / "data" / "f.txt").read_text() == "v1\n"
    assert tree_state(ws / "results") == results_before


def test_only_results_is_an_error(data_ws: Path) -> None:
    ws = data_ws
    two_snapshots(ws)
    before = tree_state(ws)
    assert_error(dws(ws, "restore", "S1", "--only", "results", check=False), "results")
    assert_error(dws(ws, "restore", "S1", "--only", "data,results", check=False), "results")
    assert tree_state(ws) == before


def test_resource_added_since_is_skipped_or_strict_error(data_ws: Path) -> None:
    ws = data_ws
    two_snapshots(ws)
    write(ws / "extra" / "e.txt", "extra\n")
    dws(ws, "add", "local-files", "extra", "--role", "intermediate-data")
    proc = dws(ws, "restore", "S1", "--leave", "results")
    assert "extra" in proc.stdout and "added" in proc.stdout
    assert (ws / "extra" / "e.txt").read_text() == "extra\n"
    assert_error(dws(ws, "restore", "S2", "--strict", "--leave", "results", check=False), "extra")
    assert_error(dws(ws, "restore", "S2", "--only", "extra", check=False), "extra")


def test_resource_removed_since_is_skipped(data_ws: Path) -> None:
    ws = data_ws
    two_snapshots(ws)
    toml = (ws / ".dws.toml").read_text()
    start = toml.index("[resources.data]")
    end = toml.find("\n[", start + 1)
    (ws / ".dws.toml").write_text(toml[:start] + (toml[end + 1:] if end != -1 else ""))
    git(ws, "commit", "-q", "-am", "drop data")
    proc = dws(ws, "restore", "S1")
    assert "data" in proc.stdout and "removed" in proc.stdout
    assert (ws / "data" / "f.txt").read_text() == "v2\n"
    assert (ws / "code" / "c.py").read_text() == "v1\n"
    assert_error(dws(ws, "restore", "S1", "--only", "data", check=False), "data")


def test_nothing_to_restore(ws: Path) -> None:
    take(ws, "S1")
    proc = dws(ws, "restore", "S1", "--leave", "code")
    assert proc.returncode == 0
    assert "No resources to restore" in proc.stdout
