"""ORIGINAL.md §4 "Bugs and limitations found by experiment", items 1-11: one test each showing that
git-dws does not have the bug (each test fails on the behaviour the original had)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from pathlib import Path

from conftest import assert_error, dws, dws_json, git, git_out, snapshot_id_of_tag

from git_dws.model.snapshot import SnapshotContent
from git_dws.ops.snapshot import take_snapshot
from git_dws.workspace import Workspace

from .conftest import pipeline, step


def test_1_binary_files_restore(ows: Path, tmp_path: Path) -> None:
    """The original restored with `git diff | git apply` without --binary: "cannot apply binary
    patch", half-restored. Binary files in a git-subdirectory and in a separate git repository
    restore exactly."""
    original = bytes(range(256)) * 64
    (ows / "source-data" / "model.bin").write_bytes(original)
    repo = tmp_path / "ext"
    git(tmp_path, "init", "-q", str(repo))
    (repo / "w.bin").write_bytes(original)
    git(repo, "add", "w.bin")
    git(repo, "commit", "-q", "-m", "w")
    git(repo, "remote", "add", "origin", str(tmp_path / "none.git"))
    dws(ows, "add", "git", str(repo), "--role", "intermediate-data", "--name", "ext")
    dws(ows, "snapshot", "B1")
    (ows / "source-data" / "model.bin").write_bytes(b"\0\1\2" * 999)
    (repo / "w.bin").write_bytes(b"\xff" * 100)
    git(repo, "commit", "-q", "-am", "w2")
    dws(ows, "snapshot", "B2")
    dws(ows, "restore", "B1")
    assert (ows / "source-data" / "model.bin").read_bytes() == original
    assert (repo / "w.bin").read_bytes() == original


def test_2_moving_a_tag_keeps_the_other_tags(ows: Path) -> None:
    """Removing an existing tag interactively dropped all tags of the old snapshot. Here moving tag S1
    (confirmed) leaves the old snapshot its other tag S1b."""
    dws(ows, "snapshot", "S1")
    dws(ows, "snapshot", "S1b")  # same content: tags unioned
    old = snapshot_id_of_tag(ows, "S1")
    (ows / "code" / "new.py").write_text("x = 2\n")
    take_snapshot(Workspace.open(str(ows)), "S1", confirm=lambda question: True)
    assert snapshot_id_of_tag(ows, "S1") != old
    tags = {h["id"]: h["tags"] for h in dws_json(ows, "report", "history")}
    assert tags[old] == ["S1b"]


def test_3_changing_the_template_does_not_nest_old_results(ows: Path) -> None:
    """Changing results.dir_template made old snapshot directories non-matching, so they were moved
    into the next snapshot's directory. Old snapshot directories stay where they are."""
    step(ows, "step2.py")
    dws(ows, "snapshot", "T1")
    dws(ows, "config", "results.dir_template", "snapshots/{YEAR}/{HOSTNAME}-{TAG}")
    step(ows, "step2.py")
    dws(ows, "snapshot", "T2")
    assert (ows / "results" / "snapshots" / "testhost-T1" / "results.json").exists()
    assert not list((ows / "results" / "snapshots").glob("*/*/snapshots"))


def test_4_updating_a_snapshot_keeps_its_results_directory(ows: Path) -> None:
    """Merging into an existing snapshot overwrote its results directory, so delete-snapshot deleted a
    wrong or nonexistent one. Here the updated snapshot keeps its directory and deleting it removes
    that directory."""
    (ows / "results" / "out.txt").write_text("o\n")
    dws(ows, "snapshot", "T1")
    dws(ows, "snapshot", "T3")  # same content: updates T1's snapshot
    assert len(dws_json(ows, "report", "history")) == 1
    sid = snapshot_id_of_tag(ows, "T3")
    meta = json.loads(git_out(ows, "show", f"refs/dws/manifests:snapshots/{sid}/SNAPSHOT"))
    assert meta["results_dir"] == "snapshots/testhost-T1" and sorted(meta["tags"]) == ["T1", "T3"]
    dws(ows, "delete-snapshot", "T3")
    assert not (ows / "results" / "snapshots" / "testhost-T1").exists()


