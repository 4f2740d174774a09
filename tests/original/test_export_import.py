"""ORIGINAL.md §1.7, export/import: an exported resource carries its lineage.json; another workspace
imports it as source data and its reports and graphs show the exporting workspace's steps nested.
Also the `pull` rule: a pulled resource loses its current lineage."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from conftest import assert_error, dws, dws_json, git, git_out, run

PREP = """\
from git_dws.lineage import LineageBuilder
b = LineageBuilder().as_script_step().with_parameters({"n": 3}).with_input_path("source-data/data.csv")
with b.eval() as lineage:
    lineage.add_output_path("../shared/im_data.csv")
    open("../shared/im_data.csv", "w").write("PRED\\n1\\n")
"""

TRAIN = """\
from git_dws.lineage import LineageBuilder
b = (LineageBuilder().with_step_name("train").with_parameters({"lr": 0.1})
     .with_input_path("../shared-b/im_data.csv").as_results_step("results"))
with b.eval() as lineage:
    lineage.write_results({"accuracy": 0.9})
"""


def _repo(tmp_path: Path, path: Path) -> Path:
    origin = tmp_path / f"{path.name}-origin.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    git(tmp_path, "clone", "-q", str(origin), str(path))
    (path / "README").write_text("shared\n")
    git(path, "add", "README")
    git(path, "commit", "-q", "-m", "init")
    git(path, "push", "-q", "origin", "HEAD")
    return origin


def test_export_separate_repository_import_in_another_workspace(ows: Path, tmp_path: Path) -> None:
    """`add git --export` of a separate repository (the original allowed it; git-dws used to refuse):
    the snapshot commits lineage.json in that repository; a second workspace adds its clone with
    `--imported` (source data, read-only), and its lineage report and graph show workspace A's step
    `prep` nested under the imported resource, then B's own step."""
    origin = _repo(tmp_path, tmp_path / "shared")
    dws(ows, "add", "git", str(tmp_path / "shared"), "--role", "intermediate-data", "--name", "shared", "--export")
    (ows / "code" / "prep.py").write_text(PREP)
    git(ows, "add", "code/prep.py")
    git(ows, "commit", "-q", "-m", "prep")
    run(ows, sys.executable, "code/prep.py")
    dws(ows, "snapshot", "A1")
    assert git_out(tmp_path / "shared", "log", "-1", "--format=%s").startswith("git dws: lineage.json")
    exported = json.loads((tmp_path / "shared" / "lineage.json").read_text())
    assert exported["resource_name"] == "shared" and exported["complete"]
    git(tmp_path / "shared", "push", "-q", "origin", "HEAD")

    git(tmp_path, "clone", "-q", str(origin), str(tmp_path / "shared-b"))
    b = tmp_path / "b"
    b.mkdir()
    dws(b, "init", "--hostname", "hb", "--create-resources", "code,results", "--no-hooks")
    assert_error(
        dws(b, "add", "git", str(tmp_path / "shared-b"), "--imported", check=False), "describes resource 'shared'"
    )
    dws(b, "add", "git", str(tmp_path / "shared-b"), "--imported", "--name", "shared")
    spec = (b / ".dws.toml").read_text().split("[resources.shared]")[1]
    assert 'role = "source-data"' in spec and "read_only = true" in spec and "imported = true" in spec
    rows = {r["resource"]: r for r in dws_json(b, "report", "lineage")["lineage"]}
    assert rows["shared:/im_data.csv"]["type"] == "Step" and "prep at" in rows["shared:/im_data.csv"]["details"]
    assert rows["shared:/im_data.csv"]["parameters"] == {"n": 3}
    assert rows["source-data:/data.csv"]["type"] == "Source Data"  # workspace A's source data

    (b / "code" / "train.py").write_text(TRAIN)
    run(b, sys.executable, "code/train.py")
    dws(b, "snapshot", "B1")
    dws(b, "lineage", "graph", str(tmp_path / "b.dot"), "--snapshot", "B1")
    dot = (tmp_path / "b.dot").read_text()
    for label in ("train", "prep", "shared:/im_data.csv", "source-data:/data.csv", "n=3", "lr=0.1"):
        assert label in dot, label


