"""delete-snapshot removes the manifest entry, every tag naming the snapshot and its note lines, in one
transaction; the workspace stays consistent for plain git."""

from __future__ import annotations

from pathlib import Path

from conftest import (
    MANIFESTS,
    NOTES,
    assert_error,
    dws,
    dws_json,
    fsck,
    git,
    git_out,
    snapshot_ids,
    take,
    write,
)


def note(ws: Path, commit: str) -> str | None:
    proc = git(ws, "notes", f"--ref={NOTES}", "show", commit, check=False)
    return proc.stdout if proc.returncode == 0 else None


def test_delete_by_tag_removes_tags_note_and_manifest_entry(ws: Path) -> None:
    sid = take(ws, "S1")
    take(ws, "S1b")  # same content, second tag
    commit = git_out(ws, "rev-parse", "S1^{commit}")
    write(ws / "code" / "x.py", "x\n")
    keep = take(ws, "S2")
    assert note(ws, commit) == f"snapshot {sid}\n"

    out = dws(ws, "delete-snapshot", "S1").stdout
    assert sid[:12] in out and "S1b" in out
    for tag in ("S1", "S1b"):
        assert git(ws, "rev-parse", "--verify", "-q", f"refs/tags/{tag}", check=False).returncode != 0
    assert note(ws, commit) is None
    assert git(ws, "cat-file", "-e", f"{MANIFESTS}:snapshots/{sid}", check=False).returncode != 0
    assert snapshot_ids(ws) == [keep]
    assert [h["id"] for h in dws_json(ws, "report", "history")] == [keep]
    assert_error(dws(ws, "restore", "S1", check=False), "no snapshot")
    # the other snapshot is untouched
    assert git_out(ws, "cat-file", "-t", "refs/tags/S2") == "tag"
    assert note(ws, git_out(ws, "rev-parse", "S2^{commit}")) == f"snapshot {keep}\n"
    fsck(ws)


def test_delete_keeps_other_snapshots_on_the_same_commit(data_ws: Path) -> None:
    """Two snapshots of one workspace commit (only local-files changed): one note, two lines."""
    ws = data_ws
    id1 = take(ws, "S1")
    write(ws / "data" / "a.txt", "changed\n")
    id2 = take(ws, "S2")
    commit = git_out(ws, "rev-parse", "HEAD")
    assert git_out(ws, "rev-parse", "S1^{commit}") == git_out(ws, "rev-parse", "S2^{commit}") == commit
    assert sorted((note(ws, commit) or "").splitlines()) == sorted([f"snapshot {id1}", f"snapshot {id2}"])
    dws(ws, "delete-snapshot", id1[:10])  # by id prefix
    assert note(ws, commit) == f"snapshot {id2}\n"
    assert snapshot_ids(ws) == [id2]
    fsck(ws)


def test_delete_then_snapshot_same_content_again(ws: Path) -> None:
    sid = take(ws, "S1")
    dws(ws, "delete-snapshot", "S1")
    assert take(ws, "S1") == sid  # the tag is free again; the id is the same content id
    fsck(ws)


def test_deleted_current_snapshot_falls_back_in_status(ws: Path) -> None:
    take(ws, "S1")
    write(ws / "code" / "x.py", "x\n")
    sid2 = take(ws, "S2")
    dws(ws, "delete-snapshot", "S2")
    st = dws_json(ws, "status")
    assert st["snapshot"] != sid2
    assert [r["name"] for r in st["resources"]] == ["code", "results"]


def test_manifest_branch_keeps_history_of_deletes(ws: Path) -> None:
    take(ws, "S1")
    before = int(git_out(ws, "rev-list", "--count", MANIFESTS))
    dws(ws, "delete-snapshot", "S1")
    assert int(git_out(ws, "rev-list", "--count", MANIFESTS)) == before + 1
    assert snapshot_ids(ws) == []
    fsck(ws)
