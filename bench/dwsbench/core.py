"""The harness's building blocks: paths, workloads, a timing command runner, measurements, the run context.

Every benchmark ("case") times commands through a `Runner`: `run(argv, cwd, timed=True)` adds the command's
wall-clock time to `runner.elapsed`, so a step is "reset elapsed, do the step, read elapsed" and setup
commands in the middle of a step can be left out with `timed=False`.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

BENCH = Path(__file__).resolve().parent.parent
REPO = BENCH.parent
WORK = BENCH / "work"  # git-ignored scratch: venvs, data, runs, logs, profiles
RESULTS = BENCH / "results"  # kept in git
COMMAND_TIMEOUT = 3600.0


def shared_bench_dir() -> Path:
    """The shared workload generators: $DWS_BENCH_SHARED, else ../shared/bench beside the repo."""
    env = os.environ.get("DWS_BENCH_SHARED")
    return Path(env) if env else REPO.parent / "shared" / "bench"


@dataclass(frozen=True)
class Workload:
    key: str  # S, L
    kind: str  # gen_data.py's argument
    label: str


WORKLOADS = {
    "S": Workload("S", "small", "20,000 × 4 KiB"),
    "L": Workload("L", "large", "2 × 512 MiB"),
}


class NotAvailable(Exception):
    """This tool cannot do this step; the message says why (reported as n/a)."""


class StepError(Exception):
    """A command failed or a result was wrong (reported as error)."""


@dataclass
class Measurement:
    """One cell of the table: a step of a case on a workload, for one tool, over N runs."""

    case: str
    workload: str
    step: str
    tool: str
    runs: list[float] = field(default_factory=list)
    status: str = "ok"  # ok | n/a | error
    note: str = ""

    @property
    def value(self) -> float | None:
        return statistics.median(self.runs) if self.runs and self.status == "ok" else None

    def fail(self, status: str, note: str) -> None:
        if self.status == "ok":  # keep the first reason
            self.status, self.note = status, note

    def as_json(self) -> dict[str, object]:
        return {"case": self.case, "workload": self.workload, "step": self.step, "tool": self.tool,
                "status": self.status, "median_s": self.value, "runs_s": [round(x, 4) for x in self.runs],
                "note": self.note}


class Log:
    """Every command, its exit code, time and output tail, for when a number looks wrong."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._f: TextIO = open(path, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the run

    def write(self, text: str) -> None:
        self._f.write(text.rstrip("\n") + "\n")
        self._f.flush()

    def close(self) -> None:
        self._f.close()


def tail(text: str, n: int = 3) -> str:
    lines = [x for x in text.strip().splitlines() if x.strip()]
    return " | ".join(lines[-n:])


class Runner:
    """Runs commands in a tool's environment; timed ones add to `elapsed`."""

    def __init__(self, env: dict[str, str], log: Log) -> None:
        self.env = env
        self.log = log
        self.elapsed = 0.0

    def run(self, argv: Sequence[str | os.PathLike[str]], cwd: Path, *, timed: bool = True, check: bool = True,
            timeout: float = COMMAND_TIMEOUT) -> subprocess.CompletedProcess[str]:
        args = [str(a) for a in argv]
        t0 = time.perf_counter()
        try:
            p = subprocess.run(args, cwd=cwd, env=self.env, stdin=subprocess.DEVNULL, capture_output=True,
                               text=True, errors="replace", timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise StepError(f"`{' '.join(args)}` timed out after {timeout:.0f} s") from None
        except FileNotFoundError:
            raise StepError(f"`{args[0]}` not found") from None
        dt = time.perf_counter() - t0
        if timed:
            self.elapsed += dt
        self.log.write(f"[{'timed' if timed else 'setup'} {dt:8.3f}s rc={p.returncode}] ({cwd}) {' '.join(args)}")
        out = tail(p.stdout + "\n" + p.stderr, 6)
        if out:
            self.log.write(f"    {out}")
        if check and p.returncode:
            raise StepError(f"`{' '.join(args)}` exited {p.returncode}: {tail(p.stderr or p.stdout) or 'no output'}")
        return p

    def ok(self, argv: Sequence[str | os.PathLike[str]], cwd: Path) -> bool:
        """Untimed probe: did the command succeed?"""
        return self.run(argv, cwd, timed=False, check=False).returncode == 0


def clean_dir(path: Path) -> Path:
    if path.exists() or path.is_symlink():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def copy_tree(src: Path, dest: Path) -> None:
    """A fresh copy that keeps the source's mtimes (so data looks old, as it would in real use), flushed to
    disk so no write-back competes with the timed steps."""
    subprocess.run(["cp", "-a", str(src), str(dest)], check=True)
    os.sync()


def tree_diff(a: Path, b: Path, limit: int = 5) -> list[str]:
    """Relative paths of files (and symlinks) that differ between two trees; empty when identical."""
    fa, fb = _files(a), _files(b)
    out = sorted(set(fa) ^ set(fb))
    for rel in sorted(set(fa) & set(fb)):
        if len(out) >= limit:
            break
        pa, pb = a / rel, b / rel
        if pa.is_symlink() or pb.is_symlink():
            if not (pa.is_symlink() and pb.is_symlink() and os.readlink(pa) == os.readlink(pb)):
                out.append(rel)
        elif not _same_content(pa, pb):
            out.append(rel)
    return out


def _files(root: Path) -> set[str]:
    out = set()
    for d, dirs, files in os.walk(root):
        rel = os.path.relpath(d, root)
        for name in files + [x for x in dirs if os.path.islink(os.path.join(d, x))]:
            out.add(name if rel == "." else f"{rel}/{name}")
    return out


def _same_content(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(1 << 20), fb.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True


@dataclass
class Ctx:
    """What every case gets: the options, the tools, the data and a place to work."""

    runs: int
    tools: list[object]  # tools.Tool (kept loose here to avoid an import cycle)
    log: Log
    keep: bool = False
    profile_dir: Path | None = None
    install: bool = True
    slow_run: float = 180.0  # a tool whose run (all steps, setup included) takes longer is not repeated

    def data(self, wl: str) -> Path:
        """The master copy of a workload, generated once (deterministic) and reused across runs."""
        w = WORKLOADS[wl]
        dest = WORK / "data" / wl
        marker = WORK / "data" / f"{wl}.complete"
        if marker.exists() and dest.is_dir():
            return dest
        gen = shared_bench_dir() / "gen_data.py"
        if not gen.exists():
            raise SystemExit(f"bench: workload generator {gen} not found (set DWS_BENCH_SHARED)")
        say(f"generating workload {wl} ({w.label}) in {dest} ...")
        tmp = clean_dir(WORK / "data" / f".{wl}.tmp")
        subprocess.run([sys.executable, str(gen), str(tmp / "data"), w.kind], check=True)
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(tmp / "data", dest)
        shutil.rmtree(tmp)
        marker.write_text("ok\n")
        os.sync()
        return dest

    def modify(self, data_dir: Path) -> None:
        """The shared edit workload: modify.py DIR 200 (untimed)."""
        subprocess.run([sys.executable, str(shared_bench_dir() / "modify.py"), str(data_dir), "200"], check=True)
        os.sync()

    def run_dir(self, name: str) -> Path:
        return clean_dir(WORK / "runs" / name)

    def done_with(self, path: Path) -> None:
        if not self.keep and path.exists():
            shutil.rmtree(path, ignore_errors=True)


def say(text: str) -> None:
    print(text, flush=True)
