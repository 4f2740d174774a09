"""What each git hook does in a workspace: pre-commit captures the resources git does not hold,
post-commit records the snapshot of the new commit, post-checkout brings data in step with the branch,
post-rewrite keeps snapshots attached to amended and rebased commits.

Speed matters here (the budget is tens of milliseconds a commit), so this module and everything it
imports at the top are standard library only (the workspace as the hooks see it is `hook_context`;
objects go through `store.lite` and `hook_record`). The regular code path (pygit2, the resource
registry) is imported only when there is real work it alone can do: content to capture, a resource type
or a manifest layout the fast path does not know, lineage to freeze, data to restore.
Nothing here prints; results go back to `hooks/entry.py`.
"""

from __future__ import annotations

import os

from ..errors import DwsError
from ..store.lite import EMPTY_TREE, MODE_TREE, LiteGit
from .hook_context import (
    GIT_HELD,
    HookContext,
    capture,
    clear_pending,
    in_progress,
    known_tree,
    mark_nothing_to_capture,
    take_pending,
    write_pending,
)

TYPE_CHECKING = False  # typing, json, ... cost more than a hook with nothing to do
if TYPE_CHECKING:
    from typing import Any

    from . import hook_record as rec


class PreCommitResult:
    __slots__ = ("captured", "skipped", "trees")

    def __init__(self, skipped: str | None = None, trees: dict[str, list[Any]] | None = None,
                 captured: list[str] | None = None) -> None:
        self.skipped = skipped  # why nothing was done (an operation in progress)
        self.trees = trees or {}  # resource -> [manifest tree, mode]
        self.captured = captured or []  # resources that were read (their stat cache did not vouch)


def pre_commit(ctx: HookContext) -> PreCommitResult:
    """Record every resource git does not hold, capturing new content into the store; a resource that
    cannot be read raises DwsError, which stops the commit. The trees wait for post-commit."""
    clear_pending(ctx)
    why = in_progress(ctx.git)
    todo = [r for r in ctx.resources if r.type not in GIT_HELD]
    mark_nothing_to_capture(ctx, not todo)
    if why or not todo:
        return PreCommitResult(skipped=why)
    with ctx.lock():
        trees: dict[str, list[Any]] = {}
        slow = []
        for r in todo:
            tree = known_tree(ctx, r) if r.type == "local-files" else None
            if tree:
                trees[r.name] = [tree, MODE_TREE]
            else:
                slow.append(r)
        trees.update(capture(ctx, slow))
    write_pending(ctx, trees)
    return PreCommitResult(trees=trees, captured=[r.name for r in slow])


class PostCommitResult:
    __slots__ = ("commit", "new", "number", "path", "problems", "sid", "skipped", "tag")

    def __init__(self, skipped: str | None = None, commit: str = "", sid: str = "", number: int = 0,
                 new: bool = False, tag: str | None = None, problems: list[str] | None = None,
                 path: str = "") -> None:
        self.skipped = skipped
        self.commit, self.sid, self.number, self.new, self.tag = commit, sid, number, new, tag
        self.problems = problems or []  # not fatal: e.g. the auto tag could not be made
        self.path = path  # "fast" (store.lite) or "regular" (ops.snapshot), for GIT_DWS_HOOK_DEBUG


def post_commit(ctx: HookContext, merged: bool = False) -> PostCommitResult:
    """Record the snapshot of the commit just made, as `git dws snapshot` would (note, manifest commit,
    tag when `snapshot.auto_tag` is set), with the trees pre-commit recorded. `merged`: called from
    post-merge, where git still has MERGE_HEAD (the merge commit is made)."""
    pending = take_pending(ctx)
    mark_nothing_to_capture(ctx, all(r.type in GIT_HELD for r in ctx.resources))
    why = in_progress(ctx.git)
    if why and not (merged and why == "merge"):
        return PostCommitResult(skipped=why)
    git = ctx.git
    from . import hook_record as rec

    git.prefetch(["HEAD", rec.MANIFESTS_REF, rec.NOTES_REF])
    got = git.read("HEAD")
    if got is None or got[1] != "commit":
        return PostCommitResult(skipped="no commit")
    head, message = got[0], _subject(got[2])
    problems: list[str] = []
    if ctx.familiar and not _has_lineage(ctx):
        with ctx.lock():
            done = _record_fast(ctx, head, message, pending, problems)
        if done is not None:
            return PostCommitResult(None, head, done.id, done.number, done.new, done.tag, problems, "fast")
    return _record_slow(ctx, head, message, problems)


