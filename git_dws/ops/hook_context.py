"""The workspace as the git hooks see it, read with the standard library only: the repository
(`store.lite`), the `.dws.toml` tables (parsed once and cached per worktree by the file's stat data:
tomllib alone costs more than a hook with nothing to do), the workspace lock, the marker that lets the
pre-commit shim skip Python, the stat-cache check that vouches for an unchanged local-files resource
without reading it, and what pre-commit hands to post-commit. The regular code (pygit2, the resource
registry) is imported only by `capture`, for content that must really be read."""

from __future__ import annotations

import marshal
import os
import stat
import time

from ..errors import DwsError
from ..model.paths import resource_dir
from ..store.lite import LiteGit

TYPE_CHECKING = False  # typing, contextlib, json, ... cost more than a hook with nothing to do
if TYPE_CHECKING:
    from typing import Any

CONFIG_FILE = ".dws.toml"  # config.FILENAME, without importing config
GIT_HELD = frozenset({"git-subdirectory"})  # the workspace's own git holds these; checkout moves them
_IN_PROGRESS = (("rebase-merge", "rebase"), ("rebase-apply", "rebase"), ("MERGE_HEAD", "merge"),
                ("CHERRY_PICK_HEAD", "cherry-pick"), ("REVERT_HEAD", "revert"), ("sequencer", "cherry-pick"),
                ("BISECT_LOG", "bisect"))
LOCK_WAIT = 10.0


class Resource:
    __slots__ = ("name", "params", "path", "role", "type")

    def __init__(self, name: str, table: dict[str, Any]) -> None:
        self.name = name
        self.type = str(table.get("type", ""))
        self.role = str(table.get("role", ""))
        self.path = str(table.get("path", ""))
        self.params = table


class HookContext:
    """A workspace as the hooks see it: the repository and the raw `.dws.toml` tables."""

    def __init__(self, git: LiteGit, config: dict[str, Any]) -> None:
        self.git = git
        self.config = config
        self.params: dict[str, Any] = dict(config.get("params") or {})
        self.resources = [Resource(n, t) for n, t in (config.get("resources") or {}).items()]
        self.state_dir = os.path.join(git.git_dir, "dws")
        self.dws_dir = os.path.join(git.common_dir, "dws")

    @property
    def familiar(self) -> bool:
        """A configuration format this version reads (else the regular path, which explains)."""
        return int((self.config.get("workspace") or {}).get("format", 1)) <= 1

    def resource_path(self, r: Resource, local_only: bool = False) -> str:
        """As Workspace.resource_path (one rule, model.paths): a machine-local override wins, a committed
        path must stay inside the workspace. `local_only`: trust .git/config alone, where git-dws writes
        overrides (no git process)."""
        override = self.git.local_config(f"dws-resource.{r.name}.path", local_only)
        return resource_dir(os.path.realpath(self.git.workdir), r.name, r.path, override)

    def local_path(self, r: Resource) -> str:
        return os.path.join(self.git.workdir, r.path) if r.type in GIT_HELD else self.resource_path(r)

    def lock(self) -> _Lock:
        return _Lock(os.path.join(self.dws_dir, "lock"))


