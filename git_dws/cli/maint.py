"""Maintenance commands: `fsck` (is everything whole, and what repairs it) and `gc` (free store space)."""

from __future__ import annotations

import argparse
from typing import Any

from .common import ProgressBar, workspace


def register(sub: Any) -> None:
    c = sub.add_parser("fsck", help="check snapshots, manifests and stored content")
    c.add_argument("--remote", metavar="NAME", help="check the content on this data remote instead of locally")
    c.add_argument("--quick", action="store_true", help="check presence and size only, not hashes")
    c.add_argument("--repair", action="store_true",
                   help="remove damaged and temporary store objects, fetch missing ones from the data remote")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_fsck)

    c = sub.add_parser("gc", help="remove stored content that no snapshot needs")
    c.add_argument("--dry-run", "-n", action="store_true", help="only report what would be removed")
    c.add_argument("--remote", metavar="NAME", help="also prune this data remote")
    c.add_argument("--grace", type=_hours, metavar="HOURS", default=None,
                   help="keep objects newer than this (default 1)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_gc)


def _hours(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of hours (0 or more), got '{text}'")
    return value


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def cmd_fsck(a: argparse.Namespace) -> int:
    from ..ops.fsck import fsck
    from ..ui.console import emit_json, out

    with ProgressBar() as bar:
        r = fsck(workspace(), remote=a.remote, quick=a.quick, repair=a.repair, progress=bar)
    if a.json:
        emit_json(r.to_json())
        return 0 if r.clean else 1
    for line in r.repaired:
        out(f"repaired: {line}")
    for p in r.problems:
        out(f"{p.kind}: {p.message}; repair: {p.repair}")
    where = f"data remote '{r.remote}'" if r.remote else "the local store"
    how = "sizes" if r.quick else "hashes"
    summary = (f"{r.snapshots} snapshot(s), {r.objects} content object(s); {r.verified} in {where} "
               f"checked ({how})")
    if r.elsewhere:
        summary += f", {r.elsewhere} only on the data remote (check them with --remote NAME)"
    out(f"{summary}: {'clean' if r.clean else f'{len(r.problems)} problem(s)'}")
    return 0 if r.clean else 1


def cmd_gc(a: argparse.Namespace) -> int:
    from ..ops.gc import DEFAULT_GRACE_HOURS, gc
    from ..ui.console import emit_json, out

    grace = DEFAULT_GRACE_HOURS if a.grace is None else a.grace
    r = gc(workspace(), dry_run=a.dry_run, grace_hours=grace, remote=a.remote)
    if a.json:
        from dataclasses import asdict

        emit_json(asdict(r))
        return 0
    verb = "Would free" if r.dry_run else "Freed"
    extra = []
    if r.repacked:
        extra.append(f"{r.repacked} pack(s) {'to rewrite' if r.dry_run else 'rewritten'}")
    if r.temps:
        extra.append(f"{r.temps} temporary file(s) of killed commands")
    detail = f" ({', '.join(extra)})" if extra else ""
    out(f"{verb} {r.objects} object(s), {_size(r.bytes)}{detail}; "
        f"kept {r.kept} object(s) that {r.snapshots} snapshot(s) need.")
    if r.young:
        out(f"Kept {r.young} unreferenced object(s) newer than the grace period ({grace:g} h).")
    if r.remote:
        out(f"Data remote '{r.remote}': {verb.lower()} {r.remote_objects} object(s), {_size(r.remote_bytes)}.")
    return 0
