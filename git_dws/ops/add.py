"""`git dws add git|local-files PATH`: register a resource. Overlapping or nested resources are refused:
one file must belong to exactly one resource, or snapshots and restores would fight over it."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..config import ResourceSpec
from ..errors import BatchModeError, DwsError, UsageError, UserAbort
from ..interact import Confirm
from ..lineage import export as lineage_export
from ..model.names import resource_name_for
from ..store.git import git_run
from ..workspace import Workspace

README_TEXT = {
    role: f"This directory is for {what}.\nThis README file ensures the directory is added to the git "
    "repository, as git does not support empty directories.\n"
    for role, what in (("source-data", "source data"), ("intermediate-data", "intermediate data"),
                       ("code", "code"), ("results", "experimental results"))
}


@dataclass(frozen=True, slots=True)
class AddResult:
    name: str
    type: str
    role: str
    path: str


def add_git(ws: Workspace, path: str, *, role: str, name: str | None = None, read_only: bool = False,
            confirm: Confirm | None = None, branch: str | None = None, export: bool = False,
            imported: bool = False) -> AddResult:
    lineage_export.check_flags(role, export, imported)
    if path.startswith(("git@", "https://", "http://", "ssh://")):
        raise UsageError(f"'{path}' looks like a git URL; add git takes a local path",
                         "clone the repository first, then add its local path")
    full = os.path.realpath(path)
    if os.path.exists(os.path.join(full, ".git")):  # its own repository: an external git resource
        from .add_external import add_git_repo

        return add_git_repo(ws, path, role=role, name=name, read_only=read_only, branch=branch, export=export,
                            imported=imported)
    rel = ws.rel_to_root(full)
    if rel is None:
        raise DwsError(f"{path} is outside the workspace and not a git repository",
                       "add a subdirectory of the workspace, or a separate repository that has an origin")
    if branch and branch != (ws.repo.head_ref() or "").removeprefix("refs/heads/"):
        raise UsageError("--branch must be the workspace's own branch for a subdirectory of the workspace",
                         "leave out --branch; it applies to separate repositories")
    if rel == ".":
        raise UsageError("the workspace root cannot be a resource", "add a subdirectory instead")
    if read_only:
        raise UsageError("--read-only is not supported for a subdirectory of the workspace",
                         "leave out --read-only; it applies to separate repositories")
    _check_new(ws, resource_name_for(name, os.path.basename(full)), full)
    created = False
    if not os.path.isdir(full):
        if os.path.lexists(full):
            raise UsageError(f"{path} exists and is not a directory", "give the path of a directory")
        if confirm is None:
            raise BatchModeError(f"directory {rel} does not exist",
                                 f"create it first (mkdir -p {rel}), or run without --batch")
        if not confirm(f"Directory {rel} does not exist. Create it?"):
            raise UserAbort("nothing was added")
        os.makedirs(full)
        with open(os.path.join(full, "README.txt"), "w") as f:
            f.write(README_TEXT[role])
        created = True
    spec_name = resource_name_for(name, os.path.basename(full))
    params = lineage_export.prepare_add(full, spec_name, role, export, imported)
    spec = ResourceSpec(spec_name, "git-subdirectory", role, rel, params)
    # an exported resource's lineage.json is committed after each snapshot (it travels with the data)
    ws.save_config(ws.config.with_resource(spec), f"Add resource {spec.name}", (rel,) if created else ())
    lineage_export.finish_add(ws, spec)
    return AddResult(spec.name, spec.type, role, rel)


def add_local_files(ws: Workspace, path: str, *, role: str, name: str | None = None,
                    store: bool = True, export: bool = False, imported: bool = False) -> AddResult:
    lineage_export.check_flags(role, export, imported)
    full = os.path.realpath(path)
    if not os.path.isdir(full):
        raise UsageError(f"{path} is not an existing directory", "create it first, then add it")
    if not os.access(full, os.R_OK | os.X_OK):
        raise DwsError(f"cannot read directory {path}", "fix its permissions (chmod u+rx)")
    rel = ws.rel_to_root(full)
    if rel == ".":
        raise UsageError("the workspace root cannot be a local-files resource", "add a subdirectory")
    spec_name = resource_name_for(name, os.path.basename(full))
    _check_new(ws, spec_name, full)
    if rel is not None:
        tracked = git_run(ws.root, "ls-files", "-z", "--", rel).stdout
        if tracked:
            raise DwsError(f"{rel} holds files tracked by git",
                           f"add it as a git resource (git dws add git {rel}) or `git rm -r --cached {rel}`")
    params = {**({} if store else {"store": False}),
              **lineage_export.prepare_add(full, spec_name, role, export, imported)}
    spec = ResourceSpec(spec_name, "local-files", role, committed_path(ws, spec_name, rel, full), params)
    extra: tuple[str, ...] = ()
    if rel is not None:
        ensure_gitignore(ws.root, ["/" + gitignore_literal(rel) + "/"])
        extra = (".gitignore",)
    ws.save_config(ws.config.with_resource(spec), f"Add resource {spec.name}", extra)
    lineage_export.finish_add(ws, spec)
    return AddResult(spec.name, spec.type, role, spec.path or full)


def committed_path(ws: Workspace, name: str, rel: str | None, full: str) -> str:
    """The `path` to commit for a resource directory: relative inside the workspace. A directory
    outside it is this machine's business: it goes into machine-local settings (git config
    dws-resource.NAME.path) and `.dws.toml` names none, so a pulled configuration can never point a
    resource outside another user's workspace, and each clone sets its own."""
    if rel is not None:
        return rel
    ws.repo.config_set(f"dws-resource.{name}.path", full)
    return ""