def test_5_local_files_same_size_edits_restore_and_overlap(ows: Path) -> None:
    """local-files: size-only hashing missed same-size edits, restore never restored, no overlap check.
    Here a same-size edit is a new snapshot, restore puts the old bytes back, overlaps are refused."""
    ext = ows / "ext"
    ext.mkdir()
    (ext / "f.txt").write_text("abc")
    dws(ows, "add", "local-files", "ext", "--role", "source-data")
    dws(ows, "snapshot", "L1")
    (ext / "f.txt").write_text("xyz")
    status = {r["name"]: r for r in dws_json(ows, "status")["resources"]}
    assert not status["ext"]["clean"]
    dws(ows, "snapshot", "L2")
    assert snapshot_id_of_tag(ows, "L1") != snapshot_id_of_tag(ows, "L2")
    dws(ows, "restore", "L1")
    assert (ext / "f.txt").read_text() == "abc"
    (ext / "inner").mkdir()
    assert_error(dws(ows, "add", "local-files", "ext/inner", "--role", "source-data", check=False), "overlaps")


def test_6_restore_strict_with_a_results_resource(ows: Path) -> None:
    """`restore --strict` always failed when the workspace had a results resource. Here results are
    simply not part of the restore set and --strict restores the rest."""
    pipeline(ows, "R1")
    (ows / "source-data" / "data.csv").write_text("changed\n")
    dws(ows, "snapshot", "R2")
    dws(ows, "restore", "--strict", "R1")
    assert (ows / "source-data" / "data.csv").read_text() == "a,b,c\n1,2,3\n"


def test_7_divergent_collaborators(shared: tuple[Path, Path, Path]) -> None:
    """The original's plain `git pull` refused divergent branches and its push precheck was then
    fooled. Here a divergent pull stops with a hint naming --merge/--rebase, push is refused with a
    hint (not half-done), and `pull --merge` reconciles: both sides' snapshots are kept."""
    _, a, b = shared
    (a / "code" / "a.py").write_text("a\n")
    dws(a, "snapshot", "FromA")
    dws(a, "push")
    (b / "code" / "b.py").write_text("b\n")
    dws(b, "snapshot", "FromB")
    err = assert_error(dws(b, "pull", check=False))
    assert "--merge" in err or "--rebase" in err
    assert_error(dws(b, "push", check=False))
    dws(b, "pull", "--merge")
    tags = {t for h in dws_json(b, "report", "history") for t in h["tags"]}
    assert {"FromA", "FromB"} <= tags
    dws(b, "push")


