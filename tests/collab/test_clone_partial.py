"""Clone on another machine when not everything is there (issue 9 item 6): data never pushed, a data
remote out of reach, `--no-data`, `--only/--skip`, and data that lives at a different path on each
machine (the original's `my_local_path`, its issue #39), kept in machine-local settings only."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
from pathlib import Path

from collab_fixtures import origin  # noqa: F401
from conftest import (
    assert_error,
    dws,
    git,
    git_out,
    populate,
    state_diff,
    take,
    tree_state,
    write,
)


def on_a_terminal(cwd: Path, cmd: list[str], answers: str) -> str:
    """Run `cmd` with a pseudo-terminal as stdin (so it may ask) and the answers already typed."""
    master, slave = pty.openpty()
    try:
        os.write(master, answers.encode())
        proc = subprocess.run(cmd, cwd=cwd, stdin=slave, capture_output=True, text=True, timeout=300)
    finally:
        os.close(slave)
        os.close(master)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout + proc.stderr


def _shared(ws: Path, origin: Path, remote: Path | None) -> None:  # noqa: F811
    populate(ws / "data", "A", big=False)
    dws(ws, "add", "local-files", "data", "--role", "source-data")
    write(ws / "code" / "a.py", "print(1)\n")
    if remote is not None:
        dws(ws, "remote", "add", "shared", str(remote))
    take(ws, "S1")


def test_clone_of_data_never_pushed_succeeds_and_says_what_is_missing(ws: Path, origin: Path,  # noqa: F811
                                                                        tmp_path: Path) -> None:
    _shared(ws, origin, None)
    git(ws, "remote", "add", "origin", str(origin))
    dws(ws, "push")  # the git side only: no data remote is configured
    proc = dws(tmp_path, "clone", str(origin), "b", "--hostname", "hostb")
    b = tmp_path / "b"
    assert (b / "code" / "a.py").read_text() == "print(1)\n"  # the git side is all there
    assert (b / "data").is_dir() and not any((b / "data").iterdir())  # left empty...
    assert "data" in proc.stderr and "git dws pull" in proc.stderr  # ...and said so, with the fix
    assert "Traceback" not in proc.stderr


def test_clone_with_an_unreachable_data_remote_keeps_the_clone(ws: Path, origin: Path,  # noqa: F811
                                                               tmp_path: Path) -> None:
    remote = tmp_path / "dataremote"
    _shared(ws, origin, remote)
    want = tree_state(ws / "data")
    dws(ws, "publish", str(origin))
    shutil.move(remote, tmp_path / "moved-away")
    proc = dws(tmp_path, "clone", str(origin), "b", "--hostname", "hostb")
    assert "data" in proc.stderr
    b = tmp_path / "b"
    assert (b / ".git").is_dir() and (b / "code" / "a.py").exists()
    shutil.move(tmp_path / "moved-away", remote)  # reachable again: pull brings the data
    dws(b, "pull")
    assert state_diff(tree_state(b / "data"), want) == ""


def test_clone_no_data_and_only(ws: Path, origin: Path, tmp_path: Path) -> None:  # noqa: F811
    _shared(ws, origin, tmp_path / "dataremote")
    dws(ws, "publish", str(origin))
    dws(tmp_path, "clone", str(origin), "b", "--hostname", "hostb", "--no-data")
    assert not any((tmp_path / "b" / "data").iterdir()) if (tmp_path / "b" / "data").exists() else True
    dws(tmp_path, "clone", str(origin), "c", "--hostname", "hostc", "--skip", "data")
    assert not (tmp_path / "c" / "data").exists() or not any((tmp_path / "c" / "data").iterdir())
    dws(tmp_path, "clone", str(origin), "d", "--hostname", "hostd", "--only", "data")
    assert state_diff(tree_state(tmp_path / "d" / "data"), tree_state(ws / "data")) == ""
    assert_error(dws(tmp_path, "clone", str(origin), "e", "--only", "nope", check=False), "nope")


def test_outside_resource_path_is_per_machine(ws: Path, origin: Path, tmp_path: Path) -> None:  # noqa: F811
    ext = tmp_path / "big disk" / "raw"
    populate(ext, "A", big=False)
    dws(ws, "add", "local-files", str(ext), "--role", "source-data", "--name", "raw")
    assert str(ext) not in (ws / ".dws.toml").read_text()  # never committed
    assert git_out(ws, "config", "dws-resource.raw.path") == str(ext)
    dws(ws, "remote", "add", "shared", str(tmp_path / "dataremote"))
    take(ws, "S1")
    dws(ws, "publish", str(origin))

    # --batch: no directory given -> the clone works, raw is reported as having no directory here
    proc = dws(tmp_path, "clone", str(origin), "b", "--hostname", "hostb")
    assert "raw" in proc.stderr and "dws-resource.raw.path" in proc.stderr
    b = tmp_path / "b"
    assert "no directory on this machine" in dws(b, "status").stdout  # status still works, and says so
    write(ws / "code" / "more.py", "x = 2\n")
    take(ws, "S2")
    dws(ws, "push")
    dws(b, "pull")  # so does pull: the resource is left alone until this machine names a directory
    assert (b / "code" / "more.py").exists()
    # --resource-path: the data lands there, and only machine-local settings name it
    there = tmp_path / "other machine" / "raw"
    dws(tmp_path, "clone", str(origin), "c", "--hostname", "hostc", "--resource-path", f"raw={there}")
    assert state_diff(tree_state(there), tree_state(ext)) == ""
    assert git_out(tmp_path / "c", "config", "dws-resource.raw.path") == str(there)
    dws(tmp_path / "c", "status")
    # interactive: the clone asks (answers typed on a terminal: stdin is a pseudo-terminal)
    where = tmp_path / "asked" / "raw"
    out = on_a_terminal(tmp_path, ["git", "dws", "clone", str(origin), "d"], f"hostd\n{where}\n")
    assert "Directory of resource 'raw'" in out
    assert state_diff(tree_state(where), tree_state(ext)) == ""
    assert_error(dws(tmp_path, "clone", str(origin), "e", "--resource-path", "nope=/x", check=False), "nope")
