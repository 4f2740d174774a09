"""Running the `git` binary. Helpers are named by the shape of their result; parsing always uses -z
and LC_ALL=C. GIT_DWS_RUNNING marks our own git calls so that our hooks do not recurse."""

from __future__ import annotations

import logging
import os
import shlex
import subprocess

from ..errors import DwsError, GitCommandError

GUARD = "GIT_DWS_RUNNING"
log = logging.getLogger("git_dws.git")


def _env(extra: dict[str, str] | None) -> dict[str, str]:
    env = dict(os.environ, LC_ALL="C", LANG="C", **{GUARD: "1"})
    if extra:
        env.update(extra)
    return env


def git_run(cwd: str, *args: str, input: bytes | None = None, env: dict[str, str] | None = None,
            check: bool = True) -> subprocess.CompletedProcess[bytes]:
    cmd = ["git", *args]
    log.debug("+ %s", shlex.join(cmd))
    proc = subprocess.run(cmd, cwd=cwd, input=input, capture_output=True, env=_env(env))
    if check and proc.returncode != 0:
        raise GitCommandError(cmd, proc.returncode, proc.stderr.decode("utf-8", "replace"))
    return proc


def git_ok(cwd: str, *args: str) -> bool:
    return git_run(cwd, *args, check=False).returncode == 0


def git_oneline(cwd: str, *args: str, env: dict[str, str] | None = None) -> str:
    return git_run(cwd, *args, env=env).stdout.decode("utf-8", "surrogateescape").strip()


def git_zsplit(cwd: str, *args: str) -> list[str]:
    out = git_run(cwd, *args).stdout.decode("utf-8", "surrogateescape")
    return [part for part in out.split("\0") if part]


# -- a resource's own repository, pinned ---------------------------------------------------------------
# `git -C DIR` (or cwd=DIR) searches upwards for a repository: when DIR/.git is missing or damaged it
# silently acts on the enclosing one (the workspace). A resource's repository is therefore always
# named explicitly with --git-dir/--work-tree, and its absence is an error, never a fall-through.
def _pinned(path: str) -> list[str]:
    path = os.path.abspath(path)
    dotgit = os.path.join(path, ".git")
    if not os.path.isdir(path) or not (os.path.isdir(dotgit) or os.path.isfile(dotgit)):
        raise DwsError(f"{path} is not a git repository (it has no .git)",
                       "give the top directory of a git repository, or clone it there (git clone URL DIR); "
                       "git-dws never uses an enclosing repository instead")
    return [f"--git-dir={dotgit}", f"--work-tree={path}"]


def repo_git(path: str, *args: str, input: bytes | None = None, env: dict[str, str] | None = None,
             check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """`git ARGS` in the repository whose work tree is `path`, and in no other. A missing `.git` is a
    DwsError; a damaged one makes git itself fail (GitCommandError, or a non-zero exit with check=False)."""
    pin = _pinned(path)
    proc = git_run(path, *pin, *args, input=input, env=env, check=False)
    if proc.returncode != 0 and b"not a git repository" in proc.stderr:
        raise DwsError(f"{os.path.abspath(path)} is not a valid git repository: "
                       f"{proc.stderr.decode('utf-8', 'replace').strip().splitlines()[-1]}",
                       "repair it (git fsck) or clone it there again; git-dws never falls back to the "
                       "enclosing repository")
    if check and proc.returncode != 0:
        raise GitCommandError(["git", *args], proc.returncode, proc.stderr.decode("utf-8", "replace"))
    return proc


def repo_text(path: str, *args: str, check: bool = True) -> str:
    """Stripped stdout of `repo_git` (empty on failure when check=False)."""
    proc = repo_git(path, *args, check=check)
    return proc.stdout.decode("utf-8", "surrogateescape").strip() if proc.returncode == 0 else ""


def repo_zsplit(path: str, *args: str) -> list[str]:
    out = repo_git(path, *args).stdout.decode("utf-8", "surrogateescape")
    return [part for part in out.split("\0") if part]

