"""`git dws push`: share snapshots. Pre-flight first (the git remote must hold nothing we lack, external
repositories must be clean and not behind), then the content the snapshots reference and the data
remote lacks, then the resources' own remotes, and last the git refs in one atomic push: the branch,
the snapshot database, the notes and the snapshot tags. Content goes before refs so that nobody can see
a snapshot whose data is not there yet; an interrupted push resumes where it stopped."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import DwsError
from ..progress import NULL, Progress
from ..resources import registry
from ..store import exchange, travel
from ..store.merge import is_ancestor
from ..store.remotes.transfer import Pushed
from ..workspace import MANIFESTS_REF, NOTES_REF, Workspace
from .pull import current_branch, select_resources
from .remote import choose, content_sizes, push_content


@dataclass(frozen=True, slots=True)
class PushResult:
    remote: str
    branch: str
    data_remote: str | None
    content: Pushed | None
    refs: list[str] = field(default_factory=list)
    resources_pushed: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def push(ws: Workspace, remote: str | None = None, *, only: list[str] | None = None,
         skip: list[str] | None = None, only_workspace: bool = False, data_remote: str | None = None,
         progress: Progress = NULL) -> PushResult:
    selected = [] if only_workspace else select_resources(ws, only, skip)
    with ws.lock():
        repo, root = ws.repo, ws.root
        branch = current_branch(ws)
        if branch is None:
            raise DwsError("HEAD is detached; push needs a branch", "git switch BRANCH, then push again")
        r = exchange.pick_remote(root, remote, branch)
        travel.configure_remote(root, r)
        exchange.fetch(root, r)
        theirs = exchange.tracking(root, r)
        warnings: list[str] = []
        for mine, tracked in ((f"refs/heads/{branch}", f"refs/remotes/{r}/{branch}"),
                              (MANIFESTS_REF, exchange.dws_prefix(r) + "manifests"),
                              (NOTES_REF, f"refs/notes/remotes/{r}/dws")):
            their = theirs.get(tracked)
            our = repo.ref(mine)
            if their and their != our and (our is None or not is_ancestor(repo, their, our)):
                raise DwsError(f"git remote '{r}' has changes you do not have ({mine})",
                               "run `git dws pull` first, then push again; nothing was pushed")
        resources = [registry.load(ws, s) for s in ws.config.resources if s.name in selected]
        for res in resources:
            check = getattr(res, "push_precheck", None)
            if check is not None:
                check()

        sids = ws.db.ids()
        content = None
        chosen = None
        if not only_workspace:
            sizes = content_sizes(ws, sids, set(selected))
            chosen = choose(ws, data_remote)
            if chosen is not None:
                content = push_content(ws, chosen, sizes, progress)
                if content.unavailable:
                    warnings.append(f"{len(content.unavailable)} object(s) referenced by snapshots are neither in "
                                    f"this clone nor on data remote '{chosen.name}'; whoever has them should push")
            elif sizes:
                warnings.append("no data remote is configured, so snapshot content stays on this machine; "
                                "add one with `git dws remote add NAME URL`")

        pushed: dict[str, str] = {}
        for res in resources:
            fn = getattr(res, "push_remote", None)
            if fn is not None:
                what = fn(progress)
                if what:
                    pushed[res.spec.name] = str(what)

        specs = [f"refs/heads/{branch}:refs/heads/{branch}"]
        specs += [f"{ref}:{ref}" for ref in sorted(repo.refs("refs/dws/"))]
        if repo.ref(NOTES_REF):
            specs.append(f"{NOTES_REF}:{NOTES_REF}")
        tag_prefix = exchange.tag_prefix(r)
        for tag in sorted({t for sid in sids for t in ws.db.get(sid).meta.tags}):
            mine_tag = repo.ref(f"refs/tags/{tag}")
            if mine_tag is None:
                continue
            their_tag = theirs.get(tag_prefix + tag)
            if their_tag is None:
                specs.append(f"refs/tags/{tag}:refs/tags/{tag}")
            elif their_tag != mine_tag:
                warnings.append(f"tag '{tag}' names something else on '{r}'; kept theirs there, ours here")
        upstream = not repo.config_get(f"branch.{branch}.remote")
        exchange.push(root, r, specs, upstream)
        return PushResult(r, branch, chosen.name if chosen else None, content,
                          [s.split(":")[0] for s in specs], pushed, warnings)
