"""git_dws.api (the original's dataworkspaces.api names) and the api-resource type."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import assert_error, dws, dws_json, git_out
from lineage_fixtures import all_certs, lws, resource_tree, snapshot_lineage, step

from git_dws import api
from git_dws.errors import DwsError
from git_dws.lineage import LineageBuilder, ResourceRef

__all__ = ["lws"]


def test_api_functions(lws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = lws
    assert api.get_api_version() == "0.2" and api.get_version()
    info = api.get_resource_info(str(ws))
    assert [(r.name, r.role, r.resource_type) for r in info] == [
        ("source-data", "source-data", "git-subdirectory"), ("intermediate-data", "intermediate-data",
                                                             "git-subdirectory"),
        ("code", "code", "git-subdirectory"), ("results", "results", "git-subdirectory")]
    assert info[0].local_path == str(ws / "source-data")
    assert api.get_local_path_for_resource("code", str(ws)) == str(ws / "code")
    with pytest.raises(DwsError, match="no resource named"):
        api.get_local_path_for_resource("nope", str(ws))

    fs = api.get_filesystem_for_resource("source-data", str(ws))
    assert fs is not None
    (ws / "source-data" / "sub").mkdir()
    (ws / "source-data" / "sub" / "x.txt").write_text("x")
    assert fs.ls("") == ["README.txt", "data.csv", "sub"]
    assert fs.ls("sub") == ["sub/x.txt"] and fs.ls("data.csv") == ["data.csv"]
    assert fs.isdir("sub") and fs.isfile("sub/x.txt") and fs.exists("data.csv") and not fs.exists("zz")
    with fs.open("data.csv", "r") as f:
        assert f.readline() == "a,b,c\n"
    with pytest.raises(DwsError):
        fs.ls("missing")
    with pytest.raises(DwsError, match="leaves resource"):
        fs.exists("../code/step1.py")

    assert api.get_results(str(ws)) is None
    step(ws, "step1.py")
    step(ws, "step2.py")
    res = api.get_results(str(ws))
    assert res is not None and res[1] == "results:/results.json" and res[0]["metrics"]["loss"] == 0.5
    sid = api.take_snapshot(str(ws), tag="S1", message="first")
    assert len(sid) == 40
    monkeypatch.chdir(ws / "code")  # workspace found from the current directory
    step(ws, "step1.py", "--size", "3")
    step(ws, "step2.py", "--gamma", "0.1")
    api.take_snapshot(tag="S2")
    hist = [h for h in api.get_snapshot_history() if h.tags]  # (the commit hook may add untagged ones)
    assert [(h.tags, h.message) for h in hist] == [(["S1"], "first"), (["S2"], "")]
    assert hist[0].snapshot_number < hist[1].snapshot_number
    assert hist[0].hashval == sid and hist[1].metrics is not None and hist[1].metrics["loss"] == 0.1
    newest = api.get_snapshot_history(reverse=True, max_count=1)
    assert [h.tags for h in newest] == [["S2"]]
    got = api.get_results(tag_or_hash="S1")
    assert got is not None and got[1] == "results:/snapshots/testhost-S1/results.json"

    table = list(api.make_lineage_table(tag_or_hash="S1"))
    # a snapshot's lineage is frozen: inputs show the hash they had then, never "(current)"
    source_hash = next(row[2] for row in table if row[0] == "source-data")
    assert ("intermediate-data", "Step", table[1][2], [f"source-data ({source_hash})"]) in table
    assert api.restore("S1") == 1  # intermediate-data; results are never restored
    lineage = api.get_lineage(resource_name="intermediate-data")
    assert lineage["complete"] and lineage["snapshot"] is None
    assert sorted(r["type"] for r in lineage["lineages"]) == ["code", "source_data", "step"]
    full = api.get_lineage(tag_or_hash="S2", resource_name="results")
    assert len(full["lineages"]) == 4 and full["snapshot"] == hist[1].hashval
    out = ws.parent / "graph.html"
    api.make_lineage_graph(str(out), tag_or_hash="S2")
    assert "<svg" in out.read_text()


def test_api_resource(lws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = lws
    assert_error(dws(ws, "add", "api-resource", "--role", "results", check=False), "cannot have role results",
                 code=2)
    out = dws(ws, "add", "api-resource", "--role", "source-data").stdout
    assert "Added resource source-data-api (api-resource, source-data)" in out
    dws(ws, "add", "api-resource", "--role", "i", "--name", "warehouse")
    monkeypatch.chdir(ws)
    with (LineageBuilder().with_step_name("fetch").with_parameters({"query": "select *"})
          .with_input_ref(ResourceRef("source-data-api")).eval()) as lineage:
        lineage.set_api_resource_hash("source-data-api", "abc123", comment="rows 1-10")
        lineage.add_output_path("intermediate-data")
        (ws / "intermediate-data" / "rows.csv").write_text("1\n")
    # other resources can still be added (an api-resource has no directory to overlap)
    (ws / "more").mkdir()
    dws(ws, "add", "local-files", "more", "--role", "source-data")
    dws(ws, "snapshot", "A1")
    sid = json.loads(dws(ws, "report", "history", "--json").stdout)[0]["id"]  # newest first
    tree = resource_tree(ws, sid, "source-data-api")
    assert git_out(ws, "cat-file", "blob", f"{tree}:api-hash") == "abc123"
    assert resource_tree(ws, sid, "warehouse") == "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # no hash yet
    step_rec = snapshot_lineage(ws, sid)["intermediate-data"]["lineages"][0]
    api_cert = next(c for c in all_certs(step_rec) if c["resource_name"] == "source-data-api")
    assert api_cert["certificate"] == {"cert_type": "hash", "hashval": tree,
                                       "comment": api_cert["certificate"]["comment"]}
    # a new hash shows in status, a restore reports the drift but writes nothing
    from git_dws.lineage import set_api_resource_hash

    set_api_resource_hash("source-data-api", "def456")
    st = {r["name"]: r for r in dws_json(ws, "status")["resources"]}
    assert st["source-data-api"]["modified"] == ["api-hash"]
    proc = dws(ws, "restore", "A1")
    assert "source-data-api records hashes only" in proc.stderr
    with pytest.raises(DwsError, match="not an api-resource"):
        set_api_resource_hash("code", "x")
    assert api.get_filesystem_for_resource("warehouse") is None
