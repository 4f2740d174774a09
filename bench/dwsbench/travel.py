"""Push and clone+pull of the S workload to a directory data remote (issue "Collaboration"), git-dws next
to DVC. A bare git repository is the origin in both; the timed steps include the git side (git-dws pushes
git refs and data in one command; for DVC that is `git push` + `dvc push`). Skipped (n/a) for git-dws while
`git dws push` is not a command. Adding the S3 remote later = another case object with other setup lines."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from .core import Ctx, Measurement, Runner, StepError, copy_tree, say, tree_diff
from .tools import Tool, git_dws_has


class TravelCase:
    name = "travel"
    title = "push / clone+pull to a directory remote"
    workloads = ("S",)
    steps: ClassVar[list[tuple[str, str]]] = [
        ("push", "push (git + data)"),
        ("clone_pull", "clone + pull (git + data)"),
    ]
    targets: ClassVar[dict[tuple[str, str], float]] = {}
    tools = ("git-dws", "dvc")

    def run(self, ctx: Ctx, wl: str) -> list[Measurement]:
        master = ctx.data(wl)
        out = []
        for tool in ctx.tools:
            assert isinstance(tool, Tool)
            if tool.name not in self.tools:
                continue
            cells = {key: Measurement(self.name, wl, key, tool.name) for key, _ in self.steps}
            out.extend(cells.values())
            reason = tool.reason
            if reason is None and tool.name == "git-dws":
                r = tool.runner(ctx.log)
                probe = ctx.run_dir(f"{self.name}-probe")
                missing = [c for c in ("push", "pull", "clone", "remote") if not git_dws_has(r, probe, c)]
                ctx.done_with(probe)
                if missing:
                    reason = f"`git dws {missing[0]}` is not a command yet (issue 4)"
            if reason:
                for m in cells.values():
                    m.fail("n/a", reason)
                continue
            for i in range(ctx.runs):
                self._one(ctx, tool, wl, i, master, cells)
        return out

    def _one(self, ctx: Ctx, tool: Tool, wl: str, i: int, master: Path, cells: dict[str, Measurement]) -> None:
        run_dir = ctx.run_dir(f"{self.name}-{wl}-{tool.name}-{i + 1}")
        ctx.log.write(f"== {self.name} {wl} {tool.name} run {i + 1}")
        r = tool.runner(ctx.log)
        ws, origin, store, clone = run_dir / "ws", run_dir / "origin.git", run_dir / "store", run_dir / "clone"
        setup, push, pull = (_dws_setup, _dws_push, _dws_clone) if tool.name == "git-dws" else \
            (_dvc_setup, _dvc_push, _dvc_clone)
        try:
            ws.mkdir()
            store.mkdir()
            copy_tree(master, ws / "data")
            r.run(["git", "init", "-q", "--bare", str(origin)], run_dir, timed=False)
            setup(r, ws, origin, store)
        except StepError as e:
            for m in cells.values():
                m.fail("error", f"setup: {e}")
            ctx.done_with(run_dir)
            return
        for key, label in self.steps:
            r.elapsed = 0.0
            try:
                if key == "push":
                    push(r, ws)
                else:
                    pull(r, origin, clone)
                    wrong = tree_diff(master, clone / "data")
                    if wrong:
                        raise StepError(f"cloned data differs: {', '.join(wrong)}")
            except StepError as e:
                cells[key].fail("error", str(e))
                say(f"  [{wl}] {tool.name} run {i + 1}: {label}: ERROR {e}")
                break
            cells[key].runs.append(r.elapsed)
            say(f"  [{wl}] {tool.name} run {i + 1}: {label}: {r.elapsed:.3f} s")
        ctx.done_with(run_dir)


def _dws_setup(r: Runner, ws: Path, origin: Path, store: Path) -> None:
    dws = ["git", "dws", "--batch"]
    r.run(["git", "init", "-q"], ws, timed=False)
    r.run([*dws, "init", "--hostname", "bench"], ws, timed=False)
    r.run([*dws, "add", "local-files", "data", "--role", "source-data"], ws, timed=False)
    r.run([*dws, "remote", "add", "store", str(store), "--default"], ws, timed=False)
    r.run(["git", "add", "-A"], ws, timed=False)
    r.run(["git", "commit", "-q", "--allow-empty", "-m", "data remote"], ws, timed=False)
    r.run([*dws, "snapshot", "S1"], ws, timed=False)
    r.run(["git", "remote", "add", "origin", str(origin)], ws, timed=False)


def _dws_push(r: Runner, ws: Path) -> None:
    r.run(["git", "dws", "--batch", "push"], ws)


def _dws_clone(r: Runner, origin: Path, clone: Path) -> None:
    r.run(["git", "dws", "--batch", "clone", str(origin), str(clone), "--hostname", "bench2"], clone.parent)
    r.run(["git", "dws", "--batch", "pull"], clone)


def _dvc_setup(r: Runner, ws: Path, origin: Path, store: Path) -> None:
    r.run(["git", "init", "-q"], ws, timed=False)
    r.run(["dvc", "init", "-q"], ws, timed=False)
    r.run(["dvc", "remote", "add", "-d", "store", str(store)], ws, timed=False)
    r.run(["dvc", "add", "-q", "data"], ws, timed=False)
    r.run(["git", "add", "-A"], ws, timed=False)
    r.run(["git", "commit", "-q", "-m", "S1"], ws, timed=False)
    r.run(["git", "remote", "add", "origin", str(origin)], ws, timed=False)


def _dvc_push(r: Runner, ws: Path) -> None:
    r.run(["git", "push", "-q", "origin", "HEAD"], ws)
    r.run(["dvc", "push", "-q"], ws)


def _dvc_clone(r: Runner, origin: Path, clone: Path) -> None:
    r.run(["git", "clone", "-q", str(origin), str(clone)], clone.parent)
    r.run(["dvc", "pull", "-q"], clone)


CASE = TravelCase()
