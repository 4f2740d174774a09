"""Sharing lineage between workspaces, as the original's `--export` / `--imported`.

An exported resource (intermediate-data or results) gets `lineage.json` at its root at each snapshot:
everything it was derived from, with exact content ids. That file is lineage, not data: it is kept out
of the resource's content (git-ignored for a git subdirectory, skipped by local-files), so writing it
never changes the snapshot it describes. Exported results are copied, not moved, into the snapshot's
results directory, so `results.json` stays at the root for the importing side.

An imported resource (source-data) reads `lineage.json` from its root when it is added (and again when
pull invalidates it) and keeps it as one nested record in its current lineage.
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import TYPE_CHECKING, Any

from ..errors import DwsError, UsageError
from .model import FORMAT, ImportedLineage, LineageError, lineage_from_json
from .records import LineageSet

if TYPE_CHECKING:
    from ..config import ResourceSpec
    from ..workspace import Workspace

FILENAME = "lineage.json"


def check_flags(role: str, export: bool, imported: bool) -> None:
    """Validate `git dws add ... --export/--imported` before anything is written."""
    if export and imported:
        raise UsageError("--export and --imported cannot be used together",
                         "a resource either publishes its lineage or reads another workspace's")
    if export and role not in ("intermediate-data", "results"):
        raise UsageError(f"--export is not allowed for role {role}",
                         "only intermediate-data and results resources can be exported")
    if imported and role != "source-data":
        raise UsageError(f"--imported is not allowed for role {role}",
                         "imported resources are source data (omit --role, or use --role source-data)")


def read_import(path: str, name: str) -> ImportedLineage:
    """The nested lineage in `path/lineage.json`; its resource_name must be `name`."""
    file = os.path.join(path, FILENAME)
    try:
        with open(file, "rb") as f:
            obj = json.load(f)
    except FileNotFoundError:
        raise LineageError(f"{file} does not exist",
                           "an imported resource needs the lineage.json that the exporting workspace "
                           "writes at each snapshot (git dws add ... --export there)") from None
    except (OSError, ValueError) as e:
        raise LineageError(f"cannot read {file}: {e}") from e
    if not isinstance(obj, dict) or not isinstance(obj.get("lineages"), list):
        raise LineageError(f"{file} is not an exported lineage file")
    if obj.get("resource_name") != name:
        raise LineageError(f"{file} describes resource '{obj.get('resource_name')}', not '{name}'",
                           f"add it under the exporting workspace's name: --name {obj.get('resource_name')}")
    return ImportedLineage(name, [lineage_from_json(o) for o in obj["lineages"]])


def import_lineage(ws: Workspace, name: str, path: str) -> int:
    """Record the imported lineage of a newly added resource. Returns the number of nested records."""
    from . import store

    rec = read_import(path, name)
    if not rec.certs():
        raise LineageError(f"{os.path.join(path, FILENAME)} has no lineage for '{name}' itself")
    with store.editing(ws) as lset:
        lset.put_resource(name, [rec])
    return len(rec.nested_lineage)


def exported_json(ws: Workspace, sid: str, lset: LineageSet, name: str) -> dict[str, Any]:
    records, warnings = lset.closure(name)
    return {
        "format": FORMAT,
        "resource_name": name,
        "complete": not warnings and bool(records),
        "workspace": ws.config.name,
        "snapshot": sid,
        "lineages": [r.to_json() for r in records],
    }


def write_exports(ws: Workspace, sid: str, lset: LineageSet, results: list[str] | None = None,
                  results_dir: str | None = None) -> list[str]:
    """Write lineage.json at the root of every exported resource, and into the snapshot's results
    directory of each resource in `results` that has lineage (the original's step 9). Where git holds
    the resource (a subdirectory of the workspace, a separate repository) the files are committed, so
    the lineage travels with the data. Returns the paths written."""
    from ..resources import registry

    targets: list[tuple[ResourceSpec, str, dict[str, Any], int]] = []
    for spec in ws.config.resources:
        if not spec.params.get("export") and spec.name not in (results or []):
            continue
        try:
            root = registry.load(ws, spec).local_path if getattr(registry.get(spec.type), "has_files", True) else ""
        except DwsError:  # no directory on this machine (a path never chosen here): nothing to write
            continue
        if not root or not os.path.isdir(root):
            continue
        if spec.params.get("export"):
            targets.append((spec, os.path.join(root, FILENAME), exported_json(ws, sid, lset, spec.name), 0o644))
        if results_dir and spec.name in (results or []) and lset.records_for(spec.name):
            d = os.path.join(root, *results_dir.split("/"))
            if os.path.isdir(d):  # results moved (or copied) there by this snapshot
                targets.append((spec, os.path.join(d, FILENAME), exported_json(ws, sid, lset, spec.name), 0o444))
    written: list[str] = []
    for _spec, path, obj, mode in targets:
        tmp = path + ".tmp"
        with contextlib.suppress(FileNotFoundError):
            os.chmod(path, 0o644)  # a results copy is read-only, like the results around it
        with open(tmp, "w") as f:
            json.dump(obj, f, indent=2, sort_keys=True)
            f.write("\n")
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        written.append(path)
    _commit(ws, [(spec, path) for spec, path, _, _ in targets], f"git dws: lineage.json of snapshot {sid[:12]}")
    return written


def _commit(ws: Workspace, files: list[tuple[ResourceSpec, str]], message: str) -> None:
    """Commit lineage files where git holds their resource (ignored files are left alone)."""
    from ..store.git import git_ok, git_run
    from ..workspace import commit_paths

    in_ws = [os.path.relpath(p, ws.root) for spec, p in files if spec.type == "git-subdirectory"]
    in_ws = [p for p in in_ws if not git_ok(ws.root, "check-ignore", "-q", "--", p)]
    if in_ws:
        commit_paths(ws.root, tuple(in_ws), message)
    for spec, path in files:
        if spec.type != "git" or spec.read_only:
            continue
        repo = os.path.dirname(path)
        while not os.path.exists(os.path.join(repo, ".git")) and os.path.dirname(repo) != repo:
            repo = os.path.dirname(repo)
        pin = [f"--git-dir={os.path.join(repo, '.git')}", f"--work-tree={repo}"]  # never the enclosing repo
        rel = os.path.relpath(path, repo)
        if git_ok(repo, *pin, "check-ignore", "-q", "--", rel):
            continue
        git_run(repo, *pin, "add", "--", rel)
        if not git_ok(repo, *pin, "diff", "--cached", "--quiet", "--", rel):
            git_run(repo, *pin, "commit", "-q", "--no-verify", "-m", message, "--", rel)


def copy_results(root: str, dest_rel: str, exclude: list[str]) -> int:
    """Exported results are copied, not moved (and their lineage.json stays where it is)."""
    from ..resources.files import move_results

    return move_results(root, dest_rel, [*exclude, FILENAME], copy=True)


def prepare_add(path: str, name: str, role: str, export: bool, imported: bool) -> dict[str, Any]:
    """Checks for `add --export/--imported` before the resource is saved; its extra parameters."""
    check_flags(role, export, imported)
    if imported:
        read_import(path, name)  # fail now, not after the resource was added
        return {"imported": True}
    return {"export": True} if export else {}


def finish_add(ws: Workspace, spec: ResourceSpec) -> None:
    """After `add --imported`: record the imported lineage."""
    if spec.params.get("imported"):
        from ..resources import registry

        import_lineage(ws, spec.name, registry.load(ws, spec).local_path)
