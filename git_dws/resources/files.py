"""Directory scanning, hashing through the stat cache, and manifest trees for file-based resources."""

from __future__ import annotations

import os
import shutil
import stat
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import BadManifest, DwsError
from ..model.manifest import (
    LISTING,
    MODE_EXEC,
    MODE_FILE,
    MODE_LINK,
    FileEntry,
    decode_listing,
    dir_to_tree_name,
    encode_listing,
    tree_name_to_dir,
)
from ..model.validate import DOTGIT_START, GIT_MODES, check_mode, component_problem, is_dotgit
from ..safefs import is_temporary
from ..store.cas import SMALL, ContentStore, PackWriter, hash_file
from ..store.repo import MODE_TREE, Repo, TreeEntry
from ..store.statcache import StatCache, StatKey


@dataclass(frozen=True, slots=True)
class Found:
    rel: str
    path: str
    mode: int
    size: int
    key: StatKey
    target: str = ""


def scan(root: str, allow_missing: bool = False,
         leftovers: list[str] | None = None) -> tuple[list[Found], list[str]]:
    """All files and symlinks under root (symlinks are never followed). Returns (found, skipped): special
    files such as sockets and fifos, and `.git` of a repository inside the data (what restore would
    refuse to write is never recorded; git itself records a nested repository as a link, not its
    `.git`). Temporaries a killed restore left (`.dws-tmp-*`) are neither: they go to `leftovers`."""
    found: list[Found] = []
    skipped: list[str] = []
    if allow_missing and not os.path.lexists(root):
        return found, skipped
    if not os.path.isdir(root):
        raise DwsError(f"resource directory {root} is missing", "create it, or restore it from a snapshot")

    def walk(path: str, prefix: str) -> None:
        try:
            it = os.scandir(path)
        except PermissionError:
            raise DwsError(f"cannot read directory {path}: permission denied",
                           "fix its permissions (chmod u+rx) or move it out of the resource") from None
        with it:
            for e in it:
                rel = prefix + e.name
                if is_temporary(e.name):
                    if leftovers is not None:
                        leftovers.append(rel)
                    continue
                if e.name[0] in DOTGIT_START and is_dotgit(e.name):
                    skipped.append(rel)
                    continue
                st = e.stat(follow_symlinks=False)
                m = st.st_mode
                key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, m)
                if stat.S_ISDIR(m):
                    walk(e.path, rel + "/")
                elif stat.S_ISLNK(m):
                    found.append(Found(rel, e.path, MODE_LINK, 0, key, os.readlink(e.path)))
                elif stat.S_ISREG(m):
                    mode = MODE_EXEC if m & 0o100 else MODE_FILE
                    found.append(Found(rel, e.path, mode, st.st_size, key))
                else:
                    skipped.append(rel)

    walk(root, "")
    return found, skipped


def digest(f: Found, cache: StatCache, store: ContentStore | None, pack: PackWriter | None,
           on_bytes: Callable[[int], None] | None = None) -> str:
    """Content hash of a found file. With a store, also captures content the store lacks. Safe to call
    from worker threads for large files (pack is None then)."""
    cached = cache.get(f.rel, f.key)
    if cached is not None and (store is None or store.has(cached)):
        return cached
    try:
        if store is None:
            d = hash_file(f.path, f.size)
        elif f.size < SMALL and pack is not None:
            with open(f.path, "rb") as fh:
                data = fh.read()
            d = pack.add(data)
        else:
            d = store.add_large(f.path, cache.previous(f.rel), on_bytes)
    except PermissionError:
        raise DwsError(f"cannot read {f.path}: permission denied",
                       "fix its permissions (chmod u+r) or move it out of the resource") from None
    except FileNotFoundError:
        raise DwsError(f"{f.path} disappeared while it was being read", "run the command again") from None
    cache.put(f.rel, f.key, d)
    return d


def entry(f: Found, d: str) -> FileEntry:
    if f.mode == MODE_LINK:
        return FileEntry(f.rel, MODE_LINK, "", 0, f.target)
    return FileEntry(f.rel, f.mode, d, f.size)


def write_manifest(repo: Repo, entries: list[FileEntry]) -> str:
    """Build the manifest tree bottom-up: one listing blob per directory, subtrees for subdirectories."""
    files: dict[str, list[FileEntry]] = defaultdict(list)
    dirs: dict[str, set[str]] = defaultdict(set)
    for e in entries:
        parent, _, base = e.path.rpartition("/")
        files[parent].append(FileEntry(base, e.mode, e.digest, e.size, e.target))
        while parent:
            up, _, name = parent.rpartition("/")
            dirs[up].add(name)
            parent = up
    trees: dict[str, str] = {}
    with repo.batch():  # a few hundred small objects: one pack, not one file each
        _write_dirs(repo, files, dirs, trees)
    return trees[""]


def _write_dirs(repo: Repo, files: dict[str, list[FileEntry]], dirs: dict[str, set[str]],
                trees: dict[str, str]) -> None:
    for d in sorted(set(files) | set(dirs) | {""}, key=lambda p: -p.count("/") if p else 1):
        items = []
        if files.get(d):
            items.append(TreeEntry(LISTING, repo.write_blob(encode_listing(files[d])), 0o100644))
        for sub in dirs.get(d, ()):
            full = f"{d}/{sub}" if d else sub
            items.append(TreeEntry(dir_to_tree_name(sub), trees[full], MODE_TREE))
        trees[d] = repo.write_tree(items)


