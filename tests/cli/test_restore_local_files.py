"""Restore of local-files resources round-trips byte for byte: content, exec bit, symlinks (dangling and
pointing outside, never followed), empty and binary files, odd names, deletions, file<->dir swaps."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import (
    assert_error,
    dws,
    dws_json,
    git_out,
    populate,
    state_diff,
    take,
    tree_state,
    write,
)


def data_status(ws: Path, name: str = "data") -> dict[str, object]:
    (r,) = [r for r in dws_json(ws, "status")["resources"] if r["name"] == name]
    return r  # type: ignore[no-any-return]


def check_state(root: Path, want: dict[bytes, object]) -> None:
    have = tree_state(root)
    assert have == want, "restored tree differs:\n" + state_diff(have, want)


def test_round_trip_between_two_rich_snapshots(data_ws: Path) -> None:
    ws, data = data_ws, data_ws / "data"
    populate(data, "A")
    state_a = tree_state(data)
    id_a = take(ws, "A")
    populate(data, "B")
    state_b = tree_state(data)
    assert state_a != state_b
    id_b = take(ws, "B")
    assert id_a != id_b
    head = git_out(ws, "rev-parse", "HEAD")
    unchanged_inode = os.lstat(data / "exec.sh").st_ino

    out = dws(ws, "restore", "A").stdout
    assert id_a[:12] in out
    check_state(data, state_a)
    assert os.lstat(data / "exec.sh").st_ino == unchanged_inode, "an unchanged file was rewritten"
    assert not (data / "new dir").exists(), "a directory emptied by the restore was left behind"
    assert data_status(ws)["clean"] is True
    # local-files only: no commit, index and work tree of git untouched
    assert git_out(ws, "rev-parse", "HEAD") == head
    assert git_out(ws, "status", "--porcelain") == ""

    dws(ws, "restore", "B")
    check_state(data, state_b)
    dws(ws, "restore", id_a)  # by full id
    check_state(data, state_a)
    assert not [p for p in data.rglob("*") if p.name.startswith(".dws-tmp")]


def test_restore_is_idempotent(data_ws: Path) -> None:
    ws = data_ws
    populate(ws / "data", "A", big=False)
    state = tree_state(ws / "data")
    take(ws, "A")
    out = dws(ws, "restore", "A").stdout
    assert "nothing to restore" in out.lower() or "already" in out.lower()
    check_state(ws / "data", state)


def test_restore_into_a_deleted_directory(data_ws: Path) -> None:
    ws, data = data_ws, data_ws / "data"
    populate(data, "A")
    state = tree_state(data)
    take(ws, "A")
    shutil.rmtree(data)
    st = data_status(ws)
    assert st["clean"] is False and len(st["deleted"]) == len(state)  # type: ignore[arg-type]
    dws(ws, "restore", "A")  # deleted files are held by the snapshot: safe
    check_state(data, state)


def test_snapshot_of_a_missing_directory_is_refused(data_ws: Path) -> None:
    ws = data_ws
    take(ws, "S1")
    shutil.rmtree(ws / "data")
    assert_error(dws(ws, "snapshot", "S2", check=False), r"data.*missing|missing.*data")


def test_symlinks_are_recorded_not_followed(data_ws: Path, tmp_path: Path) -> None:
    ws, data = data_ws, data_ws / "data"
    outside = tmp_path / "outside"
    write(outside / "secret.txt", "outside content\n")
    os.symlink(outside, data / "out-dir")
    os.symlink(outside / "secret.txt", data / "out-file")
    os.symlink(".", data / "loop")  # a link cycle must not hang or recurse
    take(ws, "S1")
    # changing what a link points at outside the resource is not a change of the resource
    write(outside / "secret.txt", "changed outside\n")
    write(outside / "more.txt", "more\n")
    assert data_status(ws)["clean"] is True
    # and restore recreates the links themselves, never writes through them
    for name in ("out-dir", "out-file", "loop"):
        (data / name).unlink()
    dws(ws, "restore", "S1")
    assert os.readlink(data / "out-dir") == str(outside)
    assert os.readlink(data / "out-file") == str(outside / "secret.txt")
    assert os.readlink(data / "loop") == "."
    assert (outside / "secret.txt").read_text() == "changed outside\n"


def test_link_replaced_by_directory_does_not_write_outside(data_ws: Path, tmp_path: Path) -> None:
    """Snapshot has d/f as a real file; now d is a link to an outside directory: restore must replace the
    link, not write f through it."""
    ws, data = data_ws, data_ws / "data"
    write(data / "d" / "f", "inside\n")
    take(ws, "S1")
    shutil.rmtree(data / "d")
    outside = tmp_path / "victim"
    outside.mkdir()
    os.symlink(outside, data / "d")
    dws(ws, "restore", "S1", "--force")
    assert not (data / "d").is_symlink()
    assert (data / "d" / "f").read_text() == "inside\n"
    assert list(outside.iterdir()) == []


@pytest.mark.skipif(os.uname().sysname != "Linux", reason="needs a filesystem that allows any bytes in names")
def test_names_that_are_not_utf8(data_ws: Path) -> None:
    ws, data = data_ws, data_ws / "data"
    raw = os.fsencode(data) + b"/caf\xe9-\xff.bin"
    with open(raw, "wb") as f:
        f.write(b"latin-1 name\n")
    state = tree_state(data)
    take(ws, "S1")
    os.unlink(raw)
    dws(ws, "restore", "S1")
    check_state(data, state)


def test_long_multibyte_file_name(data_ws: Path) -> None:
    ws, data = data_ws, data_ws / "data"
    name = "€" * 84  # 252 bytes: a valid name on every Linux filesystem
    write(data / name, "long\n")
    take(ws, "S1")
    (data / name).unlink()
    proc = dws(ws, "restore", "S1", check=False)
    assert proc.returncode == 0, proc.stderr
    assert (data / name).read_text() == "long\n"


def test_large_file_edited_in_place_restores_original(data_ws: Path) -> None:
    """The store holds a copy, never a hard link: an in-place edit must not corrupt the snapshot."""
    ws, data = data_ws, data_ws / "data"
    original = bytes(range(256)) * 4096  # 1 MiB: above the pack threshold, stored as its own object
    write(data / "big.bin", original)
    take(ws, "S1")
    assert os.stat(data / "big.bin").st_nlink == 1
    with open(data / "big.bin", "r+b") as f:
        f.seek(4096)
        f.write(b"EDITED IN PLACE")
    assert_error(dws(ws, "restore", "S1", check=False), "big.bin")
    dws(ws, "restore", "S1", "--force")
    assert (data / "big.bin").read_bytes() == original


def test_local_files_outside_the_workspace(ws: Path, tmp_path: Path) -> None:
    ext = tmp_path / "external data"
    populate(ext, "A", big=False)
    state = tree_state(ext)
    dws(ws, "add", "local-files", str(ext), "--role", "source-data", "--name", "ext")
    assert str(ext) not in (ws / ".gitignore").read_text()
    take(ws, "S1")
    populate(ext, "B", big=False)
    take(ws, "S2")
    dws(ws, "restore", "S1")
    check_state(ext, state)


def test_same_size_edit_with_mtime_put_back_is_detected(data_ws: Path) -> None:
    """The stat cache must not hide a same-size edit whose mtime was restored (the original ignored
    content entirely and missed it)."""
    ws, data = data_ws, data_ws / "data"
    write(data / "f.txt", "abc\n")
    old = 1_600_000_000_000_000_000
    os.utime(data / "f.txt", ns=(old, old))
    take(ws, "S1")
    dws(ws, "status")  # a second look with a warm cache
    write(data / "f.txt", "xyz\n")
    os.utime(data / "f.txt", ns=(old, old))
    assert data_status(ws)["modified"] == ["f.txt"]
    assert_error(dws(ws, "restore", "S1", check=False), r"f\.txt")
    write(data / "g.txt", "new\n")
    take(ws, "S2")
    dws(ws, "restore", "S1")
    assert (data / "f.txt").read_text() == "abc\n"


def test_content_missing_from_the_store_changes_nothing(data_ws: Path) -> None:
    ws, data = data_ws, data_ws / "data"
    write(data / "b.txt", "b1\n")
    take(ws, "S1")
    write(data / "a.txt", "a2\n")
    write(data / "b.txt", "b2\n")
    take(ws, "S2")
    shutil.rmtree(ws / ".git" / "dws" / "objects")
    before = tree_state(data)
    assert_error(dws(ws, "restore", "S1", "--force", check=False))
    assert tree_state(data) == before
