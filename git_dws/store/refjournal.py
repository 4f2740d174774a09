"""A write-ahead journal for our ref transactions.

`git update-ref --stdin` is all-or-nothing unless the process is killed inside it: the files backend
renames loose refs one by one, so a kill -9 there can move the manifest and note refs but not the tag,
and leave `.lock` files that git never removes. The journal records the intended updates before the
transaction; every object they point to was written before, so the next command that takes the
workspace lock can finish the transaction (roll forward) or, if nothing moved, forget it.
Stdlib only: the commit hook's fast path may use it too."""

from __future__ import annotations

import contextlib
import os


def _path(common_dir: str) -> str:
    return os.path.join(common_dir, "dws", "ref-journal")


def write(common_dir: str, updates: list[tuple[str, str | None, str | None]]) -> None:
    path = _path(common_dir)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:  # `<ref> <new or -> <old or ->` per line (ref names have no spaces)
        f.write("".join(f"{r} {n or '-'} {o or '-'}\n" for r, n, o in updates))
    os.replace(tmp, path)  # no fsync: it guards against killed processes, as git's own refs do


def clear(common_dir: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(_path(common_dir))


def pending(common_dir: str) -> list[tuple[str, str | None, str | None]] | None:
    try:
        with open(_path(common_dir)) as f:
            rows = [line.split(" ") for line in f.read().splitlines()]
    except FileNotFoundError:
        return None
    if not rows or any(len(r) != 3 for r in rows):
        clear(common_dir)  # torn write: the transaction had not started
        return None
    return [(r, None if n == "-" else n, None if o == "-" else o) for r, n, o in rows]
