"""The original's lineage scenario end to end: source-data -> step1 -> intermediate-data -> step2 ->
results, run, snapshotted, re-run, snapshotted, restored. Plain git reads what the snapshots hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import dws, dws_json, fsck, git_out, snapshot_id_of_tag
from lineage_fixtures import all_certs, current_lineage, lws, resource_tree, snapshot_lineage, step

from git_dws.lineage import LineageBuilder, LineageConsistencyError

__all__ = ["lws"]


def test_two_step_pipeline_snapshot_rerun_restore(lws: Path) -> None:
    ws = lws
    step(ws, "step1.py", "--size", "10")
    out = step(ws, "step2.py", "--gamma", "0.5").stdout
    assert "results:results.json" in out
    results = json.loads((ws / "results" / "results.json").read_text())
    assert set(results) == {"step", "start_time", "execution_time_seconds", "parameters", "run_description",
                            "metrics"}
    assert results["step"] == "step2" and results["parameters"] == {"gamma": 0.5}
    assert results["run_description"] == "test run" and results["metrics"]["loss"] == 0.5
    assert results["execution_time_seconds"] >= 0

    # current lineage: per machine under .git/dws/, never in the work tree or committed
    cur = current_lineage(ws)
    assert set(cur) == {"source-data", "code", "intermediate-data", "results"}
    placeholders = [c for f in cur.values() for r in f["lineages"] for c in all_certs(r)
                    if c["certificate"]["cert_type"] == "placeholder"]
    assert placeholders and all("is_ouput" not in c["certificate"] for c in placeholders)
    outs = [c for c in cur["intermediate-data"]["lineages"][0]["output_resources"]]
    assert outs[0]["certificate"]["is_output"] is True
    assert git_out(ws, "status", "--porcelain", "--ignored", "--untracked-files=all").find("lineage") == -1

    dws(ws, "snapshot", "S1")
    s1 = snapshot_id_of_tag(ws, "S1")
    frozen = snapshot_lineage(ws, s1)
    assert set(frozen) == {"source-data", "code", "intermediate-data", "results"}
    records = [r for f in frozen.values() for r in f["lineages"]]
    assert len(records) == 4  # source data, code, step1, step2
    assert sorted(r["type"] for r in records) == ["code", "source_data", "step", "step"]
    # every certificate is an exact content id: the resource's manifest tree in that snapshot
    for r in records:
        for c in all_certs(r):
            assert c["certificate"]["cert_type"] == "hash", c
            assert c["certificate"]["hashval"] == resource_tree(ws, s1, c["resource_name"])
    step1 = frozen["intermediate-data"]["lineages"][0]
    assert step1["step_name"] == "step1" and step1["parameters"] == {"size": 10}
    assert [c["resource_name"] for c in step1["code_resources"]] == ["code"]
    assert step1["command_line"][1:] == ["code/step1.py", "--size", "10"]
    # results moved away: their current lineage is forgotten, the rest is resolved in place
    cur = current_lineage(ws)
    assert "results" not in cur
    assert cur["intermediate-data"]["lineages"][0]["output_resources"][0]["certificate"]["cert_type"] == "hash"
    assert json.loads((ws / "results/snapshots/testhost-S1/results.json").read_text())["metrics"]["loss"] == 0.5

    first = (ws / "intermediate-data" / "out.csv").read_text()
    step(ws, "step1.py", "--size", "20")
    step(ws, "step2.py", "--gamma", "0.25")
    dws(ws, "snapshot", "S2")
    s2 = snapshot_id_of_tag(ws, "S2")
    frozen2 = snapshot_lineage(ws, s2)
    assert len([r for f in frozen2.values() for r in f["lineages"]]) == 4
    assert frozen2["intermediate-data"]["lineages"][0]["parameters"] == {"size": 20}
    assert frozen2["source-data"] == frozen["source-data"]  # unchanged source data, same version
    assert frozen2["intermediate-data"]["lineages"][0]["output_resources"][0]["certificate"]["hashval"] \
        != step1["output_resources"][0]["certificate"]["hashval"]

    history = dws_json(ws, "report", "history")
    assert [s["metrics"]["loss"] for s in history if s["tags"]] == [0.25, 0.5]  # (hooks may add untagged)

    dws(ws, "restore", "S1")
    assert (ws / "intermediate-data" / "out.csv").read_text() == first
    cur = current_lineage(ws)
    assert cur["intermediate-data"]["lineages"] == frozen["intermediate-data"]["lineages"]
    lineage = dws_json(ws, "report", "lineage")
    rows = {r["resource"]: r for r in lineage["lineage"]}
    assert rows["intermediate-data"]["type"] == "Step"
    assert rows["intermediate-data"]["inputs"] == ["source-data (current)"]
    assert rows["source-data"]["type"] == "Source Data" and rows["code"]["type"] == "Code"
    fsck(ws)


def test_report_lineage_and_results_text_and_json(lws: Path) -> None:
    ws = lws
    step(ws, "step1.py")
    step(ws, "step2.py", "--input", "intermediate-data", "--results", "results/stage2")
    text = dws(ws, "report", "lineage").stdout
    for word in ("Resource", "Step", "step1 at", "results:/stage2", "intermediate-data (current)",
                 "Placeholder:version=1"):
        assert word in text, text
    rep = dws_json(ws, "report", "results")
    assert [f["location"] for f in rep["files"]] == ["results:/stage2/results.json"]
    assert rep["snapshot"] is None
    text = dws(ws, "report", "results").stdout
    assert "Results file at results:/stage2/results.json" in text
    assert "Metrics: report" in text and "accuracy" in text and "gamma" in text

    dws(ws, "snapshot", "T1")
    # the subpath results.json moved into the snapshot's results directory and is found there
    rep = dws_json(ws, "report", "results", "--snapshot", "T1")
    assert [f["path"] for f in rep["files"]] == ["snapshots/testhost-T1/stage2/results.json"]
    # nothing left in the working copy: the latest snapshot is used, with a note on stderr
    proc = dws(ws, "report", "results", "--json")
    assert json.loads(proc.stdout)["fallback"] is True
    assert "most recent snapshot" in proc.stderr
    frozen = dws_json(ws, "report", "lineage", "--snapshot", "T1")
    assert frozen["tags"] == ["T1"]
    assert {r["resource"] for r in frozen["lineage"]} == {"source-data", "code", "intermediate-data",
                                                           "results:/stage2"}
    assert all("Hash:" in r["details"] or r["type"] == "Step" for r in frozen["lineage"])


def test_compare_snapshots(lws: Path) -> None:
    ws = lws
    for gamma, tag in (("0.5", "A"), ("0.25", "B")):
        step(ws, "step1.py")
        step(ws, "step2.py", "--gamma", gamma)
        dws(ws, "snapshot", tag)
    cmp = dws_json(ws, "report", "compare", "A", "B")
    assert [s["tags"] for s in cmp["snapshots"]] == [["A"], ["B"]]
    metrics = {m["name"]: m for m in cmp["metrics"]}
    assert metrics["loss"]["values"] == [0.5, 0.25] and metrics["loss"]["differs"]
    assert metrics["report.a"]["values"] == [1, 1] and not metrics["report.a"]["differs"]
    params = {p["name"]: p for p in cmp["parameters"]}
    assert params["gamma"]["values"] == [0.5, 0.25]
    text = dws(ws, "report", "compare", "A", "B").stdout
    assert "Metrics" in text and "Parameters" in text and "* loss" in text


def test_failed_step_records_nothing_and_forgets_outputs(lws: Path) -> None:
    ws = lws
    step(ws, "step1.py")
    assert "intermediate-data" in current_lineage(ws)
    proc = step(ws, "step1.py", "--fail", check=False)
    assert proc.returncode != 0
    cur = current_lineage(ws)
    assert "intermediate-data" not in cur  # unknown state after a failed write
    assert "source-data" in cur


def test_changed_source_data_gets_its_new_version(lws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = lws
    step(ws, "step1.py", "--out", "intermediate-data/old")
    dws(ws, "snapshot", "S1")
    (ws / "source-data" / "data.csv").write_text("a,b,c\n4,5,6\n")  # changed after the snapshot
    # a step combining data derived from the old version with the new one is refused
    monkeypatch.chdir(ws)
    builder = (LineageBuilder().with_step_name("mix").with_parameters({})
               .with_input_path("intermediate-data/old").with_input_path("source-data"))
    with pytest.raises(LineageConsistencyError, match="source-data"):
        builder.eval()
    step(ws, "step1.py", "--out", "intermediate-data/new")
    dws(ws, "snapshot", "S2")
    s1, s2 = snapshot_id_of_tag(ws, "S1"), snapshot_id_of_tag(ws, "S2")
    frozen = snapshot_lineage(ws, s2)["intermediate-data"]["lineages"]
    by_out = {r["output_resources"][0]["subpath"]: r for r in frozen}
    read = {k: r["input_resources"][0]["certificate"]["hashval"] for k, r in by_out.items()}
    assert read == {"old": resource_tree(ws, s1, "source-data"), "new": resource_tree(ws, s2, "source-data")}
    rows = {r["resource"]: r for r in dws_json(ws, "report", "lineage", "--snapshot", "S2")["lineage"]}
    new = resource_tree(ws, s2, "source-data")[:8]
    assert rows["intermediate-data:/new"]["inputs"] == [f"source-data (Hash:{new})"]
    assert rows["intermediate-data:/old"]["inputs"][0].startswith("source-data (Hash:")
