"""Controls: the crafting machinery makes snapshots git-dws accepts. A valid crafted snapshot is pulled,
restored and cloned like a real one, so every refusal in this suite is the validator's doing, not a
broken forgery."""

from __future__ import annotations

from conftest import dws
from craft import line
from sec_fixtures import DATA, PAYLOAD, Guard, World, _pristine, guard, world  # noqa: F401


def _valid(world: World) -> str:  # noqa: F811
    a = world.attacker
    new = PAYLOAD + b" valid\n"
    a.upload(new, DATA["sub/b.txt"])
    sub = a.data_tree([line("b.txt", DATA["sub/b.txt"])])
    tree = a.data_tree([line("a.txt", DATA["a.txt"]), line("keep.txt", DATA["keep.txt"]), line("new.txt", new)],
                       [("sub", sub)])
    return a.publish("valid1", tree).sid


def test_valid_crafted_snapshot_is_pulled(world: World, guard: Guard) -> None:  # noqa: F811
    _valid(world)
    dws(world.victim, "pull")
    assert (world.victim / "data" / "new.txt").read_bytes().startswith(PAYLOAD)
    assert (world.victim / "data" / "sub" / "b.txt").read_bytes() == DATA["sub/b.txt"]
    world.extra_allowed.append(world.victim / "data")
    guard.no_leak()


def test_valid_crafted_snapshot_is_restored_and_cloned(world: World) -> None:  # noqa: F811
    _valid(world)
    world.fetch_refs("valid1")
    dws(world.victim, "restore", "valid1")
    assert (world.victim / "data" / "new.txt").read_bytes().startswith(PAYLOAD)
    dws(world.root, "clone", str(world.origin), "v2", "--hostname", "v2")
    assert (world.root / "v2" / "data" / "new.txt").read_bytes().startswith(PAYLOAD)
