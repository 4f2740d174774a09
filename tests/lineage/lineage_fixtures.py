"""Fixtures for the lineage suite: a workspace with one resource of each role and the two-step pipeline
of the original's lineage tests, as small Python scripts in the code resource that use git_dws.lineage.
Steps run as real subprocesses from the workspace root, like a user's scripts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import dws, git_out, run

STEP1 = '''\
"""Step 1: source-data -> intermediate-data (optionally a subpath)."""
import argparse, os, random
from git_dws.lineage import (LineageBuilder, CmdLineParameter, add_lineage_parameters_to_arg_parser,
                             get_lineage_parameter_values)

PARAMS = [CmdLineParameter(name="size", default=50, type=int, help="the size")]
parser = argparse.ArgumentParser()
parser.add_argument("--fail", action="store_true")
parser.add_argument("--out", default="intermediate-data")
add_lineage_parameters_to_arg_parser(parser, PARAMS)
args = parser.parse_args()
builder = (LineageBuilder().as_script_step()
           .with_parameters(get_lineage_parameter_values(PARAMS, args))
           .with_input_path("source-data"))
with builder.eval() as lineage:
    lineage.add_output_path(args.out)
    if args.fail:
        raise SystemExit("failing on purpose")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "out.csv"), "w") as f:
        f.write(f"size,value\\n{args.size},{random.random()}\\n")
'''

STEP2 = '''\
"""Step 2: intermediate-data -> results, with results.json."""
import argparse, os
from git_dws.lineage import LineageBuilder

parser = argparse.ArgumentParser()
parser.add_argument("--gamma", type=float, default=0.5)
parser.add_argument("--input", default="intermediate-data")
parser.add_argument("--results", default="results")
args = parser.parse_args()
builder = (LineageBuilder().as_script_step().with_parameters({"gamma": args.gamma})
           .with_input_path(args.input).as_results_step(args.results, run_description="test run"))
with builder.eval() as lineage:
    os.makedirs(args.results, exist_ok=True)
    with open(os.path.join(args.results, "model.txt"), "w") as f:
        f.write(f"gamma={args.gamma}\\n")
    print(lineage.write_results({"accuracy": round(1 - args.gamma / 10, 3), "loss": args.gamma,
                                 "report": {"a": 1, "b": 2}}))
'''


@pytest.fixture
def lws(tmp_path: Path) -> Path:
    """A workspace with code, source-data, intermediate-data and results (git subdirectories), the two
    step scripts committed in code/, and a small data file in source-data/."""
    root = tmp_path / "ws"
    root.mkdir()
    dws(root, "init", "--hostname", "testhost", "--create-resources", "all")
    (root / "code" / "step1.py").write_text(STEP1)
    (root / "code" / "step2.py").write_text(STEP2)
    (root / "source-data" / "data.csv").write_text("a,b,c\n1,2,3\n")
    run(root, "git", "add", "-A")
    run(root, "git", "commit", "-q", "-m", "pipeline")
    return root


def step(ws: Path, script: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a step script with the test's Python (which has git_dws) from the workspace root."""
    return run(ws, sys.executable, f"code/{script}", *args, check=check)


def snapshot_lineage(ws: Path, sid: str) -> dict[str, Any]:
    """The lineage frozen in a snapshot, read with plain git: resource -> lineage file JSON."""
    listing = git_out(ws, "ls-tree", "--name-only", f"refs/dws/manifests:snapshots/{sid}/lineage")
    out = {}
    for name in listing.splitlines():
        text = git_out(ws, "cat-file", "blob", f"refs/dws/manifests:snapshots/{sid}/lineage/{name}")
        out[name.removesuffix(".json")] = json.loads(text)
    return out


def resource_tree(ws: Path, sid: str, name: str) -> str:
    return git_out(ws, "rev-parse", f"refs/dws/manifests:snapshots/{sid}/resources/{name}")


def current_lineage(ws: Path) -> dict[str, Any]:
    d = ws / ".git" / "dws" / "lineage"
    return {p.stem: json.loads(p.read_text()) for p in sorted(d.glob("*.json"))} if d.is_dir() else {}


def all_certs(record: dict[str, Any]) -> list[dict[str, Any]]:
    if record["type"] == "step":
        return [*record["input_resources"], *record["code_resources"], *record["output_resources"]]
    if record["type"] == "imported":
        return [c for r in record["nested_lineage"] for c in all_certs(r)]
    return [record]
