"""Fault injection: kill -9 a git-dws command (or a `git commit` running our hooks) at a seeded random
moment, then check what a user needs after a crash.

A trial: arm the scenario (make the command have real work), start it in its own process group, sleep
a seeded fraction of its calibrated duration (0 to 1.1: some trials complete), SIGKILL the whole group,
then check:
  1. `git fsck --strict` is clean;
  2. `git dws fsck` is clean, or every problem names a command that, run as given, makes it clean;
  3. no user file was lost or changed: each file is in the state it had before or the one the command
     was making (compared with a saved copy; the temporary names of an unfinished restore do not count);
  4. the next command succeeds (or says exactly what to run, and that works).
Used by test_faults.py (a small seeded subset in `make test`) and run.py (`make faults N=200`).
"""

from __future__ import annotations

import json
import os
import random
import shlex
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conftest import dws, fsck, pseudo_random, tree_state, write

TEMP_PREFIXES = (b".dws-tmp-",)  # a killed restore's temporary files (the lead's part of issue 11)


def hermetic_env(home: Path) -> None:
    """What tests/conftest.py's `hermetic` fixture does, for the standalone runner."""
    for var in list(os.environ):
        if var.startswith(("GIT_", "DWS_")):
            del os.environ[var]
    home.mkdir(parents=True, exist_ok=True)
    os.environ.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), GIT_CONFIG_NOSYSTEM="1",
                      GIT_AUTHOR_NAME="Test User", GIT_AUTHOR_EMAIL="test@example.com",
                      GIT_COMMITTER_NAME="Test User", GIT_COMMITTER_EMAIL="test@example.com", LC_ALL="C.UTF-8")
    (home / ".gitconfig").write_text("[user]\n\tname = Test User\n\temail = test@example.com\n"
                                     "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n")