def read_manifest(repo: Repo, tree: str, extra: tuple[str, ...] = (), uncaptured: bool = False) -> dict[str, FileEntry]:
    """The files a manifest tree records, validated entry by entry (the tree may come from another
    clone): subtrees are directories with valid names, `.dws-files` is the one listing blob, nothing
    else; a file and a directory never share a path. Raises BadManifest. Iterative: a crafted tree may
    be deeper than Python's recursion limit."""
    out: dict[str, FileEntry] = {}
    dirs: set[str] = set()
    todo = [(tree, "")]
    while todo:
        oid, prefix = todo.pop()
        names: set[str] = set()
        for e in repo.tree_entries(oid):
            if e.name in names:
                raise BadManifest("the name appears twice in one directory", prefix + e.name)
            names.add(e.name)
            if e.name == LISTING:
                if e.mode != 0o100644:
                    raise BadManifest("the file listing is not a plain blob", prefix + e.name)
                for fe in decode_listing(repo.read_blob(e.id), prefix, uncaptured):
                    out[fe.path] = fe
            elif e.is_tree:
                sub = prefix + tree_name_to_dir(e.name)
                dirs.add(sub)
                todo.append((e.id, sub + "/"))
            elif not (prefix == "" and e.name in extra and e.mode == 0o100644):  # a type's own root blob
                raise BadManifest(f"an entry of mode {e.mode:o} git-dws does not write", prefix + e.name)
    clash = dirs.intersection(out)
    if clash:
        raise BadManifest("a file and a directory of the same name", min(clash))
    return out


def check_git_tree(repo: Repo, tree: str) -> None:
    """Validate a git tree held as a manifest (git-subdirectory): every name a valid component (no
    `.git`, `..`, `/`), every mode one git writes. git's checkout checks this too; we refuse earlier."""
    todo, seen = [(tree, "")], set()
    while todo:
        oid, prefix = todo.pop()
        if oid in seen:
            continue
        seen.add(oid)
        names: set[str] = set()
        for e in repo.tree_entries(oid):
            why = component_problem(e.name)
            if why is not None:
                raise BadManifest(why, prefix + e.name)
            if e.name in names:
                raise BadManifest("the name appears twice in one directory", prefix + e.name)
            names.add(e.name)
            try:
                check_mode(e.mode, GIT_MODES)
            except BadManifest as err:
                raise BadManifest(err.why, prefix + e.name) from None
            if e.is_tree:
                todo.append((e.id, prefix + e.name + "/"))


# Root-level files of a results resource that is a git repository of its own: its configuration, not
# results. They stay where they are (with `.git` itself).
GIT_CONFIG_FILES = (".gitignore", ".gitattributes", ".gitmodules")


def move_results(root: str, dest_rel: str, exclude: list[str], *, copy: bool = False) -> int:
    """Move (or, for exported results, copy) every result file except `exclude` (root-level names) and
    the `snapshots/` tree into `dest_rel`, read-only. Excluding all of `snapshots/` (not only names
    matching the current template) means changing the template never nests old snapshot directories
    into new ones."""
    return len(move_result_files(root, dest_rel, exclude, copy=copy))


def move_result_files(root: str, dest_rel: str, exclude: list[str], *, copy: bool = False) -> list[str]:
    """As move_results; returns the moved paths (relative to root)."""
    if not os.path.isdir(root):
        raise DwsError(f"resource directory {root} is missing", "create it, or restore it from a snapshot")
    moving = [f for f in _result_files(root) if f.rel not in exclude]
    dest_root = os.path.join(root, dest_rel)
    if moving and os.path.lexists(dest_root):
        raise DwsError(f"results directory {dest_root} already exists",
                       "pick another tag, or change results.dir_template")
    for f in moving:
        dest = os.path.join(dest_root, f.rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if not copy:
            os.rename(f.path, dest)
        elif f.mode == MODE_LINK:
            os.symlink(f.target, dest)
        else:
            shutil.copy2(f.path, dest)
        if f.mode != MODE_LINK:
            os.chmod(dest, os.stat(dest).st_mode & ~0o222)
    if not copy:
        prune_empty_dirs(root, {os.path.dirname(f.rel) for f in moving})
    return [f.rel for f in moving]


def _result_files(root: str) -> list[Found]:
    """The files a results move takes: everything under root except `snapshots/`, any `.git` (file or
    directory, at any depth) and any directory that is a repository of its own (it holds a `.git`):
    a results move never takes a repository apart."""
    out: list[Found] = []

    def walk(path: str, prefix: str) -> None:
        try:
            with os.scandir(path) as it:
                entries = sorted(it, key=lambda e: e.name)
        except PermissionError:
            raise DwsError(f"cannot read directory {path}: permission denied",
                           "fix its permissions (chmod u+rx) or move it out of the resource") from None
        for e in entries:
            rel = prefix + e.name
            if is_dotgit(e.name) or is_temporary(e.name) or rel == "snapshots":
                continue
            st = e.stat(follow_symlinks=False)
            key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_mode)
            if stat.S_ISDIR(st.st_mode):
                if not os.path.lexists(os.path.join(e.path, ".git")):  # a repository of its own stays whole
                    walk(e.path, rel + "/")
            elif stat.S_ISLNK(st.st_mode):
                out.append(Found(rel, e.path, MODE_LINK, 0, key, os.readlink(e.path)))
            elif stat.S_ISREG(st.st_mode):
                out.append(Found(rel, e.path, MODE_EXEC if st.st_mode & 0o100 else MODE_FILE, st.st_size, key))

    walk(root, "")
    return out


def prune_empty_dirs(root: str, rels: set[str]) -> None:
    """Remove directories (and their emptied parents) left empty, never `root` itself."""
    todo = set()
    for rel in rels:
        while rel:
            todo.add(rel)
            rel = os.path.dirname(rel)
    for rel in sorted(todo, key=lambda p: -p.count("/")):
        try:
            os.rmdir(os.path.join(root, rel))
        except OSError:
            pass