def test_export_results_copied_with_lineage(ows: Path) -> None:
    """Exported results are copied, not moved: results.json stays at the root, a copy lands in the
    snapshot directory with lineage.json; lineage.json is also written at the root."""
    (ows / "pub").mkdir()
    dws(ows, "add", "git", "pub", "--role", "results", "--export")
    from .conftest import step

    step(ows, "step1.py")
    step(ows, "step2.py", "--results", "pub")
    dws(ows, "snapshot", "E1")
    assert (ows / "pub" / "results.json").exists()
    assert (ows / "pub" / "snapshots" / "testhost-E1" / "results.json").exists()
    assert json.loads((ows / "pub" / "lineage.json").read_text())["resource_name"] == "pub"
    assert (ows / "pub" / "snapshots" / "testhost-E1" / "lineage.json").exists()
    tracked = git_out(ows, "ls-files", "pub").split()
    assert "pub/lineage.json" in tracked and "pub/snapshots/testhost-E1/lineage.json" in tracked


def test_rclone_export_and_import(ows: Path, tmp_path: Path, hermetic: Path) -> None:
    """`add rclone --export` / `--imported` (the original's options; git-dws used to lack --imported):
    workspace A exports an rclone mirror; workspace B's rclone mirror of that directory imports its
    lineage."""
    conf = hermetic / ".config" / "rclone" / "rclone.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text("[loc]\ntype = local\n")
    remote = tmp_path / "remote-dir"
    remote.mkdir()
    dws(
        ows,
        "add",
        "rclone",
        f"loc:{remote}",
        str(tmp_path / "shared"),
        "--role",
        "intermediate-data",
        "--name",
        "shared",
        "--export",
        "--master",
        "local",
    )
    (ows / "code" / "prep.py").write_text(PREP)
    git(ows, "add", "code/prep.py")
    git(ows, "commit", "-q", "-m", "prep")
    run(ows, sys.executable, "code/prep.py")
    dws(ows, "snapshot", "A1")
    assert json.loads((tmp_path / "shared" / "lineage.json").read_text())["resource_name"] == "shared"
    remote = tmp_path / "shared"  # B mirrors A's exported directory (as if A had pushed it)

    b = tmp_path / "b"
    b.mkdir()
    dws(b, "init", "--hostname", "hb", "--no-hooks")
    assert_error(
        dws(
            b,
            "add",
            "rclone",
            f"loc:{remote}",
            str(tmp_path / "shared-b"),
            "--imported",
            "--role",
            "intermediate-data",
            check=False,
        ),
        code=2,
    )
    dws(
        b,
        "add",
        "rclone",
        f"loc:{remote}",
        str(tmp_path / "shared-b"),
        "--imported",
        "--name",
        "shared",
        "--master",
        "remote",
    )
    rows = {r["resource"]: r for r in dws_json(b, "report", "lineage")["lineage"]}
    assert "prep at" in rows["shared:/im_data.csv"]["details"]


def test_pull_clears_the_lineage_of_pulled_resources(shared: tuple[Path, Path, Path]) -> None:
    """The original clears the current lineage of every pulled resource: data a pull changed is no
    longer what the recorded step wrote. Here: B records a step for intermediate-data, A changes
    intermediate-data and pushes, B pulls; B's step is forgotten for intermediate-data."""
    _, a, b = shared
    dws(b, "run", "--step", "b-step", "--input", "source-data", "--output", "intermediate-data", "--", "true")
    assert any("b-step" in r["details"] for r in dws_json(b, "report", "lineage")["lineage"])
    (a / "intermediate-data" / "new.csv").write_text("1\n")
    dws(a, "snapshot", "A2")
    dws(a, "push")
    dws(b, "pull")
    assert (b / "intermediate-data" / "new.csv").exists()
    assert not any("b-step" in r["details"] for r in dws_json(b, "report", "lineage")["lineage"])
