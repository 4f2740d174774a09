"""The standard workflow (issue "Speed"): first snapshot, no-change status, snapshot after modify.py 200,
restore of the first snapshot. Each tool, each run: its own fresh copy of the data, its own repository."""

from __future__ import annotations

import time
from pathlib import Path
from typing import ClassVar

from .core import Ctx, Measurement, NotAvailable, Runner, StepError, copy_tree, say, tree_diff
from .tools import Tool, git_dws_argv

STEPS = [
    ("first_snapshot", "first snapshot"),
    ("status", "no-change status"),
    ("modify_snapshot", "modify 200 + snapshot"),
    ("restore", "restore first snapshot"),
]


class Flow:
    """One tool doing the workflow in its own directory. prepare() is untimed; each step method runs its
    commands through the runner, timed unless marked otherwise."""

    def __init__(self, tool: Tool, r: Runner, run_dir: Path, profile_dir: Path | None) -> None:
        self.tool, self.r, self.dir, self.profile_dir = tool, r, run_dir, profile_dir
        self.ws = run_dir / "ws"
        self.step = ""

    @property
    def data(self) -> Path:
        return self.ws / "data"

    def git(self, *args: str, timed: bool = True) -> str:
        return self.r.run(["git", *args], self.ws, timed=timed).stdout.strip()

    def git_init(self, initial_commit: bool) -> None:
        self.ws.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", timed=False)
        if initial_commit:
            self.git("commit", "-q", "--allow-empty", "-m", "initial", timed=False)

    def prepare(self) -> None:
        raise NotImplementedError

    def first_snapshot(self) -> None:
        raise NotImplementedError

    def status(self) -> None:
        raise NotImplementedError

    def modify_snapshot(self) -> None:
        raise NotImplementedError

    def restore(self) -> None:
        raise NotImplementedError


class GitDwsFlow(Flow):
    def dws(self, *args: str, timed: bool = True) -> None:
        prof = self.profile_dir / f"{self.dir.name}-{self.step}.prof" if self.profile_dir and timed else None
        self.r.run(git_dws_argv(self.tool, ["--batch", *args], prof), self.ws, timed=timed)

    def prepare(self) -> None:
        self.git_init(initial_commit=False)
        self.dws("init", "--hostname", "bench", timed=False)
        self.dws("add", "local-files", "data", "--role", "source-data", timed=False)

    def first_snapshot(self) -> None:
        self.dws("snapshot", "S1")

    def status(self) -> None:
        self.dws("status")

    def modify_snapshot(self) -> None:
        self.dws("snapshot", "S2")

    def restore(self) -> None:
        self.dws("restore", "S1")


class DvcFlow(Flow):
    first = ""

    def prepare(self) -> None:
        self.git_init(initial_commit=True)
        self.r.run(["dvc", "init", "-q"], self.ws, timed=False)
        self.git("commit", "-q", "-m", "dvc init", timed=False)

    def first_snapshot(self) -> None:
        self.r.run(["dvc", "add", "-q", "data"], self.ws)
        self.git("add", "data.dvc", ".gitignore")
        self.git("commit", "-q", "-m", "S1")
        self.first = self.git("rev-parse", "HEAD", timed=False)

    def status(self) -> None:
        self.r.run(["dvc", "status"], self.ws)

    def modify_snapshot(self) -> None:
        self.r.run(["dvc", "add", "-q", "data"], self.ws)
        self.git("commit", "-q", "-a", "-m", "S2")

    def restore(self) -> None:
        self.git("checkout", self.first, "--", "data.dvc")
        self.r.run(["dvc", "checkout", "-q"], self.ws)


class AnnexFlow(Flow):
    first = ""

    def prepare(self) -> None:
        self.git_init(initial_commit=True)
        self.git("annex", "init", "-q", "bench", timed=False)
        self.git("config", "annex.addunlocked", "true", timed=False)

    def first_snapshot(self) -> None:
        self.git("annex", "add", "-q", "data")
        self.git("commit", "-q", "-m", "S1")
        self.first = self.git("rev-parse", "HEAD", timed=False)

    def status(self) -> None:
        self.git("annex", "status")

    def modify_snapshot(self) -> None:
        self.git("annex", "add", "-q", "data")
        self.git("commit", "-q", "-a", "-m", "S2")

    def restore(self) -> None:
        self.git("checkout", "--no-overlay", self.first, "--", "data")


