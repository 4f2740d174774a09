"""The attacker's toolbox: crafted snapshots built with plain git plumbing only (never git-dws code), as
someone with push access to a shared origin and data remote would build them. Raw tree bytes are written
with `git hash-object --literally` where git's own tools refuse a name (`..`, `/`, `.git`, NUL, duplicates).

A crafted snapshot is pushed exactly as git-dws would push a real one: the manifest branch, a note
`snapshot <id>` on a new workspace commit, an annotated tag with the `Dws-Snapshot:` trailer, and content
objects in the directory data remote (`objects/<2 hex>/<62 hex>`, BLAKE3)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import blake3

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
MANIFESTS = "refs/dws/manifests"
NOTES = "refs/notes/dws"


def sh(cwd: Path, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None,
       check: bool = True) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run(list(args), cwd=cwd, input=input, capture_output=True,
                          env=dict(env) if env is not None else None)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} failed ({proc.returncode}):\n{proc.stdout!r}\n{proc.stderr!r}")
    return proc


class Git:
    """Plain git pinned to one repository (--git-dir and --work-tree, never a cwd fall-through)."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.base = ["git", f"--git-dir={work / '.git'}", f"--work-tree={work}"]

    def run(self, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None,
            check: bool = True) -> subprocess.CompletedProcess[bytes]:
        full = None if env is None else {**os.environ, **env}
        return sh(self.work, *self.base, *args, input=input, env=full, check=check)

    def out(self, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None) -> str:
        return self.run(*args, input=input, env=env).stdout.decode().strip()

    def blob(self, data: bytes) -> str:
        return self.out("hash-object", "-w", "--stdin", input=data)

    def literal(self, kind: str, data: bytes) -> str:
        return self.out("hash-object", "--literally", "-t", kind, "-w", "--stdin", input=data)

    def tree(self, entries: Iterable[tuple[str, str | bytes, str]], *, sort: bool = True) -> str:
        """A raw tree from (mode, name, oid) entries; names are taken as given (any bytes)."""
        rows = [(m, n.encode("utf-8", "surrogateescape") if isinstance(n, str) else n, o) for m, n, o in entries]
        if sort:  # git's order: a tree sorts as if its name ended with '/'
            rows.sort(key=lambda r: r[1] + (b"/" if r[0] == "40000" else b""))
        raw = b"".join(m.encode() + b" " + n + b"\0" + bytes.fromhex(o) for m, n, o in rows)
        return self.literal("tree", raw)

    def ref(self, name: str) -> str | None:
        proc = self.run("rev-parse", "-q", "--verify", name, check=False)
        return proc.stdout.decode().strip() if proc.returncode == 0 else None


def b3(data: bytes) -> str:
    return blake3.blake3(data).hexdigest()


def canonical(obj: object) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def line(name: str, data: bytes | None = None, *, mode: str = "100644", b3hex: str | None = None,
         size: object = None, **extra: object) -> bytes:
    """One listing line; b3 and size default to those of `data`. Pass b3hex="" / size=... to forge."""
    obj: dict[str, object] = {"mode": mode, "name": name}
    if data is not None or b3hex is not None:
        obj["b3"] = b3hex if b3hex is not None else b3(data or b"")
    if data is not None or size is not None:
        obj["size"] = size if size is not None else len(data or b"")
    obj.update(extra)
    return canonical(obj)


def listing(*lines: bytes) -> bytes:
    return b"".join(x + b"\n" for x in lines)


def put_object(data_remote: Path, data: bytes) -> str:
    """Upload content to the directory data remote, as `git dws push` would."""
    d = b3(data)
    path = data_remote / "objects" / d[:2] / d[2:]
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(data)
    return d


@dataclass(frozen=True)
class Crafted:
    sid: str
    commit: str
    tag: str


