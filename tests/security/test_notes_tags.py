"""Notes and tag messages are fetched too: a note line or a `Dws-Snapshot:` trailer naming no snapshot, or
a path instead of an id, must be ignored or refused cleanly (never an internal error, never a path)."""

from __future__ import annotations

import pytest
from conftest import dws
from sec_fixtures import Guard, World, _pristine, world  # noqa: F401

BOGUS = {
    "dotdot": "../../../outside",
    "absolute": "/etc/passwd",
    "unknown-id": "b" * 40,
}


@pytest.mark.parametrize("case", sorted(BOGUS))
def test_bogus_note_and_tag_are_harmless(world: World, case: str) -> None:  # noqa: F811
    a = world.attacker
    g = a.g
    head = g.out("rev-parse", "HEAD")
    commit = g.out("commit-tree", f"{head}^{{tree}}", "-p", head, "-m", "bogus note")
    g.run("update-ref", "refs/heads/main", commit, head)
    g.run("notes", "--ref=dws", "add", "-f", "-m", f"snapshot {BOGUS[case]}", commit)
    g.run("tag", "-a", f"bogus-{case}", "-m", f"x\n\nDws-Snapshot: {BOGUS[case]}", commit)
    g.run("push", "-q", "--no-verify", "origin", "main", "refs/notes/dws:refs/notes/dws", f"refs/tags/bogus-{case}")
    guard = Guard(world)
    for args in (["pull"], ["status"], ["restore", f"bogus-{case}"]):
        proc = dws(world.victim, *args, check=False)
        out = proc.stdout + proc.stderr
        assert "Traceback" not in out and proc.returncode in (0, 1), f"{args}: exit {proc.returncode}\n{out}"
        if proc.returncode:
            assert proc.stderr.startswith("error: "), f"{args}:\n{out}"
    after = guard.state()
    for key in ("outside", "hooks", "config"):
        assert after[key] == guard.before[key], key
    data = {k: v for k, v in after["work tree"].items() if k.startswith("data")}  # type: ignore[union-attr]
    assert data == {k: v for k, v in guard.before["work tree"].items() if k.startswith("data")}  # type: ignore[union-attr]
    guard.no_leak()
