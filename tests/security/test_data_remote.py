"""The data remote is the other half of what a user fetches: whoever can write to it (without any access
to the origin) can replace an object. A directory data remote's object whose bytes do not hash to its
name, that is a symlink to a file of the victim's, or that is not a file at all, must stop the pull
cleanly (exit 1) before anything is written, and its bytes must never land in the workspace."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import assert_error, dws
from craft import b3, line
from sec_fixtures import DATA, PAYLOAD, Guard, World, _pristine, world  # noqa: F401

NEW = b"a legitimate new file, 0123456789\n"


@pytest.mark.parametrize("how", ["wrong-bytes", "symlink-to-secret", "directory"])
def test_tampered_object_stops_pull(world: World, how: str) -> None:  # noqa: F811
    a = world.attacker
    a.upload(NEW)
    tree = a.data_tree([line(n, DATA[n]) for n in ("a.txt", "keep.txt")] + [line("new.txt", NEW)],
                       [("sub", a.data_tree([line("b.txt", DATA["sub/b.txt"])]))])
    a.publish(f"tampered-{how}", tree)
    obj = world.dr / "objects" / b3(NEW)[:2] / b3(NEW)[2:]
    os.chmod(obj.parent, 0o755)
    os.chmod(obj, 0o644)
    obj.unlink()
    if how == "wrong-bytes":
        obj.write_bytes(PAYLOAD + b" not what the manifest says\n")
    elif how == "symlink-to-secret":
        os.symlink(world.secret_path(), obj)
    else:
        obj.mkdir()
        (obj / "x").write_bytes(PAYLOAD)
    g = Guard(world)
    proc = dws(world.victim, "pull", check=False)
    g.check()
    assert_error(proc, code=1)
    assert not (world.victim / "data" / "new.txt").exists()
    if how == "directory":
        shutil.rmtree(obj)
