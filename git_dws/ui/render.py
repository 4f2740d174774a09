"""Renderers: one per result type, text for humans and a stable JSON shape for scripts."""

from __future__ import annotations

from typing import Any

from ..config import WorkspaceConfig
from ..model.diff import Changes
from ..model.names import ROLES
from ..model.snapshot import SnapshotInfo
from ..ops.configure import Param
from ..ops.delete import DeleteResult
from ..ops.diff import SnapshotDiff
from ..ops.history_scope import Scoped
from ..ops.restore import RestoreResult
from ..ops.snapshot import SnapshotResult
from ..ops.status import Status
from .console import emit_json, out, table, warn


def snapshot(r: SnapshotResult) -> None:
    what = "Took snapshot" if r.new else "Updated snapshot"
    tag = f" tagged '{r.tag}'" if r.tag else ""
    out(f"{what} {r.id[:12]}{tag} (#{r.number}) of commit {r.workspace_commit[:12]}.")
    if r.results_moved:
        out(f"Moved {r.results_moved} result file(s) to {r.results_dir}.")


def status(s: Status, as_json: bool) -> None:
    if as_json:
        emit_json({
            "workspace": s.workspace,
            "snapshot": s.base,
            "tags": list(s.base_tags),
            "resources": [{"name": r.name, "role": r.role, "type": r.type, "new": r.new,
                           "clean": r.changes.clean, **r.changes.to_json()} for r in s.resources],
        })
        return
    if s.base:
        tags = f" ({', '.join(s.base_tags)})" if s.base_tags else ""
        out(f"Workspace {s.workspace}, compared with snapshot {s.base[:12]}{tags}:")
    else:
        out(f"Workspace {s.workspace}, no snapshot yet:")
    if not s.resources:
        out("  no resources (add one with `git dws add`)")
    width = max((len(r.name) for r in s.resources), default=0)
    for r in s.resources:
        note = " (new since the snapshot)" if r.new and s.base else ""
        out(f"  {r.name.ljust(width)}  {r.changes.summary()}{note}")


def history(snaps: list[SnapshotInfo], metrics: list[str], total: int, as_json: bool,
            scoped: Scoped | None = None) -> None:
    places = scoped.places if scoped else {}
    if as_json:
        emit_json([{**s.to_json(), "on": places.get(s.id)} for s in snaps])
        return
    rows = []
    for s in snaps:
        m = s.meta.metrics or {}
        rows.append([s.id[:7], ", ".join(s.meta.tags), s.meta.timestamp.replace("T", " ")[:19],
                     places.get(s.id, ""), *(_metric(m.get(k)) for k in metrics), s.meta.message])
    table(None, ["Hash", "Tags", "Created", "On", *(k[:25] for k in metrics), "Message"], rows,
          right=range(4, 4 + len(metrics)))
    out(f"{total} snapshots total" if len(snaps) == total else f"Showing first {len(snaps)} snapshots")
    if scoped and scoped.hidden:  # like git log: other branches' work is left out, but never silently
        out(f"{scoped.hidden} more snapshot(s) on commits not reachable from {scoped.rev} (--all lists them)")


def _metric(v: Any) -> str:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return "" if v is None else str(v)
    if isinstance(v, int):
        return str(v)
    return f"{v:.3f}" if abs(v) < 1 else f"{v:.1f}"


def report_status(config: WorkspaceConfig, local_paths: dict[str, str], as_json: bool) -> None:
    order = sorted(config.resources, key=lambda r: ROLES.index(r.role) if r.role in ROLES else 9)
    if as_json:
        emit_json({"workspace": config.name, "resources": [
            {"name": r.name, "role": r.role, "type": r.type, "path": r.path,
             "local_path": local_paths[r.name], "params": r.params} for r in order]})
        return
    out(f"Status for workspace: {config.name}")
    rows = [[r.name, r.role, r.type, _params_text(r.path, r.params)]
            for r in order]
    table(None, ["Resource", "Role", "Type", "Parameters"], rows)
    missing = [role for role in ROLES if role not in {r.role for r in config.resources}]
    if missing:
        out(f"No resources for the following roles: {', '.join(missing)}.")


def _params_text(path: str, params: dict[str, Any]) -> str:
    return "\n".join([f"path={path}", *(f"{k}={v}" for k, v in params.items())])


def diff(d: SnapshotDiff, style: str, as_json: bool) -> None:
    if as_json:
        emit_json({"old": d.old, "new": d.new, "resources": [
            {"name": r.name, "state": r.state, **r.changes.to_json()} for r in d.resources]})
        return
    for r in d.resources:
        if style == "name-status":
            for code, paths in (("A", r.changes.added), ("M", r.changes.modified), ("D", r.changes.deleted)):
                for p in paths:
                    out(f"{code}\t{r.name}/{p}")
        else:
            detail = "" if r.state == "same" else f": {_counts(r.changes)}"
            out(f"{r.name} ({r.state}){detail}")
    if style != "name-status" and not d.resources:
        out("No resources in either snapshot.")


def _counts(c: Changes) -> str:
    return f"{len(c.added)} added, {len(c.modified)} modified, {len(c.deleted)} deleted"


def restore(r: RestoreResult) -> None:
    tags = f" ({', '.join(r.tags)})" if r.tags else ""
    for name, why in sorted(r.skipped.items()):
        out(f"Skipped {name}: {why}.")
    for name, c in sorted(r.drift.items()):
        warn(f"{name} records hashes only and differs from the snapshot: {_counts(c)} (not restored)")
    changed = {n: c for n, c in r.restored.items() if not c.clean}
    if not r.restored and not r.drift:
        out("No resources to restore.")
    elif not changed and r.drift:
        out(f"Nothing restored; snapshot {r.id[:12]}{tags} has no stored content for what differs.")
    elif not changed:
        out(f"Already at snapshot {r.id[:12]}{tags}; nothing to restore.")
    else:
        out(f"Restored snapshot {r.id[:12]}{tags}:")
        for name, c in sorted(changed.items()):
            out(f"  {name}: {_counts(c)}")


def delete(r: DeleteResult) -> None:
    tags = f" (tagged as: {', '.join(r.tags)})" if r.tags else ""
    out(f"Deleted snapshot {r.id[:12]}{tags}.")
    for p in r.results_removed:
        out(f"Removed results directory {p}.")


def params(ps: list[Param]) -> None:
    table(None, ["Name", "Scope", "Value", "Default?", "Description"],
          [[p.name, p.scope, _show(p.value), "yes" if p.default else "no", p.description] for p in ps])


def param(p: Param) -> None:
    out(f"{p.name} = {_show(p.value)}")


def _show(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        import json

        return json.dumps(v)
    return "" if v is None else str(v)
