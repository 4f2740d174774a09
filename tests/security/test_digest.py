"""Attack 2 of issue 8: a content digest used as a path. The content store and the directory data remote
map a digest to `objects/<2>/<62>`; a "digest" of `..` + an absolute path made them "find" any readable
file, which pull copied into the workspace (and the next push would have uploaded). Digests must be
exactly 64 lowercase hex: anything else is refused before a file is opened."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import dws
from craft import b3, line
from sec_fixtures import PAYLOAD, SECRET, Guard, World, _pristine, evil_tree, refused, world  # noqa: F401

GOOD = PAYLOAD + b" digest\n"

DIGESTS: dict[str, Callable[[World], str]] = {
    "dotdot-absolute-secret": lambda w: ".." + str(w.secret_path()),
    "relative-etc-passwd": lambda w: "../../../../../../../../etc/passwd",
    "relative-secret": lambda w: "../../../../outside/secret.txt",
    "victim-file": lambda w: ".." + str(w.victim / "data" / "keep.txt"),
    "uppercase-hex": lambda w: b3(GOOD).upper(),
    "63-hex": lambda w: b3(GOOD)[:63],
    "65-hex": lambda w: b3(GOOD) + "0",
    "empty": lambda w: "",
    "not-a-string": lambda w: 12,  # type: ignore[dict-item,return-value]
}


PULL_TOO = {"dotdot-absolute-secret", "relative-secret", "uppercase-hex", "65-hex"}


def _publish(world: World, case: str) -> str:  # noqa: F811
    a = world.attacker
    a.upload(GOOD)
    digest = DIGESTS[case](world)
    size = len(SECRET) if "secret" in case else len(GOOD)
    tree = evil_tree(a, [line("leak.txt", b3hex=digest, size=size)])  # type: ignore[arg-type]
    return a.publish(f"digest-{case}", tree).sid


@pytest.mark.parametrize("case", sorted(DIGESTS))
def test_bad_digest_refused_by_restore(world: World, case: str) -> None:  # noqa: F811
    sid = _publish(world, case)
    world.fetch_refs(f"digest-{case}")
    g = Guard(world)
    refused(dws(world.victim, "restore", f"digest-{case}", check=False), sid, "leak.txt")
    g.check()
    assert not (world.victim / "data" / "leak.txt").exists()


@pytest.mark.parametrize("case", sorted(PULL_TOO))
def test_bad_digest_refused_by_pull_and_clone(world: World, case: str) -> None:  # noqa: F811
    sid = _publish(world, case)
    g = Guard(world)
    refused(dws(world.victim, "pull", check=False), sid, "leak.txt")
    g.check()
    if case == "dotdot-absolute-secret":
        refused(dws(world.root, "clone", str(world.origin), "v2", "--hostname", "v2", check=False), sid, "leak.txt")
        assert not (world.root / "v2").exists()
        g.check()
