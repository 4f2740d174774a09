"""Export in one workspace, import in a second (the original's test_export/test_import): lineage.json at
the root of exported resources, results copied rather than moved, nested lineage read on import."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import assert_error, dws, dws_json, git_out, run

from git_dws.lineage import LineageBuilder, invalidate
from git_dws.workspace import Workspace


def workspace(root: Path, roles: str = "code,source-data") -> Path:
    root.mkdir()
    dws(root, "init", "--hostname", "test-host", "--create-resources", roles)
    return root


def test_export_then_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = workspace(tmp_path / "a")
    (a / "source-data" / "data.csv").write_text("X1,X2,Y\n1,2,1\n2,2,0\n")
    (a / "im").mkdir()
    dws(a, "add", "local-files", "im", "--role", "intermediate-data", "--name", "exported-resource", "--export")
    (a / "results").mkdir()
    dws(a, "add", "git", "results", "--role", "results", "--export")
    monkeypatch.chdir(a)
    with (LineageBuilder().with_step_name("prep").with_parameters({"a": 5})
          .with_input_path("source-data/data.csv").eval()) as lineage:
        lineage.add_output_path("im/im_data.csv")
        (a / "im" / "im_data.csv").write_text("PRED\n1\n0\n")
    with (LineageBuilder().with_step_name("code.py").with_parameters({"a": 5})
          .with_input_path("im").as_results_step("results").eval()) as lineage:
        lineage.write_results({"accuracy": 0.95, "recall": 0.8})  # type: ignore[attr-defined]
    dws(a, "snapshot", "tag1")

    exported = json.loads((a / "im" / "lineage.json").read_text())
    assert exported["resource_name"] == "exported-resource" and exported["complete"] is True
    kinds = sorted((r["type"], r.get("step_name", "")) for r in exported["lineages"])
    assert kinds == [("source_data", ""), ("step", "prep")]
    # results of an exported resource are copied: results.json stays at the root for the importer
    assert (a / "results" / "results.json").exists()
    assert (a / "results" / "snapshots" / "test-host-tag1" / "results.json").exists()
    assert json.loads((a / "results" / "lineage.json").read_text())["resource_name"] == "results"
    # where git holds the resource, lineage.json is committed after the snapshot (it travels with the
    # data); a local-files resource keeps it out of its content
    tracked = git_out(a, "ls-files", "results").split()
    assert {"results/lineage.json", "results/snapshots/test-host-tag1/lineage.json"} <= set(tracked)
    assert git_out(a, "status", "--porcelain") == ""
    status = {r["name"]: r for r in dws_json(a, "status")["resources"]}
    assert status["exported-resource"]["clean"]
    dws(a, "snapshot", "tag2")  # lineage.json rewritten; exported results copied again
    diff = {r["name"]: r for r in dws_json(a, "diff", "tag1", "tag2")["resources"]}
    assert diff["exported-resource"]["state"] == "same"
    assert "snapshots/test-host-tag2/results.json" in diff["results"]["added"]

    b = workspace(tmp_path / "b", "code,results")
    shutil.copytree(a / "im", b / "imported")
    assert_error(dws(b, "add", "local-files", "imported", "--imported", check=False),
                 "describes resource 'exported-resource'")
    assert_error(dws(b, "add", "local-files", "imported", "--export", "--role", "source-data", check=False),
                 "--export is not allowed for role source-data", code=2)
    dws(b, "add", "local-files", "imported", "--imported", "--name", "exported-resource")
    assert dws_json(b, "report", "status")["resources"][0]["role"] == "source-data"
    rows = {r["resource"]: r for r in dws_json(b, "report", "lineage")["lineage"]}
    assert rows["exported-resource:/im_data.csv"]["type"] == "Step"
    assert rows["source-data:/data.csv"]["type"] == "Source Data"  # from workspace a

    monkeypatch.chdir(b)
    with (LineageBuilder().with_step_name("train").with_parameters({})
          .with_input_path("imported").as_results_step("results").eval()) as lineage:
        lineage.write_results({"accuracy": 0.9})  # type: ignore[attr-defined]
    dws(b, "snapshot", "b1")
    dot = dws(b, "lineage", "graph", str(tmp_path / "b.dot"), "--snapshot", "b1").stdout
    assert "results" in dot
    text = (tmp_path / "b.dot").read_text()
    for label in ("train", "prep", "exported-resource:/im_data.csv", "source-data:/data.csv"):
        assert label in text, text

    # pull invalidation: an imported resource reads its lineage.json again
    invalidate(Workspace.open(str(b)), ["exported-resource"])
    rows = {r["resource"] for r in dws_json(b, "report", "lineage")["lineage"]}
    assert "exported-resource:/im_data.csv" in rows


def test_import_needs_lineage_json(tmp_path: Path) -> None:
    b = workspace(tmp_path / "b", "code")
    (b / "plain").mkdir()
    err = assert_error(dws(b, "add", "local-files", "plain", "--imported", check=False))
    assert "lineage.json does not exist" in err
    assert "plain" not in (b / ".dws.toml").read_text()
    assert_error(dws(b, "add", "local-files", "plain", "--imported", "--export", check=False),
                 "cannot be used together", code=2)
    run(b, "git", "status")
