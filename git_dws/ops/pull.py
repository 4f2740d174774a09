"""`git dws pull`: bring in another clone's work without losing anything of ours.

Order, so that a failure never leaves a half state (all-or-nothing for refs and the working tree):
1. fetch everything into per-remote namespaces (store.exchange);
2. merge the snapshot database and the notes (three-way unions: both sides' snapshots survive) and the
   remote's new tags, as objects only, and validate every snapshot new to us (ops.verify): what another
   clone pushed is hostile until checked;
3. decide how the branch integrates (fast-forward, or the user's strategy for a divergent branch; none
   configured -> a clear error, branch untouched); check the pulled `.dws.toml` (no path outside the
   workspace; a changed resource path/type or data remote URL is confirmed, or refused in --batch);
4. plan the data of the snapshot the branch will be at and download (and verify) the content it needs:
   a missing or corrupt object stops here, before the branch, a ref or any file moved;
5. move the branch (git merge / rebase; a conflict is aborted and reported), then the dws refs and
   tags in one compare-and-swap transaction;
6. restore the data resources to that snapshot, pull external repositories and rclone mirrors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config import FILENAME, ResourceSpec, WorkspaceConfig
from ..errors import BadManifest, DwsError, UnsafeRestore
from ..interact import Confirm
from ..model.diff import Changes
from ..model.manifest import MODE_LINK
from ..model.paths import outside_error
from ..progress import NULL, Progress
from ..resources import registry
from ..resources.base import ResourceType, RestorePlan
from ..store import exchange, travel
from ..store.git import git_oneline, git_run
from ..store.merge import is_ancestor, merge_manifests, merge_notes
from ..store.repo import Repo
from ..store.snapdb import SnapshotDB
from ..workspace import MANIFESTS_REF, NOTES_REF, Workspace
from .remote import fetch_for_plans
from .resolve import _TRAILER, snapshot_of_commit
from .status import unplaced
from .verify import check_changed

STRATEGIES = ("merge", "rebase", "ff-only")


@dataclass(frozen=True, slots=True)
class PullResult:
    remote: str
    branch: str | None
    branch_action: str  # up-to-date | fast-forward | merge | rebase | ahead | no-remote-branch | detached
    new_snapshots: list[str] = field(default_factory=list)
    new_tags: list[str] = field(default_factory=list)
    tag_conflicts: list[str] = field(default_factory=list)
    snapshot: str | None = None  # the current snapshot afterwards
    restored: dict[str, Changes] = field(default_factory=dict)
    fetched: int = 0  # objects downloaded
    resources_pulled: dict[str, str] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)


def pull(ws: Workspace, remote: str | None = None, *, only: list[str] | None = None,
         skip: list[str] | None = None, only_workspace: bool = False, strategy: str | None = None,
         force: bool = False, accept_resource_changes: bool = False, confirm: Confirm | None = None,
         progress: Progress = NULL) -> PullResult:
    selected = select_resources(ws, only, skip)
    with ws.lock():
        repo, root = ws.repo, ws.root
        branch = current_branch(ws)
        r = exchange.pick_remote(root, remote, branch)
        travel.configure_remote(root, r)
        exchange.fetch(root, r)
        # Everything below until the branch moves is objects and reads: a refusal changes nothing.
        refs = plan_refs(ws, r)
        view = ws.db.at(refs.manifests)
        check_changed(ws, ws.db, view)  # every snapshot new to us is validated before it is used

        action, up = _branch_action(ws, r, branch, strategy)
        local = repo.head()
        new_head = up if action == "fast-forward" else local
        if action in ("fast-forward", "merge", "rebase"):
            _check_clean(root)
        config = ws.config
        if up is not None and up != local and action in ("fast-forward", "merge", "rebase"):
            config = config_at(ws, up)
            _review_config(ws, config, up, accept_resource_changes, confirm, f"{r}/{branch}")
        target = snapshot_of_commit(ws, new_head, ancestors=True, db=view, notes=refs.notes) if new_head else None
        current = ws.current_snapshot()
        data = [] if only_workspace else [n for n in selected if _is_data(ws, config.resource(n))]
        here = [n for n in selected if (spec := config.resource(n)) is None or not unplaced(ws, spec)]
        data = [n for n in data if n in here]  # a resource with no directory on this machine is left alone
        incomplete = ws.incomplete()
        if target and target == current:  # nothing new: only data an earlier clone or pull could not bring
            data = [n for n in data if n in incomplete]
        fetched = 0
        if target and data:
            plans = _plans(ws, view, config, target, data, progress)
            unsafe = [p for _, p in plans if p.unsafe and not p.changes.clean]
            if unsafe and not force:
                raise UnsafeRestore({p.resource: p.unsafe for p in unsafe})
            fetched = fetch_for_plans(ws, plans, progress)  # a missing or corrupt object stops here

        _move_branch(root, r, branch, action, up)
        apply_refs(ws, r, refs)
        ws.reload_config()  # the branch may bring resources added or changed on the other side

        restored: dict[str, Changes] = {}
        if target and (target != current or data):
            if data:
                from .restore import restore

                everything = {s.name for s in ws.config.resources} | {
                    s.name for s in ws.db.get(target).content.resources}
                res = restore(ws, target, leave=sorted(everything - set(data)), force=force, progress=progress)
                restored = {k: v for k, v in res.restored.items() if not v.clean}
                ws.set_incomplete(incomplete - set(res.restored))
            else:
                ws.set_current_snapshot(target)
        pulled = {} if only_workspace else pull_resources(ws, here, progress)
        invalidate_lineage(ws, set(restored) | set(pulled), since=local)  # and git subdirectories the move changed
        messages = []
        if action == "merge" and refs.new_snapshots:
            messages.append("the branches were merged; the data stays at your snapshot. `git dws report history` "
                            "lists the new snapshots, `git dws restore ID` brings one in")
    return PullResult(r, branch, action, refs.new_snapshots, refs.new_tags, refs.tag_conflicts,
                      target or current, restored, fetched, pulled, messages)


def config_at(ws: Workspace, commit: str) -> WorkspaceConfig:
    """`.dws.toml` as a commit has it, parsed and checked (before the branch moves there)."""
    e = ws.repo.tree_path(commit, FILENAME)
    if e is None or e.is_tree:
        raise DwsError(f"commit {commit[:12]} has no {FILENAME}: it is not a git-dws workspace",
                       "check the remote; nothing was changed")
    return WorkspaceConfig.from_bytes(ws.repo.read_blob(e.id), f"{FILENAME} of {commit[:12]}")


def resource_changes(old: WorkspaceConfig, new: WorkspaceConfig) -> list[str]:
    """What a pulled `.dws.toml` changes that decides where data is written or sent: an existing
    resource's path or type, a data remote's URL or endpoint."""
    out = []
    for spec in new.resources:
        was = old.resource(spec.name)
        if was is not None and (was.path, was.type) != (spec.path, spec.type):
            out.append(f"resource '{spec.name}' {was.type} at '{was.path}' becomes {spec.type} at '{spec.path}'")
    mine = {d.name: d for d in old.remotes}
    for d in new.remotes:
        was_d = mine.get(d.name)
        if was_d is not None and (was_d.url, was_d.params.get("endpoint_url")) != (d.url, d.params.get("endpoint_url")):
            out.append(f"data remote '{d.name}' {was_d.url} becomes {d.url}")
    return out


def _review_config(ws: Workspace, new: WorkspaceConfig, commit: str, accept: bool, confirm: Confirm | None,
                   where: str) -> None:
    """Refuse, before anything moves, a pulled configuration that would write outside the workspace
    (a path outside, or through a symlink the pulled commit brings); show changes of where data goes
    and have them confirmed (refused in --batch unless accepted)."""
    for spec in new.resources:
        if not unplaced(ws, spec):  # (a resource with no directory on this machine is left alone)
            _ = registry.load(ws, spec).local_path  # a directory resource: raises UnsafePath if outside
        parts = [p for p in spec.path.split("/") if p not in ("", ".")]
        for i in range(len(parts)):
            e = ws.repo.tree_path(commit, "/".join(parts[: i + 1]))
            if e is not None and e.mode == MODE_LINK:
                raise outside_error(spec.name, spec.path, f"a symbolic link in {where} (nothing was changed)")
    changes = resource_changes(ws.config, new)
    if not changes or accept:
        return
    what = "; ".join(changes)
    if confirm is not None and confirm(f"The pulled {FILENAME} changes: {what}. Accept?"):
        return
    raise DwsError(f"the pulled {FILENAME} changes where data goes: {what}",
                   f"review it (git diff HEAD {where} -- {FILENAME}), then git dws pull --accept-resource-changes;"
                   " nothing was changed")


# -- pieces shared with push and clone ----------------------------------------------------------------
def current_branch(ws: Workspace) -> str | None:
    ref = ws.repo.head_ref()
    return ref[len("refs/heads/"):] if ref and ref.startswith("refs/heads/") else None


def select_resources(ws: Workspace, only: list[str] | None, skip: list[str] | None) -> list[str]:
    if only and skip:
        raise DwsError("--only and --skip cannot be used together", "give one of them")
    names = [r.name for r in ws.config.resources]
    for n in (only or []) + (skip or []):
        if n not in names:
            raise DwsError(f"no resource named '{n}'", f"resources: {', '.join(names) or 'none'}")
    if only:
        return [n for n in names if n in only]
    return [n for n in names if n not in (skip or [])]


def _is_data(ws: Workspace, spec: ResourceSpec | None) -> bool:
    if spec is None or spec.role == "results":
        return False
    return bool(getattr(registry.load(ws, spec), "stores_content", False))


@dataclass(frozen=True, slots=True)
class RefPlan:
    """Another clone's snapshots merged into ours, as objects only (nothing published yet)."""

    manifests: str | None  # the merged snapshot database commit (None: there is none)
    notes: str | None  # the merged notes commit
    updates: list[tuple[str, str | None, str | None]]  # every ref move but the notes (see apply_refs)
    new_snapshots: list[str]
    new_tags: list[str]
    tag_conflicts: list[str]