def _check_new(ws: Workspace, name: str, full: str) -> None:
    if ws.config.resource(name):
        raise UsageError(f"a resource named '{name}' already exists", "choose another with --name")
    for r in ws.config.resources:
        try:
            other = os.path.realpath(ws.resource_path(r.name, r.path))
        except DwsError:  # no local directory (api-resource), or none on this machine
            continue
        if full == other or full.startswith(other + os.sep) or other.startswith(full + os.sep):
            raise UsageError(f"{full} overlaps resource '{r.name}' ({other})",
                             "resources may not be nested in or contain each other")
    from ..scratch import scratch_dir

    try:  # the scratch directory is never snapshotted (ORIGINAL §1.4)
        scratch = os.path.realpath(scratch_dir(ws))
    except DwsError:
        scratch = ""  # machine-local and not set here: nothing to overlap
    if scratch and (full == scratch or full.startswith(scratch + os.sep) or scratch.startswith(full + os.sep)):
        raise UsageError(f"{full} overlaps the scratch directory {scratch}",
                             "scratch is never snapshotted; keep resources outside it")
    git_dir = ws.repo.git_dir
    if full == git_dir or full.startswith(git_dir + os.sep):
        raise UsageError("a resource cannot live inside .git", "give a directory of the working tree")
    if ws.root.startswith(full + os.sep):
        raise UsageError(f"{full} contains the workspace itself", "add a directory beside or inside it")


def ensure_gitignore(root: str, lines: list[str]) -> None:
    path = os.path.join(root, ".gitignore")
    try:
        with open(path) as f:
            have = f.read()
    except FileNotFoundError:
        have = ""
    missing = [line for line in lines if line not in have.splitlines()]
    if missing:
        with open(path, "a") as f:
            if have and not have.endswith("\n"):
                f.write("\n")
            f.write("".join(line + "\n" for line in missing))


def gitignore_literal(path: str) -> str:
    """A .gitignore pattern matching exactly `path`: glob characters, a leading '#' or '!' and trailing
    spaces are escaped with a backslash."""
    out = "".join("\\" + c if c in "[]*?\\" else c for c in path)
    if out[:1] in ("#", "!"):
        out = "\\" + out
    stripped = out.rstrip(" ")
    return stripped + "\\ " * (len(out) - len(stripped))
