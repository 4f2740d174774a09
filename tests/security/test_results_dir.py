"""Attack 6 of issue 8: `results_dir` in SNAPSHOT is another clone's text. delete-snapshot removes "the
results directory the snapshot moved files into": with `../../outside` or an absolute path that was
`rm -rf` of any directory. It must never be used as a path outside the results resource (refused, or
ignored), and report results must never read through it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import dws
from sec_fixtures import SECRET, Guard, World, _pristine, base_data, world  # noqa: F401

DIRS: dict[str, Callable[[World], str]] = {
    "dotdot": lambda w: "../../outside",
    "dotdot-x": lambda w: "../../x",
    "absolute": lambda w: str(w.outside),
    "inner-dotdot": lambda w: "../code/../../outside",  # through directories that exist
    "dot": lambda w: ".",
    "empty": lambda w: "",
    "not-a-string": lambda w: ["a"],  # type: ignore[dict-item,return-value]
}


def _publish(world: World, case: str) -> str:  # noqa: F811
    (world.root / "x").mkdir()
    (world.root / "x" / "keep").write_bytes(b"beside the workspaces\n")
    a = world.attacker
    data = base_data(a)  # the data is valid and unchanged: only results_dir is crafted
    tag = f"results-{case}"
    a.publish(tag, data, meta={"results_dir": DIRS[case](world)})
    world.fetch_refs(tag)
    return tag


@pytest.mark.parametrize("case", sorted(DIRS))
def test_delete_snapshot_never_removes_outside(world: World, case: str) -> None:  # noqa: F811
    tag = _publish(world, case)
    g = Guard(world)
    proc = dws(world.victim, "delete-snapshot", tag, check=False)
    assert "Traceback" not in proc.stderr and proc.returncode in (0, 1), proc.stderr
    after = g.state()
    for key in ("outside", "work tree", "hooks", "config"):
        assert after[key] == g.before[key], f"delete-snapshot of a snapshot with results_dir {DIRS[case](world)!r} " \
                                            f"changed the {key}:\n{proc.stdout}\n{proc.stderr}"
    assert (world.victim / "results").is_dir() and (world.victim / "data" / "keep.txt").exists()


@pytest.mark.parametrize("case", ["dotdot", "absolute"])
def test_report_results_never_reads_outside(world: World, case: str) -> None:  # noqa: F811
    tag = _publish(world, case)
    g = Guard(world)
    proc = dws(world.victim, "report", "results", "--snapshot", tag, check=False)
    assert "Traceback" not in proc.stderr and proc.returncode in (0, 1), proc.stderr
    assert SECRET.strip().decode() not in proc.stdout + proc.stderr, "report results read outside"
    g.check()
