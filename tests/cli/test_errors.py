"""Bad input gets one `error:` line, a `hint:` line and a non-zero exit code, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import assert_error, dws, git, run, take, write

ROOT_CAN_READ_ANYTHING = pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")

WORKSPACE_COMMANDS = [["status"], ["snapshot", "S1"], ["restore", "S1"], ["report", "history"],
                      ["add", "local-files", "x", "--role", "s"]]


def test_not_a_git_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    for cmd in WORKSPACE_COMMANDS:
        assert_error(dws(plain, *cmd, check=False), "not a git repository")


def test_not_a_workspace(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    for cmd in WORKSPACE_COMMANDS:
        assert_error(dws(repo, *cmd, check=False), "not a git-dws workspace|dws init")


def test_bare_repository(tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    assert_error(dws(bare, "status", check=False), "bare|working tree|not a", hint=False)


def test_unknown_resource(ws: Path) -> None:
    take(ws, "S1")
    assert_error(dws(ws, "config", "--resource", "nope", check=False), "nope")
    assert_error(dws(ws, "restore", "S1", "--only", "nope", check=False), "nope")
    assert_error(dws(ws, "restore", "S1", "--leave", "nope", check=False), "nope")


def test_missing_directory(ws: Path) -> None:
    assert_error(dws(ws, "add", "local-files", "missing", "--role", "s", check=False), "missing")
    assert_error(dws(ws, "add", "git", "missing", "--role", "s", check=False), "missing")


def test_path_outside_the_workspace(ws: Path, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    assert_error(dws(ws, "add", "git", str(tmp_path / "out"), "--role", "code", check=False), "outside")


def test_usage_errors_exit_2(ws: Path) -> None:
    assert_error(dws(ws, "no-such-command", check=False), code=2)
    assert_error(dws(ws, "snapshot", "--no-such-option", check=False), code=2)
    assert_error(dws(ws, "restore", check=False), code=2)
    assert_error(dws(ws, "add", "nope-type", "x", check=False), code=2)


def test_help_and_version_work_anywhere(tmp_path: Path) -> None:
    assert "git-dws" in dws(tmp_path, "version").stdout
    assert "restore" in dws(tmp_path, "help").stdout
    assert "--only" in dws(tmp_path, "help", "restore").stdout
    assert "--only" in run(tmp_path, "git", "dws", "restore", "-h").stdout


def test_missing_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(var, raising=False)
    home = tmp_path / "nohome"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("EMAIL", "")
    root = tmp_path / "w"
    root.mkdir()
    assert_error(dws(root, "init", check=False), "user.name|who you are|identity|email")
    assert not (root / ".dws.toml").exists()


@ROOT_CAN_READ_ANYTHING
def test_unreadable_file(data_ws: Path) -> None:
    ws = data_ws
    write(ws / "data" / "secret.bin", "s\n")
    os.chmod(ws / "data" / "secret.bin", 0)
    try:
        assert_error(dws(ws, "snapshot", "S1", check=False), "secret.bin")
    finally:
        os.chmod(ws / "data" / "secret.bin", 0o644)


@ROOT_CAN_READ_ANYTHING
def test_unreadable_directory(data_ws: Path) -> None:
    ws = data_ws
    write(ws / "data" / "locked" / "f", "f\n")
    os.chmod(ws / "data" / "locked", 0)
    try:
        assert_error(dws(ws, "snapshot", "S1", check=False), "locked")
    finally:
        os.chmod(ws / "data" / "locked", 0o755)


def test_special_files_do_not_break_a_snapshot(data_ws: Path) -> None:
    ws = data_ws
    os.mkfifo(ws / "data" / "pipe")
    proc = dws(ws, "snapshot", "S1", check=False)  # must not hang reading the fifo, nor crash
    assert "Traceback" not in proc.stderr
    assert proc.returncode in (0, 1), proc.stderr


def test_every_refusal_has_a_hint(ws: Path) -> None:
    assert_error(dws(ws, "config", "results.dir_template", "elsewhere/{TAG}", check=False))
    assert_error(dws(ws, "add", "local-files", ".git", "--role", "s", "--name", "g", check=False))
    fresh = ws.parent / "fresh"
    fresh.mkdir()
    assert_error(dws(fresh, "init", "--create-resources", "code,c", check=False))
    git(fresh, "init", "-q", "--bare", "b.git")
    assert_error(dws(fresh / "b.git", "status", check=False))
