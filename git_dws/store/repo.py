"""A small facade over one git repository: objects through pygit2, refs through one
`git update-ref --stdin` transaction (atomic, compare-and-swap, handles packed refs and reflogs)."""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ..errors import DwsError, NotAWorkspace, RefRaceError
from . import gitpack, refjournal
from .git import git_oneline, git_run

_PYGIT2: Any = None


def _pygit2() -> Any:
    """pygit2 costs 60-200 ms to import: load it on the first object access, not at start-up, so that
    commands and hooks that find nothing to do never pay for it."""
    global _PYGIT2
    if _PYGIT2 is None:
        import pygit2

        pygit2.settings.cache_object_limit(pygit2.enums.ObjectType.TREE, 1 << 20)  # ~190x faster lookups
        _PYGIT2 = pygit2
    return _PYGIT2

ZERO = "0" * 40
_OID = re.compile(r"[0-9a-f]{40}")
MODE_TREE = 0o040000
MODE_COMMIT = 0o160000


@dataclass(frozen=True, slots=True)
class TreeEntry:
    name: str
    id: str
    mode: int

    @property
    def is_tree(self) -> bool:
        return self.mode == MODE_TREE


@dataclass(frozen=True, slots=True)
class Identity:
    name: str
    email: str
    when: int
    offset: int  # minutes east of UTC

    def git_line(self) -> str:
        sign = "-" if self.offset < 0 else "+"
        m = abs(self.offset)
        return f"{self.name} <{self.email}> {self.when} {sign}{m // 60:02d}{m % 60:02d}"


