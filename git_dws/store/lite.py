"""Stdlib-only access to a git repository, for the commit hooks.

`import pygit2` alone costs more than the whole time budget of a hook (see docs/ARCHITECTURE.md), and so,
less dramatically, do `subprocess`, `json` and `hashlib`. So the hooks read objects through one
`git cat-file --batch` process, write loose objects themselves (a loose object is
`zlib(b"<type> <size>\\0" + data)` at `objects/xx/yyyy...`, written under a temporary name and renamed
into place, as git does), move refs with the same `git update-ref --stdin` transaction as
`store.repo.Repo`, and start git with `os.posix_spawnp`. Tree, commit and tag bytes are exactly what
pygit2 writes, so both paths give equal object ids (tests/hooks/test_lite.py holds them to that).
"""

from __future__ import annotations

import os
import time

from ..errors import RefRaceError
from . import refjournal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import BinaryIO

try:  # the interpreter's built-in SHA-1: hashlib would load OpenSSL first
    from _sha1 import sha1  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - an interpreter built without it
    from hashlib import sha1

GUARD = "GIT_DWS_RUNNING"  # store.git.GUARD: our own git calls must not run our hooks
ZERO = "0" * 40
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
MODE_TREE = 0o040000
MODE_BLOB = 0o100644

Entry = tuple[str, str, int]  # name, object id, mode
Object = tuple[str, str, bytes]  # id, type, bytes


def object_id(kind: str, data: bytes) -> str:
    return str(sha1(b"%s %d\0" % (kind.encode(), len(data)) + data).hexdigest())


def encode_tree(entries: Iterable[Entry]) -> bytes:
    """Tree bytes in git's order: names compared as bytes, a subtree as if its name ended in '/'."""
    items = [(n.encode("utf-8", "surrogateescape"), i, m) for n, i, m in entries]
    items.sort(key=lambda e: e[0] + b"/" if e[2] == MODE_TREE else e[0])
    return b"".join(b"%o %s\0" % (m, n) + bytes.fromhex(i) for n, i, m in items)


def decode_tree(data: bytes) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    pos = 0
    while pos < len(data):
        space = data.index(b" ", pos)
        nul = data.index(b"\0", space)
        name = data[space + 1:nul].decode("utf-8", "surrogateescape")
        out[name] = (name, data[nul + 1:nul + 21].hex(), int(data[pos:space], 8))
        pos = nul + 21
    return out


def identity_line(name: str, email: str, when: int | None = None) -> str:
    """`Name <email> <time> <+hhmm>`, as store.repo.Identity.git_line (local time zone)."""
    when = int(time.time()) if when is None else when
    offset = int((time.mktime(time.localtime(when)) - time.mktime(time.gmtime(when))) // 60)
    sign = "-" if offset < 0 else "+"
    m = abs(offset)
    return f"{name} <{email}> {when} {sign}{m // 60:02d}{m % 60:02d}"


def commit_bytes(tree: str, parents: list[str], message: str, who: str) -> bytes:
    head = f"tree {tree}\n" + "".join(f"parent {p}\n" for p in parents)
    return f"{head}author {who}\ncommitter {who}\n\n{message}".encode()


def tag_bytes(name: str, commit: str, message: str, who: str) -> bytes:
    body = f"object {commit}\ntype commit\ntag {name}\ntagger {who}\n\n{message}".encode()
    return body if body.endswith(b"\n") else body + b"\n"


def config_key(key: str) -> str:
    """git config keys: section and name are case-insensitive, a subsection is not."""
    section, _, rest = key.partition(".")
    sub, _, name = rest.rpartition(".")
    return f"{section.lower()}.{sub}.{name.lower()}" if sub else f"{section.lower()}.{name.lower()}"


class Git:
    """One `git` child process started with posix_spawn: pipes to its stdin and stdout (and stderr)."""

    def __init__(self, cwd: str, args: list[str], stdin: bool = True, stderr: bool = False) -> None:
        actions: list[tuple[int, ...] | tuple[int, int, str, int, int]] = []
        fds = []
        if stdin:
            r, w = os.pipe()
            actions.append((os.POSIX_SPAWN_DUP2, r, 0))
            fds.append(r)
            self.stdin: BinaryIO | None = os.fdopen(w, "wb")
        else:
            actions.append((os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0))
            self.stdin = None
        r, w = os.pipe()
        actions.append((os.POSIX_SPAWN_DUP2, w, 1))
        fds.append(w)
        self.stdout: BinaryIO = os.fdopen(r, "rb")
        self.stderr: BinaryIO | None = None
        if stderr:
            r, w = os.pipe()
            actions.append((os.POSIX_SPAWN_DUP2, w, 2))
            fds.append(w)
            self.stderr = os.fdopen(r, "rb")
        else:
            actions.append((os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0))
        env = dict(os.environ, LC_ALL="C", LANG="C", **{GUARD: "1"})
        try:
            self.pid = os.posix_spawnp("git", ["git", "-C", cwd, *args], env, file_actions=actions)
        finally:
            for fd in fds:
                os.close(fd)

    def finish(self, data: bytes = b"") -> tuple[int, bytes, bytes]:
        """Write `data`, close stdin, read everything; (exit status, stdout, stderr). Fine for the small
        outputs we use it for (stderr is read after stdout)."""
        if self.stdin is not None:
            if data:
                self.stdin.write(data)
            self.stdin.close()
            self.stdin = None
        out = self.stdout.read()
        self.stdout.close()
        err = b""
        if self.stderr is not None:
            err = self.stderr.read()
            self.stderr.close()
        return os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1]), out, err


