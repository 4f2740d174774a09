"""ORIGINAL.md §1.5 (snapshot algorithm) and §1.6 (restore algorithm), step by step."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from conftest import assert_error, dws, dws_json, git_out, snapshot_id_of_tag

from .conftest import pipeline, step


# -- §1.5 snapshot -----------------------------------------------------------------------------------
def test_step1_tag_validation(ows: Path) -> None:
    """Tags follow the hostname syntax (exit 2) and may not look like a hash: 40 hex digits or 6 and
    more lowercase hex digits (ABCDEF is a tag, as in the original)."""
    assert_error(dws(ows, "snapshot", "bad_tag", check=False), code=2)
    assert_error(dws(ows, "snapshot", "abcdef", check=False), "looks like a snapshot id")
    assert_error(dws(ows, "snapshot", "a" * 40, check=False), "looks like a snapshot id")
    dws(ows, "snapshot", "ABCDEF")


def test_step2_tag_already_used_in_batch(ows: Path) -> None:
    """In batch mode a used tag is an error naming the snapshot that has it."""
    dws(ows, "snapshot", "T1")
    sid = snapshot_id_of_tag(ows, "T1")
    (ows / "code" / "x.py").write_text("1\n")
    err = assert_error(dws(ows, "snapshot", "T1", check=False), code=1)
    assert "'T1' already exists" in err and sid[:12] in err


def test_steps3_4_results_template(ows: Path) -> None:
    """The results directory comes from results.dir_template; TAG defaults to the zero-padded snapshot
    number; the variables USERNAME, HOSTNAME, SNAPSHOT_NO, YEAR... expand."""
    step(ows, "step2.py")
    dws(ows, "snapshot")
    assert (ows / "results" / "snapshots" / "testhost-001" / "results.json").exists()
    dws(ows, "config", "results.dir_template", "snapshots/{YEAR}/{HOSTNAME}-{SNAPSHOT_NO}-{TAG}")
    step(ows, "step2.py")
    dws(ows, "snapshot", "T2")
    year = str(__import__("datetime").date.today().year)
    assert (ows / "results" / "snapshots" / year / "testhost-002-T2" / "results.json").exists()


def test_step6_results_moved_read_only_readme_kept(ows: Path) -> None:
    """Every result file except results.move_exclude_files (README.* at the root) moves to the
    snapshot directory, read-only, committed; metrics come from the root results.json; nothing is
    created when there is nothing to move."""
    step(ows, "step2.py")
    (ows / "results" / "sub").mkdir()
    (ows / "results" / "sub" / "deep.txt").write_text("d\n")
    dws(ows, "snapshot", "M1")
    dest = ows / "results" / "snapshots" / "testhost-M1"
    assert (dest / "sub" / "deep.txt").exists() and not (ows / "results" / "sub").exists()
    assert (ows / "results" / "README.txt").exists() and not (dest / "README.txt").exists()
    assert not os.stat(dest / "results.json").st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert "results/snapshots/testhost-M1/results.json" in git_out(ows, "ls-files", "results")
    assert dws_json(ows, "report", "history")[0]["metrics"]["accuracy"] == 0.95
    dws(ows, "snapshot", "M2")
    assert not (ows / "results" / "snapshots" / "testhost-M2").exists()


def test_steps7_8_snapshot_id_is_the_content(ows: Path, tmp_path: Path) -> None:
    """The snapshot hash is the git blob hash of the manifest. Better: the manifest holds only names,
    types, roles and content ids, so equal content gives the same id on any machine and path (the
    original put absolute local-files paths into it, issue #66)."""
    import shutil

    data = tmp_path / "ext1"
    data.mkdir()
    (data / "f.csv").write_text("1\n")
    dws(ows, "add", "local-files", str(data), "--role", "source-data", "--name", "ext")
    dws(ows, "snapshot", "A")
    other = tmp_path / "copy"
    shutil.copytree(ows, other, symlinks=True)
    moved = tmp_path / "ext-elsewhere"
    shutil.copytree(data, moved)
    dws(other, "config", "--resource", "ext", "local_path", str(moved))
    dws(other, "delete-snapshot", "A")
    dws(other, "snapshot", "B")
    assert snapshot_id_of_tag(other, "B") == snapshot_id_of_tag(ows, "A")


def test_step9_lineage_frozen_and_written(ows: Path) -> None:
    """At snapshot the placeholders become the content ids; lineage.json lands in the results
    snapshot directory (committed) and the results' current lineage is cleared."""
    pipeline(ows, "L1")
    sid = snapshot_id_of_tag(ows, "L1")
    lj = ows / "results" / "snapshots" / "testhost-L1" / "lineage.json"
    obj = json.loads(lj.read_text())
    assert obj["resource_name"] == "results" and obj["complete"] is True and obj["snapshot"] == sid
    certs = [c for rec in obj["lineages"] if rec["type"] == "step" for c in rec["input_resources"]]
    assert certs and all(c["certificate"]["cert_type"] == "hash" for c in certs)
    assert "results/snapshots/testhost-L1/lineage.json" in git_out(ows, "ls-files", "results")
    current = {r["resource"] for r in dws_json(ows, "report", "lineage")["lineage"]}
    assert "results" not in current and "intermediate-data" in current


def test_step10_same_content(ows: Path) -> None:
    """Same content again: tags are unioned ("updated"); with nothing new, "no changes" and exit 1;
    the original timestamp is kept."""
    dws(ows, "snapshot", "S1")
    first = dws_json(ows, "report", "history")[0]
    out = dws(ows, "snapshot", "S1b").stdout
    assert "Updated snapshot" in out
    hist = dws_json(ows, "report", "history")
    assert len(hist) == 1 and sorted(hist[0]["tags"]) == ["S1", "S1b"]
    assert hist[0]["timestamp"] == first["timestamp"]
    assert_error(dws(ows, "snapshot", check=False), "no changes since snapshot", code=1)


def test_step11_history_kept_in_git(ows: Path) -> None:
    """Each snapshot is recorded in git (better: tags, notes and an orphan manifest branch instead of
    JSON files committed to the user's branch); the tag names the snapshot."""
    dws(ows, "snapshot", "G1", "-m", "msg")
    sid = snapshot_id_of_tag(ows, "G1")
    assert sid in git_out(ows, "notes", "--ref=dws", "show", "HEAD")
    assert "msg" in git_out(ows, "cat-file", "tag", "G1")


# -- §1.6 restore ------------------------------------------------------------------------------------
def test_lookup_by_tag_prefix_and_full_hash(ows: Path) -> None:
    """A snapshot is named by its tag, its full hash or a prefix of at least 6 hex digits."""
    dws(ows, "snapshot", "R1")
    sid = snapshot_id_of_tag(ows, "R1")
    for name in ("R1", sid, sid[:7]):
        assert dws_json(ows, "report", "lineage", "--snapshot", name)["snapshot"] == sid


def test_restore_sets_and_results(ows: Path) -> None:
    """--only forces strict; results in the set are refused with --only and skipped (and said)
    otherwise; unknown names are an error; resources added since are left as they are."""
    pipeline(ows, "R1")
    assert_error(dws(ows, "restore", "--only", "results", "R1", check=False), "results")
    assert_error(dws(ows, "restore", "--only", "nosuch", "R1", check=False), "nosuch")
    (ows / "late").mkdir()
    dws(ows, "add", "local-files", "late", "--role", "source-data")
    (ows / "source-data" / "data.csv").write_text("new\n")
    dws(ows, "snapshot", "R2")
    proc = dws(ows, "restore", "R1")
    text = proc.stdout + proc.stderr
    assert "results" in text and "late" in text
    assert (ows / "source-data" / "data.csv").read_text() == "a,b,c\n1,2,3\n"


def test_restore_nothing_to_do(ows: Path) -> None:
    """An empty restore set is not an error (exit 0)."""
    dws(ows, "snapshot", "N1")
    assert dws(ows, "restore", "--leave", "source-data,intermediate-data,code", "N1").returncode == 0


def test_restore_brings_the_lineage_back(ows: Path) -> None:
    """Restore copies the snapshot's lineage back as the current lineage of what it restored."""
    pipeline(ows, "L1")
    step(ows, "step1.py", "--size", "7")
    (ows / "intermediate-data" / "extra.txt").write_text("e\n")
    dws(ows, "snapshot", "L2")
    dws(ows, "restore", "--only", "intermediate-data", "L1")
    rec = next(r for r in dws_json(ows, "report", "lineage")["lineage"] if r["resource"] == "intermediate-data")
    assert rec["parameters"] == {"size": 50}
