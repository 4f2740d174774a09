"""`git dws run`: record lineage for any command, not only Python code using the lineage API.

The command runs with the terminal's standard streams. Before it starts, its inputs and outputs are
checked against the current lineage (the same checks as the Python API, so a conflict stops the run
before anything is written). If it exits 0 the step is recorded as the lineage of every output; if it
fails, the outputs' lineage is forgotten (their state is unknown) and its exit status is passed on.
Files among the command's arguments that lie in a code resource are recorded as code dependencies."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..errors import DwsError, UsageError
from ..lineage.api import Lineage, infer_step_name, map_path
from ..lineage.model import LineageError, ResourceRef, parse_ref
from ..workspace import Workspace


@dataclass(frozen=True, slots=True)
class RunResult:
    step: str
    returncode: int
    recorded: bool
    inputs: list[str]
    outputs: list[str]
    code: list[str]
    seconds: float


def parse_param(text: str) -> tuple[str, object]:
    """`K=V`; V is read as JSON when it is a number, boolean, null, list or object, else kept as text."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise UsageError(f"bad --param '{text}'", "write --param NAME=VALUE")
    try:
        parsed: object = json.loads(value)
    except ValueError:
        parsed = value
    if isinstance(parsed, str):
        parsed = value
    return key, parsed


def to_ref(ws: Workspace, text: str) -> ResourceRef:
    """`RES`, `RES:PATH`, or a local path inside a resource (existing or not)."""
    name = text.partition(":")[0]
    if ws.config.resource(name) is not None:
        return parse_ref(text)
    try:
        return map_path(ws, text)  # a local path (an output need not exist yet)
    except LineageError:
        names = ", ".join(r.name for r in ws.config.resources) or "none"
        raise LineageError(f"'{text}' names no resource and no path inside one",
                           f"write RESOURCE[:PATH]; resources: {names}") from None


def code_args(ws: Workspace, command: list[str]) -> list[ResourceRef]:
    """Resources of role code holding files named on the command line."""
    out: list[ResourceRef] = []
    for arg in command:
        if not arg or arg.startswith("-") or not os.path.isfile(arg):
            continue
        try:
            ref = map_path(ws, arg)
        except LineageError:
            continue
        spec = ws.config.resource(ref.name)
        if spec is not None and spec.role == "code" and ResourceRef(ref.name) not in out:
            out.append(ResourceRef(ref.name))
    return out


def run_step(ws: Workspace, command: list[str], *, step: str | None = None, inputs: Sequence[str] = (),
             outputs: Sequence[str] = (), params: Sequence[str] = (), cwd: str | None = None,
             runner: Callable[[list[str], str | None], int] | None = None) -> RunResult:
    if not command:
        raise UsageError("no command to run", "git dws run [--input R] [--output R] -- COMMAND ARGS")
    cwd = cwd or os.getcwd()
    in_refs = [to_ref(ws, t) for t in inputs]
    out_refs = [to_ref(ws, t) for t in outputs]
    parameters = dict(parse_param(p) for p in params)
    code = code_args(ws, command)
    name = step or infer_step_name(command)
    lineage = Lineage(name, dt.datetime.now(), parameters, list(in_refs), list(code), ws,
                      command_line=list(command), current_directory=cwd)
    for ref in out_refs:
        lineage.add_output_ref(ref)
    try:
        rc = (runner or _run)(command, cwd)
    except BaseException:
        lineage.abort()
        raise
    if rc == 0:
        lineage.complete()
    else:
        lineage.abort()
    return RunResult(name, rc, rc == 0, [str(r) for r in in_refs], [str(r) for r in out_refs],
                     [str(r) for r in code], lineage.step.execution_time_seconds or 0.0)


def _run(command: list[str], cwd: str | None) -> int:
    from ..lineage.api import STEP_ENV

    env = {**os.environ, STEP_ENV: "1"}  # lineage errors in the command show as error:/hint: lines
    try:
        return subprocess.run(command, cwd=cwd, check=False, env=env).returncode
    except FileNotFoundError:
        raise DwsError(f"command not found: {command[0]}", "check the command after `--`") from None
    except PermissionError:
        raise DwsError(f"cannot run {command[0]}: permission denied", "is it executable?") from None
