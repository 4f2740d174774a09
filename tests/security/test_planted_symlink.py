"""Attack 5 of issue 8: a symlink planted earlier. The victim's resource holds `sub -> <outside>/dir`
(which the victim snapshotted, so nothing is lost by replacing it); a later, perfectly valid snapshot
has `sub/` as a directory with files. Restore and pull must replace the link by a directory, never write
through it: the outside directory keeps exactly what it had."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import dws
from craft import line
from sec_fixtures import DATA, PAYLOAD, Guard, World, _pristine, world  # noqa: F401

X = PAYLOAD + b" through the link?\n"


def _plant(world: World) -> None:  # noqa: F811
    v = world.victim
    shutil.rmtree(v / "data" / "sub")
    os.symlink(world.outside / "dir", v / "data" / "sub")
    dws(v, "snapshot", "withlink")


def _publish(world: World, tag: str) -> None:  # noqa: F811
    a = world.attacker
    a.upload(X, DATA["sub/b.txt"])
    sub = a.data_tree([line("b.txt", DATA["sub/b.txt"]), line("existing.txt", X), line("x", X)])
    tree = a.data_tree([line("a.txt", DATA["a.txt"]), line("keep.txt", DATA["keep.txt"])], [("sub", sub)])
    a.publish(tag, tree)


@pytest.mark.parametrize("how", ["restore", "pull"])
def test_restore_replaces_planted_symlink(world: World, how: str) -> None:  # noqa: F811
    _plant(world)
    _publish(world, f"through-{how}")
    if how == "restore":
        world.fetch_refs(f"through-{how}")
    g = Guard(world)
    proc = dws(world.victim, *(["restore", f"through-{how}"] if how == "restore" else ["pull"]), check=False)
    after = g.state()
    assert after["outside"] == g.before["outside"], "restore wrote through the planted symlink"
    assert proc.returncode == 0, proc.stderr  # the snapshot is valid: it must be restored, safely
    sub = world.victim / "data" / "sub"
    assert sub.is_dir() and not sub.is_symlink()
    assert (sub / "x").read_bytes() == X and (sub / "existing.txt").read_bytes() == X
    assert (world.outside / "dir" / "existing.txt").read_bytes() == b"outside, existing\n"
    assert sorted(os.listdir(world.outside / "dir")) == ["existing.txt"]
    assert after["hooks"] == g.before["hooks"] and after["config"] == g.before["config"]


def test_symlinked_parent_deeper_down(world: World) -> None:  # noqa: F811
    """The link is two levels up (`deep -> outside`, snapshot wants `deep/dir/x`): still no write outside."""
    v = world.victim
    os.symlink(world.outside, v / "data" / "deep")
    dws(v, "snapshot", "deeplink")
    a = world.attacker
    a.upload(X)
    inner = a.data_tree([line("x", X), line("secret.txt", X)])
    deep = a.data_tree([], [("dir", inner)])
    sub = a.data_tree([line("b.txt", DATA["sub/b.txt"])])
    tree = a.data_tree([line(n, DATA[n]) for n in ("a.txt", "keep.txt")], [("sub", sub), ("deep", deep)])
    a.publish("deeper", tree)
    world.fetch_refs("deeper")
    g = Guard(world)
    proc = dws(v, "restore", "deeper", check=False)
    assert g.state()["outside"] == g.before["outside"], "restore wrote through the planted symlink"
    assert proc.returncode == 0, proc.stderr
    assert (v / "data" / "deep" / "dir" / "x").read_bytes() == X
    assert not (v / "data" / "deep").is_symlink()