def plan_refs(ws: Workspace, r: str) -> RefPlan:
    """Merge the fetched snapshot database, notes and tags of remote `r` with ours: objects only."""
    repo = ws.repo
    who = repo.identity()
    refs: list[tuple[str, str | None, str | None]] = []
    ours = ws.db.tip()
    man = merge_manifests(repo, ours, repo.ref(exchange.dws_prefix(r) + "manifests"), who)
    if man.commit and man.commit != ours:
        refs.append((MANIFESTS_REF, man.commit, ours))
    notes = merge_notes(repo, NOTES_REF, f"refs/notes/remotes/{r}/dws", who)
    new_tags, conflicts = [], []
    tracking = exchange.tracking(ws.root, r)
    tag_prefix, dws_prefix = exchange.tag_prefix(r), exchange.dws_prefix(r)
    for ref, oid in sorted(tracking.items()):
        if ref.startswith(tag_prefix):
            name = ref[len(tag_prefix):]
            mine = repo.ref(f"refs/tags/{name}")
            gone = _names_deleted_snapshot(repo, oid, man.commit)
            if mine is None and not gone:
                refs.append((f"refs/tags/{name}", oid, None))
                new_tags.append(name)
            elif mine != oid:
                conflicts.append(name)
        elif ref.startswith(dws_prefix) and ref != f"{dws_prefix}manifests":
            local = "refs/dws/" + ref[len(dws_prefix):]  # other dws refs (e.g. lineage): fast-forward only
            mine = repo.ref(local)
            if mine is None or (mine != oid and is_ancestor(repo, mine, oid)):
                refs.append((local, oid, mine))
    before = set(ws.db.ids())
    removed = before - _ids(repo, man.commit) if man.commit else set()
    if removed:  # deleted on the other side: their tags go too (not other tags)
        for ref, oid in repo.refs("refs/tags/").items():
            info = repo.tag_info(oid)
            m = _TRAILER.search(info[1]) if info else None
            if m and m.group(1) in removed:
                refs.append((ref, None, oid))
    return RefPlan(man.commit, notes.commit, refs, man.added, new_tags, conflicts)


