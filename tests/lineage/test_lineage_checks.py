"""The original's four consistency checks, as clear errors raised before anything is written:
(a) overlapping inputs of one step, (b) two versions of the same data, also indirectly, (c) an output
at a parent or child path of recorded lineage (before results.json is written, unlike the original),
(d) a placeholder left at snapshot time. Steps run in-process through the lineage API."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import assert_error, dws, run
from lineage_fixtures import current_lineage, lws

from git_dws.lineage import (
    LineageBuilder,
    LineageConflictError,
    LineageConsistencyError,
    LineageError,
    PathNotAResourceError,
    ResourceRef,
    invalidate,
)
from git_dws.workspace import Workspace

__all__ = ["lws"]


def simple_step(name: str, inputs: list[str], outputs: list[str]) -> None:
    b = LineageBuilder().with_step_name(name).with_parameters({})
    for i in inputs:
        b = b.with_input_path(i)
    if not inputs:
        b = b.with_no_inputs()
    with b.eval() as lineage:
        for o in outputs:
            lineage.add_output_path(o)
            Path(o).mkdir(parents=True, exist_ok=True)
            (Path(o) / "f.txt").write_text(name)


def test_a_overlapping_inputs(lws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(lws)
    (lws / "source-data" / "sub").mkdir()
    b = (LineageBuilder().with_step_name("s").with_parameters({})
         .with_input_path("source-data").with_input_path("source-data/sub"))
    with pytest.raises(LineageConflictError, match=r"source-data:/sub, which is inside its input source-data"):
        b.eval()
    b = (LineageBuilder().with_step_name("s").with_parameters({})
         .with_input_ref(ResourceRef("source-data", "sub/x")).with_input_ref(ResourceRef("source-data", "sub")))
    with pytest.raises(LineageConflictError):
        b.eval()
    assert current_lineage(lws) == {}  # nothing was recorded


def test_b_two_versions_of_the_same_data(lws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(lws)
    simple_step("s1", ["source-data"], ["intermediate-data/s1"])
    dws(lws, "snapshot", "S1")  # source-data is now at an exact version
    invalidate(Workspace.open(str(lws)), ["source-data"])  # as a pull that changed it would
    simple_step("s2", ["source-data"], ["intermediate-data/s2"])  # reads the new (placeholder) version
    b = (LineageBuilder().with_step_name("reader").with_parameters({})
         .with_input_path("intermediate-data/s1").with_input_path("intermediate-data/s2"))
    with pytest.raises(LineageConsistencyError, match=r"step reader \(transitively\) depends on source-data"):
        b.eval()
    # directly: reading source-data next to data derived from its older version
    b = (LineageBuilder().with_step_name("direct").with_parameters({})
         .with_input_path("intermediate-data/s1").with_input_path("source-data"))
    with pytest.raises(LineageConsistencyError):
        b.eval()


def test_c_output_conflict_raised_before_results_json(lws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(lws)
    simple_step("s1", ["source-data"], ["intermediate-data/s1"])
    # the original's lineage_params_step: a results step whose output intermediate-data covers s1
    b = (LineageBuilder().with_step_name("params").with_parameters({"x": 1})
         .with_input_path("source-data").as_results_step("results"))
    lineage = b.eval()
    with pytest.raises(LineageConflictError, match=r"child path intermediate-data:/s1"):
        lineage.add_output_path("intermediate-data")
    lineage.abort()
    # a results step whose results directory conflicts fails when it is built...
    simple_step("whole", ["source-data"], ["results"])
    with pytest.raises(LineageConflictError, match="parent path results"):
        (LineageBuilder().with_step_name("r").with_parameters({}).with_input_path("source-data")
         .as_results_step("results/sub").eval())
    # ...and if the conflict appears while it runs, write_results refuses before writing anything
    dws(lws, "lineage", "clear", "results")
    late = (LineageBuilder().with_step_name("late").with_parameters({}).with_input_path("source-data")
            .as_results_step("results/sub").eval())
    simple_step("other", ["source-data"], ["results"])
    with pytest.raises(LineageConflictError):
        late.write_results({"accuracy": 1.0})  # type: ignore[attr-defined]
    assert not (lws / "results" / "sub" / "results.json").exists()
    # within one step
    lin = LineageBuilder().with_step_name("twice").with_parameters({}).with_no_inputs().eval()
    lin.add_output_path("intermediate-data/t")
    with pytest.raises(LineageConflictError, match="twice"):
        lin.add_output_path("intermediate-data/t")
    with pytest.raises(LineageConflictError, match="overlap"):
        lin.add_output_path("intermediate-data/t/u")


def test_d_placeholder_left_at_snapshot(lws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(lws)
    (lws / "extra").mkdir()
    (lws / "extra" / "e.txt").write_text("e")
    dws(lws, "add", "local-files", "extra", "--role", "source-data")
    simple_step("s", ["extra", "source-data"], ["intermediate-data"])
    # drop the resource from the configuration by hand: its placeholder can no longer be resolved
    toml = (lws / ".dws.toml").read_text()
    start = toml.index("[resources.extra]")
    end = toml.find("\n[", start + 1)
    (lws / ".dws.toml").write_text(toml[:start] + (toml[end + 1:] if end != -1 else ""))
    run(lws, "git", "commit", "-q", "-am", "drop extra")
    head = run(lws, "git", "rev-parse", "HEAD").stdout
    err = assert_error(dws(lws, "snapshot", "S1", check=False), code=1)
    assert "unresolved placeholder for extra" in err and "git dws lineage clear intermediate-data" in err
    assert run(lws, "git", "rev-parse", "HEAD").stdout == head  # nothing moved or committed
    assert run(lws, "git", "tag").stdout == ""
    dws(lws, "lineage", "clear", "intermediate-data")
    dws(lws, "snapshot", "S1")


def test_builder_errors_are_clear(lws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(lws)
    with pytest.raises(LineageError, match="parameters are missing"):
        LineageBuilder().with_step_name("s").with_no_inputs().eval()
    with pytest.raises(LineageError, match="inputs are missing"):
        LineageBuilder().with_step_name("s").with_parameters({}).eval()
    with pytest.raises(LineageError, match="step name"):
        LineageBuilder().with_parameters({}).with_no_inputs().eval()
    with pytest.raises(LineageError, match="given twice"):
        LineageBuilder().with_step_name("a").with_step_name("b")
    outside = lws.parent / "elsewhere"
    outside.mkdir()
    with pytest.raises(PathNotAResourceError):
        LineageBuilder().with_step_name("s").with_parameters({}).with_input_path(str(outside)).eval()
    with pytest.raises(LineageError, match="role source-data, not code"):
        (LineageBuilder().with_step_name("s").with_parameters({}).with_no_inputs()
         .with_code_path("source-data/data.csv").eval())
    with pytest.raises(LineageError, match="no resource named 'nope'"):
        LineageBuilder().with_step_name("s").with_parameters({}).with_input_ref(ResourceRef("nope")).eval()
    # step name inferred from the first code path
    lin = LineageBuilder().with_parameters({}).with_no_inputs().with_code_path("code/step1.py").eval()
    assert lin.step.step_name == "step1"
    assert [c.ref for c in lin.step.code_resources] == [ResourceRef("code")]
