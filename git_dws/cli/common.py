"""Helpers shared by the command modules: the parser class, prompting, the workspace, progress."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import Any

BATCH = False


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # usage errors: one line + hint, exit 2
        cmd = self.prog.split(" ", 2)[-1] if self.prog.count(" ") >= 2 else ""
        sys.stderr.write(f"error: {message}\nhint: see `git dws {cmd + ' ' if cmd else ''}-h`\n")
        raise SystemExit(2)


def confirm() -> Callable[[str], bool] | None:
    """A yes/no prompt when someone can answer, else None (the core then fails or proceeds by rule)."""
    if BATCH or not sys.stdin.isatty():
        return None

    def ask(question: str) -> bool:
        answer = input(f"{question} [Y/n] ").strip().lower()
        return answer in ("", "y", "yes")

    return ask


def workspace(records: bool = False) -> Any:
    """The workspace of the cwd. `records`: the command itself records HEAD's snapshot (snapshot), so
    warning that HEAD has none would only repeat what it is about to fix or report."""
    from ..workspace import Workspace

    ws = Workspace.open(os.getcwd())
    if not records:
        _warn_unrecorded(ws)
    return ws


def _warn_unrecorded(ws: Any) -> None:
    """A `git commit` killed before its post-commit hook finished leaves a commit without a snapshot:
    say so on every command until it is recorded (issue 11)."""
    from ..ops.unrecorded import unrecorded_commit

    commit = unrecorded_commit(ws)
    if commit:
        from ..ui.console import warn

        warn(f"commit {commit[:12]} has no snapshot (was `git commit` interrupted?); "
             "record it with `git dws snapshot`")


class ProgressBar:
    """`with ProgressBar() as bar:` gives a rich bar on a terminal, the silent default elsewhere."""

    def __init__(self) -> None:
        from ..ui.console import progress

        self.bar = progress(True)

    def __enter__(self) -> Any:
        from ..progress import NULL

        return self.bar or NULL

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()  # type: ignore[attr-defined]


def csv(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def names(text: str) -> list[str]:
    """A resource selection (--only/--skip/--leave): at least one name; `--only ,,` must not mean
    "no filter"."""
    found = csv(text)
    if not found:
        raise argparse.ArgumentTypeError(f"expected a comma-separated list of names, got '{text}'")
    return found


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, got '{text}'")
    return value
