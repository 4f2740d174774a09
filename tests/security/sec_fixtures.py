"""Fixtures of the attacker suite (issue 8), imported by each test module as tests/collab does (a second
conftest.py would shadow tests/conftest.py for every later `from conftest import`). One shared world,
built once per session and copied back before every test at the same absolute path (so committed URLs stay valid):

    world/origin.git      the shared bare origin
    world/dr              the shared directory data remote
    world/attacker        a `git dws` clone the attacker drives with plain git (craft.Attacker)
    world/victim          the victim's `git dws clone` (hooks installed): resources code
                          (git-subdirectory), results (git-subdirectory, results) and data (local-files)
    world/outside         the sentinel beside the workspaces: a secret file and a directory

`Guard` records everything the victim must keep (work tree, index, HEAD, refs other than remote-tracking,
.git/hooks, .git/config, the current-snapshot pointer) and everything outside the workspaces, and checks
after an attack that none of it changed and that no attacker payload or victim secret landed anywhere."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import assert_error
from craft import Attacker, Git, file_tree, grep_tree, line

SECRET = b"VICTIM-SECRET-7f3a9c do not leak\n"
PAYLOAD = b"ATTACKER-PAYLOAD-51d0e2"
DATA = {"a.txt": b"alpha\n", "keep.txt": b"keep me\n", "sub/b.txt": b"bravo\n"}
HOOK = b"#!/bin/sh\necho " + PAYLOAD + b" > \"$HOME/pwned\"\n"
EVIL = PAYLOAD + b" traversal\n"


def evil_tree(a: Attacker, lines: Sequence[bytes] = (), subtrees: Sequence[tuple[str | bytes, str]] = (),
              *, sub_lines: Sequence[bytes] = ()) -> str:
    """The victim's data with a.txt gone and sub/b.txt rewritten (so a restore that writes before it
    validates leaves a trace), plus the attacker's entries."""
    a.upload(EVIL, HOOK, PAYLOAD + b" b\n")
    sub = a.data_tree([line("b.txt", PAYLOAD + b" b\n"), *sub_lines])
    return a.data_tree([line("keep.txt", DATA["keep.txt"]), *lines], [("sub", sub), *subtrees])


def base_data(a: Attacker) -> str:
    """The manifest tree of `data` in the snapshot tagged base (the victim's current data)."""
    body = a.g.out("cat-file", "tag", "refs/tags/base")
    sid = re.findall(r"^Dws-Snapshot: ([0-9a-f]{40})$", body, re.M)[-1]
    return a.g.out("rev-parse", f"refs/dws/manifests:snapshots/{sid}/resources/data")



def refused(proc: subprocess.CompletedProcess[str], sid: str, expect: str, resource: str = "data") -> str:
    """A clean refusal (exit 1, one error line, a hint) whose error line names the snapshot (12-hex
    prefix), the resource and the offending entry (regex `expect`)."""
    err = assert_error(proc, code=1)
    first = err.splitlines()[0]
    assert sid[:12] in first, f"the error does not name snapshot {sid[:12]}:\n{err}"
    assert resource in first, f"the error does not name the resource {resource!r}:\n{err}"
    assert re.search(expect, first), f"the error does not name the entry ({expect}):\n{err}"
    return err


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "DWS_"))}
    exe = shutil.which("git-dws")
    assert exe, "git-dws is not on PATH"
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), GIT_CONFIG_NOSYSTEM="1",
               LC_ALL="C.UTF-8", PATH=os.path.dirname(exe) + os.pathsep + env.get("PATH", ""),
               GIT_AUTHOR_NAME="Test User", GIT_AUTHOR_EMAIL="test@example.com",
               GIT_COMMITTER_NAME="Test User", GIT_COMMITTER_EMAIL="test@example.com")
    return env


def _run(cwd: Path, env: dict[str, str], *args: str) -> None:
    proc = subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, f"{args}: {proc.stdout}\n{proc.stderr}"


_BUILT: tuple[Path, Path] | None = None  # one world per process, whichever module asks first


def _fast_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tmpfs when there is one: every test copies the world back, and on a busy disk that copy alone
    took 1.5 s a test; on /dev/shm it takes 0.05 s."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        return tmp_path_factory.mktemp("secworld")
    base = Path(tempfile.mkdtemp(prefix="dws-secworld-", dir=shm))

    def cleanup() -> None:
        subprocess.run(["chmod", "-R", "u+w", str(base)], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)

    atexit.register(cleanup)
    return base


@pytest.fixture(scope="session")
def _pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    # Each test module imports this fixture, which makes it a separate fixture per module: the world is
    # cached here so that it is still built once.
    global _BUILT
    if _BUILT is None:
        _BUILT = _build(_fast_base(tmp_path_factory))
    return _BUILT