def _has_lineage(ctx: HookContext) -> bool:
    """Lineage to freeze into the snapshot (current lineage records, exported resources): the regular
    path does that (lineage/freeze.py)."""
    if any(r.params.get("export") for r in ctx.resources):
        return True
    try:
        names = os.listdir(os.path.join(ctx.state_dir, "lineage"))
    except FileNotFoundError:
        return False
    return any(n.endswith(".json") and not n.startswith(".") for n in names)


def _subject(commit: bytes) -> str:
    _, _, body = commit.partition(b"\n\n")
    return body.decode("utf-8", "replace").strip().split("\n", 1)[0].strip()


def _record_fast(ctx: HookContext, head: str, message: str, pending: dict[str, list[Any]],
                 problems: list[str]) -> rec.Recorded | None:
    from . import hook_record as rec

    git = ctx.git
    states: list[rec.State] = []
    missing = []
    git.prefetch([*(f"{head}:{r.path}" for r in ctx.resources if r.type in GIT_HELD),
                  *(t[0] for t in pending.values() if t[1] == MODE_TREE),
                  *(t for t in (git.commit_tree(rec.MANIFESTS_REF), git.commit_tree(rec.NOTES_REF)) if t)])
    for r in ctx.resources:
        if r.type in GIT_HELD:
            hit = git.read(f"{head}:{r.path}")
            states.append((r.name, r.type, r.role, hit[0] if hit and hit[1] == "tree" else EMPTY_TREE, MODE_TREE))
            continue
        tree, mode = pending.get(r.name) or ["", MODE_TREE]
        if tree and mode == MODE_TREE and git.tree(tree) is None:
            tree = ""  # pruned since? read the resource again
        if not tree and r.type == "local-files":
            tree = known_tree(ctx, r) or ""
        if not tree:
            missing.append(r)
        states.append((r.name, r.type, r.role, tree, int(mode)))
    if missing:  # pre-commit did not run (--no-verify, GIT_DWS_SKIP in it) or could not vouch
        got = capture(ctx, missing)
        states = [(n, k, role, *got[n]) if n in got else (n, k, role, t, m) for n, k, role, t, m in states]
    who = _committer(git, head)
    template = str(ctx.params.get("snapshot.auto_tag") or "")
    return rec.record(git, head=head, states=states, message=message,
                      tag_for=(lambda n: _auto_tag(ctx, template, n, head, problems)) if template else None,
                      hostname=_hostname(ctx), metrics=_read_metrics(ctx), who=who, state_dir=ctx.state_dir)


def _committer(git: LiteGit, commit: str) -> str:
    """Who we write as: the committer of the commit just made (git worked it out from the environment
    and config, as Repo.identity would), at the time of this hook."""
    got = git.read(commit)
    for line in (got[2] if got else b"").split(b"\n"):
        if not line:
            break
        if line.startswith(b"committer "):
            ident = line[len(b"committer "):].decode("utf-8", "replace")
            name, _, rest = ident.partition(" <")
            email = rest.partition(">")[0]
            if name and email:
                from ..store.lite import identity_line

                return identity_line(name, email)
    who = git.identity()
    if who is None:
        raise DwsError("git does not know who you are (user.name / user.email unset)",
                       'run: git config --global user.name "Your Name"; '
                       'git config --global user.email you@example.com')
    return who


def _record_slow(ctx: HookContext, head: str, message: str, problems: list[str]) -> PostCommitResult:
    """The regular snapshot (a configuration or manifest format the fast path does not know)."""
    from ..workspace import Workspace
    from .snapshot import take_snapshot

    ws = Workspace.open(ctx.git.workdir)
    r = take_snapshot(ws, None, message, for_commit=True)
    template = str(ctx.params.get("snapshot.auto_tag") or "")
    tag = _auto_tag(ctx, template, r.number, head, problems) if template and r.new else None
    if tag:  # now that the number is known: the same snapshot again, with its tag
        take_snapshot(ws, tag, message, for_commit=True)
    return PostCommitResult(None, head, r.id, r.number, r.new, tag, problems, "regular")


