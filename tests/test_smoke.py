from __future__ import annotations

from pathlib import Path

from conftest import dws, run


def test_snapshot_and_restore_local_files(ws: Path) -> None:
    data = ws / "data"
    data.mkdir()
    (data / "a.txt").write_bytes(b"one")
    dws(ws, "add", "local-files", "data", "--role", "source-data")
    dws(ws, "snapshot", "S1")
    (data / "a.txt").write_bytes(b"two")
    dws(ws, "snapshot", "S2")
    dws(ws, "restore", "S1")
    assert (data / "a.txt").read_bytes() == b"one"
    run(ws, "git", "fsck", "--strict")
