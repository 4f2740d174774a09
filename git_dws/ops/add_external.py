"""`git dws add git PATH` for a separate repository, `git dws add rclone`, `git dws add s3`: the
resource types of collaboration. Same rules as the core types: no overlaps, in-workspace directories
are git-ignored, the configuration is committed."""

from __future__ import annotations

import os
from typing import Any

from ..config import ResourceSpec
from ..errors import DwsError, UsageError
from ..lineage import export as lineage_export
from ..model.names import check_resource_name
from ..store.git import git_run, repo_git
from ..workspace import Workspace
from .add import AddResult, _check_new, committed_path, ensure_gitignore


def _save(ws: Workspace, spec: ResourceSpec, rel: str | None) -> AddResult:
    extra: tuple[str, ...] = ()
    if rel is not None:
        ensure_gitignore(ws.root, [f"/{rel}/"])
        extra = (".gitignore",)
    ws.save_config(ws.config.with_resource(spec), f"Add resource {spec.name}", extra)
    return AddResult(spec.name, spec.type, spec.role, spec.path or ws.resource_path(spec.name, spec.path))


def add_git_repo(ws: Workspace, path: str, *, role: str, name: str | None = None, read_only: bool = False,
                 branch: str | None = None, export: bool = False, imported: bool = False) -> AddResult:
    lineage_export.check_flags(role, export, imported)
    if export and read_only:
        raise UsageError("--export and --read-only cannot be used together",
                         "an exported repository gets lineage.json committed at each snapshot")
    full = os.path.realpath(path)
    # Pinned to PATH's own repository: a directory without .git must not borrow the workspace's origin.
    origin = repo_git(full, "remote", "get-url", "origin", check=False)
    if origin.returncode != 0:
        raise DwsError(f"the repository {path} has no remote 'origin'",
                       f"others could not clone it: add one (git -C {path} remote add origin URL)")
    url = origin.stdout.decode().strip()
    if not url.startswith(("/", "git@", "ssh://", "https://", "http://", "file://", "git://")) and "://" not in url:
        url = os.path.normpath(os.path.join(full, url))  # a relative origin means nothing in another clone
    rel = ws.rel_to_root(full)
    if rel == ".":
        raise UsageError("the workspace root cannot be a resource", "add a subdirectory instead")
    spec_name = check_resource_name(name or os.path.basename(full))
    _check_new(ws, spec_name, full)
    if rel is not None and git_run(ws.root, "ls-files", "-z", "--", rel).stdout:
        raise DwsError(f"{rel} is tracked by the workspace repository",
                       f"untrack it first: git rm -r --cached {rel}")
    current = repo_git(full, "symbolic-ref", "-q", "--short", "HEAD", check=False).stdout.decode().strip()
    if branch and branch != current:
        proc = repo_git(full, "checkout", "-q", branch, check=False)
        if proc.returncode != 0:
            raise DwsError(f"cannot check out branch '{branch}' in {path}",
                           (proc.stderr.decode("utf-8", "replace").strip().splitlines() or [""])[-1])
        current = branch
    if not current:
        raise DwsError(f"{path} has a detached HEAD", "check out a branch there, or give --branch")
    params: dict[str, Any] = {"remote_origin_url": url, "branch": current}
    if read_only or imported:  # the original: an imported repository is read-only
        params["read_only"] = True
    params.update(lineage_export.prepare_add(full, spec_name, role, export, imported))
    spec = ResourceSpec(spec_name, "git", role, committed_path(ws, spec_name, rel, full), params)
    result = _save(ws, spec, rel)
    lineage_export.finish_add(ws, spec)
    return result


def add_rclone(ws: Workspace, remote: str, local_path: str, *, role: str, name: str | None = None,
               master: str = "none", sync_mode: str = "copy", size_only: bool = False,
               config: str | None = None, export: bool = False, imported: bool = False) -> tuple[AddResult, str]:
    from ..resources.rclone import MASTERS, SYNC_MODES, Rclone, check_remote

    lineage_export.check_flags(role, export, imported)
    if master not in MASTERS:
        raise UsageError(f"--master must be one of {', '.join(MASTERS)}", "the default is none")
    if sync_mode not in SYNC_MODES:
        raise UsageError(f"--sync-mode must be one of {', '.join(SYNC_MODES)}", "the default is copy")
    cfg = os.path.abspath(config) if config else None
    check_remote(remote, cfg)
    full = os.path.abspath(local_path)
    rel = ws.rel_to_root(full)
    if rel == ".":
        raise UsageError("the workspace root cannot be a resource", "add a subdirectory")
    spec_name = check_resource_name(name or os.path.basename(full.rstrip("/")))
    _check_new(ws, spec_name, os.path.realpath(full))
    if rel is not None and git_run(ws.root, "ls-files", "-z", "--", rel).stdout:
        raise DwsError(f"{rel} holds files tracked by git", f"`git rm -r --cached {rel}` first")
    params: dict[str, Any] = {"remote": remote, "master": master, "sync_mode": sync_mode}
    if size_only:
        params["size_only"] = True
    if cfg:  # machine-local: a committed rclone config could run commands on every clone (sftp `ssh`)
        ws.repo.config_set(f"dws-resource.{spec_name}.rclone-config", cfg)
    if export:
        params["export"] = True
    spec = ResourceSpec(spec_name, "rclone", role, committed_path(ws, spec_name, rel, full), params)
    copied = Rclone(ws, spec).initial_copy()
    if imported:  # lineage.json came with the copy: check it before the resource is saved
        spec = ResourceSpec(spec.name, spec.type, spec.role, spec.path,
                            {**params, **lineage_export.prepare_add(full, spec_name, role, False, True)})
    result = _save(ws, spec, rel)
    lineage_export.finish_add(ws, spec)
    return result, copied


def add_s3(ws: Workspace, location: str, *, role: str, name: str | None = None,
           endpoint_url: str | None = None, store: bool = True) -> AddResult:
    from ..resources.s3 import S3Resource

    where = location[5:] if location.startswith("s3://") else location
    bucket, _, prefix = where.strip("/").partition("/")
    if not bucket:
        raise UsageError(f"'{location}' names no bucket", "use BUCKET or BUCKET/PREFIX")
    if role == "results":
        raise UsageError("an S3 resource cannot have the results role", "use a local-files or git resource")
    spec_name = check_resource_name(name or (prefix.rstrip("/").rsplit("/", 1)[-1] if prefix else bucket))
    if ws.config.resource(spec_name):
        raise UsageError(f"a resource named '{spec_name}' already exists", "choose another with --name")
    params: dict[str, Any] = {"bucket": bucket}
    if prefix:
        params["prefix"] = prefix.strip("/")
    if endpoint_url:
        params["endpoint_url"] = endpoint_url
    if not store:
        params["store"] = False
    spec = ResourceSpec(spec_name, "s3", role, f"s3://{bucket}/{prefix.strip('/')}".rstrip("/"), params)
    S3Resource(ws, spec).check_access()
    return _save(ws, spec, None)