def apply_refs(ws: Workspace, r: str, plan: RefPlan) -> None:
    """Publish a RefPlan in one compare-and-swap transaction. The notes are merged again here: a rebase
    of the branch (notes.rewriteRef) may have moved them since the plan."""
    repo = ws.repo
    refs = list(plan.updates)
    old_notes = repo.ref(NOTES_REF)
    notes = merge_notes(repo, NOTES_REF, f"refs/notes/remotes/{r}/dws", repo.identity())
    if notes.commit and notes.commit != old_notes:
        refs.append((NOTES_REF, notes.commit, old_notes))
    if refs:
        repo.update_refs(refs, f"git dws pull {r}")


def merge_refs(ws: Workspace, r: str) -> tuple[list[str], list[str], list[str]]:
    """Validate and take another clone's snapshots, notes and tags (clone's first pull). Returns (new
    snapshot ids, new tags, conflicting tags kept as ours)."""
    plan = plan_refs(ws, r)
    check_changed(ws, ws.db, ws.db.at(plan.manifests))
    apply_refs(ws, r, plan)
    return plan.new_snapshots, plan.new_tags, plan.tag_conflicts


def _ids(repo: Repo, manifests: str) -> set[str]:
    e = repo.tree_path(manifests, "snapshots")
    return {x.name for x in repo.tree_entries(e.id)} if e else set()


def _names_deleted_snapshot(repo: Repo, tag: str, manifests: str | None) -> bool:
    """A snapshot tag (Dws-Snapshot trailer) whose snapshot is not in the merged database: it was
    deleted here, or is of a snapshot we will never have. Such a tag is not taken."""
    info = repo.tag_info(tag)
    m = _TRAILER.search(info[1]) if info else None
    if m is None:
        return False
    return manifests is None or repo.tree_path(manifests, f"snapshots/{m.group(1)}") is None


