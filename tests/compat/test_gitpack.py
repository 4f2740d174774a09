"""store.gitpack writes packs git itself accepts: verify-pack, cat-file and fsck are the oracle."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import fsck, git, git_out

from git_dws.store.gitpack import object_id, write_pack


def test_pack_is_read_by_git(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    git(tmp_path, "init", "-q", str(repo))
    blobs = [b"", b"x", os.urandom(70_000), b"a" * 300]  # sizes exercising 1-, 2- and 3-byte headers
    objects = [(object_id("blob", b), "blob", b) for b in blobs]
    tree = b"".join(b"100644 f%d\0" % i + bytes.fromhex(oid) for i, (oid, _, _) in enumerate(objects))
    objects.append((object_id("tree", tree), "tree", tree))
    write_pack(str(repo / ".git" / "objects"), objects)

    packs = list((repo / ".git" / "objects" / "pack").glob("pack-*.idx"))
    assert len(packs) == 1
    verify = git_out(repo, "verify-pack", "-v", str(packs[0]))
    assert f"non delta: {len(objects)} objects" in verify
    for oid, kind, data in objects:
        assert git_out(repo, "cat-file", "-t", oid) == kind
        raw = subprocess.run(["git", "cat-file", kind, oid], cwd=repo, capture_output=True, check=True).stdout
        assert raw == data
    assert git_out(repo, "ls-tree", "--name-only", objects[-1][0]).split() == ["f0", "f1", "f2", "f3"]
    git(repo, "commit-tree", objects[-1][0], "-m", "m")  # usable as a tree
    fsck(repo)
