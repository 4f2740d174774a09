"""The lineage API for pipeline steps, with the original Data Workspaces names and semantics.

    from git_dws.lineage import LineageBuilder

    builder = (LineageBuilder().as_script_step().with_parameters({"gamma": 0.01})
               .with_input_path("source-data/data.csv").as_results_step("results"))
    with builder.eval() as lineage:
        ...                                   # the step's work
        lineage.write_results({"accuracy": 0.93})

Leaving the `with` block normally records the step as the lineage of each output; an exception instead
forgets the outputs' lineage (they are in an unknown state) and records nothing. Every consistency
problem is raised when it is detected: when the lineage object is built or an output is added, so
before the step does its work and before results.json is written.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from types import TracebackType
from typing import Any, Literal

from ..config import ResourceSpec
from ..errors import DwsError
from ..workspace import Workspace
from . import store
from .model import (
    Certificate,
    CodeLineage,
    HashCertificate,
    LineageConflictError,
    LineageError,
    PathNotAResourceError,
    PlaceholderCertificate,
    ResourceRef,
    SourceDataLineage,
    StepLineage,
    make_ref,
)
from .records import LineageSet

PathOrRef = str | os.PathLike[str] | ResourceRef
STEP_ENV = "GIT_DWS_RUN_STEP"  # set by `git dws run` for the command it runs


def _install_excepthook() -> None:
    """In a script that `git dws run` runs, a lineage error that escapes (a conflict found by
    add_output_path, say) is shown as git-dws shows its errors, `error:` and `hint:` lines, not as a
    traceback; the script still exits 1. Other exceptions keep Python's usual report."""
    if not os.environ.get(STEP_ENV):
        return
    previous = sys.excepthook

    def hook(tp: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if isinstance(value, DwsError):
            sys.stderr.write(f"error: {value.message}\n" + (f"hint: {value.hint}\n" if value.hint else ""))
        else:
            previous(tp, value, tb)

    sys.excepthook = hook


_install_excepthook()


# -- workspace and path mapping -------------------------------------------------------------------
def open_workspace(workspace_dir: str | os.PathLike[str] | None = None) -> Workspace:
    return Workspace.open(os.fspath(workspace_dir) if workspace_dir is not None else os.getcwd())


def local_root(ws: Workspace, spec: ResourceSpec) -> str | None:
    """The local directory of a file-based resource, None for others (api-resource)."""
    from ..resources import registry

    if not getattr(registry.get(spec.type), "has_files", True):
        return None
    return os.path.realpath(registry.load(ws, spec).local_path)


def map_path(ws: Workspace, path: str | os.PathLike[str]) -> ResourceRef:
    """A local path as (resource, subpath). The innermost resource wins if resources nest."""
    full = os.path.realpath(os.path.abspath(os.path.expanduser(os.fspath(path))))
    best: tuple[int, ResourceRef] | None = None
    for spec in ws.config.resources:
        root = local_root(ws, spec)
        if root is None:
            continue
        if full == root:
            ref = ResourceRef(spec.name)
        elif full.startswith(root.rstrip(os.sep) + os.sep):
            ref = make_ref(spec.name, os.path.relpath(full, root).replace(os.sep, "/"))
        else:
            continue
        if best is None or len(root) > best[0]:
            best = (len(root), ref)
    if best is None:
        raise PathNotAResourceError(f"{path} is not inside any resource of workspace '{ws.config.name}'",
                                    "add its directory as a resource (git dws add ...), or pass a ResourceRef")
    return best[1]


def check_ref(ws: Workspace, ref: ResourceRef, role: str | None = None) -> ResourceRef:
    spec = ws.config.resource(ref.name)
    if spec is None:
        names = ", ".join(r.name for r in ws.config.resources) or "none"
        raise LineageError(f"no resource named '{ref.name}'", f"resources: {names}")
    if role is not None and spec.role != role:
        raise LineageError(f"resource '{ref.name}' has role {spec.role}, not {role}",
                           "code dependencies must be in a code resource")
    return make_ref(ref.name, ref.subpath)


def to_ref(ws: Workspace, p: PathOrRef, role: str | None = None, must_exist: bool = False) -> ResourceRef:
    if isinstance(p, ResourceRef):
        return check_ref(ws, p, role)
    if must_exist and not os.path.exists(p):
        raise LineageError(f"path {os.fspath(p)} does not exist")
    ref = map_path(ws, p)
    return check_ref(ws, ref, role)


def check_no_overlap(step: str, refs: list[ResourceRef], what: str) -> None:
    """Check (a): one step's inputs (or code) must not cover each other."""
    for i, a in enumerate(refs):
        for b in refs[i + 1:]:
            if a.covers(b) or b.covers(a):
                outer, inner = (a, b) if a.covers(b) else (b, a)
                raise LineageConflictError(
                    f"step {step} has {what} {inner}, which is inside its {what} {outer}",
                    f"give {outer} only (it covers {inner})")


def _expand(lset: LineageSet, refs: list[ResourceRef]) -> list[ResourceRef]:
    out: list[ResourceRef] = []
    for ref in refs:
        out += [r for r in lset.expand(ref) if r not in out]
    return out


def refresh_stale(ws: Workspace, lset: LineageSet, refs: list[ResourceRef], comment: str) -> None:
    """Source data and code keep the exact version of the last snapshot. If the resource changed since,
    that version is stale: a new placeholder takes its place (resolved at the next snapshot), so the step
    records what it really read and check (b) compares against it. Asks each resource once."""
    from ..progress import NULL
    from ..resources import registry

    checked: dict[tuple[str, str], bool] = {}
    for ref in refs:
        rec = lset.retrieve(ref)
        if not isinstance(rec, SourceDataLineage) or not isinstance(rec.cert, HashCertificate):
            continue  # (CodeLineage is a SourceDataLineage)
        key = (rec.cert.ref.name, rec.cert.hashval)
        if key not in checked:
            spec = ws.config.resource(key[0])
            try:
                checked[key] = spec is not None and registry.load(ws, spec).status(key[1], NULL).clean
            except DwsError:
                checked[key] = False
        if not checked[key]:
            fresh = PlaceholderCertificate(rec.cert.ref, 1, comment)
            lset.put(CodeLineage(fresh) if isinstance(rec, CodeLineage) else SourceDataLineage(fresh))


def get_or_create_cert(lset: LineageSet, ref: ResourceRef, comment: str, for_code: bool) -> Certificate:
    """The certificate recorded for `ref`, or a new input placeholder stored as source data or code."""
    cert = lset.cert_for(ref)
    if cert is not None:
        return cert
    new = PlaceholderCertificate(ref, 1, comment)
    lset.put(CodeLineage(new) if for_code else SourceDataLineage(new))
    return new


def infer_step_name(argv: list[str] | None = None) -> str:
    argv = sys.argv if argv is None else argv
    first = argv[0] if argv else "step"
    if first.endswith((".py", ".ipynb")):
        return os.path.splitext(os.path.basename(first))[0]
    if "python" in os.path.basename(first) and len(argv) > 1 and argv[1].endswith(".py"):
        return os.path.basename(argv[1])[:-3]
    return os.path.basename(first) or "step"


def infer_script_path(argv: list[str] | None = None) -> str:
    argv = sys.argv if argv is None else argv
    first = argv[0] if argv else ""
    if "python" in os.path.basename(first) and len(argv) > 1:
        first = argv[1]
    return os.path.abspath(os.path.expanduser(first))


def _json_default(o: Any) -> Any:
    """numpy scalars and arrays, sets, paths... as JSON."""
    for attr in ("item", "tolist"):
        if hasattr(o, attr):
            try:
                return getattr(o, attr)()
            except (TypeError, ValueError):
                pass
    if isinstance(o, set | frozenset | tuple):
        return list(o)
    if isinstance(o, dt.datetime | dt.date):
        return o.isoformat()
    return str(o)


# -- the step -------------------------------------------------------------------------------------
class Lineage:
    """Tracks one run of a step. Build it with LineageBuilder; use it as a context manager."""

    def __init__(self, step_name: str, start_time: dt.datetime, parameters: dict[str, Any],
                 inputs: list[PathOrRef], code: list[PathOrRef], workspace: Workspace,
                 command_line: list[str] | None = None, current_directory: str | None = None,
                 optional_code: list[PathOrRef] | None = None) -> None:
        self.workspace = workspace
        ws = workspace
        input_refs = [to_ref(ws, p) for p in inputs]
        code_refs: list[ResourceRef] = []
        for p in code:
            ref = to_ref(ws, p, role="code")
            ref = ref if isinstance(p, ResourceRef) else ResourceRef(ref.name)  # paths: the whole resource
            if ref not in code_refs:
                code_refs.append(ref)
        for p in optional_code or []:
            try:
                ref = ResourceRef(to_ref(ws, p, role="code").name)
            except LineageError:
                continue  # a script outside any code resource: its command line is still recorded
            if ref not in code_refs:
                code_refs.append(ref)
        run_from = None
        if current_directory is not None:
            try:
                run_from = map_path(ws, os.path.abspath(current_directory))
            except LineageError:
                run_from = None
        check_no_overlap(step_name, input_refs, "input")
        check_no_overlap(step_name, code_refs, "code dependency")
        comment = f"Step {step_name} at {start_time.isoformat()}"
        with store.editing(ws) as lset:
            input_refs = _expand(lset, input_refs)
            refresh_stale(ws, lset, [*input_refs, *code_refs], comment)
            lset.check_transitive(step_name, input_refs)
            input_certs = [get_or_create_cert(lset, r, comment, False) for r in input_refs]
            code_certs = [get_or_create_cert(lset, r, comment, True) for r in code_refs]
        self.step = StepLineage(step_name, start_time, dict(parameters), input_certs, code_certs,
                                command_line=command_line, run_from_directory=run_from)
        self.in_progress = True

    # inputs, outputs, parameters ---------------------------------------------------------------
    def add_input_path(self, path: str | os.PathLike[str]) -> None:
        self.add_input_ref(to_ref(self.workspace, path, must_exist=True))

    def add_input_ref(self, ref: ResourceRef) -> None:
        ref = check_ref(self.workspace, ref)
        if any(c.ref == ref for c in self.step.input_resources):
            return
        check_no_overlap(self.step.step_name, [*(c.ref for c in self.step.input_resources), ref], "input")
        comment = f"Step {self.step.step_name} at {self.step.start_time.isoformat()}"
        with store.editing(self.workspace) as lset:
            new = [r for r in _expand(lset, [ref]) if all(c.ref != r for c in self.step.input_resources)]
            refresh_stale(self.workspace, lset, new, comment)
            lset.check_transitive(self.step.step_name, [*(c.ref for c in self.step.input_resources), *new])
            self.step.input_resources += [get_or_create_cert(lset, r, comment, False) for r in new]

    def add_output_path(self, path: str | os.PathLike[str]) -> None:
        """An output of the step, by local path. Conflicts are raised now, before any work is done."""
        self.add_output_ref(to_ref(self.workspace, path))

    def add_output_ref(self, ref: ResourceRef) -> None:
        ref = check_ref(self.workspace, ref)
        name = self.step.step_name
        for c in self.step.output_resources:
            if c.ref == ref:
                raise LineageConflictError(f"{ref} was added as an output of step {name} twice")
            if c.ref.covers(ref) or ref.covers(c.ref):
                raise LineageConflictError(f"outputs {c.ref} and {ref} of step {name} overlap",
                                           "give the parent path only")
        lset = store.load_current(self.workspace)
        lset.check_put(ref, name)  # check (c), now rather than at the end of the step
        old = lset.cert_for(ref)
        version = old.version + 1 if isinstance(old, PlaceholderCertificate) else 1
        self.step.output_resources.append(PlaceholderCertificate(
            ref, version, f"Step {name} at {self.step.start_time.isoformat()}", is_output=True))

    def add_param(self, name: str, value: Any) -> None:
        self.step.parameters[name] = value

    def set_api_resource_hash(self, resource_name: str, hashval: str, comment: str = "") -> None:
        """Record the hash of the data an api-resource stands for (see set_api_resource_hash)."""
        set_api_resource_hash(resource_name, hashval, comment, workspace=self.workspace)

    # end of the step ------------------------------------------------------------------------------
    def _set_execution_time(self) -> None:
        if self.step.execution_time_seconds is None:
            self.step.execution_time_seconds = (dt.datetime.now() - self.step.start_time).total_seconds()

    def _check_outputs(self) -> None:
        lset = store.load_current(self.workspace)
        for c in self.step.output_resources:
            lset.check_put(c.ref, self.step.step_name)

    def complete(self) -> None:
        """Record the step as the lineage of each of its outputs (called on a normal `with` exit)."""
        if not self.in_progress:
            return
        self.in_progress = False
        self._set_execution_time()
        with store.editing(self.workspace) as lset:
            lset.put(self.step)

    def abort(self) -> None:
        """The step failed: its outputs are in an unknown state, so their lineage is forgotten."""
        if not self.in_progress:
            return
        self.in_progress = False
        with store.editing(self.workspace) as lset:
            for c in self.step.output_resources:
                lset.clear(c.ref)

    def __enter__(self) -> Lineage:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> Literal[False]:
        if exc_type is None:
            self.complete()
        else:
            self.abort()
        return False


class ResultsLineage(Lineage):
    """A step that produces results: adds write_results()."""

    def __init__(self, step_name: str, start_time: dt.datetime, parameters: dict[str, Any],
                 inputs: list[PathOrRef], code: list[PathOrRef], results_dir_or_ref: PathOrRef,
                 workspace: Workspace, run_description: str | None = None,
                 command_line: list[str] | None = None, current_directory: str | None = None,
                 optional_code: list[PathOrRef] | None = None) -> None:
        results_ref = to_ref(workspace, results_dir_or_ref)
        spec = workspace.config.resource(results_ref.name)
        root = local_root(workspace, spec) if spec is not None else None
        if root is None:
            raise LineageError(f"resource '{results_ref.name}' has no files, so it cannot hold results.json",
                               "write results to a git or local-files resource")
        super().__init__(step_name, start_time, parameters, inputs, code, workspace, command_line,
                         current_directory, optional_code)
        self.results_ref = results_ref
        self.results_root = root
        self.run_description = run_description
        self.add_output_ref(results_ref)

    def write_results(self, metrics: dict[str, Any]) -> str:
        """Write results.json (step, start_time, execution_time_seconds, parameters, run_description,
        metrics) into the results directory. Lineage conflicts are checked first: when one is found,
        nothing is written. Returns where it went, as `resource:path`."""
        self._check_outputs()
        self._set_execution_time()
        data = {
            "step": self.step.step_name,
            "start_time": self.step.start_time.isoformat(),
            "execution_time_seconds": self.step.execution_time_seconds,
            "parameters": self.step.parameters,
            "run_description": self.run_description,
            "metrics": metrics,
        }
        rel = f"{self.results_ref.subpath}/results.json" if self.results_ref.subpath else "results.json"
        path = os.path.join(self.results_root, *rel.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(data, f, indent=2, default=_json_default)
            f.write("\n")
        os.replace(tmp, path)
        return f"{self.results_ref.name}:{rel}"


class LineageBuilder:
    """Declarative construction of a Lineage; every method returns the builder."""

    def __init__(self) -> None:
        self.step_name: str | None = None
        self.command_line: list[str] | None = None
        self.current_directory: str | None = None
        self.parameters: dict[str, Any] | None = None
        self.inputs: list[PathOrRef] | None = None
        self.no_inputs = False
        self.code: list[PathOrRef] = []
        self.script_code: list[PathOrRef] = []
        self.workspace_dir: str | None = None
        self.results_dir: PathOrRef | None = None
        self.run_description: str | None = None

    def as_script_step(self) -> LineageBuilder:
        """Step name from the script's file name, command line from sys.argv, and the code resource
        holding the script as a code dependency."""
        self._once(self.step_name, "step name")
        self.step_name = infer_step_name()
        self.command_line = [sys.executable, *sys.argv]
        self.current_directory = os.getcwd()
        self.script_code.append(infer_script_path())
        return self

    def with_step_name(self, step_name: str) -> LineageBuilder:
        self._once(self.step_name, "step name")
        self.step_name = step_name
        return self

    def with_parameters(self, parameters: dict[str, Any]) -> LineageBuilder:
        self._once(self.parameters, "parameters")
        self.parameters = dict(parameters)
        return self

    def with_input_path(self, path: str | os.PathLike[str]) -> LineageBuilder:
        return self._add_inputs([path])

    def with_input_paths(self, paths: list[str] | list[os.PathLike[str]]) -> LineageBuilder:
        return self._add_inputs(list(paths))

    def with_input_ref(self, ref: ResourceRef) -> LineageBuilder:
        return self._add_inputs([ref])

    def with_no_inputs(self) -> LineageBuilder:
        if self.inputs is not None:
            raise LineageError("with_no_inputs() after inputs were given")
        self.no_inputs = True
        return self

    def with_code_path(self, path: str | os.PathLike[str]) -> LineageBuilder:
        self.code.append(path)
        return self

    def with_code_ref(self, ref: ResourceRef) -> LineageBuilder:
        self.code.append(ref)
        return self

    def with_workspace_directory(self, workspace_dir: str | os.PathLike[str]) -> LineageBuilder:
        open_workspace(workspace_dir)  # validates
        self.workspace_dir = os.fspath(workspace_dir)
        return self

    def as_results_step(self, results_dir: PathOrRef, run_description: str | None = None) -> LineageBuilder:
        self._once(self.results_dir, "results directory")
        self.results_dir = results_dir
        self.run_description = run_description
        return self

    def eval(self) -> Lineage:
        """Check the configuration and return the Lineage (a ResultsLineage for a results step)."""
        if self.parameters is None:
            raise LineageError("the step's parameters are missing", "call with_parameters({...}) (may be empty)")
        if not self.no_inputs and self.inputs is None:
            raise LineageError("the step's inputs are missing",
                               "call with_input_path(), with_input_ref() or with_no_inputs()")
        step = self.step_name
        if step is None and self.code:
            first = self.code[0]
            base = (first.subpath or "") if isinstance(first, ResourceRef) else os.fspath(first)
            step = os.path.splitext(os.path.basename(base))[0] or None
        if step is None:
            raise LineageError("cannot infer the step name",
                               "call with_step_name(), as_script_step() or with_code_path()")
        ws = self._workspace()
        now = dt.datetime.now()
        inputs = list(self.inputs or [])
        if self.results_dir is not None:
            return ResultsLineage(step, now, self.parameters, inputs, self.code, self.results_dir, ws,
                                  self.run_description, self.command_line, self.current_directory,
                                  self.script_code)
        return Lineage(step, now, self.parameters, inputs, self.code, ws, self.command_line,
                       self.current_directory, self.script_code)

    def _workspace(self) -> Workspace:
        if self.workspace_dir is not None:
            return open_workspace(self.workspace_dir)
        try:
            return open_workspace()
        except DwsError:  # not run from inside the workspace: try where the script lives
            for p in [*self.script_code, *self.code]:
                if not isinstance(p, ResourceRef):
                    return open_workspace(os.path.dirname(os.path.abspath(os.fspath(p))))
            raise

    def _add_inputs(self, items: list[PathOrRef]) -> LineageBuilder:
        if self.no_inputs:
            raise LineageError("inputs given after with_no_inputs()")
        self.inputs = [*(self.inputs or []), *items]
        return self

    @staticmethod
    def _once(value: object, what: str) -> None:
        if value is not None:
            raise LineageError(f"the {what} was given twice")


def set_api_resource_hash(resource_name: str, hashval: str, comment: str = "", *,
                          workspace: Workspace | None = None,
                          workspace_dir: str | os.PathLike[str] | None = None) -> None:
    """Tell git-dws the version (a hash the step computed) of the data an api-resource stands for. The
    next snapshot records it as that resource's content."""
    from ..resources.api_resource import ApiResource

    ws = workspace or open_workspace(workspace_dir)
    spec = ws.config.resource(resource_name)
    if spec is None or spec.type != ApiResource.kind:
        raise LineageError(f"'{resource_name}' is not an api-resource",
                           "add one with: git dws add api-resource --role source-data --name NAME")
    ApiResource(ws, spec).save_current_hash(hashval, comment)