class Repo:
    def __init__(self, start: str) -> None:
        proc = git_run(start, "rev-parse", "--path-format=absolute", "--show-toplevel", "--git-dir",
                       "--git-common-dir", check=False)
        if proc.returncode != 0:
            stderr = proc.stderr.decode("utf-8", "replace")
            if "work tree" in stderr:
                raise NotAWorkspace("git dws needs a working tree; this is a bare repository or a .git dir",
                                    "run it in a clone with a working tree (git clone, then cd into it)")
            raise NotAWorkspace(f"not a git repository: {os.path.abspath(start)}",
                                "run `git dws init` to make one, or cd into your workspace")
        top, git_dir, common = proc.stdout.decode("utf-8", "surrogateescape").splitlines()[:3]
        self.workdir = os.path.realpath(top)
        self.git_dir = os.path.realpath(git_dir)
        self.common_dir = os.path.realpath(common)

        self._pending: dict[str, tuple[str, bytes]] | None = None

    @cached_property
    def _r(self) -> Any:
        return _pygit2().Repository(self.git_dir)

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Blobs and trees written inside the block reach git as one pack when it ends (see gitpack);
        they cannot be read back before that."""
        self._pending = {}
        try:
            yield
            gitpack.write_pack(os.path.join(self.common_dir, "objects"),
                               [(oid, kind, data) for oid, (kind, data) in self._pending.items()])
        finally:
            self._pending = None

    def _batched(self, kind: str, data: bytes) -> str:
        assert self._pending is not None
        oid = gitpack.object_id(kind, data)
        if oid not in self._pending and not self.has_object(oid):
            self._pending[oid] = (kind, data)
        return oid

    # -- objects -------------------------------------------------------------------------------------
    def write_blob(self, data: bytes) -> str:
        if self._pending is not None:
            return self._batched("blob", data)
        return str(self._r.create_blob(data))

    def write_tree(self, entries: list[TreeEntry]) -> str:
        """Serialise the tree ourselves: TreeBuilder only takes names that are valid UTF-8, while file
        names are bytes (we carry undecodable bytes as surrogate escapes, as os does)."""
        if self._pending is not None:
            return self._batched("tree", tree_bytes(entries))
        pygit2 = _pygit2()
        return str(self._r.odb.write(pygit2.enums.ObjectType.TREE, tree_bytes(entries)))

    def write_commit(self, tree: str, parents: list[str], message: str, who: Identity) -> str:
        pygit2 = _pygit2()
        sig = pygit2.Signature(who.name, who.email, who.when, who.offset)
        oid = self._r.create_commit(None, sig, sig, message, pygit2.Oid(hex=tree),
                                    [pygit2.Oid(hex=p) for p in parents])
        return str(oid)

    def write_tag_object(self, name: str, commit: str, message: str, who: Identity) -> str:
        pygit2 = _pygit2()
        body = (f"object {commit}\ntype commit\ntag {name}\ntagger {who.git_line()}\n\n{message}").encode()
        if not body.endswith(b"\n"):
            body += b"\n"
        return str(self._r.odb.write(pygit2.enums.ObjectType.TAG, body))

    def has_object(self, oid: str) -> bool:
        pygit2 = _pygit2()
        return pygit2.Oid(hex=oid) in self._r.odb

    def read_blob(self, oid: str) -> bytes:
        pygit2 = _pygit2()
        obj = self._r.get(oid)
        if not isinstance(obj, pygit2.Blob):
            raise DwsError(f"object {oid} is missing or not a blob", "run `git fsck`; fetch from your remote")
        return bytes(obj.data)

    def tree_entries(self, oid: str) -> list[TreeEntry]:
        pygit2 = _pygit2()
        tree = self._r.get(oid)
        if not isinstance(tree, pygit2.Tree):
            raise DwsError(f"object {oid} is missing or not a tree", "run `git fsck`; fetch from your remote")
        return [TreeEntry(_name(e.raw_name), str(e.id), e.filemode) for e in tree]

    def is_tree(self, oid: str) -> bool:
        pygit2 = _pygit2()
        return isinstance(self._r.get(oid), pygit2.Tree)

    def tree_path(self, tree: str, path: str) -> TreeEntry | None:
        pygit2 = _pygit2()
        obj = self._r.get(tree)
        if isinstance(obj, pygit2.Commit):
            obj = obj.tree
        if not isinstance(obj, pygit2.Tree):
            return None
        if not path:
            return TreeEntry("", str(obj.id), MODE_TREE)
        try:
            e = obj[path]
        except (KeyError, UnicodeEncodeError):
            return None
        return TreeEntry(_name(e.raw_name), str(e.id), e.filemode)

    def commit_tree_id(self, commit: str) -> str:
        pygit2 = _pygit2()
        c = self._r.get(commit)
        if not isinstance(c, pygit2.Commit):
            raise DwsError(f"object {commit} is not a commit", "run `git fsck`; fetch from your remote")
        return str(c.tree_id)

    def commit_parents(self, commit: str) -> list[str]:
        pygit2 = _pygit2()
        c = self._r.get(commit)
        return [str(p) for p in c.parent_ids] if isinstance(c, pygit2.Commit) else []

    def tag_info(self, oid: str) -> tuple[str, str] | None:
        """(target commit, message) of an annotated tag object, or None for anything else."""
        pygit2 = _pygit2()
        t = self._r.get(oid)
        if not isinstance(t, pygit2.Tag):
            return None
        return str(t.target), t.message or ""

    # -- refs ----------------------------------------------------------------------------------------
    def ref(self, name: str) -> str | None:
        pygit2 = _pygit2()
        try:
            return str(self._r.lookup_reference(name).resolve().target)
        except (KeyError, pygit2.InvalidSpecError):
            return None

    def refs(self, prefix: str) -> dict[str, str]:
        out = {}
        for name in self._r.references:
            if name.startswith(prefix):
                target = self.ref(name)
                if target:
                    out[name] = target
        return out

    def head(self) -> str | None:
        """The commit HEAD names. Read from the ref files when they are plain (a branch in a loose or
        packed ref, or a detached id), so that status and the hooks need not import pygit2 (60-200 ms)
        to learn it; anything else (reftable, symref chains) goes through pygit2."""
        if _PYGIT2 is None:
            known, oid = self._head_from_files()
            if known:
                return oid
        return self._head_pygit2()

    def _head_from_files(self) -> tuple[bool, str | None]:
        """(True, commit or None when unborn) if the ref files answer plainly, else (False, None)."""
        try:
            with open(os.path.join(self.git_dir, "HEAD"), encoding="utf-8") as f:
                text = f.read().strip()
            if _OID.fullmatch(text):
                return True, text
            if not text.startswith("ref: refs/heads/"):
                return False, None
            ref = text[5:]
            try:
                with open(os.path.join(self.common_dir, ref), encoding="utf-8") as f:
                    oid = f.read().strip()
                return (True, oid) if _OID.fullmatch(oid) else (False, None)
            except FileNotFoundError:
                pass
            with open(os.path.join(self.common_dir, "packed-refs"), encoding="utf-8") as f:
                for line in f:
                    oid, _, name = line.rstrip("\n").partition(" ")
                    if name == ref and _OID.fullmatch(oid):
                        return True, oid
            return True, None  # an unborn branch
        except FileNotFoundError:  # no packed-refs file: an unborn branch
            return True, None
        except (OSError, UnicodeDecodeError):
            return False, None

    def _head_pygit2(self) -> str | None:
        pygit2 = _pygit2()
        try:
            return None if self._r.head_is_unborn else str(self._r.head.target)
        except pygit2.GitError:
            return None

    def head_ref(self) -> str | None:
        """The branch HEAD points at (refs/heads/...), or None when detached."""
        try:
            ref = self._r.lookup_reference("HEAD")
        except KeyError:
            return None
        target = ref.target
        return target if isinstance(target, str) else None

    def resolve(self, rev: str) -> str | None:
        pygit2 = _pygit2()
        try:
            obj = self._r.revparse_single(rev)
        except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError):
            return None
        return str(obj.id)

    def update_refs(self, updates: list[tuple[str, str | None, str | None]], reason: str) -> None:
        """Move refs in one atomic transaction: (ref, new or None to delete, expected old or None if
        it must not exist). A ref that moved meanwhile aborts the whole transaction."""
        refjournal.write(self.common_dir, updates)
        try:
            self._update_refs(updates, reason)
        except DwsError:  # git refused the transaction as a whole: nothing moved
            refjournal.clear(self.common_dir)
            raise
        refjournal.clear(self.common_dir)  # (interrupted: the journal stays for the next command)

    def recover_refs(self) -> bool:
        """Finish a ref transaction a killed command left half done (see refjournal). Call only while
        holding the workspace lock. Returns True if something was repaired."""
        updates = refjournal.pending(self.common_dir)
        if updates is None:
            return False
        remaining = [u for u in updates if self.ref(u[0]) != u[1]]
        if len(remaining) < len(updates):  # some moved: roll the rest forward
            for ref, _, _ in remaining:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(self.common_dir, ref + ".lock"))  # ours: we hold the lock
            self._update_refs(remaining, "git dws: finish an interrupted update")
        refjournal.clear(self.common_dir)
        return len(remaining) < len(updates)

    def _update_refs(self, updates: list[tuple[str, str | None, str | None]], reason: str) -> None:
        lines = []
        for ref, new, old in updates:
            expect = old or ZERO
            lines.append(f"delete {ref} {expect}" if new is None else f"update {ref} {new} {expect}")
        proc = git_run(self.workdir, "update-ref", "-m", reason, "--stdin",
                       input=("\n".join(lines) + "\n").encode(), check=False)
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace")
            stale = re.search(r"Unable to create '([^']+\.lock)': File exists", err)
            if stale:  # left by a git process that died; git will not remove it by itself
                raise DwsError(f"a git lock file is in the way: {stale.group(1)}",
                               "if no other git command is running, delete that file and run the command again")
            raise RefRaceError(err.strip().splitlines()[-1] if err.strip() else f"exit {proc.returncode}")

    # -- notes ---------------------------------------------------------------------------------------
    def note(self, notes_ref: str, target: str) -> bytes | None:
        try:
            n = self._r.lookup_note(target, notes_ref)
        except KeyError:
            return None
        return self.read_blob(str(n.id))

    def note_at(self, notes_commit: str, target: str) -> bytes | None:
        """The note on `target` in a given notes commit (e.g. a merge not yet published), whatever the
        fan-out (git writes `ab/cdef...` once there are many notes)."""
        for path in (target, f"{target[:2]}/{target[2:]}", f"{target[:2]}/{target[2:4]}/{target[4:]}"):
            e = self.tree_path(notes_commit, path)
            if e is not None and not e.is_tree:
                return self.read_blob(e.id)
        return None

    def notes_commit(self, notes_ref: str, changes: dict[str, bytes | None], who: Identity,
                     message: str) -> tuple[str, str | None]:
        """Write a notes commit that sets (or removes, for None) the note of each target commit.
        Returns (new commit, old commit). Handles a fanned-out notes tree as git writes it."""
        old = self.ref(notes_ref)
        root = self._tree_dict(self.commit_tree_id(old)) if old else {}
        for target, data in changes.items():
            fan, rest = target[:2], target[2:]
            if fan in root and root[fan].is_tree:
                sub = self._tree_dict(root[fan].id)
                self._set(sub, rest, data)
                root[fan] = TreeEntry(fan, self.write_tree(list(sub.values())), MODE_TREE)
                if not sub:
                    del root[fan]
            else:
                self._set(root, target, data)
        tree = self.write_tree(list(root.values()))
        return self.write_commit(tree, [old] if old else [], message, who), old

    def _set(self, d: dict[str, TreeEntry], name: str, data: bytes | None) -> None:
        if data is None:
            d.pop(name, None)
        else:
            d[name] = TreeEntry(name, self.write_blob(data), 0o100644)

    def _tree_dict(self, tree: str) -> dict[str, TreeEntry]:
        return {e.name: e for e in self.tree_entries(tree)}

    def notes_list(self, notes_ref: str) -> dict[str, str]:
        """annotated commit -> note blob id"""
        if self.ref(notes_ref) is None:
            return {}
        return {str(n.annotated_id): str(n.id) for n in self._r.notes(notes_ref)}

    # -- config and identity -------------------------------------------------------------------------
    def config_get(self, key: str) -> str | None:
        return self._config.get(_config_key(key))

    @cached_property
    def _config(self) -> dict[str, str]:
        """All git config, read once through git itself (includes, conditionals, env overrides)."""
        out = git_run(self.workdir, "config", "-z", "--list", check=False).stdout.decode("utf-8", "replace")
        items = (item.partition("\n") for item in out.split("\0") if item)
        return {_config_key(k): v for k, _, v in items}

    def config_set(self, key: str, value: str) -> None:
        git_run(self.workdir, "config", "--local", key, value)
        self.__dict__.pop("_config", None)

    def identity(self) -> Identity:
        name = os.environ.get("GIT_COMMITTER_NAME") or self.config_get("user.name")
        email = os.environ.get("GIT_COMMITTER_EMAIL") or self.config_get("user.email")
        if not name or not email:
            raise DwsError("git does not know who you are (user.name / user.email unset)",
                           'run: git config --global user.name "Your Name"; '
                           'git config --global user.email you@example.com')
        when = int(time.time())
        offset = int((time.mktime(time.localtime(when)) - time.mktime(time.gmtime(when))) // 60)
        return Identity(name, email, when, offset)

    def git_version_line(self) -> str:
        return git_oneline(self.workdir, "version")


def replace_subtree(repo: Repo, root: str, path: str, subtree: str | None) -> str:
    """A copy of tree `root` with the directory at `path` replaced by `subtree` (removed if None)."""
    head, _, rest = path.partition("/")
    entries = {e.name: e for e in repo.tree_entries(root)}
    sub = subtree
    if rest:
        cur = entries.get(head)
        sub = replace_subtree(repo, cur.id if cur is not None and cur.is_tree else EMPTY_TREE, rest, subtree)
    if sub is None or sub == EMPTY_TREE:  # git does not keep empty directories
        entries.pop(head, None)
    else:
        entries[head] = TreeEntry(head, sub, MODE_TREE)
    return repo.write_tree(list(entries.values()))


EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def _name(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def tree_bytes(entries: list[TreeEntry]) -> bytes:
    """A git tree object's body: entries in git's order (a directory sorts as if its name ended in
    '/'), each `<octal mode> <name>\\0<20-byte id>`."""
    named = [(e.name.encode("utf-8", "surrogateescape"), e) for e in entries]
    named.sort(key=lambda ne: ne[0] + b"/" if ne[1].mode == MODE_TREE else ne[0])
    out = []
    for i, (raw, e) in enumerate(named):
        if not raw or b"/" in raw or b"\0" in raw or raw in (b".", b"..", b".git"):
            raise DwsError(f"cannot record the name {e.name!r} in git", "rename or move that file")
        if i and raw == named[i - 1][0]:
            raise DwsError(f"the name {e.name!r} appears twice in one directory", "rename one of them")
        out.append(b"%o %s\0%s" % (e.mode, raw, bytes.fromhex(e.id)))
    return b"".join(out)


def _config_key(key: str) -> str:
    """git config keys: section and name are case-insensitive, a subsection is not."""
    section, _, rest = key.partition(".")
    sub, _, name = rest.rpartition(".")
    return f"{section.lower()}.{sub}.{name.lower()}" if sub else f"{section.lower()}.{name.lower()}"