class Dws16Flow(Flow):
    @property
    def data(self) -> Path:
        return self.dir / "data"  # outside the workspace repo: see the tool note

    def dws(self, *args: str, timed: bool = True) -> None:
        self.r.run(["dws", "--batch", *args], self.ws, timed=timed)

    def prepare(self) -> None:
        self.git_init(initial_commit=False)
        self.dws("init", "--hostname", "bench", timed=False)

    def first_snapshot(self) -> None:
        self.dws("add", "local-files", "--role", "source-data", "--compute-hash", str(self.data))
        self.dws("snapshot", "S1")

    def status(self) -> None:
        self.dws("status")

    def modify_snapshot(self) -> None:
        self.dws("snapshot", "S2")

    def restore(self) -> None:
        raise NotAvailable("dws 1.6 cannot restore local-files resources")


FLOWS: dict[str, type[Flow]] = {"git-dws": GitDwsFlow, "dvc": DvcFlow, "git-annex": AnnexFlow, "dws-1.6": Dws16Flow}


class WorkflowCase:
    name = "workflow"
    title = "standard workflow"
    workloads = ("S", "L")
    steps = STEPS
    targets: ClassVar[dict[tuple[str, str], float]] = {
        ("S", "first_snapshot"): 2.0,
        ("S", "status"): 0.15,  # issue 14 (issue 2 had 0.3)
        ("S", "modify_snapshot"): 0.3,  # issue 14 (0.5)
        ("S", "restore"): 0.4,  # issue 14 (1.0)
        ("L", "first_snapshot"): 1.0,  # issue 14 (1.5)
        ("L", "restore"): 1.0,  # issue 14, and faster than DVC
    }

    def run(self, ctx: Ctx, wl: str) -> list[Measurement]:
        master = ctx.data(wl)
        out: list[Measurement] = []
        for tool in ctx.tools:
            assert isinstance(tool, Tool)
            cells = {key: Measurement(self.name, wl, key, tool.name) for key, _ in STEPS}
            out.extend(cells.values())
            if not tool.available:
                for m in cells.values():
                    m.fail("n/a", tool.reason or "")
                continue
            for i in range(ctx.runs):
                t0 = time.monotonic()
                self._one(ctx, tool, wl, i, master, cells)
                if i + 1 < ctx.runs and time.monotonic() - t0 > ctx.slow_run:
                    for m in cells.values():
                        if m.status == "ok":
                            m.note = f"{i + 1} run(s) only: one run takes over {ctx.slow_run:.0f} s"
                    break
        return out

    def _one(self, ctx: Ctx, tool: Tool, wl: str, i: int, master: Path, cells: dict[str, Measurement]) -> None:
        run_dir = ctx.run_dir(f"{self.name}-{wl}-{tool.name}-{i + 1}")
        flow = FLOWS[tool.name](tool, tool.runner(ctx.log), run_dir, ctx.profile_dir)
        ctx.log.write(f"== {self.name} {wl} {tool.name} run {i + 1}")
        try:
            flow.ws.mkdir(parents=True)
            copy_tree(master, flow.data)
            flow.prepare()
        except StepError as e:
            for m in cells.values():
                m.fail("error", f"setup: {e}")
            ctx.done_with(run_dir)
            return
        broken = ""
        for key, label in STEPS:
            m = cells[key]
            if broken:
                m.fail("error", f"skipped: {broken}")
                continue
            if key == "modify_snapshot":
                ctx.modify(flow.data)
            flow.step = key
            flow.r.elapsed = 0.0
            try:
                getattr(flow, key)()
                if key == "restore":
                    wrong = tree_diff(master, flow.data)
                    if wrong:
                        raise StepError(f"restored data differs from the first snapshot: {', '.join(wrong)}")
            except NotAvailable as e:
                m.fail("n/a", str(e))
                continue
            except StepError as e:
                m.fail("error", str(e))
                broken = f"{label} failed"
                say(f"  [{wl}] {tool.name} run {i + 1}: {label}: ERROR {e}")
                continue
            m.runs.append(flow.r.elapsed)
            say(f"  [{wl}] {tool.name} run {i + 1}: {label}: {flow.r.elapsed:.3f} s")
        ctx.done_with(run_dir)


CASE = WorkflowCase()
