"""Collaboration commands: push, pull, clone, publish, remote (data remotes); and the `add rclone`,
`add s3` resource types."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

from .common import Parser, ProgressBar, confirm, names, workspace


def register(sub: Any) -> None:
    c = sub.add_parser("push", help="push the workspace, its snapshots and their data")
    _selection(c)
    c.add_argument("--data-remote", metavar="NAME", help="data remote to use (default: the default one)")
    c.set_defaults(func=cmd_push)

    c = sub.add_parser("pull", help="bring in others' commits, snapshots and data")
    _selection(c)
    g = c.add_mutually_exclusive_group()
    g.add_argument("--merge", dest="strategy", action="store_const", const="merge",
                   help="merge a divergent branch")
    g.add_argument("--rebase", dest="strategy", action="store_const", const="rebase",
                   help="rebase a divergent branch")
    g.add_argument("--ff-only", dest="strategy", action="store_const", const="ff-only",
                   help="refuse a divergent branch")
    c.add_argument("--force", action="store_true", help="overwrite data changes that no snapshot holds")
    c.add_argument("--accept-resource-changes", action="store_true",
                   help="take a pulled .dws.toml that changes a resource's path or type or a data remote's URL")
    c.set_defaults(func=cmd_pull, strategy=None)

    c = sub.add_parser("clone", help="clone a workspace with its data")
    c.add_argument("url", metavar="URL")
    c.add_argument("directory", metavar="DIR", nargs="?")
    c.add_argument("--hostname", help="this machine's name in snapshots")
    c.add_argument("--no-hooks", action="store_true", help="do not install the git hooks (see `git dws hooks`)")
    c.add_argument("--scratch-directory", metavar="DIR",
                   help="this machine's scratch directory, when the workspace keeps it outside")
    c.add_argument("--resource-path", action="append", default=[], metavar="NAME=DIR", type=_name_dir,
                   help="this machine's directory of a resource outside the workspace (repeatable)")
    c.add_argument("--no-data", action="store_true", help="fetch no data; `git dws pull` gets it later")
    g = c.add_mutually_exclusive_group()
    g.add_argument("--only", type=names, metavar="R1,R2", help="fetch the data of these resources only")
    g.add_argument("--skip", type=names, metavar="R1,R2", help="do not fetch the data of these resources")
    c.set_defaults(func=cmd_clone)

    c = sub.add_parser("publish", help="give a local workspace its origin and push")
    c.add_argument("url", metavar="URL")
    c.add_argument("--skip", type=names, metavar="R1,R2", help="resources whose data is not pushed")
    c.set_defaults(func=cmd_publish)

    c = sub.add_parser("remote", help="data remotes: add, remove, list")
    rsub = c.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser, required=True)
    r = rsub.add_parser("add", help="add a data remote: DIR, file://DIR, s3://BUCKET/PREFIX, rclone:REMOTE:PATH")
    r.add_argument("name", metavar="NAME")
    r.add_argument("url", metavar="URL")
    r.add_argument("--endpoint-url", metavar="URL", help="endpoint of an S3-compatible server")
    r.add_argument("--default", action="store_true", help="make it the default data remote")
    r.set_defaults(func=cmd_remote_add)
    r = rsub.add_parser("remove", help="forget a data remote (its content stays where it is)")
    r.add_argument("name", metavar="NAME")
    r.set_defaults(func=cmd_remote_remove)
    r = rsub.add_parser("list", help="list data remotes")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_remote_list)


def register_add(asub: Any, common_add: Callable[[argparse.ArgumentParser], None]) -> None:
    a = asub.add_parser("rclone", help="a local directory mirrored with an rclone remote")
    a.add_argument("remote", metavar="REMOTE:PATH")
    a.add_argument("local_path", metavar="LOCALDIR")
    common_add(a)
    a.add_argument("--master", choices=("remote", "local", "none"), default="none",
                   help="which side leads: pull copies remote->local, push local->remote (default none)")
    a.add_argument("--sync-mode", choices=("copy", "sync"), default="copy", help="rclone copy or sync")
    a.add_argument("--size-only", action="store_true", help="compare by size only (rclone --size-only)")
    a.add_argument("--config", metavar="FILE", help="rclone config file (default: rclone's own)")
    a.add_argument("--compute-hash", action="store_true", help="accepted for compatibility; always on")
    from .core import _lineage_flags

    _lineage_flags(a)
    a.set_defaults(func=cmd_add_rclone)
    a = asub.add_parser("s3", help="a bucket (prefix) on S3 or an S3-compatible server")
    a.add_argument("location", metavar="BUCKET[/PREFIX]")
    common_add(a)
    a.add_argument("--endpoint-url", metavar="URL", help="endpoint of an S3-compatible server")
    a.add_argument("--no-store", action="store_true",
                   help="record keys, sizes and ETags only; restore then only verifies")
    a.set_defaults(func=cmd_add_s3)


def _selection(c: argparse.ArgumentParser) -> None:
    c.add_argument("--remote", metavar="NAME", help="git remote (default: the branch's upstream, or origin)")
    g = c.add_mutually_exclusive_group()
    g.add_argument("--only", type=names, metavar="R1,R2", help="only these resources")
    g.add_argument("--skip", type=names, metavar="R1,R2", help="all resources but these")
    g.add_argument("--only-workspace", action="store_true", help="the workspace repository only, no resources")


def _out(text: str) -> None:
    from ..ui.console import out

    out(text)


def _warn(text: str) -> None:
    from ..ui.console import warn

    warn(text)


# -- commands -----------------------------------------------------------------------------------------
def cmd_push(a: argparse.Namespace) -> int:
    from ..ops.push import push

    with ProgressBar() as bar:
        r = push(workspace(), a.remote, only=a.only, skip=a.skip, only_workspace=a.only_workspace,
                 data_remote=a.data_remote, progress=bar)
    _render_push(r)
    return 0


def _render_push(r: Any) -> None:
    if r.content is not None:
        _out(f"Data remote '{r.data_remote}': uploaded {r.content.uploaded} object(s), "
             f"{r.content.already} already there.")
    for name, what in r.resources_pushed.items():
        _out(f"Resource {name}: {what}.")
    _out(f"Pushed branch {r.branch} and {len(r.refs) - 1} dws ref(s) to '{r.remote}'.")
    for w in r.warnings:
        _warn(w)


def cmd_pull(a: argparse.Namespace) -> int:
    from ..ops.pull import pull

    with ProgressBar() as bar:
        r = pull(workspace(), a.remote, only=a.only, skip=a.skip, only_workspace=a.only_workspace,
                 strategy=a.strategy, force=a.force, accept_resource_changes=a.accept_resource_changes,
                 confirm=confirm(), progress=bar)
    what = {"up-to-date": "already up to date", "fast-forward": "fast-forwarded", "merge": "merged",
            "rebase": "rebased", "ahead": "ahead of it (push to share)", "no-remote-branch": "not on the remote",
            "detached": "detached (not integrated)"}[r.branch_action]
    _out(f"Branch {r.branch or 'HEAD'}: {what} ('{r.remote}').")
    _out(f"Snapshots: {len(r.new_snapshots)} new" + (f", tags {', '.join(r.new_tags)}" if r.new_tags else "") + ".")
    for t in r.tag_conflicts:
        _warn(f"tag '{t}' names something else on '{r.remote}'; kept ours")
    if r.fetched:
        _out(f"Downloaded {r.fetched} object(s) from the data remote.")
    for name, ch in r.restored.items():
        _out(f"Restored {name} to snapshot {str(r.snapshot)[:12]}: {ch.summary()}.")
    for name, what2 in r.resources_pulled.items():
        _out(f"Resource {name}: {what2}.")
    for m in r.messages:
        _out(f"Note: {m}.")
    return 0


def _name_dir(text: str) -> tuple[str, str]:
    name, sep, path = text.partition("=")
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError(f"'{text}' is not NAME=DIR")
    return name, path


def cmd_clone(a: argparse.Namespace) -> int:
    from ..ops.clone import clone

    ask = None
    if confirm() is not None:
        def ask(question: str, default: str) -> str:
            return input(f"{question} [{default}]: ").strip() or default

    with ProgressBar() as bar:
        r = clone(a.url, a.directory, hostname=a.hostname, ask=ask, paths=dict(a.resource_path),
                  data=not a.no_data, only=a.only, skip=a.skip, progress=bar,
                  scratch=a.scratch_directory)
    for name, what in r.resources.items():
        _out(f"Resource {name}: {what}.")
    for name, ch in r.restored.items():
        _out(f"Restored {name}: {ch.summary()}.")
    for name, why in r.missing.items():
        _warn(f"resource {name}: data not here: {why}")
    snap = f", at snapshot {r.snapshot[:12]}" if r.snapshot else ""
    _out(f"Cloned workspace {r.name} into {os.path.relpath(r.root)} ({r.snapshots} snapshot(s){snap}).")
    if not a.no_hooks:
        from .hooks import install_after_init

        install_after_init(r.root)
    return 0


def cmd_publish(a: argparse.Namespace) -> int:
    from ..ops.publish import publish

    with ProgressBar() as bar:
        r = publish(workspace(), a.url, skip=a.skip, progress=bar)
    _render_push(r)
    return 0


def cmd_remote_add(a: argparse.Namespace) -> int:
    from ..ops.remote import add_remote

    r = add_remote(workspace(), a.name, a.url, endpoint_url=a.endpoint_url, default=a.default)
    _out(f"Added data remote {r.name} ({r.url}){' as the default' if r.default else ''}.")
    return 0


def cmd_remote_remove(a: argparse.Namespace) -> int:
    from ..ops.remote import remove_remote

    r = remove_remote(workspace(), a.name)
    _out(f"Removed data remote {r.name} ({r.url}); its content was not touched.")
    return 0


def cmd_remote_list(a: argparse.Namespace) -> int:
    from ..ops.remote import list_remotes
    from ..ui.console import emit_json, table

    remotes = list_remotes(workspace())
    if a.json:
        emit_json([{"name": r.name, "url": r.url, "endpoint_url": r.endpoint_url, "default": r.default,
                    "local_url": r.override} for r in remotes])
        return 0
    if not remotes:
        _out("No data remotes. Add one with: git dws remote add NAME URL")
        return 0
    rows = [[r.name + (" *" if r.default else ""), r.override or r.url, r.endpoint_url or ""] for r in remotes]
    table(None, ["Name", "URL", "Endpoint"], rows)
    return 0


def cmd_add_rclone(a: argparse.Namespace) -> int:
    from ..ops.add_external import add_rclone
    from .core import _role

    role = _role(a.role or ("source-data" if a.imported else None))
    r, copied = add_rclone(workspace(), a.remote, a.local_path, role=role, name=a.name, master=a.master,
                           sync_mode=a.sync_mode, size_only=a.size_only, config=a.config, export=a.export,
                           imported=a.imported)
    _out(f"{copied[0].upper()}{copied[1:]}.")
    _out(f"Added resource {r.name} ({r.type}, {r.role}) at {r.path}.")
    return 0


def cmd_add_s3(a: argparse.Namespace) -> int:
    from ..ops.add_external import add_s3
    from .core import _role

    r = add_s3(workspace(), a.location, role=_role(a.role), name=a.name, endpoint_url=a.endpoint_url,
               store=not a.no_store)
    _out(f"Added resource {r.name} ({r.type}, {r.role}) at {r.path}.")
    return 0