def _auto_tag(ctx: HookContext, template: str, number: int, head: str, problems: list[str]) -> str | None:
    from ..model import autotag

    try:
        tag = autotag.expand(template, number=number, hostname=_hostname(ctx), username=_username(),
                             branch=_branch(ctx.git), commit=head)
    except DwsError as e:
        problems.append(f"no tag: {e.message}")
        return None
    if ctx.git.oid(f"refs/tags/{tag}") is not None:
        problems.append(f"no tag: tag '{tag}' exists already (snapshot.auto_tag = '{template}')")
        return None
    return tag


def _hostname(ctx: HookContext) -> str:
    name = ctx.git.local_config("dws.hostname")
    if name:
        return name
    from ..workspace import default_hostname

    return default_hostname()


def _username() -> str:
    import getpass

    return getpass.getuser()


def _branch(git: LiteGit) -> str | None:
    try:
        with open(os.path.join(git.git_dir, "HEAD")) as f:
            head = f.read().strip()
    except OSError:
        return None
    return head[len("ref: refs/heads/"):] if head.startswith("ref: refs/heads/") else None


def _read_metrics(ctx: HookContext) -> dict[str, Any] | None:
    """As ops.snapshot._read_metrics: the first results resource whose results.json has `metrics`."""
    from .hook_record import loads

    for r in ctx.resources:
        if r.role != "results":
            continue
        try:
            with open(os.path.join(ctx.local_path(r), "results.json"), "rb") as f:
                obj = loads(f.read())
        except (OSError, ValueError):
            continue
        if isinstance(obj, dict) and isinstance(obj.get("metrics"), dict):
            return dict(obj["metrics"])
    return None


# -- post-checkout ---------------------------------------------------------------------------------
class CheckoutResult:
    __slots__ = ("commit", "differs", "mode", "problems", "restored", "sid", "unsafe")

    def __init__(self, mode: str, commit: str) -> None:
        self.mode = mode
        self.commit = commit  # the new HEAD
        self.sid: str | None = None  # the snapshot of it or of its nearest snapshotted ancestor
        self.restored: dict[str, str] = {}  # resource -> summary of what changed
        self.differs: dict[str, str] = {}  # `warn`: resource -> summary of what restoring would change
        self.unsafe: dict[str, list[str]] = {}  # resource -> paths whose content no snapshot holds
        self.problems: dict[str, str] = {}  # resource -> why it was not restored


def post_checkout(ctx: HookContext, old: str, new: str, branch_flag: str) -> CheckoutResult | None:
    """After a branch checkout (flag 1, HEAD moved): restore the resources git does not hold to the
    snapshot of the new HEAD or of its nearest snapshotted first-parent ancestor, each one only when
    nothing would be lost; `hooks.checkout = warn` only reports, `off` does nothing."""
    if branch_flag != "1" or old == new or in_progress(ctx.git):
        return None
    mode = str(ctx.params.get("hooks.checkout") or "restore")
    if mode == "off":
        return None
    linked = ctx.git.git_dir != ctx.git.common_dir
    todo = [r for r in ctx.resources if r.type not in GIT_HELD and r.role != "results"]
    if linked:  # a directory outside this worktree is shared with the others: leave it alone
        root = ctx.git.workdir + os.sep
        todo = [r for r in todo if ctx.resource_path(r).startswith(root)]
    if not todo:
        return None
    from ..errors import UnsafeRestore
    from ..progress import NULL
    from ..resources import registry
    from ..workspace import Workspace
    from .resolve import snapshot_of_commit
    from .restore import restore

    ws = Workspace.open(ctx.git.workdir)
    out = CheckoutResult(mode, new)
    out.sid = snapshot_of_commit(ws, new, ancestors=True)
    if out.sid is None:
        return out
    in_snapshot = {s.name: s for s in ws.db.get(out.sid).content.resources}
    for r in todo:
        spec = ws.config.resource(r.name)
        if spec is None or r.name not in in_snapshot:
            continue  # added since that snapshot: nothing to restore it to
        try:
            if mode == "warn":
                plan = registry.load(ws, spec).plan_restore(in_snapshot[r.name].tree, NULL)
                if not plan.changes.clean:
                    out.differs[r.name] = plan.changes.summary()
                continue
            done = restore(ws, out.sid, only=[r.name])
        except UnsafeRestore as e:
            out.unsafe.update(e.unsafe)
            continue
        except DwsError as e:
            out.problems[r.name] = e.message
            continue
        changes = done.restored.get(r.name)
        if changes is not None and not changes.clean:
            out.restored[r.name] = changes.summary()
    return out


