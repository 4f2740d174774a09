"""The tools under test. git-dws is whatever `git-dws` is first on PATH (`make bench` puts the project venv
first); each peer gets a private venv under bench/work/venvs/ installed from PyPI on first use (pinned, so
runs stay comparable). A tool that cannot be installed or does not run is reported as n/a with the reason."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .core import REPO, WORK, Log, Runner, StepError, clean_dir, say, tail

GITCONFIG = WORK / "gitconfig"
# PYTHONDONTWRITEBYTECODE (set in some sandboxes) would make every git-dws run recompile its sources, which
# costs ~0.2 s per command that no installed copy pays; PYTHONPYCACHEPREFIX is set per tool below.
DROP_ENV = {"PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX", "PYTHONSTARTUP", "PYTHONPROFILEIMPORTTIME"}
GITCONFIG_TEXT = """[user]
\tname = dws bench
\temail = bench@example.invalid
[init]
\tdefaultBranch = main
[advice]
\tdetachedHead = false
\taddIgnoredFile = false
[safe]
\tdirectory = *
"""


@dataclass
class Tool:
    name: str  # the key on the command line and in the results
    label: str
    exe: str  # program that must be on PATH
    version_argv: tuple[str, ...]
    pip: str | None = None  # requirement installed into bench/work/venvs/<name>; None: taken from PATH
    note: str = ""  # caveat printed under the tables
    bin: Path | None = None
    version: str = ""
    reason: str | None = None  # why it is unavailable

    @property
    def available(self) -> bool:
        return self.reason is None

    @property
    def venv(self) -> Path:
        return WORK / "venvs" / self.name

    def prepare(self, install: bool, log: Log) -> None:
        """Find (and if allowed install) the tool, then check it runs. Sets bin/version or reason."""
        if self.pip:
            self.bin = self.venv / "bin"
            stamp = self.venv / ".requirement"  # reinstall when the pinned requirement changes
            if not (self.bin / self.exe).exists() or not stamp.exists() or stamp.read_text() != self.pip:
                if not install:
                    self.reason = f"not installed in {self.venv} (run without --no-install)"
                    return
                self.reason = _pip_install(self.venv, self.pip, log)
                if self.reason:
                    return
                stamp.write_text(self.pip)
        else:
            found = shutil.which(self.exe)
            if not found:
                self.reason = f"`{self.exe}` is not on PATH"
                return
            self.bin = Path(found).parent
        p = subprocess.run([str(self.bin / self.exe), *self.version_argv], env=self.env(), capture_output=True,
                           text=True, errors="replace", stdin=subprocess.DEVNULL, check=False)
        out = (p.stdout + p.stderr).strip()
        if p.returncode:
            self.reason = f"does not run here ({tail(out, 1) or f'exit {p.returncode}'})"
            return
        self.version = out.splitlines()[0] if out else "?"
        if self.name == "git-dws":
            self.reason = _warm_up(self, log)


    def env(self) -> dict[str, str]:
        """A clean environment: no inherited GIT_* (GIT_DIR, GIT_DWS_SKIP, ...), a private git config, no
        telemetry, this tool's bin first on PATH."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k not in DROP_ENV}
        GITCONFIG.parent.mkdir(parents=True, exist_ok=True)
        if not GITCONFIG.exists() or GITCONFIG.read_text() != GITCONFIG_TEXT:
            GITCONFIG.write_text(GITCONFIG_TEXT)
        env.update(GIT_CONFIG_GLOBAL=str(GITCONFIG), GIT_CONFIG_NOSYSTEM="1", DVC_NO_ANALYTICS="1",
                   DVC_SITE_CACHE_DIR=str(WORK / "dvc-site-cache"))
        if self.name == "git-dws":
            # Bytecode as an installed program has it, but kept out of the source tree.
            env["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")
        if self.bin:
            env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        return env

    def runner(self, log: Log) -> Runner:
        return Runner(self.env(), log)


