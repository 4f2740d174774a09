"""`git dws clone URL [DIR]`: a working copy of a shared workspace, ready to use: git clone, the dws
refs (snapshot database, notes), the remote refspecs, machine-local settings (hostname, paths of
resources outside the workspace), external repositories and rclone mirrors, and the data of the
snapshot the checked-out commit records, fetched from the data remote. A failed clone removes what it
made. The CLI installs the git hooks afterwards, as `init` does."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import DwsError, UsageError
from ..model.diff import Changes
from ..model.names import check_hostname
from ..progress import NULL, Progress
from ..resources import registry
from ..store import exchange, travel
from ..store.git import git_run
from ..workspace import Workspace, default_hostname
from .pull import merge_refs
from .resolve import snapshot_of_commit

# question, default -> answer (None: nobody to ask, defaults are used)
Ask = Callable[[str, str], str]


@dataclass(frozen=True, slots=True)
class CloneResult:
    root: str
    name: str
    hostname: str
    snapshot: str | None
    restored: dict[str, Changes] = field(default_factory=dict)
    resources: dict[str, str] = field(default_factory=dict)  # name -> what was done
    snapshots: int = 0


def clone(url: str, directory: str | None = None, *, hostname: str | None = None, ask: Ask | None = None,
          progress: Progress = NULL, scratch: str | None = None) -> CloneResult:
    dest = os.path.abspath(directory or _default_dir(url))
    if os.path.exists(dest) and (not os.path.isdir(dest) or os.listdir(dest)):
        raise UsageError(f"{dest} already exists and is not empty", "give another DIR")
    created = not os.path.exists(dest)
    proc = git_run(os.path.dirname(dest) or ".", "clone", "-q", url, dest, check=False)
    if proc.returncode != 0:
        last = (proc.stderr.decode("utf-8", "replace").strip().splitlines() or ["?"])[-1]
        _cleanup(dest, created)
        raise DwsError(f"cannot clone {url}: {last}", "check the URL and your access to it")
    try:
        return _setup(dest, hostname, ask, progress, scratch)
    except BaseException:
        _cleanup(dest, created)
        raise


def _setup(dest: str, hostname: str | None, ask: Ask | None, progress: Progress,
           scratch: str | None = None) -> CloneResult:
    from ..config import FILENAME

    if not os.path.exists(os.path.join(dest, FILENAME)):
        raise DwsError(f"the cloned repository has no {FILENAME}: it is not a git-dws workspace",
                       "clone it with plain `git clone`, or check the URL")
    ws = Workspace.open(dest)
    host = hostname or (ask("Hostname for this machine", default_hostname()) if ask else default_hostname())
    ws.repo.config_set("dws.hostname", check_hostname(host))
    _setup_scratch(ws, ask, scratch)
    travel.configure_all(dest)
    exchange.fetch(dest, "origin")
    merge_refs(ws, "origin")

    done: dict[str, str] = {}
    for spec in ws.config.resources:
        if ask is not None and os.path.isabs(spec.path):
            where = ask(f"Local path for resource '{spec.name}'", spec.path)
            if where and os.path.abspath(where) != spec.path:
                ws.repo.config_set(f"dws-resource.{spec.name}.path", os.path.abspath(where))
        res = registry.load(ws, spec)
        fn = getattr(res, "clone_into", None)
        if fn is not None:
            what = fn(progress)
            if what:
                done[spec.name] = str(what)

    head = ws.repo.head()
    sid = snapshot_of_commit(ws, head, ancestors=True) if head else None
    restored: dict[str, Changes] = {}
    if sid:
        data = {s.name for s in ws.config.resources if s.role != "results" and s.name not in done
                and getattr(registry.load(ws, s), "stores_content", False)}
        everything = {s.name for s in ws.config.resources} | {r.name for r in ws.db.get(sid).content.resources}
        if data:
            from .restore import restore

            result = restore(ws, sid, leave=sorted(everything - data), progress=progress)
            restored = dict(result.restored)
        else:
            ws.set_current_snapshot(sid)
    return CloneResult(dest, ws.config.name, host, sid, restored, done, len(ws.db.ids()))


def _setup_scratch(ws: Workspace, ask: Ask | None, scratch: str | None) -> None:
    """This machine's scratch directory (asked for, or given, when the workspace keeps it outside)."""
    from ..scratch import setup_for_clone

    setup_for_clone(ws, ask, scratch)


def _default_dir(url: str) -> str:
    base = url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    base = base[:-4] if base.endswith(".git") else base
    if not base:
        raise UsageError(f"cannot guess a directory name from '{url}'", "give DIR")
    return base


def _cleanup(dest: str, created: bool) -> None:
    if not os.path.isdir(dest):
        return
    for d, dirs, files in os.walk(dest):  # results are read-only files
        for n in dirs + files:
            p = os.path.join(d, n)
            if not os.path.islink(p):
                try:
                    os.chmod(p, os.stat(p).st_mode | 0o700)
                except OSError:
                    pass
    if created:
        shutil.rmtree(dest, ignore_errors=True)
    else:
        for n in os.listdir(dest):
            p = os.path.join(dest, n)
            shutil.rmtree(p, ignore_errors=True) if os.path.isdir(p) and not os.path.islink(p) else os.unlink(p)
