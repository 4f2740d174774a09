"""The hook path of issue 8: the post-checkout hook `git dws clone` installs restores the snapshot of the
commit checked out. Commits, notes and the snapshot database brought by plain `git fetch` are just as
crafted as a pulled one, so `git checkout` of the attacker's commit must not write outside the resource
(nor replace the hook itself), and must leave the victim's data as it was."""

from __future__ import annotations

import pytest
from craft import Git, line
from sec_fixtures import EVIL, HOOK, Guard, World, _pristine, evil_tree, world  # noqa: F401

NAMES = {"dotdot": ("../../outside/x", "100644", EVIL), "hook": ("../.git/hooks/post-checkout", "100755", HOOK)}


@pytest.mark.parametrize("case", sorted(NAMES))
def test_checkout_hook_refuses_crafted_snapshot(world: World, case: str) -> None:  # noqa: F811
    name, mode, data = NAMES[case]
    c = world.attacker.publish(f"hook-{case}", evil_tree(world.attacker, [line(name, data, mode=mode)]))
    v = Git(world.victim)
    world.fetch_refs(f"hook-{case}")
    v.run("fetch", "-q", "origin")
    g = Guard(world)
    proc = v.run("checkout", "-q", "--detach", c.commit, check=False)
    assert "Traceback" not in proc.stderr.decode(), proc.stderr.decode()
    after = g.state()
    for key in ("outside", "hooks", "config"):
        assert after[key] == g.before[key], f"checkout changed the {key}:\n{proc.stderr.decode()}"
    data_before = {k: x for k, x in g.before["work tree"].items() if k.startswith("data")}  # type: ignore[union-attr]
    data_after = {k: x for k, x in after["work tree"].items() if k.startswith("data")}  # type: ignore[union-attr]
    assert data_after == data_before, f"the hook restored a crafted snapshot:\n{proc.stderr.decode()}"
    err = proc.stderr.decode()
    assert c.sid[:12] in err and name in err, f"the hook must say which snapshot and entry it refused:\n{err}"
    g.no_leak()