class _Lock:
    """The workspace lock (as store.lock.workspace_lock), waiting a little for a command that holds it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd = -1

    def __enter__(self) -> None:
        import fcntl

        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(self.fd)
                    raise DwsError("another git-dws command is running in this workspace",
                                   "wait for it to finish") from None
                time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)  # closing releases the flock


def open_context(cwd: str) -> HookContext | None:
    """The workspace at `cwd`, or None when this is not one (the hooks then do nothing)."""
    git = LiteGit.discover(cwd)
    if git is None:
        return None
    config = _load_config(git)
    return HookContext(git, config) if config is not None else None


def _load_config(git: LiteGit) -> dict[str, Any] | None:
    """The parsed `.dws.toml`, cached per worktree by its stat data (tomllib costs more than the rest of
    a hook with nothing to do)."""
    path = os.path.join(git.workdir, CONFIG_FILE)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    key = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    cache = os.path.join(git.git_dir, "dws", "hook-config")
    try:
        with open(cache, "rb") as f:
            cached = marshal.load(f)
        if cached[0] == key and isinstance(cached[1], dict):
            return dict(cached[1])
    except (OSError, EOFError, ValueError, TypeError, IndexError):
        pass
    import tomllib

    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise DwsError(f"cannot read {CONFIG_FILE}: {e}", f"fix {CONFIG_FILE} by hand or restore it from git") from e
    try:
        blob = marshal.dumps([key, data])
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        with open(cache + ".tmp", "wb") as f:
            f.write(blob)
        os.replace(cache + ".tmp", cache)
    except (OSError, ValueError):
        pass
    return data


def in_progress(git: LiteGit) -> str | None:
    """The multi-step git operation under way in this worktree (rebase, merge, ...), if any."""
    for name, what in _IN_PROGRESS:
        if os.path.lexists(os.path.join(git.git_dir, name)):
            return what
    return None


# -- pre-commit ------------------------------------------------------------------------------------
MARKER = "hook-nothing-to-capture"  # in $GIT_DIR/dws/; the shim reads it (hooks/hook-tmpl)
RACY = 2.0


def mark_nothing_to_capture(ctx: HookContext, nothing: bool) -> None:
    """Leave (or remove) the marker that lets the pre-commit shim skip starting Python while .dws.toml
    lists no resource to capture. It is written only when .dws.toml is older than RACY seconds, so any
    later change of .dws.toml has a newer time stamp than the marker (the shim compares them)."""
    path = os.path.join(ctx.state_dir, MARKER)
    try:
        if not nothing:
            os.unlink(path)
            return
        config = os.stat(os.path.join(ctx.git.workdir, CONFIG_FILE)).st_mtime_ns
        if os.path.exists(path) and os.stat(path).st_mtime_ns > config:
            return  # valid
        if config < (time.time() - RACY) * 1e9:
            os.makedirs(ctx.state_dir, exist_ok=True)
            with open(path, "w") as f:
                f.write("git-dws: this workspace has no resource for the pre-commit hook to capture\n")
    except OSError:
        pass


_STATCACHE_MAGIC = b"DWS-STATCACHE-2\n"  # store.statcache; docs/FORMAT.md "Per-worktree state"
_STAT_RECORD = 68  # struct "<QqqQI32s": size, mtime_ns, ctime_ns, inode, mode, raw BLAKE3
PARALLEL_FILES = 4000


def known_tree(ctx: HookContext, r: Resource) -> str | None:
    """The manifest tree of a local-files resource when its stat cache holds every file, unchanged, and
    knows the tree they make (the cache keeps a tree only when it covers every file, and only a tree
    that was recorded). Reads the cache file itself (its format is in docs/FORMAT.md) and compares raw
    records, stopping at the first file that is new or changed: then the regular capture reads the
    resource. The lstat of every file is the floor here; everything else is kept off the per-file path."""
    import struct

    try:
        with open(os.path.join(ctx.state_dir, "statcache", r.name), "rb") as f:
            data = f.read()
        if not data.startswith(_STATCACHE_MAGIC):
            return None
        end = data.index(b"\n", len(_STATCACHE_MAGIC))
        count_s, tree = data[len(_STATCACHE_MAGIC):end].decode().split(" ")
        count = int(count_s)
        names_end = len(data) - count * _STAT_RECORD
        if tree == "-" or not count or names_end <= end:
            return None
        names = data[end + 1:names_end].decode("utf-8", "surrogateescape").split("\0")
    except (OSError, ValueError):
        return None
    if len(names) != count:
        return None
    index = dict(zip(names, range(0, count * _STAT_RECORD, _STAT_RECORD), strict=True))
    records = memoryview(data)[names_end:]
    pack = struct.Struct("<QqqQI").pack
    reg, dir_, kind = stat.S_IFREG, stat.S_IFDIR, stat.S_IFMT
    seen = [0]
    bad = [False]

    def walk(stack: list[tuple[str, str]], entries: list[os.DirEntry[str]] | None = None) -> None:
        """Compare every file under the directories of `stack` (and the `entries` of the resource's top
        directory) with its record; count the matches."""
        n = 0
        try:
            while not bad[0]:
                if entries is None:
                    if not stack:
                        break
                    path, prefix = stack.pop()
                    with os.scandir(path) as it:
                        listing = list(it)
                else:
                    listing, prefix, entries = entries, "", None
                for e in listing:
                    st = e.stat(follow_symlinks=False)  # the syscall releases the GIL
                    m = st.st_mode
                    t = kind(m)
                    if t == reg:
                        at = index.get(prefix + e.name)
                        if at is None or records[at:at + 36] != pack(st.st_size, st.st_mtime_ns, st.st_ctime_ns,
                                                                     st.st_ino, m):
                            bad[0] = True
                            return
                        n += 1
                    elif t == dir_:
                        if prefix:
                            stack.append((e.path, prefix + e.name + "/"))
                    else:  # a link (targets are not cached) or a special file: the regular path
                        bad[0] = True
                        return
        except (OSError, struct.error):
            bad[0] = True
        seen[0] += n  # one `+=` per thread, under the GIL

    try:
        with os.scandir(ctx.resource_path(r, local_only=True)) as it:
            top = list(it)
    except OSError:
        return None
    subdirs = [(e.path, e.name + "/") for e in top if e.is_dir(follow_symlinks=False)]
    if count >= PARALLEL_FILES and len(subdirs) >= 2:
        # two walkers: one's lstat overlaps the other's Python work (the bare scan of 20,000 files went
        # from 112 to 81 ms here; with both cores busy with other work it gains nothing, and costs nothing)
        import _thread

        done = _thread.allocate_lock()
        done.acquire()

        def helper() -> None:
            try:
                walk(subdirs[1::2])
            finally:
                done.release()

        _thread.start_new_thread(helper, ())
        walk(subdirs[0::2], top)
        done.acquire()
    else:
        walk(subdirs, top)
    return tree if not bad[0] and seen[0] == count else None


def capture(ctx: HookContext, resources: list[Resource]) -> dict[str, list[Any]]:
    """Snapshot resources through their regular implementation (this is where pygit2 gets imported)."""
    if not resources:
        return {}
    from ..progress import NULL
    from ..resources import registry
    from ..workspace import Workspace

    ws = Workspace.open(ctx.git.workdir)
    out: dict[str, list[Any]] = {}
    for r in resources:
        spec = ws.config.resource(r.name)
        if spec is None:
            continue
        res = registry.load(ws, spec)
        out[r.name] = [res.snapshot(NULL), registry.manifest_mode(r.type)]
    return out


def _pending_path(ctx: HookContext) -> str:
    return os.path.join(ctx.state_dir, "hook-pending")


def write_pending(ctx: HookContext, trees: dict[str, list[Any]]) -> None:
    """For post-commit of the same `git commit` (same parent process: git itself)."""
    from .hook_record import canonical_json

    os.makedirs(ctx.state_dir, exist_ok=True)
    path = _pending_path(ctx)
    with open(path + ".tmp", "wb") as f:
        f.write(canonical_json({"ppid": os.getppid(), "trees": trees}))
    os.replace(path + ".tmp", path)


def take_pending(ctx: HookContext) -> dict[str, list[Any]]:
    from .hook_record import loads

    try:
        with open(_pending_path(ctx), "rb") as f:
            obj = loads(f.read())
    except (OSError, ValueError):
        return {}
    clear_pending(ctx)
    return dict(obj.get("trees") or {}) if obj.get("ppid") == os.getppid() else {}


def clear_pending(ctx: HookContext) -> None:
    try:
        os.unlink(_pending_path(ctx))
    except FileNotFoundError:
        pass


# -- post-commit -----------------------------------------------------------------------------------
