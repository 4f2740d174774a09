"""`git dws run`: lineage for any command, here shell pipelines and a Python script."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import assert_error, dws, dws_json, snapshot_id_of_tag
from lineage_fixtures import all_certs, current_lineage, lws, resource_tree, snapshot_lineage

__all__ = ["lws"]


def test_run_records_a_shell_pipeline(lws: Path) -> None:
    ws = lws
    (ws / "source-data" / "data.csv").write_text("c\nb\na\nd\n")
    pipeline = "sort source-data/data.csv | head -n 3 > intermediate-data/top.csv"
    proc = dws(ws, "run", "--step", "top3", "--input", "source-data:data.csv", "--output", "intermediate-data",
               "--param", "n=3", "--param", "order=asc", "--", "sh", "-c", pipeline)
    assert "Recorded step top3" in proc.stderr
    assert (ws / "intermediate-data" / "top.csv").read_text() == "a\nb\nc\n"
    rec = current_lineage(ws)["intermediate-data"]["lineages"][0]
    assert rec["type"] == "step" and rec["step_name"] == "top3"
    assert rec["parameters"] == {"n": 3, "order": "asc"}
    assert rec["command_line"] == ["sh", "-c", pipeline]
    assert [(c["resource_name"], c["subpath"]) for c in rec["input_resources"]] == [("source-data", "data.csv")]
    assert rec["run_from_directory"] is None  # run from the workspace root, which is no resource

    # a second step in Python, reading the first one's output; the script is a code dependency
    (ws / "code" / "count.py").write_text(
        "import sys\nn = len(open('intermediate-data/top.csv').read().split())\n"
        "open('results/count.txt', 'w').write(str(n))\n")
    dws(ws, "run", "--input", "intermediate-data", "--output", "results", "--", "python3", "code/count.py")
    rec = current_lineage(ws)["results"]["lineages"][0]
    assert rec["step_name"] == "count"
    assert [c["resource_name"] for c in rec["code_resources"]] == ["code"]

    dws(ws, "snapshot", "R1")
    sid = snapshot_id_of_tag(ws, "R1")
    frozen = snapshot_lineage(ws, sid)
    steps = [r for f in frozen.values() for r in f["lineages"] if r["type"] == "step"]
    assert sorted(s["step_name"] for s in steps) == ["count", "top3"]
    for s in steps:
        for c in all_certs(s):
            assert c["certificate"]["hashval"] == resource_tree(ws, sid, c["resource_name"])
    table = dws_json(ws, "report", "lineage", "--snapshot", "R1")["lineage"]
    rows = {r["resource"]: r for r in table}
    inter = resource_tree(ws, sid, "intermediate-data")[:8]
    assert rows["results"]["inputs"] == [f"intermediate-data (Hash:{inter})"]  # frozen: the hash, not "current"
    assert rows["source-data:/data.csv"]["type"] == "Source Data"


def test_run_failure_and_conflicts(lws: Path) -> None:
    ws = lws
    dws(ws, "run", "--step", "ok", "--input", "source-data", "--output", "intermediate-data/a", "--",
        "sh", "-c", "mkdir -p intermediate-data/a && echo 1 > intermediate-data/a/x")
    assert "intermediate-data" in current_lineage(ws)
    # a failing command: its exit status is passed on, its outputs' lineage forgotten
    proc = dws(ws, "run", "--input", "source-data", "--output", "intermediate-data/a", "--",
               "sh", "-c", "exit 7", check=False)
    assert proc.returncode == 7 and "failed (exit status 7)" in proc.stderr
    assert "intermediate-data" not in current_lineage(ws)
    # a conflicting output stops the run before the command starts
    dws(ws, "run", "--input", "source-data", "--output", "intermediate-data/a", "--", "true")
    proc = dws(ws, "run", "--input", "source-data", "--output", "intermediate-data", "--",
               "sh", "-c", "touch intermediate-data/ran", check=False)
    assert_error(proc, "child path intermediate-data:/a")
    assert not (ws / "intermediate-data" / "ran").exists()
    assert_error(dws(ws, "run", "--input", "nope", "--", "true", check=False), "names no resource")
    assert_error(dws(ws, "run", "--param", "novalue", "--", "true", check=False), "bad --param", code=2)
    assert_error(dws(ws, "run", "--input", "source-data", check=False), "no command", code=2)
    assert_error(dws(ws, "run", "--", "no-such-command-xyz", check=False), "command not found")
    # nothing above was recorded for results
    assert json.loads(dws(ws, "report", "lineage", "--json").stdout)["snapshot"] is None
