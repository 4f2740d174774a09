"""Run one transfer per object on a few threads; the first failure stops the rest (finished objects
stay on the remote, so a rerun resumes)."""

from __future__ import annotations

import concurrent.futures as cf
import threading
from collections.abc import Callable, Mapping, Sequence

from ...errors import DwsError
from ...progress import Task

WORKERS = 8


def run_parallel(fn: Callable[[str], None], items: Sequence[str], task: Task, where: str,
                 workers: int = WORKERS, sizes: Mapping[str, int] | None = None) -> None:
    """`task` advances by `sizes[item]` per item when sizes are given (a task in bytes), else by 1."""
    lock = threading.Lock()
    failure: list[BaseException] = []

    def one(item: str) -> None:
        if failure:
            return
        try:
            fn(item)
        except BaseException as e:
            with lock:
                failure.append(e)
            return
        with lock:
            task.advance(sizes.get(item, 0) if sizes is not None else 1)

    with cf.ThreadPoolExecutor(max_workers=max(1, min(workers, len(items)))) as pool:
        list(pool.map(one, items))
    if failure:
        e = failure[0]
        if isinstance(e, DwsError):
            raise e
        if isinstance(e, OSError):
            raise DwsError(f"transfer with data remote {where} failed: {e.strerror or e}",
                           "nothing is lost: fix the cause and run the command again; it resumes") from e
        raise e
