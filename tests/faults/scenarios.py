"""The commands under fault: snapshot, restore, push, pull, commit with hooks, gc (see faultlib)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from conftest import dws, git, pseudo_random, write
from faultlib import Scenario, make_data, new_workspace, ok, touch_all, user_state


def _exe() -> str:
    exe = shutil.which("git-dws")
    assert exe, "git-dws is not on PATH"
    return exe


class SnapshotKill(Scenario):
    name = "snapshot"

    def setup(self, base: Path) -> None:
        self.root = new_workspace(base / "ws")
        make_data(self.root / "data")
        dws(self.root, "add", "local-files", "data", "--role", "source-data")
        dws(self.root, "snapshot", "BASE")

    def arm(self, trial: int) -> tuple[Path, list[str], Path, list[dict[bytes, Any]]]:
        touch_all(self.root / "data")
        write(self.root / "data" / "marker", f"trial {trial}\n")
        write(self.root / "code" / "v.py", f"v = {trial}\n")  # pending code: the snapshot commits it
        self.tag = f"K{trial}".replace("-", "m")
        return self.root, [_exe(), "--batch", "snapshot", self.tag], self.root, [user_state(self.root)]

    def recover(self, trial: int) -> list[str]:
        problems = []
        subject = git(self.root, "log", "-1", "--format=%s").stdout.strip()
        m = re.fullmatch(r"Snapshot (\S+): commit resource changes", subject)
        if m and git(self.root, "rev-parse", "-q", "--verify", f"refs/tags/{m.group(1)}",
                     check=False).returncode != 0:
            problems.append(f"'{subject}' is on the branch but snapshot {m.group(1)} does not exist")
        problems += ok(dws(self.root, "snapshot", f"R{self.tag}", check=False), "the next snapshot")
        return problems


class RestoreKill(Scenario):
    name = "restore"

    def setup(self, base: Path) -> None:
        self.root = new_workspace(base / "ws")
        data = self.root / "data"
        make_data(data, files=400, big=2, seed=1)
        dws(self.root, "add", "local-files", "data", "--role", "source-data")
        dws(self.root, "snapshot", "A")
        self.states = {"A": user_state(data)}
        shutil.rmtree(data / "d01")
        make_data(data, files=400, big=2, seed=2)  # every file differs
        write(data / "only-b" / "x", "b\n")
        dws(self.root, "snapshot", "B")
        self.states["B"] = user_state(data)
        self.target = "A"

    def arm(self, trial: int) -> tuple[Path, list[str], Path, list[dict[bytes, Any]]]:
        data = self.root / "data"
        before = user_state(data)
        self.target = "A" if self.target == "B" else "B"
        return (self.root, [_exe(), "--batch", "restore", self.target], data,
                [before, self.states[self.target]])

    def recover(self, trial: int) -> list[str]:
        problems = ok(dws(self.root, "restore", self.target, check=False), f"restore {self.target} again")
        if not problems and user_state(self.root / "data") != self.states[self.target]:
            problems.append(f"data is not snapshot {self.target} after the second restore")
        return problems


class _Shared(Scenario):
    """A workspace published to a bare origin with a directory data remote."""

    def publish(self, base: Path) -> None:
        self.base = base
        base.mkdir(parents=True, exist_ok=True)
        self.origin = base / "origin.git"
        git(base, "init", "-q", "--bare", str(self.origin))
        self.remote = base / "dataremote"
        self.root = new_workspace(base / "a")
        make_data(self.root / "data", files=200, big=1, seed=5)
        dws(self.root, "add", "local-files", "data", "--role", "source-data")
        dws(self.root, "remote", "add", "shared", str(self.remote))
        dws(self.root, "snapshot", "P0")
        dws(self.root, "publish", str(self.origin))

    def change(self, ws: Path, trial: int, tag: str) -> None:
        """New data (two large files and a few small ones) and a snapshot of it."""
        for n in range(2):
            write(ws / "data" / f"t{n}.bin", pseudo_random(4 << 20, 1000 + trial * 2 + n))
        for n in range(20):
            write(ws / "data" / "small" / f"s{n}", f"{trial} {n}\n")
        dws(ws, "snapshot", tag)


class PushKill(_Shared):
    name = "push"

    def setup(self, base: Path) -> None:
        self.publish(base)

    def arm(self, trial: int) -> tuple[Path, list[str], Path, list[dict[bytes, Any]]]:
        self.change(self.root, trial, f"U{trial}".replace("-", "m"))
        return self.root, [_exe(), "--batch", "push"], self.root, [user_state(self.root)]

    def repos(self) -> list[Path]:
        return [self.root, self.origin]

    def recover(self, trial: int) -> list[str]:
        problems = ok(dws(self.root, "push", check=False), "the next push")
        problems += ok(dws(self.root, "fsck", "--remote", "shared", "--quick", check=False),
                       "fsck --remote after the push")
        return problems


class PullKill(_Shared):
    name = "pull"

    def setup(self, base: Path) -> None:
        self.publish(base)
        dws(base, "clone", str(self.origin), "b", "--hostname", "hostb")
        self.b = base / "b"

    def arm(self, trial: int) -> tuple[Path, list[str], Path, list[dict[bytes, Any]]]:
        self.change(self.root, trial, f"V{trial}".replace("-", "m"))
        dws(self.root, "push")
        self.want = user_state(self.root / "data")
        return self.b, [_exe(), "--batch", "pull"], self.b / "data", [user_state(self.b / "data"), self.want]

    def workspaces(self) -> list[Path]:
        return [self.b]

    def recover(self, trial: int) -> list[str]:
        problems = ok(dws(self.b, "pull", check=False), "the next pull")
        if not problems and user_state(self.b / "data") != self.want:
            problems.append("the clone's data is not the pulled snapshot's")
        return problems


class CommitKill(Scenario):
    """`git commit` in a workspace with the hooks installed: pre-commit captures the data."""

    name = "commit-hooks"

    def setup(self, base: Path) -> None:
        self.root = new_workspace(base / "ws", hooks=True)
        make_data(self.root / "data", files=400, big=2, seed=3)
        dws(self.root, "add", "local-files", "data", "--role", "source-data")
        git(self.root, "commit", "-q", "--allow-empty", "-m", "first")

    def arm(self, trial: int) -> tuple[Path, list[str], Path, list[dict[bytes, Any]]]:
        touch_all(self.root / "data")
        write(self.root / "data" / "marker", f"trial {trial}\n")
        write(self.root / "code" / "c.py", f"c = {trial}\n")
        git(self.root, "add", "code")
        before = user_state(self.root)
        return self.root, ["git", "commit", "-q", "-m", f"c{trial}"], self.root, [before]

    def recover(self, trial: int) -> list[str]:
        return ok(git(self.root, "commit", "-q", "--allow-empty", "-m", f"after {trial}", check=False),
                  "the next git commit")


class GcKill(Scenario):
    name = "gc"

    def setup(self, base: Path) -> None:
        self.root = new_workspace(base / "ws")
        make_data(self.root / "data", files=300, big=1, seed=4)
        dws(self.root, "add", "local-files", "data", "--role", "source-data")
        dws(self.root, "snapshot", "G0")
        self.n = 0

    def arm(self, trial: int) -> tuple[Path, list[str], Path, list[dict[bytes, Any]]]:
        # make garbage: a snapshot with new large and small objects, replaced and deleted
        self.n += 1
        old, new = f"g{self.n}a", f"g{self.n}b"
        for k in range(3):
            write(self.root / "data" / f"gc{k}.bin", pseudo_random(3 << 20, 5000 + self.n * 3 + k))
        for k in range(100):
            write(self.root / "data" / "gsmall" / f"{k}", f"{self.n} {k}\n")
        dws(self.root, "snapshot", old)
        for k in range(3):
            write(self.root / "data" / f"gc{k}.bin", pseudo_random(3 << 20, 9000 + self.n * 3 + k))
        dws(self.root, "snapshot", new)
        dws(self.root, "delete-snapshot", old)
        return self.root, [_exe(), "--batch", "gc", "--grace", "0"], self.root, [user_state(self.root)]

    def recover(self, trial: int) -> list[str]:
        return ok(dws(self.root, "gc", "--grace", "0", check=False), "the next gc")


ALL = [SnapshotKill, RestoreKill, PushKill, PullKill, CommitKill, GcKill]
