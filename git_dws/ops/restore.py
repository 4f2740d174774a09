"""Restore a snapshot, with the original's --only / --leave / --strict semantics. Results are never
restored. Nothing is written until every resource has been checked: if any would lose content that no
snapshot holds, the whole restore is refused (unless forced)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..errors import BadManifest, DwsError, UnsafeRestore, UsageError, UserAbort
from ..interact import Confirm
from ..model.diff import Changes
from ..progress import NULL, Progress
from ..resources import registry
from ..resources.base import ResourceType, RestorePlan
from ..workspace import Workspace
from .resolve import resolve
from .verify import check_snapshot


@dataclass(frozen=True, slots=True)
class RestoreResult:
    id: str
    tags: tuple[str, ...]
    restored: dict[str, Changes] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # name -> why
    drift: dict[str, Changes] = field(default_factory=dict)  # hash-only resources that differ


def restore(ws: Workspace, target: str, *, only: list[str] | None = None, leave: list[str] | None = None,
            strict: bool = False, force: bool = False, progress: Progress = NULL,
            confirm: Confirm | None = None) -> RestoreResult:
    if only and leave:
        raise UsageError("--only and --leave cannot be used together", "use one of them")
    with ws.lock():
        ws.check_no_unfinished_merge()
        sid = resolve(ws, target)
        info = ws.db.get(sid)
        in_snapshot = {r.name: r for r in info.content.resources}
        in_workspace = {r.name: r for r in ws.config.resources}
        known = set(in_snapshot) | set(in_workspace)
        for name in (only or []) + (leave or []):
            if name not in known:
                raise UsageError(f"no resource named '{name}'",
                                 f"resources: {', '.join(sorted(known)) or 'none'}")
        strict = strict or bool(only)
        wanted = set(only) if only else known - set(leave or [])
        skipped: dict[str, str] = {}

        def skip(name: str, why: str) -> None:
            if strict:
                raise DwsError(f"cannot restore '{name}': {why}",
                               "leave it out (--leave) or drop --strict/--only")
            skipped[name] = why

        chosen = []
        for name in sorted(wanted):
            role = (in_workspace.get(name) or in_snapshot[name]).role
            if role == "results":
                if only and name in only:
                    raise DwsError(f"cannot restore '{name}': results are never restored",
                                   "leave it out of --only")
                skipped[name] = "results are never restored"  # by design, so not an error under --strict
            elif name not in in_workspace:
                skip(name, "removed from the workspace since the snapshot")
            elif name not in in_snapshot:
                skip(name, "added to the workspace since the snapshot")
            else:
                chosen.append(name)

        check_snapshot(ws, ws.db, sid, chosen, deep=False)  # structure; each manifest is validated as read
        plans: list[tuple[ResourceType, RestorePlan]] = []
        for name in chosen:
            res = registry.load(ws, in_workspace[name])
            try:  # plan_restore reads (and validates) the manifest: a bad one stops us before any write
                plan = replace(res.plan_restore(in_snapshot[name].tree, progress), snapshot=sid)
            except BadManifest as e:
                raise e.at(snapshot=sid, resource=name) from None
            plans.append((res, plan))
        unsafe = [p for _, p in plans if p.unsafe and p.can_write and not p.changes.clean]
        if unsafe and not force:
            raise UnsafeRestore({p.resource: p.unsafe for p in unsafe})
        todo = [(r, p) for r, p in plans if p.can_write and not p.changes.clean]
        if todo and confirm is not None and not confirm(
            f"Restore {', '.join(p.resource for _, p in todo)} to snapshot {sid[:12]}?"
        ):
            raise UserAbort("restore cancelled; nothing was changed")
        from .remote import fetch_for_plans  # content this clone lacks comes from the data remote

        fetch_for_plans(ws, todo, progress)  # before anything is written: a failed download changes nothing
        result = RestoreResult(sid, info.meta.tags, skipped=skipped)
        for res, plan in plans:
            if not plan.can_write:
                if not plan.changes.clean:
                    result.drift[plan.resource] = plan.changes
                continue
            if not plan.changes.clean:
                res.restore(plan, progress)
            result.restored[plan.resource] = plan.changes
        from ..lineage.store import restore as restore_lineage  # the lineage of what now matches the snapshot

        restore_lineage(ws, sid, [*result.restored, *(p.resource for _, p in plans
                                                       if not p.can_write and p.changes.clean)])
        ws.set_current_snapshot(sid)
        return result