# -- post-merge ------------------------------------------------------------------------------------
class MergeResult:
    __slots__ = ("checkout", "fetched", "recorded")

    def __init__(self, checkout: CheckoutResult | None = None, recorded: PostCommitResult | None = None,
                 fetched: str | None = None) -> None:
        self.checkout = checkout  # the data following a fast-forward
        self.recorded = recorded  # the snapshot of a merge commit
        self.fetched = fetched  # a remote whose fetched snapshots (`git pull`) name the merged-in work


def post_merge(ctx: HookContext, squash: str) -> MergeResult:
    """After `git merge` / `git pull` (git runs no other hook there): the data follows HEAD as it does
    on a checkout (same `hooks.checkout` setting; from ORIG_HEAD, where the merge started), and a
    merge commit that has no snapshot gets one, as post-commit gives every other commit (its git-held
    resources as merged, the data as it is here: the first parent's, which the checkout rule keeps).
    A squash merge makes no commit: the `git commit` that follows records it. When the merged-in
    commit's snapshot came with a fetch (a plain `git pull`) and is not merged into ours, the result
    names that remote: `git dws pull` merges snapshots (it may also drop snapshots deleted there, which
    a plain git command should not do on its own), and then the data follows."""
    if squash == "1":
        return MergeResult()
    git = ctx.git
    got = git.read("HEAD")
    if got is None or got[1] != "commit":
        return MergeResult()
    head = got[0]
    parents = [line[7:].decode() for line in got[2].partition(b"\n\n")[0].split(b"\n")
               if line.startswith(b"parent ")]
    from . import hook_record as rec

    notes = git.oid(rec.NOTES_REF)
    theirs = head if len(parents) < 2 else parents[1]
    fetched = None if git.note(notes, theirs) else _fetched_note(git, theirs)
    if len(parents) < 2:  # a fast-forward: HEAD moved as on a checkout (git left no MERGE_HEAD)
        return MergeResult(post_checkout(ctx, git.oid("ORIG_HEAD") or "", head, "1"), None, fetched)
    # A merge commit: the checkout rule would restore its first parent's snapshot, i.e. keep the data
    # as it is here; so only record the merge commit's snapshot (git still has MERGE_HEAD meanwhile).
    if git.note(notes, head):
        return MergeResult(None, None, fetched)
    return MergeResult(None, post_commit(ctx, merged=True), fetched)


def _fetched_note(git: LiteGit, commit: str) -> str | None:
    """The remote whose fetched notes (refs/notes/remotes/<remote>/dws) hold a snapshot of `commit`."""
    from ..store.lite import run

    rc, out, _ = run(git.workdir, ["for-each-ref", "--format=%(refname)", "refs/notes/remotes/"])
    for ref in out.decode("utf-8", "surrogateescape").splitlines() if rc == 0 else []:
        if ref.endswith("/dws") and git.note(git.oid(ref), commit):
            return ref[len("refs/notes/remotes/"):-len("/dws")]
    return None


# -- post-rewrite ----------------------------------------------------------------------------------
def post_rewrite(ctx: HookContext, pairs: list[tuple[str, str]]) -> int:
    """Keep snapshots attached to amended / rebased commits (see hook_record.rewrite_notes). Returns
    how many commits' notes changed."""
    if not pairs:
        return 0
    who = ctx.git.identity()
    if who is None:
        raise DwsError("git does not know who you are (user.name / user.email unset)")
    from . import hook_record as rec

    with ctx.lock():
        held = {r.name: r.path for r in ctx.resources if r.type in GIT_HELD}
        changed = rec.rewrite_notes(ctx.git, pairs, who, held, ctx.state_dir)
    if changed is None:
        raise DwsError("refs/dws/manifests has a layout this git-dws does not know; notes were not moved",
                       "upgrade git-dws: pip install -U git-dws")
    return changed


def parse_rewrites(data: bytes) -> list[tuple[str, str]]:
    """post-rewrite's stdin: `<old> <new> [extra]` per line."""
    out = []
    for line in data.decode("ascii", "replace").splitlines():
        parts = line.split()
        if len(parts) >= 2:
            out.append((parts[0], parts[1]))
    return out