def run(cwd: str, args: list[str], input: bytes | None = None) -> tuple[int, bytes, bytes]:
    """`git ARGS` -> (exit status, stdout, stderr), as store.git.git_run does."""
    return Git(cwd, args, stdin=input is not None, stderr=True).finish(input or b"")


class LiteGit:
    """One repository seen from one work tree: paths, config, object reads and writes, ref updates."""

    def __init__(self, workdir: str, git_dir: str, common_dir: str, objects_dir: str) -> None:
        self.workdir = workdir
        self.git_dir = git_dir
        self.common_dir = common_dir
        self.objects_dir = objects_dir
        self.known: set[str] = set()  # ids seen in the object database: never written again
        self._batch: Git | None = None
        self._config_proc: Git | None = None
        self._config: dict[str, str] | None = None
        self._local: dict[str, str] | None = None  # {} when git must read the file
        self._seen: dict[str, Object | None] = {}

    @classmethod
    def discover(cls, cwd: str) -> LiteGit | None:
        """The repository whose work tree has its top at `cwd` (where git runs hooks), or None. Reads
        `.git` itself when git's environment does not redirect anything, else asks `git rev-parse`."""
        if not any(v in os.environ for v in _REDIRECTS):
            top = os.path.realpath(cwd)
            dotgit = os.path.join(top, ".git")
            git_dir = dotgit if os.path.isdir(dotgit) else _gitfile(dotgit)
            if git_dir is not None and os.path.isfile(os.path.join(git_dir, "HEAD")):
                common = git_dir
                if os.path.isfile(os.path.join(git_dir, "commondir")):
                    with open(os.path.join(git_dir, "commondir")) as f:
                        common = os.path.realpath(os.path.join(git_dir, f.read().strip()))
                return cls(top, git_dir, common, os.path.join(common, "objects"))
        rc, out, _ = run(cwd, ["rev-parse", "--path-format=absolute", "--show-toplevel", "--git-dir",
                               "--git-common-dir", "--git-path", "objects"])
        lines = out.decode("utf-8", "surrogateescape").splitlines()
        if rc != 0 or len(lines) != 4:
            return None
        return cls(*(os.path.realpath(p) for p in lines))

    # -- config --------------------------------------------------------------------------------------
    def start_config(self) -> None:
        """Start reading the config now, so that git works on it while we do other things."""
        if self._config is None and self._config_proc is None:
            self._config_proc = Git(self.workdir, ["config", "-z", "--list"], stdin=False)

    def config(self, key: str) -> str | None:
        if self._config is None:
            self.start_config()
            assert self._config_proc is not None
            _, out, _ = self._config_proc.finish()
            self._config_proc = None
            items = (item.partition("\n") for item in out.decode("utf-8", "replace").split("\0") if item)
            self._config = {config_key(k): v for k, _, v in items}
        return self._config.get(config_key(key))

    def local_config(self, key: str, local_only: bool = False) -> str | None:
        """A setting git-dws keeps in the repository's own config file (dws.hostname, dws-resource.*),
        read from that file when it is plainly there, else through `git config` (one process less on
        every commit). Anything unusual (includes, `git -c`, per-worktree config, quoting) goes to git.
        `local_only`: a key missing from a plainly read file is unset (not looked for elsewhere)."""
        if self._local is None:
            self._local = _parse_local(self.common_dir, self.git_dir)
        if self._local and (local_only or config_key(key) in self._local):
            return self._local.get(config_key(key))
        return self.config(key)

    def identity(self) -> str | None:
        name = os.environ.get("GIT_COMMITTER_NAME") or self.config("user.name")
        email = os.environ.get("GIT_COMMITTER_EMAIL") or self.config("user.email")
        return identity_line(name, email) if name and email else None

    # -- reading -------------------------------------------------------------------------------------
    def read(self, rev: str) -> Object | None:
        """(id, type, bytes) of the object `rev` names (any `git cat-file` syntax), or None. Answers are
        kept: a hook holds the workspace lock and reads before it writes."""
        if rev not in self._seen:
            self.prefetch([rev])
        return self._seen.get(rev)

    def prefetch(self, revs: list[str], chunk: int = 64) -> None:
        """Read several objects in one round trip to `git cat-file --batch` (in chunks: a pipe full both
        ways would deadlock)."""
        todo = [r for r in dict.fromkeys(revs) if r not in self._seen]
        for rev in [r for r in todo if not r or "\n" in r]:
            self._seen[rev] = None
        todo = [r for r in todo if r and "\n" not in r]
        if not todo:
            return
        if self._batch is None:
            self._batch = Git(self.workdir, ["cat-file", "--batch"])
        stdin, stdout = self._batch.stdin, self._batch.stdout
        assert stdin is not None
        for start in range(0, len(todo), chunk):
            part = todo[start:start + chunk]
            stdin.write(b"".join(r.encode("utf-8", "surrogateescape") + b"\n" for r in part))
            stdin.flush()
            for rev in part:
                header = stdout.readline().split()
                if len(header) != 3:  # "<rev> missing" / "ambiguous"
                    self._seen[rev] = None
                    continue
                oid, kind, size = header[0].decode(), header[1].decode(), int(header[2])
                got = (oid, kind, stdout.read(size + 1)[:size])
                self._seen[rev] = self._seen[oid] = got
                self.known.add(oid)

    def read_many(self, revs: list[str]) -> list[Object | None]:
        self.prefetch(revs)
        return [self._seen.get(r) for r in revs]

    def oid(self, rev: str) -> str | None:
        got = self.read(rev)
        return got[0] if got else None

    def tree(self, rev: str) -> dict[str, Entry] | None:
        got = self.read(rev)
        return decode_tree(got[2]) if got and got[1] == "tree" else None

    def commit_tree(self, rev: str | None) -> str | None:
        """The tree id of a commit, from the commit's own bytes (no `^{tree}` round trip)."""
        got = self.read(rev) if rev else None
        return got[2][5:45].decode() if got and got[1] == "commit" and got[2].startswith(b"tree ") else None

    def close(self) -> None:
        for proc in (self._config_proc, self._batch):
            if proc is not None:
                proc.finish()
        self._config_proc = self._batch = None

    def __enter__(self) -> LiteGit:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- notes ---------------------------------------------------------------------------------------
    def note(self, notes_tip: str | None, target: str) -> bytes | None:
        """The note on `target` in the notes commit `notes_tip`, at any fan-out depth."""
        root = self.commit_tree(notes_tip)
        tree = self.tree(root) if root else None
        rest = target
        while tree is not None:
            hit = tree.get(rest)
            if hit is not None and hit[2] != MODE_TREE:
                got = self.read(hit[1])
                return got[2] if got else None
            fan = tree.get(rest[:2])
            if fan is None or fan[2] != MODE_TREE or len(rest) <= 2:
                return None
            tree, rest = self.tree(fan[1]), rest[2:]
        return None

    def notes_tree(self, notes_tip: str | None, changes: dict[str, bytes | None]) -> str:
        """The tree of a notes commit that sets (None: removes) notes, exactly as Repo.notes_commit."""
        tree = self.commit_tree(notes_tip)
        root = dict(self.tree(tree) or {}) if tree else {}
        for target, data in changes.items():
            fan, rest = target[:2], target[2:]
            if fan in root and root[fan][2] == MODE_TREE:
                sub = dict(self.tree(root[fan][1]) or {})
                self._set(sub, rest, data)
                root[fan] = (fan, self.write("tree", encode_tree(sub.values())), MODE_TREE)
                if not sub:
                    del root[fan]
            else:
                self._set(root, target, data)
        return self.write("tree", encode_tree(root.values()))

    def _set(self, d: dict[str, Entry], name: str, data: bytes | None) -> None:
        if data is None:
            d.pop(name, None)
        else:
            d[name] = (name, self.write("blob", data), MODE_BLOB)

    # -- writing -------------------------------------------------------------------------------------
    def write(self, kind: str, data: bytes) -> str:
        """Write a loose object (unless git already has it) and return its id."""
        raw = b"%s %d\0" % (kind.encode(), len(data)) + data
        oid = str(sha1(raw).hexdigest())
        if oid in self.known:
            return oid
        path = os.path.join(self.objects_dir, oid[:2], oid[2:])
        if not os.path.exists(path):
            import zlib

            folder = os.path.dirname(path)
            os.makedirs(folder, exist_ok=True)
            tmp = os.path.join(folder, f"tmp_obj_dws_{os.getpid()}_{oid[2:10]}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o444)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(zlib.compress(raw, 1))
                os.replace(tmp, path)
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise
        self.known.add(oid)
        return oid

    def update_refs(self, updates: list[tuple[str, str | None, str | None]], reason: str) -> None:
        """One atomic compare-and-swap transaction, journaled as Repo.update_refs (see refjournal)."""
        lines = [f"delete {ref} {old or ZERO}" if new is None else f"update {ref} {new} {old or ZERO}"
                 for ref, new, old in updates]
        refjournal.write(self.common_dir, updates)
        rc, _, err = run(self.workdir, ["update-ref", "-m", reason, "--stdin"], ("\n".join(lines) + "\n").encode())
        refjournal.clear(self.common_dir)  # git finished: all moved, or (rc != 0) none did
        if rc != 0:
            raise RefRaceError((err.decode("utf-8", "replace").strip().splitlines() or ["update-ref failed"])[-1])


_REDIRECTS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY", "GIT_CEILING_DIRECTORIES")


def _gitfile(path: str) -> str | None:
    """The directory a `.git` file (linked worktree, submodule) points to."""
    try:
        with open(path) as f:
            line = f.readline().strip()
    except OSError:
        return None
    if not line.startswith("gitdir: "):
        return None
    return os.path.realpath(os.path.join(os.path.dirname(path), line[len("gitdir: "):]))


def _parse_local(common_dir: str, git_dir: str) -> dict[str, str]:
    """The simple `key = value` settings of $GIT_COMMON_DIR/config, or {} when git must read it."""
    if any(v in os.environ for v in ("GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT", "GIT_CONFIG")) or \
            os.path.exists(os.path.join(git_dir, "config.worktree")):
        return {}
    try:
        with open(os.path.join(common_dir, "config"), encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    out: dict[str, str] = {}
    section = ""
    for raw in lines:
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            head = line[1:line.index("]")] if "]" in line else ""
            name, _, sub = head.partition(" ")
            if name.lower().startswith("include") or line.rstrip().endswith("\\") or \
                    (sub and not (sub.startswith('"') and sub.endswith('"') and '\\' not in sub)):
                return {}
            section = f"{name.lower()}.{sub[1:-1]}" if sub else name.lower()
            continue
        key, eq, value = line.partition("=")
        if any(c in value for c in '"\\#;') or line.endswith("\\"):
            return {}
        out[f"{section}.{key.strip().lower()}"] = value.strip() if eq else "true"
    return out
