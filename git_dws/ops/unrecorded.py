"""A `git commit` killed before its post-commit hook finished leaves a commit without a snapshot, and
nothing else shows it. Every command checks HEAD cheaply (one reflog read; a note lookup only right
after a `git commit`) so the user hears about it (cli/common.py) and `git dws fsck` reports it."""

from __future__ import annotations

import os

from ..errors import DwsError
from ..workspace import NOTES_REF, Workspace


def unrecorded_commit(ws: Workspace) -> str | None:
    """HEAD, when it was made by `git commit` (the reflog says so) in a workspace whose post-commit hook
    is ours, and carries no note: the hook never ran to the end (a kill, a crash). Cheap: one file
    read, and a note lookup only in that case."""
    repo = ws.repo
    try:
        with open(os.path.join(repo.git_dir, "logs", "HEAD"), "rb") as f:
            f.seek(max(0, os.fstat(f.fileno()).st_size - 4096))
            last = f.read().splitlines()[-1].decode("utf-8", "replace")
    except (OSError, IndexError):
        return None
    head_part, _, message = last.partition("\t")
    fields = head_part.split(" ")
    if len(fields) < 2 or not message.startswith("commit"):
        return None
    new = fields[1]
    if new != repo.head():
        return None
    from .hooks import hooks_dir, is_ours

    try:
        directory, _ = hooks_dir(repo)
    except DwsError:
        return None
    if not is_ours(os.path.join(directory, "post-commit")):
        return None
    return None if repo.note(NOTES_REF, new) else new
