"""Renderers: one per result type, text for humans and a stable JSON shape for scripts."""

from __future__ import annotations

from typing import Any

from ..config import WorkspaceConfig
from ..model.diff import Changes
from ..model.names import ROLES
from ..model.numbers import fmt_value
from ..ops.configure import Param
from ..ops.delete import DeleteResult
from ..ops.diff import SnapshotDiff
from ..ops.history import HistoryTable
from ..ops.plot import PlotResult
from ..ops.restore import RestoreResult
from ..ops.snapshot import SnapshotResult
from ..ops.status import Status
from .console import emit_json, is_tty, out, table, terminal_width, warn


def snapshot(r: SnapshotResult) -> None:
    what = "Took snapshot" if r.new else "Updated snapshot"
    tag = f" tagged '{r.tag}'" if r.tag else ""
    out(f"{what} {r.id[:12]}{tag} (#{r.number}) of commit {r.workspace_commit[:12]}.")
    if r.results_moved:
        out(f"Moved {r.results_moved} result file(s) to {r.results_dir}.")


def status(s: Status, as_json: bool, paths: bool = False) -> None:
    """`paths` (status -v): each changed path under its resource, as `--json` and `--porcelain` name
    it (relative to the resource)."""
    if as_json:
        emit_json({
            "workspace": s.workspace,
            "snapshot": s.base,
            "tags": list(s.base_tags),
            "resources": [{"name": r.name, "role": r.role, "type": r.type, "new": r.new,
                           "clean": r.changes.clean, **r.changes.to_json(),
                           **({"absent": r.absent} if r.absent else {})} for r in s.resources],
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
        out(f"  {r.name.ljust(width)}  {r.absent or r.changes.summary()}{note}")
        if paths:
            for code, path, new in r.changes.listing():
                out(f"      {code}  {path}{f' -> {new}' if new else ''}")


def porcelain(rows: list[tuple[str, Changes]]) -> None:
    """One line per changed path, for scripts: `CODE<TAB>RESOURCE<TAB>PATH` (a rename: `R<TAB>RESOURCE
    <TAB>OLD<TAB>NEW`), the paths exactly as in the JSON output."""
    for name, changes in rows:
        for code, path, new in changes.listing():
            out("\t".join([code, name, path, *([new] if new else [])]))


def history(h: HistoryTable, as_json: bool) -> None:
    places = h.scoped.places if h.scoped else {}
    if as_json:
        emit_json([{**r.to_json(), "on": places.get(r.snap.id)} for r in h.rows])
        return
    base = [[r.snap.id[:7], ", ".join(r.snap.meta.tags), r.snap.meta.timestamp.replace("T", " ")[:19],
             places.get(r.snap.id, "")] for r in h.rows]
    columns = [(k, [fmt_value(r.metrics.get(k)) for r in h.rows]) for k in h.metric_names]
    columns += [(f"params.{k}", [fmt_value(r.params.get(k)) for r in h.rows]) for k in h.param_names]
    messages = [r.snap.meta.message for r in h.rows]
    heads = ["Hash", "Tags", "Created", "On"]
    budget = None if h.chosen or not is_tty() else terminal_width()
    if budget is not None:
        budget -= sum(_width(t, [row[i] for row in base]) for i, t in enumerate(heads)) + _width("Message", messages)
    shown, dropped = [], []
    for title, cells in columns:
        w = _width(title, cells)
        if budget is None or w <= budget:
            shown.append((title, cells))
            budget = None if budget is None else budget - w
        else:
            budget = 0  # keep the order: once one does not fit, the rest go too
            dropped.append(title)
    rows = [[*b, *(cells[i] for _, cells in shown), messages[i]] for i, b in enumerate(base)]
    table(None, [*heads, *(t for t, _ in shown), "Message"], rows, right=range(4, 4 + len(shown)))
    out(f"{h.total} snapshots total" if len(h.rows) == h.total else f"Showing first {len(h.rows)} snapshots")
    if h.scoped and h.scoped.hidden:  # like git log: other branches' work is left out, but never silently
        out(f"{h.scoped.hidden} more snapshot(s) on commits not reachable from {h.scoped.rev} (--all lists them)")
    if dropped:
        out(f"Not shown (too wide): {', '.join(dropped)}; choose columns with --metrics A,B and --params P,Q")


def _width(title: str, cells: list[str]) -> int:
    return max([len(title), *(len(c) for c in cells)]) + 3  # a rich column's padding and border


def plot(r: PlotResult, as_json: bool) -> None:
    s = r.series
    if as_json:
        emit_json({**s.to_json(), "html": r.path})
        return
    if r.path is not None:
        out(f"Wrote the plot of {s.metric} over {len(s.points)} snapshot(s) to {r.path}.")
        return
    lo, hi = min(p.value for p in s.points), max(p.value for p in s.points)
    labels = [p.label for p in s.points]
    values = [fmt_value(p.value) for p in s.points]
    lw, vw = max(map(len, labels)), max(map(len, values))
    bar = max(10, min(50, terminal_width() - lw - vw - 6))
    out(f"{s.metric} across snapshots, oldest first ({s.workspace}):")
    for label, text, p in zip(labels, values, s.points, strict=True):
        n = 1 + round((p.value - lo) / (hi - lo) * (bar - 1)) if hi > lo else bar
        out(f"  {label.ljust(lw)}  {text.rjust(vw)}  {'#' * n}")


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
    if style == "name-status":
        porcelain([(r.name, r.changes) for r in d.resources])
        return
    if d.new is None:
        out(f"Snapshot {d.old[:12]} against the working state:" if d.old else
            "No snapshot yet; the working state against nothing:")
    for r in d.resources:
        detail = "" if r.state == "same" else f": {_counts(r.changes)}"
        out(f"{r.name} ({r.state}){detail}")
        if style == "paths":
            for code, path, new in r.changes.listing():
                out(f"    {code}  {path}{f' -> {new}' if new else ''}")
    if not d.resources:
        out("No resources in either snapshot.")


def _counts(c: Changes) -> str:
    renamed = f", {len(c.renamed)} renamed" if c.renamed else ""
    return f"{len(c.only_added)} added, {len(c.modified)} modified, {len(c.only_deleted)} deleted{renamed}"


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
