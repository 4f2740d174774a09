"""Attack 1 of issue 8: path traversal through listing and subtree names. Each crafted snapshot also
deletes a.txt and rewrites sub/b.txt, so a pull or restore that starts writing before it validates
leaves a visible trace. `git dws pull`, `git dws restore` and `git dws clone --batch` must all refuse
the snapshot with one error line (snapshot id prefix, resource, offending entry) and touch nothing."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from conftest import dws
from craft import Attacker, line
from sec_fixtures import EVIL, HOOK, Guard, World, _pristine, evil_tree, refused, world  # noqa: F401


def nested(a: Attacker, names: list[str], leaf: bytes) -> str:
    """Subtrees names[0]/names[1]/... with a listing `leaf` at the bottom; returns the top tree."""
    tree = a.data_tree([leaf])
    for n in reversed(names[1:]):
        tree = a.data_tree([], [(n, tree)])
    return tree


Case = Callable[[World], tuple[str, str]]  # world -> (manifest tree of `data`, regex naming the entry)


def _listing(name: str | Callable[[World], str], expect: str, mode: str = "100644", data: bytes = EVIL) -> Case:
    def make(w: World) -> tuple[str, str]:
        n = name(w) if callable(name) else name
        return evil_tree(w.attacker, [line(n, data, mode=mode)]), expect
    return make


def _subtree(names: list[str], expect: str, leaf: str = "x", mode: str = "100644", data: bytes = EVIL) -> Case:
    def make(w: World) -> tuple[str, str]:
        a = w.attacker
        top = nested(a, names, line(leaf, data, mode=mode))
        return evil_tree(a, [], [(names[0], top)]), expect
    return make


CASES: dict[str, Case] = {
    "dotdot-name": _listing("../../outside/x", re.escape("../../outside/x")),
    "absolute-name": _listing(lambda w: str(w.outside / "abs"), re.escape("outside/abs")),
    "a-dotdot-dotdot": _listing("a/../..", re.escape("a/../..")),
    "hook-post-checkout": _listing("../.git/hooks/post-checkout", "post-checkout", "100755", HOOK),
    "slash-inside": _listing("sub/evil", re.escape("sub/evil")),
    "dotgit-file": _listing(".git", re.escape(".git")),
    "empty-name": _listing("", r"''|empty"),
    "dot-name": _listing(".", r"'\.'"),
    "nul-name": _listing("a\0b", r"\\x00|\\0|\\u0000|NUL"),
    "subtree-dotdot": _subtree(["..", ".git", "hooks"], r"\.\.", "post-checkout", "100755", HOOK),
    "subtree-dotdot-x": _subtree([".."], r"\.\."),
    "subtree-escaped-dotdot": _subtree([".dws-dir-.."], r"\.\."),
    "subtree-dotgit": _subtree([".git", "hooks"], r"\.git", "post-checkout", "100755", HOOK),
    "subtree-DOTGIT": _subtree([".GIT", "hooks"], r"\.GIT", "post-checkout", "100755", HOOK),
    "subtree-dotgit-space": _subtree([".git ", "hooks"], r"\.git ", "post-checkout", "100755", HOOK),
    "subtree-git~1": _subtree(["git~1", "hooks"], r"git~1", "post-checkout", "100755", HOOK),
    "subtree-with-slash": _subtree(["../../outside"], re.escape("../../outside")),
}
# Every name goes through restore (the writer all commands share); pull, with its fetch and branch move,
# and clone --batch take a representative of each kind (the suite must stay near a minute).
PULL_TOO = {"dotdot-name", "absolute-name", "hook-post-checkout", "nul-name", "empty-name", "subtree-dotdot",
            "subtree-dotgit", "subtree-git~1"}
CLONE_TOO = {"dotdot-name", "hook-post-checkout", "subtree-dotdot"}


def _tag(case: str) -> str:
    return f"evil-{case.replace('~', '-').lower()}"


@pytest.mark.parametrize("case", sorted(CASES))
def test_traversal_refused_by_restore(world: World, case: str) -> None:  # noqa: F811
    tree, expect = CASES[case](world)
    sid = world.attacker.publish(_tag(case), tree).sid
    world.fetch_refs(_tag(case))
    g = Guard(world)
    refused(dws(world.victim, "restore", _tag(case), check=False), sid, expect)
    g.check()


@pytest.mark.parametrize("case", sorted(PULL_TOO))
def test_traversal_refused_by_pull_and_clone(world: World, case: str) -> None:  # noqa: F811
    tree, expect = CASES[case](world)
    sid = world.attacker.publish(_tag(case), tree).sid
    g = Guard(world)
    refused(dws(world.victim, "pull", check=False), sid, expect)
    g.check()
    if case in CLONE_TOO:
        v2 = world.root / "v2"
        refused(dws(world.root, "clone", str(world.origin), "v2", "--hostname", "v2", check=False), sid, expect)
        assert not v2.exists() or not any(v2.iterdir()), "a refused clone left its directory behind"
        g.check()
