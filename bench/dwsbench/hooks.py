"""Commit-hook overhead (issue "Hooks"): the time a no-change `git commit` (a one-line code change, data
untouched) takes in a workspace with the hooks installed, against the same commit in a plain repo.
Skipped (n/a) while `git dws hooks` is not a command."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import ClassVar

from .core import Ctx, Measurement, Runner, StepError, copy_tree, say
from .tools import Tool, git_dws_has

COMMITS = 5  # timed commits per run (after one untimed warm-up); the run's value is their median


class HooksCase:
    name = "hooks"
    title = "commit-hook overhead: no-change git commit"
    workloads = ("S",)
    unit = "ms"
    ratios = False  # one tool per row: the overhead rows are the comparison
    steps: ClassVar[list[tuple[str, str]]] = [
        ("commit_plain", "git commit, plain repo (data ignored)"),
        ("commit_git_only", "git commit, workspace, git resources only"),
        ("commit_local_files", "git commit, workspace + local-files S"),
        ("overhead_git_only", "added by hooks, git resources only"),
        ("overhead_local_files", "added by hooks, local-files S"),
    ]
    targets: ClassVar[dict[tuple[str, str], float]] = {
        ("S", "overhead_git_only"): 0.060,
        ("S", "overhead_local_files"): 0.300,
    }

    def run(self, ctx: Ctx, wl: str) -> list[Measurement]:
        tool = next((t for t in ctx.tools if isinstance(t, Tool) and t.name == "git-dws"), None)
        if tool is None:
            return []
        cells = {key: Measurement(self.name, wl, key, "git" if key == "commit_plain" else "git-dws")
                 for key, _ in self.steps}
        dws_keys = [k for k, _ in self.steps if k != "commit_plain"]
        if not tool.available:
            for k in dws_keys:
                cells[k].fail("n/a", tool.reason or "")
        master = ctx.data(wl)
        r = tool.runner(ctx.log)
        probe = ctx.run_dir(f"{self.name}-probe")
        has_hooks = tool.available and git_dws_has(r, probe, "hooks")
        ctx.done_with(probe)
        if tool.available and not has_hooks:
            for k in dws_keys:
                cells[k].fail("n/a", "`git dws hooks` is not a command yet (issue 3)")
        for i in range(ctx.runs):
            ctx.log.write(f"== {self.name} {wl} run {i + 1}")
            kinds = ["commit_plain", "commit_git_only", "commit_local_files"] if has_hooks else ["commit_plain"]
            for key in kinds:
                run_dir = ctx.run_dir(f"{self.name}-{wl}-{key}-{i + 1}")
                try:
                    ws = self._setup(r, key, run_dir, master)
                    cells[key].runs.append(_commits(r, ws))
                    say(f"  [{wl}] hooks run {i + 1}: {key}: {cells[key].runs[-1] * 1000:.1f} ms")
                except StepError as e:
                    cells[key].fail("error", str(e))
                    say(f"  [{wl}] hooks run {i + 1}: {key}: ERROR {e}")
                ctx.done_with(run_dir)
        base = cells["commit_plain"]
        for over, key in (("overhead_git_only", "commit_git_only"), ("overhead_local_files", "commit_local_files")):
            src = cells[key]
            if src.status != "ok" or base.status != "ok":
                cells[over].fail(src.status if src.status != "ok" else base.status, src.note or base.note)
            else:
                cells[over].runs = [a - b for a, b in zip(src.runs, base.runs, strict=True)]
        return list(cells.values())

    def _setup(self, r: Runner, key: str, run_dir: Path, master: Path) -> Path:
        ws = run_dir / "ws"
        ws.mkdir()
        r.run(["git", "init", "-q"], ws, timed=False)
        (ws / "notes.txt").write_text("notes\n")
        if key == "commit_plain":
            copy_tree(master, ws / "data")
            (ws / ".gitignore").write_text("/data/\n")
            r.run(["git", "add", "-A"], ws, timed=False)
            r.run(["git", "commit", "-q", "-m", "initial"], ws, timed=False)
            return ws
        dws = ["git", "dws", "--batch"]
        if key == "commit_git_only":
            r.run([*dws, "init", "--hostname", "bench", "--create-resources", "code"], ws, timed=False)
        else:
            copy_tree(master, ws / "data")
            r.run([*dws, "init", "--hostname", "bench"], ws, timed=False)
            r.run([*dws, "add", "local-files", "data", "--role", "source-data"], ws, timed=False)
        r.run([*dws, "snapshot", "S1"], ws, timed=False)
        r.run([*dws, "hooks", "install"], ws, timed=False, check=False)  # init may have installed them already
        hooks = Path(ws, r.run(["git", "rev-parse", "--git-path", "hooks"], ws, timed=False).stdout.strip())
        if not any((hooks / h).exists() for h in ("pre-commit", "post-commit")):
            raise StepError(f"no pre-commit/post-commit hook in {hooks} after `git dws hooks install`")
        r.run(["git", "add", "-A"], ws, timed=False)
        r.run(["git", "commit", "-q", "-m", "workspace", "--allow-empty"], ws, timed=False)
        return ws


def _commits(r: Runner, ws: Path) -> float:
    times = []
    for j in range(COMMITS + 1):
        with open(ws / "notes.txt", "a") as f:
            f.write(f"line {j}\n")
        r.run(["git", "add", "notes.txt"], ws, timed=False)
        r.elapsed = 0.0
        r.run(["git", "commit", "-q", "-m", f"change {j}"], ws)
        if j:  # the first one warms caches up
            times.append(r.elapsed)
    return statistics.median(times)


CASE = HooksCase()