def _warm_up(tool: Tool, log: Log) -> str | None:
    """One untimed pass over every git-dws command the cases use, on three tiny files, so the first timed
    run does not pay for compiling bytecode."""
    ws = clean_dir(WORK / "runs" / "warm-up")
    r = tool.runner(log)
    (ws / "data").mkdir()
    for i in range(3):
        (ws / "data" / f"f{i}").write_text(f"{i}\n")
    dws = ["git", "dws", "--batch"]
    try:
        r.run(["git", "init", "-q"], ws, timed=False)
        r.run([*dws, "init", "--hostname", "bench"], ws, timed=False)
        r.run([*dws, "add", "local-files", "data", "--role", "source-data"], ws, timed=False)
        r.run([*dws, "snapshot", "S1"], ws, timed=False)
        (ws / "data" / "f0").write_text("changed\n")
        r.run([*dws, "status"], ws, timed=False)
        r.run([*dws, "snapshot", "S2"], ws, timed=False)
        r.run([*dws, "restore", "S1"], ws, timed=False)
    except StepError as e:
        return f"the warm-up workflow failed: {e}"
    finally:
        shutil.rmtree(ws, ignore_errors=True)
    return None


def _pip_install(venv: Path, requirement: str, log: Log) -> str | None:
    say(f"installing {requirement} into {venv} (once) ...")
    venv.parent.mkdir(parents=True, exist_ok=True)
    steps = [[sys.executable, "-m", "venv", "--clear", str(venv)],
             [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", requirement]]
    for argv in steps:
        p = subprocess.run(argv, capture_output=True, text=True, errors="replace", stdin=subprocess.DEVNULL,
                           check=False)
        log.write(f"[install rc={p.returncode}] {' '.join(argv)}\n    {tail(p.stdout + p.stderr, 20)}")
        if p.returncode:
            errors = [x for x in (p.stderr + p.stdout).splitlines() if "error" in x.lower()]
            return f"`pip install {requirement}` failed: {(errors or ['see the log'])[-1].strip()}"
    return None


def all_tools() -> list[Tool]:
    """In table order; git-dws first (the reference for the ratios)."""
    return [
        Tool("git-dws", "git-dws", "git-dws", ("version",)),
        Tool("dvc", "DVC", "dvc", ("--version",), pip="dvc[s3]==3.67.1",
             note="DVC: cache type copy (no reflink on this file system); `dvc add` + `git commit`."),
        Tool("git-annex", "git-annex", "git-annex", ("version", "--raw"), pip="git-annex==10.20261026",
             note="git-annex: unlocked files (annex.addunlocked), so data stays regular files that modify.py can "
                  "edit in place, like the others; `git annex add` + `git commit`; restore is "
                  "`git checkout --no-overlay <first> -- data` (the smudge filter fills content)."),
        Tool("dws-1.6", "dws 1.6", "dws", ("version",), pip="dataworkspaces==1.6.0",
             note="dws 1.6: local-files added with --compute-hash (content hashes, like the others), data outside "
                  "the workspace repo (inside, dws 1.6 commits it to git and its next snapshot fails); "
                  "`dws status` only lists resources and history, it does not look at the data."),
    ]


ALIASES = {"annex": "git-annex", "dws": "dws-1.6", "dws16": "dws-1.6", "dataworkspaces": "dws-1.6",
           "gitdws": "git-dws"}


def select(names: str | None) -> list[Tool]:
    tools = all_tools()
    if not names:
        return tools
    wanted = [ALIASES.get(n.strip(), n.strip()) for n in names.split(",") if n.strip()]
    known = {t.name for t in tools}
    bad = [n for n in wanted if n not in known]
    if bad:
        raise SystemExit(f"bench: unknown tool(s) {', '.join(bad)}; known: {', '.join(sorted(known))}")
    return [t for t in tools if t.name in wanted]


def project_revision() -> str:
    p = subprocess.run(["git", "--no-optional-locks", "-C", str(REPO), "describe", "--always", "--dirty"],
                       capture_output=True, text=True, check=False)
    return p.stdout.strip() or "?"


def git_dws_has(runner: Runner, cwd: Path, command: str) -> bool:
    """Does this git-dws have `command` (e.g. hooks, push)? `git dws help CMD` fails for unknown commands."""
    return runner.ok(["git", "dws", "help", command], cwd)


def git_dws_argv(tool: Tool, args: list[str], profile_to: Path | None) -> list[str]:
    """`git dws ARGS`, or under --profile the same program under cProfile writing PROFILE_TO."""
    if profile_to is None or tool.bin is None:
        return ["git", "dws", *args]
    script = tool.bin / "git-dws"
    first = script.read_text(errors="replace").splitlines()[0]
    python = first[2:].strip() if first.startswith("#!") else sys.executable
    profile_to.parent.mkdir(parents=True, exist_ok=True)
    return [python, "-m", "cProfile", "-o", str(profile_to), str(script), *args]
