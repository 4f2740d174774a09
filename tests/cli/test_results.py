"""Results role: at snapshot, result files move to snapshots/{HOSTNAME}-{TAG} (or the zero-padded snapshot
number), read-only and committed; README files stay; old snapshot directories never move again."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import assert_error, dws, dws_json, git, git_out, take, write


def test_results_move_to_tagged_directory(ws: Path) -> None:
    res = ws / "results"
    readme = (res / "README.txt").read_text()
    write(res / "README.md", "# stays\n")
    write(res / "metrics.json", "{}\n")
    write(res / "plots" / "loss curve.png", b"\x89PNG\x00")
    write(res / "plots" / "README.txt", "nested README moves\n")
    proc = dws(ws, "snapshot", "S1")
    dest = res / "snapshots" / "testhost-S1"
    assert "snapshots/testhost-S1" in proc.stdout
    assert (dest / "metrics.json").read_text() == "{}\n"
    assert (dest / "plots" / "loss curve.png").read_bytes() == b"\x89PNG\x00"
    assert (dest / "plots" / "README.txt").exists()
    assert (res / "README.txt").read_text() == readme and (res / "README.md").exists()
    assert not (res / "metrics.json").exists()
    assert not (res / "plots").exists(), "emptied directories are removed"
    assert os.stat(dest / "metrics.json").st_mode & 0o222 == 0, "moved results are read-only"
    # committed, so the snapshot's tree holds them and the work tree is clean
    assert git_out(ws, "status", "--porcelain") == ""
    tracked = git_out(ws, "ls-files", "results/snapshots").splitlines()
    assert "results/snapshots/testhost-S1/metrics.json" in tracked
    assert "results/snapshots/testhost-S1/plots/loss curve.png" in tracked


def test_untagged_snapshot_uses_zero_padded_number(ws: Path) -> None:
    write(ws / "results" / "r1.txt", "1\n")
    dws(ws, "snapshot")
    assert (ws / "results" / "snapshots" / "testhost-001" / "r1.txt").exists()
    write(ws / "results" / "r2.txt", "2\n")
    dws(ws, "snapshot", "T2")
    write(ws / "results" / "r3.txt", "3\n")
    dws(ws, "snapshot")
    assert (ws / "results" / "snapshots" / "testhost-003" / "r3.txt").exists()
    assert (ws / "results" / "snapshots" / "testhost-T2" / "r2.txt").exists()


def test_nothing_to_move_creates_no_directory(ws: Path) -> None:
    take(ws, "S1")
    assert not (ws / "results" / "snapshots").exists()


def test_template_and_hostname_from_config(ws: Path) -> None:
    dws(ws, "config", "results.dir_template", "snapshots/{USERNAME}/{SNAPSHOT_NO}-{TAG}")
    dws(ws, "config", "hostname", "otherhost")
    write(ws / "results" / "r.txt", "r\n")
    dws(ws, "snapshot", "S1")
    user = os.environ.get("USER") or __import__("getpass").getuser()
    assert (ws / "results" / "snapshots" / user / "001-S1" / "r.txt").exists()
    dws(ws, "config", "results.dir_template", "snapshots/{HOSTNAME}-{TAG}")
    write(ws / "results" / "r.txt", "r2\n")
    dws(ws, "snapshot", "S2")
    assert (ws / "results" / "snapshots" / "otherhost-S2" / "r.txt").read_text() == "r2\n"


def test_changing_the_template_never_nests_old_snapshot_dirs(ws: Path) -> None:
    write(ws / "results" / "a.txt", "a\n")
    dws(ws, "snapshot", "S1")
    dws(ws, "config", "results.dir_template", "snapshots/{YEAR}/{TAG}")
    write(ws / "results" / "b.txt", "b\n")
    dws(ws, "snapshot", "S2")
    assert (ws / "results" / "snapshots" / "testhost-S1" / "a.txt").exists()
    moved = [p for p in (ws / "results" / "snapshots").rglob("b.txt")]
    assert len(moved) == 1 and moved[0].parent.name == "S2"
    assert not list((ws / "results" / "snapshots").rglob("testhost-S1/**/testhost-S1"))


def test_move_exclude_files_setting(ws: Path) -> None:
    dws(ws, "config", "results.move_exclude_files", json.dumps(["keep.txt"]))
    write(ws / "results" / "keep.txt", "k\n")
    write(ws / "results" / "go.txt", "g\n")
    dws(ws, "snapshot", "S1")
    assert (ws / "results" / "keep.txt").exists()
    assert (ws / "results" / "snapshots" / "testhost-S1" / "go.txt").exists()
    assert (ws / "results" / "snapshots" / "testhost-S1" / "README.txt").exists()  # no longer excluded


def test_metrics_are_recorded_in_history(ws: Path) -> None:
    write(ws / "results" / "results.json", json.dumps({"metrics": {"accuracy": 0.91, "loss": 12.25}}))
    dws(ws, "snapshot", "S1")
    (h,) = dws_json(ws, "report", "history")
    assert h["metrics"] == {"accuracy": 0.91, "loss": 12.25}
    text = dws(ws, "report", "history").stdout
    assert "accuracy" in text and " 0.91 " in text and " 12.25" in text


def test_occupied_destination_is_an_error_before_anything_moves(ws: Path) -> None:
    dws(ws, "config", "results.dir_template", "snapshots/fixed")
    write(ws / "results" / "a.txt", "a\n")
    dws(ws, "snapshot", "S1")
    write(ws / "results" / "b.txt", "b\n")
    assert_error(dws(ws, "snapshot", "S2", check=False), "already exists")
    assert (ws / "results" / "b.txt").read_text() == "b\n"


def test_failed_snapshot_does_not_move_results(data_ws: Path) -> None:
    """Pre-flight before anything destructive: if the snapshot cannot be taken, results stay put."""
    ws = data_ws
    take(ws, "S1")
    write(ws / "results" / "r.txt", "r\n")
    (ws / "data" / "a.txt").unlink()
    (ws / "data").rmdir()  # a resource that cannot be snapshotted
    head = git_out(ws, "rev-parse", "HEAD")
    assert_error(dws(ws, "snapshot", "S2", check=False))
    assert (ws / "results" / "r.txt").read_text() == "r\n"
    assert git_out(ws, "rev-parse", "HEAD") == head


def test_delete_snapshot_removes_its_results_dir(ws: Path) -> None:
    write(ws / "results" / "a.txt", "a\n")
    dws(ws, "snapshot", "S1")
    write(ws / "results" / "b.txt", "b\n")
    dws(ws, "snapshot", "S2")
    out = dws(ws, "delete-snapshot", "S1").stdout
    assert "snapshots/testhost-S1" in out
    assert not (ws / "results" / "snapshots" / "testhost-S1").exists()
    assert (ws / "results" / "snapshots" / "testhost-S2" / "b.txt").exists()
    assert git_out(ws, "status", "--porcelain") == ""
    dws(ws, "delete-snapshot", "S2", "--no-include-resources")
    assert (ws / "results" / "snapshots" / "testhost-S2" / "b.txt").exists()


def test_results_with_odd_names(ws: Path) -> None:
    names = ["with space.csv", "ünï.txt", "new\nline.txt", "bin.dat"]
    for n in names:
        write(ws / "results" / "sub dir" / n, b"\x00\xff" + n.encode())
    dws(ws, "snapshot", "S1")
    dest = ws / "results" / "snapshots" / "testhost-S1" / "sub dir"
    for n in names:
        assert (dest / n).read_bytes() == b"\x00\xff" + n.encode()
    assert git_out(ws, "status", "--porcelain") == ""
    assert len([p for p in git_out(ws, "ls-files", "-z", "results/snapshots").split("\0") if p]) == len(names)


def test_snapshot_numbers_are_never_reused(ws: Path) -> None:
    """An untagged results directory is named by number; after a delete the next number must be new, or
    it would collide with a directory the deleted snapshot left behind."""
    write(ws / "results" / "r1", "1\n")
    dws(ws, "snapshot")
    write(ws / "results" / "r2", "2\n")
    dws(ws, "snapshot")
    last = dws_json(ws, "report", "history")[0]
    assert last["number"] == 2
    dws(ws, "delete-snapshot", last["id"], "--no-include-resources")
    write(ws / "results" / "r3", "3\n")
    dws(ws, "snapshot")
    assert dws_json(ws, "report", "history")[0]["number"] == 3
    assert (ws / "results" / "snapshots" / "testhost-003" / "r3").exists()
    assert (ws / "results" / "snapshots" / "testhost-002" / "r2").exists()


def test_snapshot_during_a_merge_conflict_moves_nothing(ws: Path) -> None:
    write(ws / "notes.txt", "base\n")
    git(ws, "add", "notes.txt")
    git(ws, "commit", "-q", "-m", "base")
    git(ws, "checkout", "-q", "-b", "other")
    write(ws / "notes.txt", "other\n")
    git(ws, "commit", "-q", "-am", "other")
    git(ws, "checkout", "-q", "main")
    write(ws / "notes.txt", "mine\n")
    git(ws, "commit", "-q", "-am", "mine")
    assert git(ws, "merge", "-q", "other", check=False).returncode != 0  # conflict in notes.txt
    write(ws / "results" / "r.txt", "r\n")
    write(ws / "code" / "c.py", "c\n")
    proc = dws(ws, "snapshot", "S1", check=False)
    assert proc.returncode != 0
    assert (ws / "results" / "r.txt").exists(), "results moved by a snapshot that failed"
    assert not (ws / "results" / "snapshots").exists()
    assert_error(proc)
