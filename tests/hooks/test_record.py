"""The post-commit hook's fast writer against `take_snapshot(..., for_commit=True)`: two identical
workspaces (same content, same fixed commit dates, so the same commit ids), one recorded by the hook,
one by the regular code; the manifests, notes and current-snapshot files must agree byte for byte, up to
the time stamps in SNAPSHOT."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import fsck, write
from hook_fixtures import commit, git, make_ws, out

from git_dws.ops.snapshot import take_snapshot
from git_dws.workspace import Workspace

TIMES = ("timestamp", "updated_timestamp")


def _layout(ws: Path) -> dict[str, object]:
    """Everything the two writers must agree on."""
    tip = "refs/dws/manifests"
    files = out(ws, "ls-tree", "-r", "--full-tree", tip).splitlines()
    metas = {}
    for line in files:
        mode_type_id, path = line.split("\t", 1)
        if path.endswith("/SNAPSHOT"):
            meta = json.loads(out(ws, "cat-file", "blob", mode_type_id.split()[2]))
            metas[path] = {k: v for k, v in meta.items() if k not in TIMES} | {"has": sorted(set(meta) & set(TIMES))}
    return {
        "files": [f for f in files if not f.endswith("/SNAPSHOT")],
        "metas": metas,
        "notes": out(ws, "ls-tree", "-r", "refs/notes/dws"),
        "notes_log": out(ws, "log", "--format=%s%n%b", "refs/notes/dws"),
        "manifests_log": out(ws, "log", "--format=%s", tip),
        "current": (Path(out(ws, "rev-parse", "--absolute-git-dir")) / "dws" / "HEAD").read_bytes(),
    }


def _regular(ws: Path, message: str) -> None:
    take_snapshot(Workspace.open(str(ws)), None, message, for_commit=True)


@pytest.mark.parametrize("data", [False, True])
def test_fast_writer_matches_take_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bool) -> None:
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-01-01T12:00:00+00:00")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-01-01T12:00:00+00:00")
    fast = make_ws(tmp_path / "a" / "ws", data=data)
    slow = make_ws(tmp_path / "b" / "ws", data=data, hooks=False)
    assert out(fast, "rev-parse", "HEAD") == out(slow, "rev-parse", "HEAD")
    steps = [("first", None), ("same content again", None), ("new code", "code/x.py")]
    if data:
        steps.append(("new data", "data/sub/new.txt"))
    for message, path in steps:
        for ws in (fast, slow):
            if path:
                write(ws / path, f"{message}\n")
                if path.startswith("code/"):
                    git(ws, "add", "code")
        proc = commit(fast, message, GIT_DWS_HOOK_DEBUG="1")
        assert "post-commit: fast" in proc.stderr, proc.stderr
        commit(slow, message, GIT_DWS_SKIP="1")
        _regular(slow, message)
        assert out(fast, "rev-parse", "HEAD") == out(slow, "rev-parse", "HEAD")
        assert _layout(fast) == _layout(slow), message
    fsck(fast)