class Attacker:
    """A git-dws clone used with plain git only. `data_tree()` and `publish()` build and push."""

    def __init__(self, work: Path, data_remote: Path) -> None:
        self.work = work
        self.g = Git(work)
        self.dr = data_remote

    # -- manifest pieces -------------------------------------------------------------------------------
    def data_tree(self, files: Sequence[bytes] | bytes = (), subtrees: Sequence[tuple[str | bytes, str]] = (),
                  *, extra: Sequence[tuple[str, str | bytes, str]] = ()) -> str:
        """A local-files manifest node: a `.dws-files` listing (lines, or raw bytes) plus subtrees."""
        entries: list[tuple[str, str | bytes, str]] = []
        raw = files if isinstance(files, bytes) else listing(*files)
        if raw:
            entries.append(("100644", ".dws-files", self.g.blob(raw)))
        entries += [("40000", n, t) for n, t in subtrees]
        entries += list(extra)
        return self.g.tree(entries)

    def upload(self, *contents: bytes) -> None:
        for c in contents:
            put_object(self.dr, c)

    # -- a whole snapshot ------------------------------------------------------------------------------
    def publish(self, tag: str, data: str | None, *, worktree: Mapping[str, tuple[str, str] | None] | None = None,
                resources: Sequence[Mapping[str, str]] | None = None,
                resource_entries: Sequence[tuple[str, str | bytes, str]] | None = None,
                meta: Mapping[str, object] | None = None, push: bool = True, on_branch: bool = True) -> Crafted:
        """Craft and push one snapshot.

        data: the manifest tree of resource `data` (None: leave `data` out); resources: the CONTENT
        resource list (default: code at the new commit's tree + data); resource_entries: raw entries of
        the snapshot's `resources/` tree (default: built from resources); worktree: paths of the new
        workspace commit to set (mode, oid) or delete (None), e.g. a crafted `.dws.toml`; meta: SNAPSHOT
        keys to override; on_branch: the new commit becomes the pushed main (else only the note and tag
        name it, the branch stays)."""
        g = self.g
        head = g.out("rev-parse", "HEAD")
        commit = self._commit(head, worktree or {})
        code = g.ref(f"{commit}:code") or EMPTY_TREE
        if resources is None:
            resources = [{"name": "code", "role": "code", "tree": code, "type": "git-subdirectory"}]
            if data is not None:
                resources.append({"name": "data", "role": "source-data", "tree": data, "type": "local-files"})
        content = canonical({"format": 1, "resources": sorted(resources, key=lambda r: r["name"])}) + b"\n"
        sid = g.blob(content)
        tip = g.out("rev-parse", MANIFESTS)
        number = int(g.out("cat-file", "blob", f"{tip}:NUMBER")) + 1
        snapshot: dict[str, object] = {
            "format": 1, "hostname": "attacker", "message": "crafted", "metrics": None, "number": number,
            "results_dir": None, "tags": [tag], "timestamp": "2026-12-01T00:00:00+00:00",
            "workspace_commit": commit}
        snapshot.update(meta or {})
        if resource_entries is None:
            resource_entries = [("40000", r["name"], r["tree"]) for r in resources]
        snap_tree = g.tree([("100644", "CONTENT", sid), ("100644", "SNAPSHOT", g.blob(canonical(snapshot))),
                            ("40000", "resources", g.tree(resource_entries, sort=False))])
        old = {e[3]: e[2] for e in _ls_tree(g, f"{tip}:snapshots")}
        old[sid] = snap_tree
        top = [e for e in _ls_tree(g, tip) if e[3] not in ("NUMBER", "snapshots")]
        manifests_tree = g.tree([*((m, n, o) for m, _, o, n in top), ("100644", "NUMBER", g.blob(b"%d\n" % number)),
                                 ("40000", "snapshots", g.tree([("40000", n, o) for n, o in old.items()]))])
        mcommit = g.out("commit-tree", manifests_tree, "-p", tip, "-m", "crafted snapshot")
        g.run("update-ref", MANIFESTS, mcommit, tip)
        g.run("notes", f"--ref={NOTES.removeprefix('refs/notes/')}", "add", "-f", "-m", f"snapshot {sid}", commit)
        g.run("tag", "-a", tag, "-m", f"crafted\n\nDws-Snapshot: {sid}", commit)
        if on_branch:
            g.run("update-ref", "refs/heads/main", commit, head)
        if push:
            self.push(tag)
        return Crafted(sid, commit, tag)

    def _commit(self, head: str, worktree: Mapping[str, tuple[str, str] | None]) -> str:
        g = self.g
        index = self.work / ".git" / "crafting-index"
        env = {"GIT_INDEX_FILE": str(index)}
        g.run("read-tree", head, env=env)
        for path, what in worktree.items():
            if what is None:
                g.run("update-index", "--force-remove", path, env=env)
            else:
                g.run("update-index", "--add", "--cacheinfo", f"{what[0]},{what[1]},{path}", env=env)
        tree = g.out("write-tree", env=env)
        index.unlink()
        return g.out("commit-tree", tree, "-p", head, "-m", "crafted commit")

    def push(self, *tags: str) -> None:
        specs = [f"{MANIFESTS}:{MANIFESTS}", f"{NOTES}:{NOTES}", *(f"refs/tags/{t}:refs/tags/{t}" for t in tags)]
        self.g.run("push", "-q", "--no-verify", "origin", "+refs/heads/main:refs/heads/main", *specs)


def _ls_tree(g: Git, treeish: str) -> list[tuple[str, str, str, str]]:
    out = []
    for row in g.run("ls-tree", "-z", treeish).stdout.split(b"\0"):
        if row:
            meta, name = row.split(b"\t", 1)
            mode, kind, oid = meta.decode().split()
            out.append((mode.lstrip("0") if mode == "040000" else mode, kind, oid, name.decode()))
    return out


# -- what the victim must not lose -----------------------------------------------------------------------
def file_tree(root: Path, *, skip_top: Iterable[str] = (".git",)) -> dict[str, object]:
    """Every entry under root (symlinks never followed; directories too, so an empty one counts)."""
    out: dict[str, object] = {}
    skip = set(skip_top)
    if not os.path.lexists(root):
        return out
    for d, dirs, files in os.walk(root):
        rel_d = os.path.relpath(d, root)
        if rel_d == ".":
            dirs[:] = [x for x in dirs if x not in skip]
            files = [x for x in files if x not in skip]
        for n in dirs + files:
            p = os.path.join(d, n)
            rel = os.path.normpath(os.path.join(rel_d, n))
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(p))
                if n in dirs:
                    dirs.remove(n)
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir",)
            else:
                with open(p, "rb") as f:
                    out[rel] = ("file", st.st_mode & 0o7777, f.read())
    return out


def grep_tree(root: Path, needle: bytes, *, allow: Iterable[Path] = ()) -> list[str]:
    """Files under root (symlinks not followed) whose content holds `needle`, outside the allowed paths."""
    allowed = [os.path.abspath(a) for a in allow]
    hits = []
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if not any(os.path.join(d, x) == a for a in allowed)]
        for n in files:
            p = os.path.join(d, n)
            if any(p == a or p.startswith(a + os.sep) for a in allowed) or os.path.islink(p):
                continue
            try:
                with open(p, "rb") as f:
                    if needle in f.read():
                        hits.append(p)
            except OSError:
                pass
    return hits
