"""The git-subdirectory resource of a crafted snapshot: its manifest is a git tree, restored by git
itself (read-tree), which refuses `..`, `.git` and `/` names like `git checkout` does. A crafted code
tree must be refused cleanly: no traceback, no internal error, nothing outside, the victim's branch,
index and files as they were."""

from __future__ import annotations

import pytest
from conftest import assert_error, dws
from craft import EMPTY_TREE
from sec_fixtures import HOOK, Guard, World, _pristine, base_data, world  # noqa: F401


def _code_tree(world: World, case: str) -> str:  # noqa: F811
    g = world.attacker.g
    hook = g.blob(HOOK)
    hooks = g.tree([("100755", "post-checkout", hook)])
    if case == "dotdot":
        return g.tree([("40000", "..", g.tree([("40000", ".git", g.tree([("40000", "hooks", hooks)]))]))])
    if case == "dotgit":
        return g.tree([("40000", ".git", g.tree([("40000", "hooks", hooks)]))])
    if case == "slash":
        return g.tree([("100755", "../.git/hooks/post-checkout", hook)])
    return g.tree([("100644", "GIT~1", hook), ("40000", "ok", EMPTY_TREE)])


@pytest.mark.parametrize("case", ["dotdot", "dotgit", "slash", "git~1"])
def test_crafted_code_tree_refused_by_restore(world: World, case: str) -> None:  # noqa: F811
    a = world.attacker
    code = _code_tree(world, case)
    tag = f"code-{case.replace('~', '-')}"
    res = [{"name": "code", "role": "code", "tree": code, "type": "git-subdirectory"},
           {"name": "data", "role": "source-data", "tree": base_data(a), "type": "local-files"}]
    a.publish(tag, None, resources=res)
    world.fetch_refs(tag)
    g = Guard(world)
    proc = dws(world.victim, "restore", tag, check=False)
    g.check(payload=False)  # first: that nothing changed matters most
    err = assert_error(proc, code=1)
    assert "code" in err.splitlines()[0], err
    assert not (world.victim / "code" / ".git").exists()
