"""Hermetic test fixtures: a temporary HOME with a fixed git identity, no system or user git config,
and helpers to drive the real `git dws` command and real git as the oracle."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def hermetic(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    for var in list(os.environ):
        if var.startswith(("GIT_", "DWS_")):
            monkeypatch.delenv(var)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test User")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "test@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test User")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "test@example.com")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n"
        "[advice]\n\tdetachedHead = false\n"
    )
    # The guard that proves the seal: nothing of the real user's git config can leak in.
    assert subprocess.run(["git", "config", "--global", "user.email"], capture_output=True,
                          text=True).stdout.strip() == "test@example.com"
    yield home


def git_dws_exe() -> list[str]:
    exe = shutil.which("git-dws")
    return [exe] if exe else [sys.executable, str(ROOT / "bin" / "git-dws")]


def run(cwd: Path, *args: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run a real command (e.g. run(ws, "git", "dws", "status")) and return its result."""
    proc = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, input=input)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def dws(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """`git dws --batch ARGS` through the real git binary, so `git dws` dispatch is exercised too."""
    return run(cwd, "git", "dws", "--batch", *args, check=check)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A fresh workspace with code and results git-subdirectory resources."""
    root = tmp_path / "ws"
    root.mkdir()
    dws(root, "init", "--hostname", "testhost", "--create-resources", "code,results")
    return root


@pytest.fixture(autouse=True)
def _git_dws_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `git dws` resolve to this checkout's git-dws even when the venv is not activated."""
    exe = shutil.which("git-dws")
    if exe is None:
        pytest.fail("git-dws is not on PATH: install the project (make install) and run via `make test`")
    monkeypatch.setenv("PATH", os.path.dirname(exe) + os.pathsep + os.environ["PATH"])