def test_8_lineage_bugs(ows: Path) -> None:
    """(a) output placeholders were written `is_ouput` and re-read as inputs: we write `is_output`;
    (b) `report results --snapshot` never found results.json in a subpath: it does;
    (c) a LineageConflictError came at complete(), after results.json was written: it comes first,
    names both steps and the fix, and is one error:/hint: pair, no traceback, under `git dws run`."""
    step(ows, "step1.py", "--out", "intermediate-data/s1")
    raw = (ows / ".git" / "dws" / "lineage" / "intermediate-data.json").read_text()
    assert '"is_output": true' in raw and "is_ouput" not in raw
    step(ows, "step2.py", "--input", "intermediate-data/s1", "--results", "results/sub")
    dws(ows, "snapshot", "S1")
    out = dws(ows, "report", "results", "--snapshot", "S1").stdout
    assert "snapshots/testhost-S1/sub/results.json" in out
    proc = dws(ows, "run", "--", sys.executable, "code/step2.py", "--results", "intermediate-data", check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert not (ows / "intermediate-data" / "results.json").exists()
    line = next(x for x in proc.stderr.splitlines() if x.startswith("error: "))
    assert "step step2" in line and "step step1" in line and "intermediate-data:/s1" in line
    assert any(
        x.startswith("hint: ") and "git dws lineage clear intermediate-data" in x for x in proc.stderr.splitlines()
    )


def _tree_id(entries: list[tuple[str, str, bytes]]) -> str:
    body = b"".join(
        f"{mode} {name}".encode() + b"\0" + bytes.fromhex(oid)
        for mode, name, oid in sorted(entries, key=lambda e: e[1].encode())
    )  # type: ignore[arg-type]
    return hashlib.sha1(b"tree %d\0" % len(body) + body).hexdigest()


def test_9_ambiguous_prefix_is_detected(ows: Path) -> None:
    """get_snapshot_by_partial_hash took the first match. Here two snapshots whose ids share a 4-digit
    prefix (found by computing ids ahead, as a snapshot would) make that prefix an error listing both."""
    dws(ows, "snapshot", "base")
    ws = Workspace.open(str(ows))
    content = ws.db.get(snapshot_id_of_tag(ows, "base")).content
    readme = git_out(ows, "rev-parse", "HEAD:source-data/README.txt")

    def sid_for(text: str) -> str:
        blob = hashlib.sha1(b"blob %d\0" % len(text) + text.encode()).hexdigest()
        tree = _tree_id([("100644", "README.txt", readme), ("100644", "data.csv", blob)])  # type: ignore[list-item]
        states = tuple(dataclasses.replace(r, tree=tree) if r.name == "source-data" else r for r in content.resources)
        return SnapshotContent(states).id

    seen: dict[str, str] = {}
    for i in range(100000):
        text = f"v{i}\n"
        prefix = sid_for(text)[:4]
        if prefix in seen:
            first, second = seen[prefix], text
            break
        seen[prefix] = text
    ids = []
    for text in (first, second):
        (ows / "source-data" / "data.csv").write_text(text)
        dws(ows, "snapshot")
        ids.append(sid_for(text))
    assert ids[0] in {h["id"] for h in dws_json(ows, "report", "history")}
    err = assert_error(dws(ows, "restore", prefix, check=False), "ambiguous")
    assert ids[0][:12] in err or ids[0] in err


def test_10_read_only_git_resources_and_restored_heads(ows: Path, tmp_path: Path) -> None:
    """Read-only git resources got "autocommit ahead of snapshot" commits, and a restored git resource
    got a new HEAD, so equal content gave a new snapshot hash. Here a dirty read-only repository is
    refused (nothing committed in it), and restoring gives back the very same snapshot id."""
    repo = tmp_path / "ro"
    git(tmp_path, "init", "-q", str(repo))
    (repo / "a.txt").write_text("1\n")
    git(repo, "add", "a.txt")
    git(repo, "commit", "-q", "-m", "one")
    git(repo, "remote", "add", "origin", str(tmp_path / "ro-origin.git"))
    dws(ows, "add", "git", str(repo), "--role", "source-data", "--name", "ro", "--read-only")
    dws(ows, "snapshot", "G1")
    (repo / "a.txt").write_text("dirty\n")
    before = git_out(repo, "rev-parse", "HEAD")
    assert_error(dws(ows, "snapshot", "G2", check=False), "read-only resource 'ro' has uncommitted changes")
    assert git_out(repo, "rev-parse", "HEAD") == before
    git(repo, "commit", "-q", "-am", "two")
    dws(ows, "snapshot", "G2")
    dws(ows, "restore", "G1")
    out = dws(ows, "snapshot", "G3").stdout
    assert "Updated snapshot" in out and snapshot_id_of_tag(ows, "G3") == snapshot_id_of_tag(ows, "G1")


def test_11_multi_line_values_in_reports(ows: Path) -> None:
    """print_utils._truncate raised a TypeError on multi-line values. Multi-line messages and
    parameters show in the reports."""
    dws(ows, "snapshot", "M1", "-m", "first line\nsecond line\n" + "x" * 200)
    assert "first line" in dws(ows, "report", "history").stdout
    dws(ows, "run", "--param", "note=a\nb", "--output", "intermediate-data", "--", "true")
    assert dws(ows, "report", "lineage").returncode == 0
    dws(ows, "config", "results.move_exclude_files", json.dumps(["README.txt", "a\nb"]))
    assert dws(ows, "config").returncode == 0
