"""Helpers for the hook tests: real git commands run with git-dws's virtualenv REMOVED from PATH, so the
installed shims must find the interpreter they recorded; readers for notes and history."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from conftest import dws, write

HOOKS = ("pre-commit", "post-commit", "post-checkout", "post-merge", "post-rewrite", "pre-push")


def env_without_git_dws(**extra: str) -> dict[str, str]:
    """os.environ with every PATH entry that holds a git-dws (the venv) left out."""
    keep = [d for d in os.environ.get("PATH", "").split(os.pathsep)
            if d and not os.path.exists(os.path.join(d, "git-dws"))]
    env = dict(os.environ, PATH=os.pathsep.join(keep))
    assert shutil.which("git-dws", path=env["PATH"]) is None
    env.update(extra)  # a test may put it back on purpose
    return env


def git(cwd: Path, *args: str, check: bool = True, input: str | None = None,
        **env: str) -> subprocess.CompletedProcess[str]:
    """Real git, git-dws not on PATH: only the hooks' recorded interpreter can run git-dws."""
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, input=input,
                          env=env_without_git_dws(**env))
    if check and proc.returncode != 0:
        raise AssertionError(f"git {args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def out(cwd: Path, *args: str) -> str:
    return git(cwd, *args).stdout.strip()


def commit(cwd: Path, message: str, *args: str, check: bool = True, **env: str) -> subprocess.CompletedProcess[str]:
    return git(cwd, "commit", "-q", "--allow-empty", "-m", message, *args, check=check, **env)


def note_ids(cwd: Path, rev: str = "HEAD") -> list[str]:
    """The snapshot ids in the dws note of `rev`, read with plain git."""
    proc = git(cwd, "notes", "--ref=dws", "show", rev, check=False)
    if proc.returncode != 0:
        return []
    return [line.split()[1] for line in proc.stdout.splitlines() if line.startswith("snapshot ")]


def history(cwd: Path) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = json.loads(dws(cwd, "report", "history", "--json").stdout)
    return result


def snapshot_of(cwd: Path, rev: str = "HEAD") -> dict[str, Any]:
    """The one snapshot recorded on `rev`, as `report history --json` shows it."""
    (sid,) = note_ids(cwd, rev)
    (snap,) = [s for s in history(cwd) if s["id"] == sid]
    return snap


def make_ws(root: Path, *, data: bool = False, hooks: bool = True) -> Path:
    """A workspace with a `code` git-subdirectory, and optionally a local-files resource `data`."""
    root.mkdir(parents=True)
    dws(root, "init", "--hostname", "testhost", "--create-resources", "code",
        *([] if hooks else ["--no-hooks"]))
    if data:
        write(root / "data" / "a.txt", b"alpha\n")
        write(root / "data" / "sub" / "b.bin", bytes(range(256)))
        dws(root, "add", "local-files", "data", "--role", "source-data")
    return root


def hooks_dir(cwd: Path) -> Path:
    return Path(cwd, out(cwd, "rev-parse", "--git-common-dir")) / "hooks"
