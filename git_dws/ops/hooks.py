"""`git dws hooks install | uninstall | status`: the shell shims in the hooks directory.

Modelled on pre-commit's installer: each shim records the interpreter that installed it (and falls back
to `git-dws` on PATH), carries an id line so that only our own hooks are ever overwritten or removed, and
a hook that was there before is kept as `<hook>.legacy`, run first, and put back on uninstall. Hooks go
to the common git directory, so linked worktrees share them; with core.hooksPath set, git looks only
there, so we refuse unless asked to install there (`--hooks-path`).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import resources

from ..errors import DwsError, UsageError
from ..store.git import git_run
from ..store.repo import Repo

HOOKS = ("pre-commit", "post-commit", "post-checkout", "post-merge", "post-rewrite", "pre-push")
ID = "git-dws-hook-5f0c4a7e"
VERSION = 1
# What a commit imports before it knows whether there is work (see hooks/entry.py), by file under git_dws/.
HOT_MODULES = ("__init__.py", "errors.py", "hooks/__init__.py", "hooks/entry.py", "ops/__init__.py",
               "ops/hook_impl.py", "ops/hook_context.py", "ops/hook_record.py", "ops/hook_push.py",
               "store/__init__.py", "store/lite.py", "store/statcache.py", "model/__init__.py", "model/autotag.py")


@dataclass(frozen=True, slots=True)
class HookState:
    name: str
    path: str
    state: str  # installed | outdated | foreign | missing
    legacy: bool  # a displaced hook is kept as <name>.legacy
    python: str | None  # the interpreter our shim records
    python_ok: bool  # it still exists (else the shim falls back to git-dws on PATH)


@dataclass(frozen=True, slots=True)
class HooksStatus:
    directory: str
    hooks_path: str | None  # core.hooksPath, when set
    hooks: list[HookState]


@dataclass(frozen=True, slots=True)
class InstallResult:
    directory: str
    installed: list[str]
    kept: list[str] = field(default_factory=list)  # foreign hooks moved to <hook>.legacy
    shared: str | None = None  # the config scope of core.hooksPath when it is not this repository's


@dataclass(frozen=True, slots=True)
class UninstallResult:
    directory: str
    removed: list[str]
    restored: list[str] = field(default_factory=list)  # <hook>.legacy put back
    foreign: list[str] = field(default_factory=list)  # not ours: left alone


def hooks_dir(repo: Repo, use_hooks_path: bool = False) -> tuple[str, str | None]:
    """(directory, scope of core.hooksPath or None). Refuses core.hooksPath unless `use_hooks_path`."""
    proc = git_run(repo.workdir, "config", "--show-scope", "--type=path", "--get", "core.hooksPath", check=False)
    scope, _, configured = proc.stdout.decode("utf-8", "surrogateescape").rstrip("\n").partition("\t")
    if proc.returncode == 0 and configured:
        if not use_hooks_path:
            raise DwsError(f"core.hooksPath is set ({configured}): git runs the hooks there, not in .git/hooks",
                           "install there with `git dws hooks install --hooks-path`, or unset it: "
                           "git config --unset core.hooksPath")
        path = configured if os.path.isabs(configured) else os.path.join(repo.workdir, configured)
        return os.path.normpath(path), None if scope in ("local", "worktree") else scope
    if use_hooks_path:
        raise UsageError("--hooks-path: core.hooksPath is not set", "leave out --hooks-path to use .git/hooks")
    return os.path.join(repo.common_dir, "hooks"), None


def shim(python: str, pythonpath: str = "") -> str:
    text = resources.files("git_dws.hooks").joinpath("hook-tmpl").read_text()
    return (text.replace("@VERSION@", str(VERSION)).replace("@PYTHON@", shlex.quote(python))
            .replace("@PYTHONPATH@", shlex.quote(pythonpath)))


def is_ours(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return ID.encode() in f.read(4096)
    except (OSError, IsADirectoryError):
        return False


def _recorded(path: str) -> tuple[str | None, int]:
    """(interpreter, template version) of one of our shims."""
    python, version = None, 0
    with open(path) as f:
        for line in f:
            if line.startswith("INSTALL_PYTHON="):
                words = shlex.split(line[len("INSTALL_PYTHON="):])
                python = words[0] if words else ""
            elif ID in line and ", version " in line:
                digits = line.split(", version ", 1)[1].split(")", 1)[0]
                version = int(digits) if digits.isdigit() else 0
    return python, version


def _pythonpath(python: str) -> str:
    """Where this git_dws lives, when `python` would not find it on its own (a source checkout run
    through bin/git-dws): the shim then puts it on PYTHONPATH."""
    here = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    parent = os.path.dirname(here)
    script = os.path.realpath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    if os.path.dirname(script) != os.path.join(parent, "bin"):
        return ""  # an installed git-dws: the interpreter of its script imports this package by itself
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    try:
        proc = subprocess.run([python, "-c", "import git_dws, os; print(os.path.realpath(git_dws.__file__))"],
                              capture_output=True, text=True, env=env, cwd="/", timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return parent
    found = proc.stdout.strip()
    return "" if proc.returncode == 0 and os.path.dirname(found) == here else parent


def _precompile() -> None:
    """Byte-compile the modules every hook imports, when their .pyc is missing or stale: compiling them
    costs more than the rest of a hook, and with PYTHONDONTWRITEBYTECODE set Python would do it on every
    commit (it still reads .pyc files that exist). Quietly skipped where the package is read-only."""
    import importlib.util
    import py_compile

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for rel in HOT_MODULES:
        src = os.path.join(package, rel)
        pyc = importlib.util.cache_from_source(src)
        try:
            if os.path.exists(pyc) and os.stat(pyc).st_mtime >= os.stat(src).st_mtime:
                continue
            py_compile.compile(src, cfile=pyc, doraise=True)
        except (OSError, py_compile.PyCompileError):
            continue


def install(start: str, *, use_hooks_path: bool = False, python: str | None = None) -> InstallResult:
    repo = Repo(start)
    directory, shared = hooks_dir(repo, use_hooks_path)
    python = python or sys.executable
    # pre-flight: a foreign hook can only be kept if its .legacy place is free (or holds our old copy)
    for name in HOOKS:
        path = os.path.join(directory, name)
        if os.path.lexists(path) and not is_ours(path) and os.path.lexists(path + ".legacy"):
            raise DwsError(f"both {path} and {path}.legacy exist and neither is a git-dws hook",
                           "merge them into one (or remove one), then run `git dws hooks install` again")
    os.makedirs(directory, exist_ok=True)
    _precompile()
    text = shim(python, _pythonpath(python))
    kept = []
    for name in HOOKS:
        path = os.path.join(directory, name)
        if os.path.lexists(path) and not is_ours(path):
            os.replace(path, path + ".legacy")
            kept.append(name)
        tmp = f"{path}.dws-tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o755)
        os.replace(tmp, path)
    return InstallResult(directory, list(HOOKS), kept, shared)


def uninstall(start: str, *, use_hooks_path: bool = False) -> UninstallResult:
    repo = Repo(start)
    directory, _ = hooks_dir(repo, use_hooks_path)
    removed, restored, foreign = [], [], []
    for name in HOOKS:
        path = os.path.join(directory, name)
        if os.path.lexists(path) and not is_ours(path):
            foreign.append(name)
            continue
        if os.path.lexists(path):
            os.unlink(path)
            removed.append(name)
        if os.path.lexists(path + ".legacy"):
            os.replace(path + ".legacy", path)
            restored.append(name)
    return UninstallResult(directory, removed, restored, foreign)


def status(start: str) -> HooksStatus:
    repo = Repo(start)
    configured = repo.config_get("core.hooksPath")
    directory, _ = hooks_dir(repo, bool(configured))
    out = []
    for name in HOOKS:
        path = os.path.join(directory, name)
        legacy = os.path.lexists(path + ".legacy")
        if not os.path.lexists(path):
            out.append(HookState(name, path, "missing", legacy, None, False))
        elif not is_ours(path):
            out.append(HookState(name, path, "foreign", legacy, None, False))
        else:
            python, version = _recorded(path)
            ok = bool(python) and os.access(python or "", os.X_OK)
            state = "installed" if version == VERSION else "outdated"
            out.append(HookState(name, path, state, legacy, python, ok))
    return HooksStatus(directory, configured, out)
