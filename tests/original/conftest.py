"""Shared setups of the compatibility suite. Building a workspace costs a dozen `git dws` calls, so the
common ones are built once per session, outside the per-test hermetic HOME but with the same fixed
identity and no user or system git config, and each test gets a private copy (a copied repository is
an ordinary repository: nothing in it names its old path)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import dws, git, run

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "lineage"))
from lineage_fixtures import STEP1, STEP2  # the lineage suite's two pipeline steps

__all__ = ["STEP1", "STEP2"]


def _sealed_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "DWS_"))}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Test User",
        GIT_AUTHOR_EMAIL="test@example.com",
        GIT_COMMITTER_NAME="Test User",
        GIT_COMMITTER_EMAIL="test@example.com",
        LC_ALL="C.UTF-8",
    )
    exe = shutil.which("git-dws")
    if exe:
        env["PATH"] = os.path.dirname(exe) + os.pathsep + env["PATH"]
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n"
        "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n"
    )
    return env


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace as the original's tests make one: `init --create-resources all`, the two lineage
    steps in code/, a data file in source-data/, committed. No hooks (the hooks suite covers them)."""
    base = tmp_path_factory.mktemp("template")
    home = base / "home"
    home.mkdir()
    env = _sealed_env(home)
    root = base / "ws"
    root.mkdir()

    def sh(*args: str) -> None:
        subprocess.run(list(args), cwd=root, env=env, check=True, capture_output=True)

    sh("git", "dws", "--batch", "init", "--hostname", "testhost", "--create-resources", "all", "--no-hooks")
    (root / "code" / "step1.py").write_text(STEP1)
    (root / "code" / "step2.py").write_text(STEP2)
    (root / "source-data" / "data.csv").write_text("a,b,c\n1,2,3\n")
    sh("git", "add", "-A")
    sh("git", "commit", "-q", "-m", "pipeline")
    return root


@pytest.fixture
def ows(_template: Path, tmp_path: Path) -> Path:
    """A private copy of the template workspace."""
    root = tmp_path / "ws"
    shutil.copytree(_template, root, symlinks=True)
    return root


def step(ws: Path, script: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a pipeline step as a user does: python code/SCRIPT from the workspace root."""
    return run(ws, sys.executable, f"code/{script}", *args, check=check)


def pipeline(ws: Path, tag: str | None = None) -> None:
    """step1 (source-data -> intermediate-data), step2 (-> results, results.json), then a snapshot."""
    step(ws, "step1.py")
    step(ws, "step2.py")
    if tag:
        dws(ws, "snapshot", tag)


@pytest.fixture
def shared(ows: Path, tmp_path: Path) -> Iterator[tuple[Path, Path, Path]]:
    """(origin, a, b): the workspace published to a bare origin with a directory data remote, and a
    second machine's clone of it."""
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    data = tmp_path / "data-remote"
    dws(ows, "remote", "add", "store", str(data))
    dws(ows, "publish", str(origin))
    b = tmp_path / "b"
    dws(tmp_path, "clone", "--hostname", "otherhost", "--no-hooks", str(origin), str(b))
    yield origin, ows, b
