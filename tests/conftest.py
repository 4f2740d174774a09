"""Hermetic test fixtures: a temporary HOME with a fixed git identity, no system or user git config,
and helpers to drive the real `git dws` command and real git as the oracle."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat as _stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def hermetic(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    for var in list(os.environ):
        if var.startswith(("GIT_", "DWS_")):
            monkeypatch.delenv(var)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test User")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "test@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test User")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "test@example.com")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n"
        "[advice]\n\tdetachedHead = false\n"
    )
    # The guard that proves the seal: nothing of the real user's git config can leak in.
    assert subprocess.run(["git", "config", "--global", "user.email"], capture_output=True,
                          text=True).stdout.strip() == "test@example.com"
    yield home


def git_dws_exe() -> list[str]:
    exe = shutil.which("git-dws")
    return [exe] if exe else [sys.executable, str(ROOT / "bin" / "git-dws")]


def run(cwd: Path, *args: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run a real command (e.g. run(ws, "git", "dws", "status")) and return its result."""
    proc = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, input=input,
                          errors="surrogateescape")  # file names need not be UTF-8
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def dws(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """`git dws --batch ARGS` through the real git binary, so `git dws` dispatch is exercised too."""
    return run(cwd, "git", "dws", "--batch", *args, check=check)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A fresh workspace with code and results git-subdirectory resources."""
    root = tmp_path / "ws"
    root.mkdir()
    dws(root, "init", "--hostname", "testhost", "--create-resources", "code,results")
    return root


@pytest.fixture(autouse=True)
def _git_dws_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `git dws` resolve to this checkout's git-dws even when the venv is not activated."""
    exe = shutil.which("git-dws")
    if exe is None:
        pytest.fail("git-dws is not on PATH: install the project (make install) and run via `make test`")
    monkeypatch.setenv("PATH", os.path.dirname(exe) + os.pathsep + os.environ["PATH"])


# -- shared helpers for the issue-2 suite (unit/, cli/, compat/) ----------------------------------------
MANIFESTS = "refs/dws/manifests"
NOTES = "refs/notes/dws"


def git(cwd: Path, *args: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Real git, the oracle."""
    return run(cwd, "git", *args, check=check, input=input)


def git_out(cwd: Path, *args: str) -> str:
    return git(cwd, *args).stdout.strip()


def dws_json(cwd: Path, *args: str) -> Any:
    """`git dws --batch ARGS --json`, parsed."""
    return json.loads(dws(cwd, *args, "--json").stdout)


def assert_error(proc: subprocess.CompletedProcess[str], match: str | None = None, *,
                 code: int | None = None, hint: bool = True) -> str:
    """A clean failure: non-zero exit (1 or 2, never the internal-error 3), stderr is exactly one
    `error:` line, optionally followed by `hint:` lines, and no traceback anywhere. Returns stderr."""
    err = proc.stderr
    assert proc.returncode != 0, f"expected a failure, got exit 0:\n{proc.stdout}\n{err}"
    assert "Traceback" not in err and "Traceback" not in proc.stdout, err
    assert proc.returncode in (1, 2), f"exit {proc.returncode} (3 means internal error):\n{err}"
    if code is not None:
        assert proc.returncode == code, f"exit {proc.returncode}, expected {code}:\n{err}"
    lines = err.splitlines()
    assert lines and lines[0].startswith("error: "), f"first stderr line is not 'error: ...':\n{err}"
    assert sum(line.startswith("error: ") for line in lines) == 1, err
    assert all(line.startswith(("error: ", "hint: ")) for line in lines), f"stray stderr output:\n{err}"
    if hint:
        assert len(lines) >= 2 and lines[1].startswith("hint: "), f"no 'hint:' line:\n{err}"
    if match is not None:
        assert re.search(match, err), f"{match!r} not in stderr:\n{err}"
    return err


def fsck(cwd: Path) -> None:
    """`git fsck --strict` must pass and report neither errors nor warnings (dangling objects are fine)."""
    proc = git(cwd, "fsck", "--strict", "--no-progress", check=False)
    bad = [line for line in (proc.stdout + proc.stderr).splitlines()
           if line and not line.startswith(("dangling ", "Checking ", "notice:"))]
    assert proc.returncode == 0 and not bad, f"git fsck --strict:\n{proc.stdout}\n{proc.stderr}"


def snapshot_id_of_tag(cwd: Path, tag: str) -> str:
    """The snapshot id named by a tag, read with plain git from the tag's `Dws-Snapshot:` trailer."""
    body = git_out(cwd, "cat-file", "tag", f"refs/tags/{tag}")
    found = re.findall(r"^Dws-Snapshot: ([0-9a-f]{40})$", body, re.M)
    assert found, f"tag {tag} has no Dws-Snapshot trailer:\n{body}"
    return str(found[-1])  # the trailer is the last one: the message above may quote others


def snapshot_ids(cwd: Path) -> list[str]:
    """Live snapshot ids, read with plain git from the manifest branch."""
    proc = git(cwd, "ls-tree", "--name-only", f"{MANIFESTS}:snapshots", check=False)
    return sorted(proc.stdout.split()) if proc.returncode == 0 else []


def take(cwd: Path, tag: str | None = None, message: str | None = None) -> str:
    """Take a snapshot through the CLI and return its id (from the manifest branch)."""
    before = set(snapshot_ids(cwd))
    args = ["snapshot", *([tag] if tag else []), *(["-m", message] if message else [])]
    proc = dws(cwd, *args)
    if tag:
        return snapshot_id_of_tag(cwd, tag)
    new = set(snapshot_ids(cwd)) - before
    if len(new) == 1:
        return new.pop()
    m = re.search(r"snapshot ([0-9a-f]{12})", proc.stdout)
    assert m, proc.stdout
    (full,) = [i for i in snapshot_ids(cwd) if i.startswith(m.group(1))]
    return full


def tree_state(root: Path) -> dict[bytes, Any]:
    """Every file and symlink under root (bytes paths, symlinks never followed): regular files as
    ("file", executable, content), links as ("link", target). Directories are implied by their files.
    A top-level `.git` is left out, so tree_state(workspace) is the state of the work tree."""
    out: dict[bytes, Any] = {}
    base = os.fsencode(root)

    def walk(path: bytes, prefix: bytes) -> None:
        with os.scandir(path) as it:
            for e in it:
                rel = prefix + e.name
                if rel == b".git":
                    continue
                st = e.stat(follow_symlinks=False)
                if _stat.S_ISDIR(st.st_mode):
                    walk(e.path, rel + b"/")
                elif _stat.S_ISLNK(st.st_mode):
                    out[rel] = ("link", os.readlink(e.path))
                else:
                    with open(e.path, "rb") as f:
                        out[rel] = ("file", bool(st.st_mode & 0o100), f.read())

    if os.path.lexists(base):
        walk(base, b"")
    return out


def state_diff(have: dict[bytes, Any], want: dict[bytes, Any]) -> str:
    """A readable description of how two tree states differ ('' when equal)."""
    lines = []
    for k in sorted(set(have) | set(want)):
        if k not in want:
            lines.append(f"extra   {k!r}")
        elif k not in have:
            lines.append(f"missing {k!r}")
        elif have[k] != want[k]:
            a, b = have[k], want[k]
            lines.append(f"differs {k!r}: have {a[:2] if a[0] == 'file' else a} want {b[:2] if b[0] == 'file' else b}")
    return "\n".join(lines)


def pseudo_random(n: int, seed: int) -> bytes:
    """Deterministic incompressible-looking bytes (no os.urandom: failures must reproduce)."""
    import hashlib

    out = bytearray()
    counter = 0
    while len(out) < n:
        out += hashlib.blake2b(b"%d-%d" % (seed, counter), digest_size=64).digest()
        counter += 1
    return bytes(out[:n])


def write(path: Path, data: bytes | str, mode: int | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if os.path.lexists(path) and (path.is_symlink() or not path.is_dir()):
        path.unlink()
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    if mode is not None:
        os.chmod(path, mode)


def symlink(path: Path, target: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if os.path.lexists(path):
        path.unlink()
    os.symlink(target, path)


@pytest.fixture
def bare_ws(tmp_path: Path) -> Path:
    """A fresh workspace with no resources at all."""
    root = tmp_path / "bare"
    root.mkdir()
    dws(root, "init", "--hostname", "testhost")
    return root


@pytest.fixture
def data_ws(ws: Path) -> Path:
    """The `ws` workspace (code + results git-subdirectories) plus a local-files resource `data`."""
    write(ws / "data" / "a.txt", b"alpha\n")
    dws(ws, "add", "local-files", "data", "--role", "source-data")
    return ws


ODD_NAMES = ["name with spaces.txt", "ünïcødé-日本.txt", "new\nline.txt", "tab\tname", ".hidden", "emoji 🎉",
             "quote\"d 'x'", "back\\slash", "-dash", "#hash", "*star?"]


def populate(root: Path, variant: str, *, big: bool = True) -> None:
    """Write one of two rich trees ('A' or 'B') over `root`, leaving files the variant does not mention.
    Between them: content edits (one same-size), exec bit flips, deletions, additions, file<->dir and
    file<->symlink replacements, changed link targets; plus empty, binary and oddly named files,
    dangling links and links pointing outside."""
    if variant == "A":
        write(root / "plain.txt", "hello\n")
        write(root / "exec.sh", "#!/bin/sh\necho hi\n", 0o755)
        write(root / "empty", b"")
        write(root / "binary.bin", bytes(range(256)) * 4 + b"\0\r\n\x00\xff")
        for i, name in enumerate(ODD_NAMES):
            write(root / name, f"odd {i}\n")
        write(root / "nested" / "deep" / "er" / "leaf.txt", "leaf\n")
        write(root / "nested" / "sibling.txt", "sib\n")
        write(root / "fileordir", "I am a file\n")
        write(root / "dirorfile" / "inner.txt", "inside a dir\n")
        write(root / "dirorfile" / "sub" / "x", "x\n")
        write(root / "to-delete.txt", "bye\n")
        write(root / "mode-flip", "flip\n", 0o755)
        symlink(root / "link-to-file", "plain.txt")
        write(root / "file-to-link", "will become a link\n")
        symlink(root / "link-rel", "plain.txt")
        symlink(root / "link-dangling", "no/such/target")
        symlink(root / "link-outside", "../../../outside-dir")
        symlink(root / "link-abs", "/etc/hostname")
        symlink(root / "linkdir", "nested")
        write(root / "sub" / ".dws-files" / "f", "dir named like the listing\n")
        write(root / "sub" / ".dws-dir-y" / "z", "dir named like an escaped dir\n")
        write(root / ".dws-files", "a file named like the listing\n")
        if big:
            write(root / "big.bin", pseudo_random(700 * 1024, 1))
    elif variant == "B":
        write(root / "plain.txt", "hello, changed\n")
        write(root / "binary.bin", b"\x00" * 100 + bytes(range(255, -1, -1)))
        write(root / "nested" / "deep" / "er" / "leaf.txt", "leaf 2\n")
        write(root / "nested" / "deep" / "other.txt", "other\n")
        write(root / "new-only.txt", "new\n")
        write(root / "new dir" / "ü" / "f g", "new nested\n")
        (root / "fileordir").unlink()
        write(root / "fileordir" / "inside.txt", "now a directory\n")
        shutil.rmtree(root / "dirorfile")
        write(root / "dirorfile", "now a file\n")
        (root / "to-delete.txt").unlink()
        os.chmod(root / "mode-flip", 0o644)
        (root / "link-to-file").unlink()
        write(root / "link-to-file", "now a regular file\n")
        symlink(root / "file-to-link", "exec.sh")
        symlink(root / "link-rel", "exec.sh")
        (root / ODD_NAMES[2]).unlink()
        write(root / ODD_NAMES[0], "spaces changed\n")
        if big:
            b = bytearray(pseudo_random(700 * 1024, 1))
            b[1000] ^= 0xFF  # same size, same mtime second: only the content tells
            write(root / "big.bin", bytes(b))
    else:
        raise ValueError(variant)