def start(cwd: Path, args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


def kill_after(proc: subprocess.Popen[bytes], delay: float) -> bool:
    """SIGKILL the process group after `delay` seconds; True if it was still running (killed)."""
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return True
    return False


def user_state(root: Path) -> dict[bytes, Any]:
    return {k: v for k, v in tree_state(root).items()
            if not any(part.startswith(TEMP_PREFIXES) for part in k.split(b"/"))}


def compare(have: dict[bytes, Any], allowed: list[dict[bytes, Any]]) -> list[str]:
    """Paths whose state is none of the allowed ones (absent counts as a state)."""
    bad = []
    for k in sorted(set(have).union(*allowed)):
        if all(have.get(k) != a.get(k) for a in allowed):
            bad.append(k.decode("utf-8", "replace"))
    return bad


def dws_fsck_clean(ws: Path) -> list[str]:
    """Run `git dws fsck`; run each named repair once; return what is still wrong ([] = clean)."""
    proc = dws(ws, "fsck", "--json", check=False)
    if proc.returncode not in (0, 1) or not proc.stdout.strip():
        return [f"git dws fsck failed ({proc.returncode}): {proc.stderr.strip()}"]
    report = json.loads(proc.stdout)
    if report["clean"]:
        return []
    for p in report["problems"]:
        repair = p["repair"]
        if "(" in repair or not repair.startswith(("git ", "rm ")):
            return [f"no runnable repair for {p['kind']}: {p['message']} -> {repair}"]
        args = shlex.split(repair)
        if args[:2] == ["git", "dws"]:
            args = ["git", "dws", "--batch", *args[2:]]
        done = subprocess.run(args, cwd=ws, capture_output=True, text=True)
        if done.returncode != 0:
            return [f"repair `{repair}` failed: {done.stderr.strip()}"]
    again = json.loads(dws(ws, "fsck", "--json", check=False).stdout)
    return [f"after repair: {p['kind']}: {p['message']}" for p in again["problems"]]


@dataclass
class Outcome:
    scenario: str
    seed: int
    killed: bool
    held: bool
    problems: list[str] = field(default_factory=list)


class Scenario:
    """One command under fault. Subclasses: setup (once), arm (before each trial: returns the argv and
    the states the user's files may be in afterwards), recover (the next command) and check_more."""

    name = "?"
    root: Path
    duration = 1.0

    def setup(self, base: Path) -> None:
        raise NotImplementedError

    def arm(self, trial: int) -> tuple[Path, list[str], Path, list[dict[bytes, Any]]]:
        """(cwd, argv, root of user files, allowed states of that root)"""
        raise NotImplementedError

    def recover(self, trial: int) -> list[str]:
        """The next command a user runs; returns problems."""
        return []

    def calibrate(self) -> None:
        cwd, args, _, _ = self.arm(-1)
        t0 = time.monotonic()
        proc = subprocess.run(args, cwd=cwd, capture_output=True)
        assert proc.returncode == 0, proc.stderr.decode()
        self.duration = max(time.monotonic() - t0, 0.05)
        self.recover(-1)

    def trial(self, trial: int, rng: random.Random) -> Outcome:
        cwd, args, user_root, allowed = self.arm(trial)
        proc = start(cwd, args)
        killed = kill_after(proc, self.duration * rng.uniform(0.0, 1.1))
        problems: list[str] = []
        if not killed and proc.returncode != 0:
            err = proc.stderr.read().decode() if proc.stderr else ""
            problems.append(f"the command failed without a kill ({proc.returncode}): {err.strip()[-300:]}")
        if proc.stderr:
            proc.stderr.close()
        problems += self.check(user_root, allowed, trial)
        return Outcome(self.name, trial, killed, not problems, problems)

    def check(self, user_root: Path, allowed: list[dict[bytes, Any]], trial: int) -> list[str]:
        problems = []
        for repo in self.repos():
            try:
                fsck(repo)
            except AssertionError as e:
                problems.append(f"git fsck --strict in {repo.name}: {str(e)[:300]}")
        changed = compare(user_state(user_root), allowed)
        if changed:
            problems.append(f"user files lost or changed: {changed[:5]}")
        for repo in self.workspaces():
            problems += [f"{repo.name}: {p}" for p in dws_fsck_clean(repo)]
        problems += self.recover(trial)
        return problems

    def repos(self) -> list[Path]:
        return self.workspaces()

    def workspaces(self) -> list[Path]:
        return [self.root]


def make_data(data: Path, files: int = 600, big: int = 3, big_size: int = 3 << 20, seed: int = 0) -> None:
    for i in range(files):
        write(data / f"d{i % 20:02}" / f"f{i:04}", b"%d-%d " % (seed, i) * 50)
    for n in range(big):
        write(data / f"big{n}.bin", pseudo_random(big_size, seed * 10 + n))


def touch_all(root: Path) -> None:
    """New mtimes: the next snapshot must hash everything again (slow enough to be interrupted)."""
    now = time.time_ns() + 5_000_000_000
    for p in root.rglob("*"):
        if p.is_file() and ".git" not in p.parts:
            os.utime(p, ns=(now, now))


def new_workspace(root: Path, *, hooks: bool = False) -> Path:
    root.mkdir(parents=True)
    dws(root, "init", "--hostname", "faulthost", "--create-resources", "code",
        *([] if hooks else ["--no-hooks"]))
    return root


def ok(proc: subprocess.CompletedProcess[str], what: str) -> list[str]:
    if proc.returncode == 0:
        return []
    return [f"{what} failed ({proc.returncode}): {(proc.stderr or proc.stdout).strip()[-300:]}"]


def run_trials(scenarios: list[Scenario], base: Path, n: int, seed: int,
               report: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    rng = random.Random(seed)
    outcomes = []
    for sc in scenarios:
        sc.setup(base / sc.name)
        sc.calibrate()
    for i in range(n):
        sc = scenarios[i % len(scenarios)]
        o = sc.trial(i, random.Random(rng.random()))
        outcomes.append(o)
        if report:
            report(o)
    return outcomes


def table(outcomes: list[Outcome]) -> str:
    rows = []
    names = sorted({o.scenario for o in outcomes})
    for name in [*names, "total"]:
        sel = [o for o in outcomes if name in (o.scenario, "total")]
        rows.append((name, len(sel), sum(o.killed for o in sel), sum(o.held for o in sel),
                     sum(not o.held for o in sel)))
    lines = [f"{'scenario':<18}{'trials':>8}{'killed':>8}{'held':>8}{'failed':>8}"]
    lines += [f"{r[0]:<18}{r[1]:>8}{r[2]:>8}{r[3]:>8}{r[4]:>8}" for r in rows]
    return "\n".join(lines)
