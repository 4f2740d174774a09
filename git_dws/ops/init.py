"""`git dws init`: make the current directory (a git repository or not yet) a workspace."""

from __future__ import annotations

import os
from dataclasses import dataclass

from .. import scratch as scratch_mod
from ..config import FILENAME, ResourceSpec, WorkspaceConfig
from ..errors import DwsError, UsageError
from ..model.names import check_hostname
from ..store import travel
from ..store.git import git_run
from ..store.repo import Repo
from ..workspace import Workspace, default_hostname
from .add import README_TEXT, ensure_gitignore

GITIGNORE = [".ipynb_checkpoints/", ".~*"]


@dataclass(frozen=True, slots=True)
class InitResult:
    name: str
    root: str
    created_repo: bool
    resources: list[str]


def init(directory: str, name: str | None = None, *, hostname: str | None = None,
         roles: list[str] | None = None, scratch: str | None = None) -> InitResult:
    root = os.path.realpath(directory)
    created = False
    try:
        repo: Repo | None = Repo(root)
    except DwsError:
        repo = None
    if repo is not None and repo.workdir != root:
        raise UsageError(f"{root} is inside the git repository {repo.workdir}",
                         f"run `git dws init` at the top of the repository: cd {repo.workdir}")
    if os.path.exists(os.path.join(root, FILENAME)):
        raise DwsError(f"{root} is already a git-dws workspace", f"its configuration is {FILENAME}")
    if scratch:
        scratch_mod.choose(root, scratch)  # refuse a bad directory before anything is written
    if repo is None:
        _check_identity(root)  # fail before writing anything if git cannot commit
        git_run(root, "init", "-q")
        created = True
        repo = Repo(root)
    repo.identity()
    host = check_hostname(hostname) if hostname else default_hostname()
    repo.config_set("dws.hostname", host)

    # the scratch directory: <ws>/scratch by default, or a machine-local directory outside (git config)
    scratch_rel, scratch_local = scratch_mod.choose(root, scratch) if scratch else (scratch_mod.DEFAULT, None)
    params: dict[str, object] = {scratch_mod.PARAM: scratch_rel}
    ignores = list(GITIGNORE)
    if scratch_local is None:
        ignores.append(scratch_mod.gitignore_line(scratch_rel))
    resources = []
    for role in roles or []:
        os.makedirs(os.path.join(root, role), exist_ok=True)
        readme = os.path.join(root, role, "README.txt")
        if not os.path.exists(readme):
            with open(readme, "w") as f:
                f.write(README_TEXT[role])
        resources.append(ResourceSpec(role, "git-subdirectory", role, role))
    config = WorkspaceConfig(name or os.path.basename(root), dict(params), tuple(resources))
    ensure_gitignore(root, ignores)
    ws = Workspace(repo, config)
    ws.save_config(config, "git dws init", (".gitignore", *(r.path for r in resources)))
    if scratch_local is not None:
        repo.config_set(scratch_mod.LOCAL_KEY, scratch_local)
    scratch_mod.ensure(ws)
    travel.configure_all(root)
    return InitResult(config.name, root, created, [r.name for r in resources])


def _check_identity(root: str) -> None:
    if os.environ.get("GIT_COMMITTER_EMAIL") and os.environ.get("GIT_COMMITTER_NAME"):
        return
    for key in ("user.name", "user.email"):
        if not git_run(root, "config", "--get", key, check=False).stdout.strip():
            raise DwsError("git does not know who you are (user.name / user.email unset)",
                           'run: git config --global user.name "Your Name"; '
                           "git config --global user.email you@example.com")
