"""`git dws pull`: bring in another clone's work without losing anything of ours.

Order, so that a failure never leaves a half state:
1. fetch everything into per-remote namespaces (store.exchange);
2. merge the snapshot database and the notes (three-way unions: both sides' snapshots survive) and take
   the remote's new tags, all in one compare-and-swap transaction. This is purely additive;
3. decide how the branch integrates (fast-forward, or the user's strategy for a divergent branch; none
   configured -> a clear error, branch untouched);
4. plan the data of the snapshot the branch will be at and download (and verify) the content it needs:
   a missing or corrupt object stops here, before the branch or any file moved;
5. move the branch (git merge / rebase; a conflict is aborted and reported);
6. restore the data resources to that snapshot, pull external repositories and rclone mirrors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import DwsError, UnsafeRestore
from ..model.diff import Changes
from ..progress import NULL, Progress
from ..resources import registry
from ..resources.base import ResourceType, RestorePlan
from ..store import exchange, travel
from ..store.git import git_oneline, git_run
from ..store.merge import is_ancestor, merge_manifests, merge_notes
from ..store.repo import Repo
from ..workspace import MANIFESTS_REF, NOTES_REF, Workspace
from .remote import fetch_for_plans
from .resolve import _TRAILER, snapshot_of_commit

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
         force: bool = False, progress: Progress = NULL) -> PullResult:
    selected = select_resources(ws, only, skip)
    with ws.lock():
        repo, root = ws.repo, ws.root
        branch = current_branch(ws)
        r = exchange.pick_remote(root, remote, branch)
        travel.configure_remote(root, r)
        exchange.fetch(root, r)
        new_snaps, new_tags, conflicts = merge_refs(ws, r)

        action, up = _branch_action(ws, r, branch, strategy)
        local = repo.head()
        new_head = up if action == "fast-forward" else local
        if action in ("fast-forward", "merge", "rebase"):
            _check_clean(root)
        target = snapshot_of_commit(ws, new_head, ancestors=True) if new_head else None
        current = ws.current_snapshot()
        data = [] if only_workspace else [n for n in selected if _is_data(ws, n)]
        fetched = 0
        if target and target != current and data:
            plans = _plans(ws, target, data, progress)
            unsafe = [p for _, p in plans if p.unsafe and not p.changes.clean]
            if unsafe and not force:
                raise UnsafeRestore({p.resource: p.unsafe for p in unsafe})
            fetched = fetch_for_plans(ws, plans, progress)
        _move_branch(root, r, branch, action, up)
        ws.reload_config()  # the branch may bring resources added or changed on the other side

        restored: dict[str, Changes] = {}
        if target and target != current:
            if data:
                from .restore import restore

                everything = {s.name for s in ws.config.resources} | {
                    s.name for s in ws.db.get(target).content.resources}
                res = restore(ws, target, leave=sorted(everything - set(data)), force=force, progress=progress)
                restored = {k: v for k, v in res.restored.items() if not v.clean}
            else:
                ws.set_current_snapshot(target)
        pulled = {} if only_workspace else pull_resources(ws, selected, progress)
        invalidate_lineage(ws, set(restored) | set(pulled), since=local)  # and git subdirectories the move changed
        messages = []
        if action == "merge" and new_snaps:
            messages.append("the branches were merged; the data stays at your snapshot. `git dws report history` "
                            "lists the new snapshots, `git dws restore ID` brings one in")
    return PullResult(r, branch, action, new_snaps, new_tags, conflicts, target or current, restored,
                      fetched, pulled, messages)


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


def _is_data(ws: Workspace, name: str) -> bool:
    spec = ws.config.resource(name)
    if spec is None or spec.role == "results":
        return False
    return bool(getattr(registry.load(ws, spec), "stores_content", False))


def merge_refs(ws: Workspace, r: str) -> tuple[list[str], list[str], list[str]]:
    """Merge the fetched snapshot database, notes and tags of remote `r` into ours, in one transaction.
    Returns (new snapshot ids, new tags, conflicting tags kept as ours)."""
    repo = ws.repo
    who = repo.identity()
    refs: list[tuple[str, str | None, str | None]] = []
    ours = ws.db.tip()
    man = merge_manifests(repo, ours, repo.ref(f"refs/remotes/{r}/dws/manifests"), who)
    if man.commit and man.commit != ours:
        refs.append((MANIFESTS_REF, man.commit, ours))
    old_notes = repo.ref(NOTES_REF)
    notes = merge_notes(repo, NOTES_REF, f"refs/notes/remotes/{r}/dws", who)
    if notes.commit and notes.commit != old_notes:
        refs.append((NOTES_REF, notes.commit, old_notes))
    new_tags, conflicts = [], []
    tracking = exchange.tracking(ws.root, r)
    tag_prefix, dws_prefix = exchange.tag_prefix(r), f"refs/remotes/{r}/dws/"
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
    if refs:
        repo.update_refs(refs, f"git dws pull {r}")
    return man.added, new_tags, conflicts


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


def _plans(ws: Workspace, target: str, names: list[str],
           progress: Progress) -> list[tuple[ResourceType, RestorePlan]]:
    info = ws.db.get(target)
    out = []
    for name in names:
        state = info.content.resource(name)
        spec = ws.config.resource(name)
        if state is None or spec is None:
            continue
        res = registry.load(ws, spec)
        out.append((res, res.plan_restore(state.tree, progress)))
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