def _build(base: Path) -> tuple[Path, Path]:
    home = base / "home"
    home.mkdir()
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n"
        "[advice]\n\tdetachedHead = false\n")
    env = _env(home)
    w = base / "world"
    w.mkdir()
    _run(w, env, "git", "init", "-q", "--bare", "origin.git")
    a = w / "attacker"
    a.mkdir()
    _run(a, env, "git", "dws", "--batch", "init", "--hostname", "attacker", "--create-resources", "code,results")
    for rel, data in DATA.items():
        (a / "data" / rel).parent.mkdir(parents=True, exist_ok=True)
        (a / "data" / rel).write_bytes(data)
    _run(a, env, "git", "dws", "--batch", "add", "local-files", "data", "--role", "source-data")
    _run(a, env, "git", "dws", "--batch", "remote", "add", "shared", str(w / "dr"))
    _run(a, env, "git", "dws", "--batch", "snapshot", "base")
    _run(a, env, "git", "dws", "--batch", "publish", str(w / "origin.git"))
    _run(w, env, "git", "dws", "--batch", "clone", str(w / "origin.git"), "victim", "--hostname", "victim")
    out = w / "outside"
    (out / "dir").mkdir(parents=True)
    (out / "dir" / "existing.txt").write_bytes(b"outside, existing\n")
    (out / "secret.txt").write_bytes(SECRET)
    (out / "results.json").write_bytes(b'{"leak": "' + SECRET.strip() + b'"}\n')
    pristine = base / "pristine"
    _copy(w, pristine)
    return w, pristine


def _copy(src: Path, dest: Path) -> None:
    subprocess.run(["cp", "-a", str(src), str(dest)], check=True)  # 10x faster than shutil.copytree


@dataclass
class World:
    root: Path
    origin: Path
    dr: Path
    attacker: Attacker
    victim: Path
    outside: Path
    extra_allowed: list[Path] = field(default_factory=list)

    def secret_path(self) -> Path:
        return self.outside / "secret.txt"

    def fetch_refs(self, tag: str | None = None) -> None:
        """Bring the attacker's snapshot database, notes and tags into the victim with plain git, as
        if any dws-aware transport had: restore and delete-snapshot then meet the crafted snapshot."""
        specs = ["+refs/dws/manifests:refs/dws/manifests", "+refs/notes/dws:refs/notes/dws"]
        if tag:
            specs.append(f"+refs/tags/{tag}:refs/tags/{tag}")
        Git(self.victim).run("fetch", "-q", "--no-tags", "origin", *specs)


@pytest.fixture
def world(_pristine: tuple[Path, Path]) -> Iterator[World]:
    w, pristine = _pristine
    if os.path.lexists(w):  # stored content is read-only; a test may have left odd modes
        subprocess.run(["chmod", "-R", "u+w", str(w)], capture_output=True)
        shutil.rmtree(w)
    _copy(pristine, w)
    yield World(w, w / "origin.git", w / "dr", Attacker(w / "attacker", w / "dr"), w / "victim", w / "outside")


# Where a fetch records what the other side has: changing these is what fetching is, not an effect.
TRACKING = ("refs/remotes/", "refs/notes/remotes/", "refs/dws-remote/")


def _git_state(repo: Path) -> dict[str, object]:
    g = Git(repo)
    refs = g.out("for-each-ref", "--format=%(refname) %(objectname)")
    return {
        "refs": {r for r in refs.splitlines() if not r.startswith(TRACKING)},
        "HEAD": g.run("symbolic-ref", "-q", "HEAD", check=False).stdout + g.run("rev-parse", "HEAD").stdout,
        "index": g.run("ls-files", "--stage", "-z").stdout,
    }


def _refs_diff(was: object, now: object) -> str:
    if isinstance(was, set) and isinstance(now, set):
        return f" lost {sorted(was - now)}, gained {sorted(now - was)}"
    return f" {was!r} -> {now!r}"


class Guard:
    """Before/after state of the victim and of everything beside it."""

    def __init__(self, world: World, *others: Path) -> None:
        self.world = world
        self.others = others  # more workspaces to keep exactly (e.g. a second victim)
        self.before = self.state()

    def state(self) -> dict[str, object]:
        w = self.world
        v = w.victim
        dws_head = v / ".git" / "dws" / "HEAD"
        return {
            "outside": file_tree(w.root, skip_top=("attacker", "origin.git", "dr", "victim", *[
                p.name for p in self.others])),
            "work tree": file_tree(v),
            "hooks": file_tree(v / ".git" / "hooks"),
            "config": (v / ".git" / "config").read_bytes(),
            "current snapshot": dws_head.read_bytes() if dws_head.exists() else None,
            "git": _git_state(v),
            **{f"other {p.name}": file_tree(p) for p in self.others},
        }

    def check(self, *, payload: bool = True) -> None:
        after = self.state()
        for key, was in self.before.items():
            now = after[key]
            if isinstance(was, dict) and isinstance(now, dict):
                diff = [f"{k}: {'gone' if k not in now else 'new' if k not in was else 'changed'}"
                        + (_refs_diff(was.get(k), now.get(k)) if k in ("refs", "HEAD") else "")
                        for k in sorted(set(was) | set(now)) if was.get(k) != now.get(k)]
                assert not diff, f"the attack changed the {key}:\n" + "\n".join(diff[:20])
            else:
                assert was == now, f"the attack changed the {key}:\n{was!r}\n->\n{now!r}"
        self.no_leak(payload=payload)

    def no_leak(self, *, payload: bool = True) -> None:
        w = self.world
        leaked = grep_tree(w.root, SECRET.strip(), allow=[w.outside])
        assert not leaked, f"the victim's secret was copied to {leaked}"
        if payload:
            allow = [w.dr, w.attacker.work, w.origin, w.victim / ".git" / "dws" / "objects", *w.extra_allowed]
            planted = grep_tree(w.root, PAYLOAD, allow=allow)
            assert not planted, f"attacker content was written to {planted}"


@pytest.fixture
def guard(world: World) -> Guard:
    return Guard(world)
