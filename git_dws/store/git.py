"""Running the `git` binary. Helpers are named by the shape of their result; parsing always uses -z
and LC_ALL=C. GIT_DWS_RUNNING marks our own git calls so that our hooks do not recurse."""

from __future__ import annotations

import logging
import os
import shlex
import subprocess

from ..errors import GitCommandError

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
