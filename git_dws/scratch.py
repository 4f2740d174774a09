"""The scratch directory (the original's §1.4): space for checkpoints and temporary files that is never
snapshotted or committed.

Two forms, as in the original:

* relative to the workspace (the default, `scratch`): `.dws.toml` has `scratch_directory = "scratch"`
  and the directory is git-ignored; every clone gets its own `<ws>/scratch`;
* a directory outside the workspace (`init --scratch-directory /abs/dir`): a path of this machine, kept
  in git config (`dws.scratch-directory`), never in `.dws.toml`, which only records that the scratch
  directory is machine-local (`scratch_directory = ""`). A clone must therefore be told where this
  machine's scratch directory is: interactively it asks, with `--batch` it needs `--scratch-directory`.

`scratch_dir(ws)` is the one place that answers "where is scratch?" (the kits put checkpoints in
`<scratch>/checkpoints`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from .errors import BatchModeError, ConfigError, UsageError

if TYPE_CHECKING:
    from .workspace import Workspace

PARAM = "scratch_directory"
DEFAULT = "scratch"
LOCAL_KEY = "dws.scratch-directory"  # git config: this machine's scratch directory outside the workspace
MACHINE_LOCAL = ""  # the value of PARAM in .dws.toml when the scratch directory is machine-local


def check_relative(text: str) -> str:
    """A scratch directory relative to the workspace, normalised ('scratch/' -> 'scratch')."""
    rel = os.path.normpath(text).strip("/")
    if (
        os.path.isabs(text)
        or rel in ("", ".")
        or rel == ".."
        or rel.startswith("../")
        or rel == ".git"
        or rel.startswith(".git/")
    ):
        raise ConfigError(
            f"'{PARAM}' must be a directory inside the workspace, relative to it",
            "example: scratch (a directory outside the workspace: init --scratch-directory /ABS/DIR)",
        )
    return rel


def choose(root: str, text: str) -> tuple[str, str | None]:
    """`--scratch-directory DIR` for the workspace at `root`: (value of PARAM, machine-local absolute
    path or None). A path inside the workspace is kept relative; one outside becomes machine-local; the
    workspace itself is refused (everything in it would be scratch)."""
    full = os.path.realpath(os.path.join(root, os.path.expanduser(text)))
    root = os.path.realpath(root)
    if full == root:
        raise UsageError(
            "the scratch directory cannot be the workspace itself",
            "give a subdirectory (default: scratch) or a directory outside the workspace",
        )
    if full.startswith(root + os.sep):
        return check_relative(os.path.relpath(full, root)), None
    if root.startswith(full + os.sep):
        raise UsageError(
            f"the scratch directory {full} contains the workspace",
            "give a subdirectory of the workspace or a directory beside it",
        )
    return MACHINE_LOCAL, full


def gitignore_line(rel: str) -> str:
    return f"/{rel.strip('/')}/"


def scratch_dir(ws: Workspace) -> str:
    """This machine's scratch directory (absolute; not created here). A machine-local setting wins, as
    a resource's local path does."""
    local = ws.repo.config_get(LOCAL_KEY)
    if local:
        return local
    value = ws.config.param(PARAM)
    if value is None:  # workspaces made before scratch existed: the original's default
        value = DEFAULT
    if value != MACHINE_LOCAL:
        return os.path.join(ws.root, check_relative(str(value)))
    raise ConfigError(
        "this workspace keeps its scratch directory outside the workspace, and none is set for this machine",
        f"set one: git config {LOCAL_KEY} /ABS/DIR",
    )


def ensure(ws: Workspace) -> str:
    """The scratch directory, created if missing."""
    path = scratch_dir(ws)
    os.makedirs(path, exist_ok=True)
    return path


def setup_for_clone(ws: Workspace, ask: Callable[[str, str], str] | None, given: str | None) -> str:
    """Make this machine's scratch directory in a new clone. A machine-local one must be given
    (`--scratch-directory`) or asked for; in --batch mode without it the clone fails."""
    if given is not None:
        _, local = choose(ws.root, given)
        if local is None and ws.config.param(PARAM) == MACHINE_LOCAL:
            raise UsageError(
                "this workspace keeps its scratch directory outside the workspace",
                "give a directory outside the clone: --scratch-directory /ABS/DIR",
            )
        if local is not None:
            ws.repo.config_set(LOCAL_KEY, local)
    elif ws.config.param(PARAM) == MACHINE_LOCAL:
        if ask is None:
            raise BatchModeError(
                "Running in --batch mode, but user input required for the scratch directory: "
                "this workspace keeps it outside the workspace",
                "give this machine's one: git dws --batch clone --scratch-directory /ABS/DIR URL",
            )
        answer = ask(
            "Scratch directory for this machine (outside the workspace)",
            os.path.join(os.path.dirname(ws.root), f"{os.path.basename(ws.root)}-scratch"),
        )
        _, local = choose(ws.root, answer)
        if local is None:
            raise UsageError(
                "this workspace keeps its scratch directory outside the workspace", "give a directory outside the clone"
            )
        ws.repo.config_set(LOCAL_KEY, local)
    return ensure(ws)
