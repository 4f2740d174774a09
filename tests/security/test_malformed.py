"""Attack 4 of issue 8: malformed manifests. A missing digest or a NUL in a name used to stop a pull
half-way with "internal error" (exit 3) after it had deleted the victim's data files and moved the
branch. Each of these is refused before anything is written: exit 1, one line naming the snapshot, the
resource and the entry, the victim's files, index, branch and refs as they were."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import dws
from craft import Attacker, b3, canonical, line
from sec_fixtures import DATA, EVIL, Guard, World, _pristine, evil_tree, refused, world  # noqa: F401


def _lines(*lines: bytes, expect: str) -> Callable[[Attacker], tuple[str, str]]:
    return lambda a: (evil_tree(a, list(lines)), expect)


def _raw(data: bytes, expect: str) -> Callable[[Attacker], tuple[str, str]]:
    """The root listing is `data` verbatim (the victim's other files around it are valid)."""
    def make(a: Attacker) -> tuple[str, str]:
        good = b"".join(line(n, d) + b"\n" for n, d in sorted(DATA.items()) if "/" not in n)
        return a.data_tree(good + data), expect
    return make


def _listing_is_tree(a: Attacker) -> tuple[str, str]:
    inner = a.data_tree([line("x", EVIL)])
    return a.data_tree([], extra=[("40000", ".dws-files", inner)]), r"\.dws-files"


def _same_name_file_and_dir(a: Attacker) -> tuple[str, str]:
    return evil_tree(a, [line("sub", EVIL)]), "sub"


def _link_and_subtree(a: Attacker) -> tuple[str, str]:
    """The classic checkout attack (git's CVE-2014-9390 family): a symlink `sub` and a directory `sub/`
    in one snapshot, so that writing sub/x would follow the link the same restore just made."""
    return evil_tree(a, [canonical({"mode": "120000", "name": "sub", "target": "../../outside/dir"})]), "sub"


def _unknown_entry_kind(a: Attacker) -> tuple[str, str]:  # a submodule (gitlink) in a manifest
    return a.data_tree([line("keep.txt", DATA["keep.txt"])], extra=[("160000", "mod", "1" * 40)]), "mod"


G = b3(EVIL)
CASES: dict[str, Callable[[Attacker], tuple[str, str]]] = {
    "missing-b3": _lines(canonical({"mode": "100644", "name": "nob3", "size": 3}), expect="nob3"),
    "missing-size": _lines(canonical({"b3": G, "mode": "100644", "name": "nosize"}), expect="nosize"),
    "missing-mode": _lines(canonical({"b3": G, "name": "nomode", "size": 3}), expect="nomode"),
    "size-negative": _lines(line("neg", b3hex=G, size=-1), expect="neg"),
    "size-2**70": _lines(line("huge", b3hex=G, size=2**70), expect="huge"),
    "size-string": _lines(line("strsize", b3hex=G, size="12"), expect="strsize"),
    "size-float": _lines(line("fsize", b3hex=G, size=1.5), expect="fsize"),
    "size-bool": _lines(line("bsize", b3hex=G, size=True), expect="bsize"),
    "mode-100777": _lines(line("m777", EVIL, mode="100777"), expect="m777"),
    "mode-040000": _lines(line("mdir", EVIL, mode="040000"), expect="mdir"),
    "mode-int": _lines(line("mint", EVIL, mode=100644), expect="mint"),  # type: ignore[arg-type]
    "link-no-target": _lines(canonical({"mode": "120000", "name": "ln"}), expect="ln"),
    "link-nul-target": _lines(canonical({"mode": "120000", "name": "lnul", "target": "a\0b"}), expect="lnul"),
    "duplicate-names": _lines(line("dup", EVIL), line("dup", EVIL), expect="dup"),
    "file-and-subtree": _same_name_file_and_dir,
    "link-and-subtree": _link_and_subtree,
    "invalid-json": _raw(b'{"b3":"' + G.encode() + b'","mode":"100644","name":"bad"\n', expect=r"\.dws-files"),
    "not-utf8-line": _raw(b"\xff\xfe\x00garbage\n", expect=r"\.dws-files"),
    "json-array-line": _raw(b'["mode","100644"]\n', expect=r"\.dws-files"),
    "json-not-object-name": _raw(canonical({"b3": G, "mode": "100644", "name": ["x"], "size": 3}) + b"\n",
                                 expect=r"\.dws-files"),
    "listing-is-tree": _listing_is_tree,
    "gitlink-in-manifest": _unknown_entry_kind,
}


# The cases go through pull (where a half-done pull did the damage); the others through restore,
# which reads listings with the same code and costs half as much.
BY_PULL = {"missing-b3", "size-negative", "size-2**70", "size-string", "mode-100777", "mode-040000",
           "duplicate-names", "file-and-subtree", "link-and-subtree", "invalid-json", "not-utf8-line",
           "listing-is-tree"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_listing_refused(world: World, case: str) -> None:  # noqa: F811
    a = world.attacker
    a.upload(EVIL)
    tree, expect = CASES[case](a)
    tag = f"bad-{case.replace('*', 'x')}"
    sid = a.publish(tag, tree).sid
    if case not in BY_PULL:
        world.fetch_refs(tag)
    g = Guard(world)
    cmd = ["pull"] if case in BY_PULL else ["restore", tag]
    refused(dws(world.victim, *cmd, check=False), sid, expect)
    g.check()
    for rel, data in DATA.items():
        assert (world.victim / "data" / rel).read_bytes() == data


def _resource_is_blob(a: Attacker) -> dict[str, Any]:
    blob = a.g.blob(line("x", EVIL) + b"\n")
    code = a.g.out("rev-parse", "HEAD:code")
    return {"resources": [{"name": "code", "role": "code", "tree": code, "type": "git-subdirectory"},
                          {"name": "data", "role": "source-data", "tree": blob, "type": "local-files"}],
            "resource_entries": [("40000", "code", code), ("100644", "data", blob)], "expect": "data"}


def _content_names_dotdot(a: Attacker) -> dict[str, Any]:
    tree = evil_tree(a)
    code = a.g.out("rev-parse", "HEAD:code")
    res = [{"name": "code", "role": "code", "tree": code, "type": "git-subdirectory"},
           {"name": "data", "role": "source-data", "tree": tree, "type": "local-files"},
           {"name": "../x", "role": "source-data", "tree": tree, "type": "local-files"}]
    return {"resources": res, "resource_entries": [("40000", r["name"], r["tree"]) for r in res],
            "expect": r"\.\./x"}


def _content_tree_mismatch(a: Attacker) -> dict[str, Any]:
    """CONTENT says one tree, resources/data holds another: the id no longer names what is restored."""
    tree = evil_tree(a)
    code = a.g.out("rev-parse", "HEAD:code")
    other = a.data_tree([line("keep.txt", DATA["keep.txt"])])
    res = [{"name": "code", "role": "code", "tree": code, "type": "git-subdirectory"},
           {"name": "data", "role": "source-data", "tree": other, "type": "local-files"}]
    return {"resources": res, "resource_entries": [("40000", "code", code), ("40000", "data", tree)],
            "expect": "data"}


def _bad_tree_oid(a: Attacker) -> dict[str, Any]:
    code = a.g.out("rev-parse", "HEAD:code")
    res = [{"name": "code", "role": "code", "tree": code, "type": "git-subdirectory"},
           {"name": "data", "role": "source-data", "tree": "../../HEAD", "type": "local-files"}]
    return {"resources": res, "resource_entries": [("40000", "code", code), ("40000", "data", evil_tree(a))],
            "expect": "data"}


SNAPSHOT_CASES: dict[str, Callable[[Attacker], dict[str, Any]]] = {
    "resource-entry-is-blob": _resource_is_blob,
    "content-names-dotdot": _content_names_dotdot,
    "content-tree-mismatch": _content_tree_mismatch,
    "content-tree-not-an-oid": _bad_tree_oid,
}


@pytest.mark.parametrize("case", sorted(SNAPSHOT_CASES))
def test_malformed_snapshot_refused(world: World, case: str) -> None:  # noqa: F811
    a = world.attacker
    spec = SNAPSHOT_CASES[case](a)
    expect = spec.pop("expect")
    sid = a.publish(f"snap-{case}", None, **spec).sid
    g = Guard(world)
    err = refused(dws(world.victim, "pull", check=False), sid, expect, resource="")
    assert "Traceback" not in err
    g.check()
    world.fetch_refs(f"snap-{case}")
    g = Guard(world)
    refused(dws(world.victim, "restore", f"snap-{case}", check=False), sid, expect, resource="")
    g.check()
