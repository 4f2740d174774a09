"""The results conventions (ORIGINAL.md §1.2 `report results`, §1.5 step 6, §2.2-§2.3): results.json
as ResultsLineage.write_results writes it, metrics in history, the lineage API's checks."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import assert_error, dws, dws_json

from .conftest import step


def test_results_json_format(ows: Path) -> None:
    """write_results writes results.json with step, start_time, execution_time_seconds, parameters,
    run_description and metrics, and says where ("results:results.json")."""
    step(ows, "step1.py")
    out = step(ows, "step2.py", "--gamma", "0.2").stdout
    assert "results:results.json" in out
    data = json.loads((ows / "results" / "results.json").read_text())
    assert set(data) == {"step", "start_time", "execution_time_seconds", "parameters", "run_description", "metrics"}
    assert data["step"] == "step2" and data["parameters"] == {"gamma": 0.2}
    assert data["run_description"] == "test run" and data["metrics"]["accuracy"] == 0.98


def test_metrics_recorded_with_the_snapshot(ows: Path) -> None:
    """The snapshot stores the metrics of the first results resource's results.json; history shows
    them; report results renders dict-valued metrics as their own table."""
    step(ows, "step1.py")
    step(ows, "step2.py")
    dws(ows, "snapshot", "M1")
    assert dws_json(ows, "report", "history")[0]["metrics"] == {
        "accuracy": 0.95,
        "loss": 0.5,
        "report": {"a": 1, "b": 2},
    }
    out = dws(ows, "report", "results", "--snapshot", "M1").stdout
    assert "Metrics: report" in out and "snapshots/testhost-M1/results.json" in out


def test_report_results_resource_option(ows: Path) -> None:
    """--resource picks the results resource; one without results.json is an error."""
    step(ows, "step1.py")
    step(ows, "step2.py")
    assert "Results file at" in dws(ows, "report", "results", "--resource", "results").stdout
    assert_error(dws(ows, "report", "results", "--resource", "code", check=False))


def test_lineage_checks_raise_before_the_work(ows: Path) -> None:
    """The API's consistency checks: (c) an output over a path whose child already has lineage is a
    LineageConflictError raised when the output is added, before anything is written (the original
    raised at complete(), after results.json); its message names both steps and the fix."""
    step(ows, "step1.py", "--out", "intermediate-data/s1")
    proc = step(ows, "step1.py", check=False)
    assert proc.returncode != 0
    assert "step step1 cannot record lineage for intermediate-data" in proc.stderr
    assert "(fix: " in proc.stderr and "git dws lineage clear intermediate-data" in proc.stderr
    assert not (ows / "intermediate-data" / "out.csv").exists()
