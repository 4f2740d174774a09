"""The pre-push hook: a plain `git push` that publishes snapshots (refs/dws/manifests, pushed by the
refspecs `git dws push` configures) sends their data to the data remote first, as git-lfs does, so that
nobody can fetch a snapshot whose content is nowhere to be had; when there is no data remote to send
it to, the push is refused with the one command that fixes it.

Most pushes publish no snapshot (a branch alone, or snapshots already there): that is decided from the
hook's stdin and two manifest trees read through `store.lite`, standard library only. The regular code
(pygit2, the data remote backends) is imported only when there is content that may have to be sent.
Nothing here prints; results go back to `hooks/entry.py`.
"""

from __future__ import annotations

from ..errors import DwsError
from .hook_context import HookContext

TYPE_CHECKING = False  # typing costs more than a hook with nothing to do
if TYPE_CHECKING:
    from ..store.remotes.transfer import Pushed

ZERO = "0" * 40
CONTENT_TYPES = ("local-files", "rclone", "s3")  # ops.remote.CONTENT_TYPES (the tests check they agree)


class PrePushResult:
    __slots__ = ("data_remote", "pushed", "snapshots")

    def __init__(self, snapshots: int = 0, data_remote: str | None = None, pushed: Pushed | None = None) -> None:
        self.snapshots = snapshots  # snapshots this push publishes that hold content
        self.data_remote = data_remote
        self.pushed = pushed  # what was uploaded (None: nothing had to be)


def parse_updates(data: bytes) -> list[tuple[str, str, str, str]]:
    """pre-push's stdin: `<local ref> <local sha> <remote ref> <remote sha>` per line."""
    out = []
    for line in data.decode("utf-8", "surrogateescape").splitlines():
        parts = line.split(" ")
        if len(parts) == 4:
            out.append((parts[0], parts[1], parts[2], parts[3]))
    return out


def pre_push(ctx: HookContext, remote: str, updates: list[tuple[str, str, str, str]]) -> PrePushResult:
    """Send the content of the snapshots this push publishes to the data remote (only what it lacks),
    or raise DwsError (which stops the push) when it cannot be sent."""
    from . import hook_record as rec

    ours = theirs = None
    for _, local_sha, remote_ref, remote_sha in updates:
        if remote_ref == rec.MANIFESTS_REF and local_sha != ZERO:
            ours, theirs = local_sha, remote_sha
    if ours is None:
        return PrePushResult()  # publishes no snapshot
    sids = _new_snapshots(ctx, ours, theirs)
    if not sids:
        return PrePushResult()
    from ..workspace import Workspace
    from .remote import choose, content_sizes, push_content

    ws = Workspace.open(ctx.git.workdir)
    sizes = content_sizes(ws, [s for s in sids if ws.db.exists(s)])
    if not sizes:
        return PrePushResult(len(sids))
    chosen = choose(ws)
    if chosen is None:
        what = f"{len(sids)} snapshot(s) whose data ({len(sizes)} object(s)) is on no data remote"
        if ws.config.remotes:
            names = ", ".join(r.name for r in ws.config.remotes)
            raise DwsError(
                f"this push to '{remote}' publishes {what}, and no data remote is the default ({names})",
                f"send data and snapshots together: git dws push --data-remote NAME {remote}",
            )
        raise DwsError(
            f"this push to '{remote}' publishes {what}: a clone could not restore them",
            f"add a data remote, then push through git-dws: git dws remote add NAME URL && git dws push {remote}",
        )
    with ws.lock():
        pushed = push_content(ws, chosen, sizes)
    if pushed.unavailable:
        raise DwsError(
            f"{len(pushed.unavailable)} object(s) of the snapshots this push publishes are neither in "
            f"this clone nor on data remote '{chosen.name}'",
            "fetch them first (git dws pull), or push the snapshots from a clone that has their data",
        )
    return PrePushResult(len(sids), chosen.name, pushed)


def _new_snapshots(ctx: HookContext, ours: str, theirs: str | None) -> list[str]:
    """Snapshots in manifest commit `ours` that the remote's `theirs` lacks (all of them when this
    clone does not know `theirs`) and that hold a resource whose content lives in the store."""
    from . import hook_record as rec

    git = ctx.git

    def snapshots(commit: str | None) -> dict[str, str]:
        root = git.tree(git.commit_tree(commit) or "") if commit and commit != ZERO else None
        entry = (root or {}).get("snapshots")
        return {name: e[1] for name, e in (git.tree(entry[1]) or {}).items()} if entry else {}

    mine, known = snapshots(ours), snapshots(theirs)
    new = [sid for sid in mine if sid not in known]
    contents = git.read_many([f"{mine[sid]}:CONTENT" for sid in new])
    out = []
    for sid, got in zip(new, contents, strict=True):
        try:
            listed = rec.loads(got[2]) if got else None
        except ValueError:
            listed = None
        resources = listed.get("resources") if isinstance(listed, dict) else None
        if not isinstance(resources, list) or any(
            isinstance(r, dict) and r.get("type") in CONTENT_TYPES for r in resources
        ):
            out.append(sid)  # holds content (or is unfamiliar: the regular code decides)
    return out
