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

from ..config import FILENAME
from ..errors import BadManifest, DwsError, UnsafePath, UsageError
from ..model.diff import Changes
from ..model.names import check_hostname
from ..progress import NULL, Progress
from ..resources import registry
from ..store import exchange, travel
from ..store.git import git_run
from ..workspace import Workspace, default_hostname
from .pull import merge_refs, select_resources
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
    missing: dict[str, str] = field(default_factory=dict)  # name -> why its data is not here, and the fix


def clone(url: str, directory: str | None = None, *, hostname: str | None = None, ask: Ask | None = None,
          paths: dict[str, str] | None = None, data: bool = True, only: list[str] | None = None,
          skip: list[str] | None = None, progress: Progress = NULL, scratch: str | None = None) -> CloneResult:
    """`paths`: this machine's directory of resources that live outside the workspace (NAME -> DIR),
    kept in machine-local settings. `data=False` (--no-data) fetches no data; only/skip as pull."""
    dest = os.path.abspath(directory or _default_dir(url))
    if os.path.exists(dest) and (not os.path.isdir(dest) or os.listdir(dest)):
        raise UsageError(f"{dest} already exists and is not empty", "give another DIR")
    created = not os.path.exists(dest)
    proc = git_run(os.path.dirname(dest) or ".", "clone", "-q", "--", url, dest, check=False)
    if proc.returncode != 0:
        last = (proc.stderr.decode("utf-8", "replace").strip().splitlines() or ["?"])[-1]
        _cleanup(dest, created)
        raise DwsError(f"cannot clone {url}: {last}", "check the URL and your access to it")
    try:
        return _setup(dest, hostname, ask, paths or {}, data, only, skip, progress, scratch)
    except BaseException:
        _cleanup(dest, created)
        raise


def _setup(dest: str, hostname: str | None, ask: Ask | None, paths: dict[str, str], data: bool,
           only: list[str] | None, skip: list[str] | None, progress: Progress,
           scratch: str | None = None) -> CloneResult:
    if not os.path.exists(os.path.join(dest, FILENAME)):
        raise DwsError(f"the cloned repository has no {FILENAME}: it is not a git-dws workspace",
                       "clone it with plain `git clone`, or check the URL")
    ws = Workspace.open(dest)
    host = hostname or (ask("Hostname for this machine", default_hostname()) if ask else default_hostname())
    ws.repo.config_set("dws.hostname", check_hostname(host))
    _setup_scratch(ws, ask, scratch)
    travel.configure_all(dest)
    exchange.fetch(dest, "origin")
    merge_refs(ws, "origin")  # every snapshot validated before its refs are taken
    selected = select_resources(ws, only, skip)
    missing = _place_resources(ws, ask, paths)

    done: dict[str, str] = {}
    for spec in ws.config.resources:
        if spec.name in missing:
            continue
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
        wanted = [s.name for s in ws.config.resources if s.role != "results" and s.name not in done
                  and s.name not in missing and s.name in selected
                  and getattr(registry.load(ws, s), "stores_content", False)]
        if not data:
            missing.update({n: "not fetched (--no-data); get it with: git dws pull" for n in wanted})
            wanted = []
        restored = _restore_each(ws, sid, wanted, missing, progress)
        ws.set_current_snapshot(sid)
        ws.set_incomplete(set(missing))  # the next `git dws pull` brings their data
    return CloneResult(dest, ws.config.name, host, sid, restored, done, len(ws.db.ids()), missing)


def _place_resources(ws: Workspace, ask: Ask | None, paths: dict[str, str]) -> dict[str, str]:
    """Decide where each resource lives on this machine. A committed path must stay inside the
    workspace; a resource elsewhere (no committed path) gets this machine's directory from
    --resource-path or the user, kept in machine-local settings. A committed path that leads outside is
    refused in --batch (it is what a hostile push would write). Returns resources left without a
    directory: name -> why and how to fix it."""
    missing: dict[str, str] = {}
    names = {s.name for s in ws.config.resources}
    for name in paths:
        if name not in names:
            raise UsageError(f"--resource-path names no resource '{name}'", f"resources: {', '.join(sorted(names))}")
    for spec in ws.config.resources:
        where = paths.get(spec.name)
        if where is None:
            try:
                _ = registry.load(ws, spec).local_path
                continue  # inside the workspace (or no local directory at all)
            except UnsafePath as e:
                if ask is not None:
                    said = f" ({FILENAME} names '{spec.path}', which is not used)" if spec.path else ""
                    where = ask(f"Directory of resource '{spec.name}' on this machine{said}; empty: set it later",
                                "") or None
                elif spec.path:
                    raise DwsError(e.message, f"if you trust it, clone with --resource-path {spec.name}=DIR "
                                              f"(the same as git config dws-resource.{spec.name}.path DIR)") from None
        if where:
            ws.repo.config_set(f"dws-resource.{spec.name}.path", os.path.abspath(os.path.expanduser(where)))
        else:
            missing[spec.name] = (f"no directory on this machine; set one (git config dws-resource.{spec.name}"
                                  ".path DIR), then git dws pull")
    return missing


def _restore_each(ws: Workspace, sid: str, names: list[str], missing: dict[str, str],
                  progress: Progress) -> dict[str, Changes]:
    """Restore each data resource on its own: data that was never pushed, or a data remote out of
    reach, leaves that resource empty (and reported) instead of failing the whole clone."""
    from .restore import restore

    restored: dict[str, Changes] = {}
    everything = {s.name for s in ws.config.resources} | {r.name for r in ws.db.get(sid).content.resources}
    for name in names:
        try:
            result = restore(ws, sid, leave=sorted(everything - {name}), progress=progress)
        except BadManifest:
            raise
        except DwsError as e:
            fix = f"{e.hint}, then get it with: git dws pull" if e.hint else "get it later with: git dws pull"
            missing[name] = f"{e.message}; {fix}"
            spec = ws.config.resource(name)
            if spec is not None:
                os.makedirs(registry.load(ws, spec).local_path, exist_ok=True)
            continue
        restored.update(result.restored)
    return restored


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
