"""The three-way merge of the snapshot database seen from the command line: a deletion on one side
stays deleted, snapshots added on both sides all survive, tags added to one snapshot on both sides are
united; the merge commits have both sides as parents."""

from __future__ import annotations

import json
from pathlib import Path

from collab_fixtures import clone, origin  # noqa: F401
from conftest import dws, fsck, git_out, snapshot_ids, take, write


def test_deletions_additions_and_tags_merge(ws: Path, origin: Path, tmp_path: Path) -> None:  # noqa: F811
    write(ws / "data" / "v.txt", "1\n")
    dws(ws, "add", "local-files", "data", "--role", "source-data")
    dws(ws, "remote", "add", "shared", str(tmp_path / "dataremote"))
    s1 = take(ws, "S1")
    write(ws / "data" / "v.txt", "2\n")
    s2 = take(ws, "S2")
    dws(ws, "publish", str(origin))
    b = clone(tmp_path, origin, "b", "hostb")

    dws(ws, "delete-snapshot", "S1")
    dws(ws, "snapshot", "fromA")  # same content as S2: a new tag on S2
    write(ws / "data" / "a.txt", "a\n")
    a3 = take(ws, "A3")
    write(ws / "data" / "a4.txt", "a4\n")
    a4 = take(ws, "A4")  # A has given numbers up to 4, B (below) only up to 3
    dws(ws, "push")

    dws(b, "snapshot", "fromB")  # also a new tag on S2, concurrently
    write(b / "data" / "b.txt", "b\n")
    b3 = take(b, "B3")
    dws(b, "pull")
    assert set(snapshot_ids(b)) == {s2, a3, a4, b3}  # S1 deleted on one side only: gone; both new ones kept
    assert git_out(b, "tag", "--list", "S1") == ""  # and so is its tag
    parents = git_out(b, "rev-list", "--parents", "-n", "1", "refs/dws/manifests").split()
    assert len(parents) == 3  # a merge commit with both sides as parents
    info = {s["id"]: s for s in json.loads(dws(b, "report", "history", "--json").stdout)}
    assert {"S2", "fromA", "fromB"} <= set(info[s2]["tags"])
    notes = git_out(b, "rev-list", "--parents", "-n", "1", "refs/notes/dws").split()
    assert len(notes) in (2, 3)
    dws(b, "push")
    dws(ws, "pull")
    assert set(snapshot_ids(ws)) == {s2, a3, a4, b3}
    assert s1 not in snapshot_ids(ws)
    assert git_out(ws, "tag", "--list", "S1") == ""  # the remote still has the tag; it does not come back
    for w in (ws, b):
        fsck(w)
    # the merged counter continues after the larger side's, so the next snapshot's number (and the
    # results directory named after it) was never handed out on either side
    assert git_out(b, "cat-file", "blob", "refs/dws/manifests:NUMBER") == "4"
    write(b / "data" / "c.txt", "c\n")
    c = take(b, "C5")
    assert info_number(b, c) == 5


def info_number(w: Path, sid: str) -> int:
    return int({s["id"]: s for s in json.loads(dws(w, "report", "history", "--json").stdout)}[sid]["number"])