def _branch_action(ws: Workspace, r: str, branch: str | None, strategy: str | None) -> tuple[str, str | None]:
    repo = ws.repo
    if branch is None:
        return "detached", None
    up = repo.ref(f"refs/remotes/{r}/{branch}")
    local = repo.head()
    if up is None:
        return "no-remote-branch", None
    if up == local:
        return "up-to-date", up
    if local is not None and is_ancestor(repo, up, local):
        return "ahead", up
    if local is None or is_ancestor(repo, local, up):
        return "fast-forward", up
    counts = git_oneline(ws.root, "rev-list", "--left-right", "--count", f"{local}...{up}").split()
    what = (f"your branch '{branch}' and '{r}/{branch}' have diverged ({counts[0]} and {counts[1]} different "
            "commits each)")
    rebase = git_run(ws.root, "config", "--get", "pull.rebase", check=False).stdout.decode().strip().lower()
    ff = git_run(ws.root, "config", "--get", "pull.ff", check=False).stdout.decode().strip().lower()
    choice = strategy
    if choice is None:
        if ff == "only":
            choice = "ff-only"
        elif rebase in ("true", "merges", "interactive", "i", "m", "1", "yes", "on"):
            choice = "rebase"
        elif rebase in ("false", "0", "no", "off"):
            choice = "merge"
    if choice == "ff-only":
        raise DwsError(f"{what}; a fast-forward is impossible",
                       "the snapshots were merged, the branch is untouched: run git dws pull --merge or --rebase")
    if choice is None:
        raise DwsError(what, "the snapshots were merged, the branch is untouched; choose how to reconcile: "
                             "git dws pull --merge (or --rebase), or once for all: git config pull.rebase false")
    return choice, up


def _check_clean(root: str) -> None:
    dirty = git_run(root, "status", "--porcelain", "-z", "--untracked-files=no").stdout
    if dirty:
        raise DwsError("the workspace has uncommitted changes to tracked files",
                       "commit or stash them (git stash), or take a snapshot, then pull again")


def _plans(ws: Workspace, db: SnapshotDB, config: WorkspaceConfig, target: str, names: list[str],
           progress: Progress) -> list[tuple[ResourceType, RestorePlan]]:
    info = db.get(target)
    out = []
    for name in names:
        state = info.content.resource(name)
        spec = config.resource(name)
        if state is None or spec is None or state.type != spec.type:
            continue
        res = registry.load(ws, spec)
        try:
            out.append((res, res.plan_restore(state.tree, progress)))
        except BadManifest as e:
            raise e.at(snapshot=target, resource=name) from None
    return out


def _move_branch(root: str, r: str, branch: str | None, action: str, up: str | None) -> None:
    if up is None or action not in ("fast-forward", "merge", "rebase"):
        return
    if action == "fast-forward":
        proc = git_run(root, "merge", "--ff-only", "-q", up, check=False)
        if proc.returncode != 0:
            raise DwsError(f"cannot fast-forward: {_last(proc.stderr)}",
                           "move or remove the files git names, then pull again")
        return
    if action == "merge":
        proc = git_run(root, "merge", "--no-edit", "-q", "-m", f"Merge {r}/{branch} (git dws pull)", up,
                       check=False)
        if proc.returncode != 0:
            git_run(root, "merge", "--abort", check=False)
            raise DwsError(f"merging {r}/{branch} conflicts: {_last(proc.stdout + proc.stderr)}",
                           f"the merge was undone; the snapshots were merged. Merge by hand (git merge {r}/{branch}),"
                           " commit, then run git dws pull again")
        return
    proc = git_run(root, "rebase", "-q", up, check=False)
    if proc.returncode != 0:
        git_run(root, "rebase", "--abort", check=False)
        raise DwsError(f"rebasing onto {r}/{branch} conflicts: {_last(proc.stdout + proc.stderr)}",
                       "the rebase was undone; the snapshots were merged. Try git dws pull --merge")


def _last(data: bytes) -> str:
    lines = data.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else "unknown error"


def pull_resources(ws: Workspace, names: list[str], progress: Progress) -> dict[str, str]:
    """External repositories and rclone mirrors bring in their own remotes' changes."""
    out = {}
    for name in names:
        spec = ws.config.resource(name)
        if spec is None:
            continue
        res = registry.load(ws, spec)
        fn = getattr(res, "pull_remote", None)
        if fn is not None:
            what = fn(progress)
            if what:
                out[name] = str(what)
    return out


def invalidate_lineage(ws: Workspace, names: set[str], since: str | None = None) -> None:
    """Resources a pull changed lose their current lineage (imported ones read theirs again), as in
    the original. The single call site of the lineage package in pull."""
    if names or since:
        from ..lineage import invalidate

        invalidate(ws, sorted(names), since)
