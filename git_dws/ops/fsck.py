"""`git dws fsck`: is everything git-dws recorded whole, and what exactly repairs what is not.

Checked: every wanted snapshot (see `reachable`: snapshot databases, tags, notes) has readable content
and well-formed manifests; every content object they reference is in the local store (or, with
`remote=`, on the data remote) and matches its BLAKE3 hash (`quick`: presence and size only); tags,
notes and the snapshot database agree; no killed command left a ref journal, a git lock file,
temporary files in the store or a commit without its snapshot. Each problem is one line with the
command that repairs it. `repair=True` does the store repairs itself: it removes damaged objects,
fetches missing ones from the data remote and removes temporary files.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from typing import Any

from ..errors import BadManifest, DwsError
from ..model.snapshot import SnapshotMeta, note_lines
from ..progress import NULL, Progress
from ..resources import registry
from ..store import casgc, refjournal
from ..workspace import MANIFESTS_REF, NOTES_REF, Workspace
from .reachable import CONTENT_TYPES, tag_snapshots, walk_listing, wanted
from .unrecorded import unrecorded_commit

REPAIR = "git dws fsck --repair"


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str  # stable identifiers, see the man page
    message: str
    repair: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "message": self.message, "repair": self.repair}


@dataclass(frozen=True, slots=True)
class FsckResult:
    problems: list[Problem]
    snapshots: int
    objects: int  # content objects referenced
    verified: int  # objects whose hash (or size, quick) was checked
    elsewhere: int  # referenced objects not in the local store that a data remote is expected to hold
    remote: str | None
    quick: bool
    repaired: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"clean": self.clean, "snapshots": self.snapshots, "objects": self.objects,
                "verified": self.verified, "not_local": self.elsewhere, "remote": self.remote,
                "quick": self.quick, "repaired": self.repaired,
                "problems": [p.to_json() for p in self.problems]}


def fsck(ws: Workspace, *, remote: str | None = None, quick: bool = False, repair: bool = False,
         progress: Progress = NULL) -> FsckResult:
    with ws.lock():
        repaired: list[str] = []
        if refjournal.pending(ws.repo.common_dir) is not None:  # Workspace.open found the lock busy
            ws.repo.recover_refs()
            repaired.append("finished a ref transaction a killed command had left")
        if repair:
            repaired = _repair(ws, remote, progress)
        problems: list[Problem] = []
        problems += leftovers(ws)
        w = wanted(ws)
        for sid, why in sorted(w.damaged.items()):
            problems.append(Problem("snapshot-damaged", f"snapshot {sid[:12]} cannot be read: {why}",
                                    f"git dws delete-snapshot {sid}"))
        for sid, names in sorted(w.lost.items()):
            for name in sorted(names):
                if name.startswith("refs/tags/"):
                    problems.append(Problem("tag-dangling", f"tag {name[10:]} names snapshot {sid[:12]}, "
                                            "which no snapshot database holds", f"git tag -d {name[10:]}"))
                elif f"({NOTES_REF})" in name:
                    commit = name.split()[3]
                    problems.append(Problem("note-dangling", f"{name} names snapshot {sid[:12]}, which no "
                                            "snapshot database holds", f"git notes --ref=dws edit {commit} "
                                            f"(remove the line 'snapshot {sid}')"))
        problems += _consistency(ws)
        digests, where, bad = _manifests(ws, w.snapshots)
        problems += bad
        if remote is None:
            found, verified, elsewhere = _check_local(ws, digests, where, quick)
        else:
            found, verified = _check_remote(ws, remote, digests, where, quick, progress)
            elsewhere = 0
        problems += found
        return FsckResult(problems, len(w.snapshots), len(digests), verified, elsewhere, remote, quick, repaired)


# -- what killed commands leave behind -----------------------------------------------------------------
def leftovers(ws: Workspace) -> list[Problem]:
    out = []
    repo = ws.repo
    if refjournal.pending(repo.common_dir) is not None:
        out.append(Problem("ref-journal", "a killed command left a ref transaction unfinished",
                           "git dws status (any git-dws command finishes it when no other one runs)"))
    for base, names in ((repo.common_dir, ("packed-refs.lock", "HEAD.lock", "config.lock")),
                        (repo.git_dir, ("index.lock", "HEAD.lock"))):
        for n in names:
            p = os.path.join(base, n)
            if os.path.exists(p):
                out.append(_lock_problem(p))
    for d, _, files in os.walk(os.path.join(repo.common_dir, "refs")):
        for n in files:
            if n.endswith(".lock"):
                out.append(_lock_problem(os.path.join(d, n)))
    temps = casgc.inventory(ws.store.root).temps
    if temps:
        out.append(Problem("store-temp", f"{len(temps)} temporary file(s) of killed commands in the content "
                           f"store (e.g. {temps[0]})", "git dws gc"))
    commit = unrecorded_commit(ws)
    if commit:
        out.append(Problem("commit-unrecorded", f"commit {commit[:12]} was made with the git-dws hooks "
                           "installed but has no snapshot (was `git commit` interrupted?)", "git dws snapshot"))
    return sorted(set(out), key=lambda p: (p.kind, p.message))


def _lock_problem(path: str) -> Problem:
    return Problem("git-lock", f"stale git lock file {path} (left by a killed git command; remove it when "
                   "no git command is running)", f"rm -f '{path}'")


# -- tags <-> notes <-> snapshot database ----------------------------------------------------------------
def _consistency(ws: Workspace) -> list[Problem]:
    repo, db = ws.repo, ws.db
    out = []
    noted: set[str] = set()
    for _, blob in repo.notes_list(NOTES_REF).items():
        noted.update(note_lines(repo.read_blob(blob)))
    tags = repo.refs("refs/tags/")
    for sid in db.ids():
        try:
            meta = db.get(sid).meta
        except (DwsError, ValueError, KeyError, TypeError) as e:
            out.append(Problem("snapshot-damaged", f"snapshot {sid[:12]}: metadata cannot be read ({e})",
                               f"git dws delete-snapshot {sid}"))
            continue
        if sid not in noted:
            out.append(Problem("note-missing", f"snapshot {sid[:12]} is not in any note of {NOTES_REF}",
                               f"git notes --ref=dws append -m 'snapshot {sid}' {meta.workspace_commit}"))
        if meta.workspace_commit and not repo.has_object(meta.workspace_commit):
            out.append(Problem("commit-missing", f"snapshot {sid[:12]} was taken on commit "
                               f"{meta.workspace_commit[:12]}, which this clone does not have",
                               "git fetch --all (the commit is on a clone that has not pushed it)"))
        for tag in meta.tags:
            oid = tags.get(f"refs/tags/{tag}")
            if oid is None:
                out.append(Problem("tag-missing", f"snapshot {sid[:12]} lists tag {tag}, which does not exist",
                                   f"git tag -a {tag} {meta.workspace_commit} -m 'git-dws snapshot' "
                                   f"-m 'Dws-Snapshot: {sid}'"))
            elif sid not in tag_snapshots(ws, oid, [NOTES_REF]):
                out.append(Problem("tag-mismatch", f"snapshot {sid[:12]} lists tag {tag}, but the tag names "
                                   "another snapshot", f"git dws snapshot {tag} (in the state you want it "
                                   "to name), or git dws delete-snapshot the stale one"))
    return out


# -- manifests -----------------------------------------------------------------------------------------
def _manifests(ws: Workspace, snapshots: dict[str, Any]) -> tuple[dict[str, int], dict[str, str], list[Problem]]:
    """digest -> size of the content objects to check, digest -> where it is used (for messages), and
    the manifest problems found on the way."""
    repo = ws.repo
    stored = {s.name: bool(getattr(registry.load(ws, s), "stores_content", True)) for s in ws.config.resources}
    digests: dict[str, int] = {}
    where: dict[str, str] = {}
    bad: list[Problem] = []
    seen: set[str] = set()
    for sid, content in sorted(snapshots.items()):
        entry = repo.tree_path(repo.ref(MANIFESTS_REF) or "", f"snapshots/{sid}") if repo.ref(MANIFESTS_REF) else None
        if entry is not None:
            meta = repo.tree_path(entry.id, "SNAPSHOT")
            try:
                assert meta is not None
                SnapshotMeta.from_bytes(repo.read_blob(meta.id))
            except (AssertionError, ValueError, KeyError, TypeError):
                bad.append(Problem("snapshot-damaged", f"snapshot {sid[:12]}: its SNAPSHOT metadata cannot be "
                                   "read", f"git dws delete-snapshot {sid}"))
        for r in content.resources:
            if not repo.has_object(r.tree):
                if r.type in CONTENT_TYPES or r.type == "git-subdirectory":
                    bad.append(Problem("manifest-missing", f"snapshot {sid[:12]} resource {r.name}: manifest "
                                       f"{r.tree[:12]} is not in this repository", "git dws pull"))
                continue
            if r.type not in CONTENT_TYPES:
                continue
            errors: list[str] = []

            def err(path: str, exc: Exception, errors: list[str] = errors) -> None:
                why = exc.why if isinstance(exc, BadManifest) else str(exc)
                errors.append(f"{path}: {why}")

            for fe in walk_listing(ws, r.tree, err, "", seen):
                if fe.digest and not fe.is_link and stored.get(r.name, True):
                    digests.setdefault(fe.digest, fe.size)
                    where.setdefault(fe.digest, f"snapshot {sid[:12]} {r.name}/{fe.path}")
            for e in errors[:3]:
                bad.append(Problem("manifest-bad", f"snapshot {sid[:12]} resource {r.name}: {e}",
                                   f"git dws delete-snapshot {sid}"))
    return digests, where, bad


# -- content ---------------------------------------------------------------------------------------------
def _check_local(ws: Workspace, digests: dict[str, int], where: dict[str, str],
                 quick: bool) -> tuple[list[Problem], int, int]:
    inv = casgc.inventory(ws.store.root)
    have = inv.sizes()
    out = [Problem("store-pack-damaged", f"content store pack {p.pack}: {p.damaged}", REPAIR)
           for p in inv.packs if p.damaged]
    missing = sorted(d for d in digests if d not in have)
    wrong = sorted(d for d in digests if d in have and have[d] != digests[d])
    for d in wrong:
        out.append(Problem("object-damaged", f"object {d[:12]} ({where[d]}) has size {have[d]}, the manifest "
                           f"says {digests[d]}", REPAIR))
    check = {d for d in digests if d in have and d not in wrong}
    for d, why in casgc.verify(inv, check, quick):
        out.append(Problem("object-damaged", f"object {d[:12]} ({where[d]}): {why}", REPAIR))
    elsewhere = 0
    if missing:
        if ws.config.remotes:
            elsewhere = len(missing)  # fetched on demand (restore, pull); `fsck --remote` checks them there
        else:
            out.append(Problem("object-missing", f"{len(missing)} object(s) are in no store and no data remote "
                               f"is configured (e.g. {missing[0][:12]}, {where[missing[0]]})",
                               "git dws remote add NAME URL (where they were pushed), then git dws fsck --repair"))
    return out, len(check), elsewhere


def _check_remote(ws: Workspace, name: str, digests: dict[str, int], where: dict[str, str], quick: bool,
                  progress: Progress) -> tuple[list[Problem], int]:
    from ..store.cas import ContentStore
    from ..store.remotes.transfer import CorruptObjects, fetch_objects
    from .remote import backend, choose

    chosen = choose(ws, name)
    assert chosen is not None
    be = backend(ws, chosen)
    present = _remote_sizes(be)
    out = []
    missing = sorted(d for d in digests if d not in present)
    wrong = sorted(d for d in digests if d in present and present[d] != digests[d])
    if missing:
        local = [d for d in missing if ws.store.has(d)]
        fix = f"git dws push --data-remote {chosen.name}" if local else \
            "push from the clone that took the snapshot (git dws push)"
        out.append(Problem("remote-missing", f"{len(missing)} object(s) are not on data remote '{chosen.name}' "
                           f"(e.g. {missing[0][:12]}, {where[missing[0]]}); {len(local)} of them are here", fix))
    for d in wrong:
        out.append(Problem("remote-damaged", f"object {d[:12]} on data remote '{chosen.name}' has size "
                           f"{present[d]}, the manifest says {digests[d]} ({where[d]})",
                           f"git dws push --data-remote {chosen.name}"))
    check = sorted(d for d in digests if d in present and d not in wrong)
    if quick or not check:
        return out, len(check)
    # Download into a scratch store through the ordinary fetch, which verifies every object's hash.
    for i in range(0, len(check), 256):  # bounded disk use
        chunk = check[i:i + 256]
        with tempfile.TemporaryDirectory(prefix=".tmp-fsck-", dir=_tmp_base(ws)) as tmp:
            try:
                fetch_objects(ContentStore(tmp), be, {d: digests[d] for d in chunk}, progress)
            except CorruptObjects as e:
                for d in sorted(e.bad):
                    out.append(Problem("remote-damaged", f"object {d[:12]} on data remote '{chosen.name}' "
                                       f"does not match its hash ({where.get(d, '?')})",
                                       f"delete objects/{d[:2]}/{d[2:]} on the remote, then "
                                       f"git dws push --data-remote {chosen.name}"))
    return out, len(check)


def _remote_sizes(be: Any) -> dict[str, int]:
    """digest -> size of what a data remote holds (the per-object listing, or the catalog of the packed
    remote format)."""
    present = getattr(be, "present", None)
    if present is not None:
        return dict(present())
    from ..store.remotes import catalog  # type: ignore[attr-defined,unused-ignore]

    return dict(catalog.read_catalog(be).sizes())


def _tmp_base(ws: Workspace) -> str:
    os.makedirs(ws.store.root, exist_ok=True)
    return ws.store.root


# -- repairs ---------------------------------------------------------------------------------------------
def _repair(ws: Workspace, remote: str | None, progress: Progress) -> list[str]:
    """Remove damaged and temporary objects, then fetch what is missing from the data remote."""
    done = []
    inv = casgc.inventory(ws.store.root)
    for tmp in inv.temps:
        casgc.remove_temp(tmp)
    if inv.temps:
        done.append(f"removed {len(inv.temps)} temporary file(s)")
    w = wanted(ws)
    digests, _, _ = _manifests(ws, w.snapshots)
    have = inv.sizes()
    check = {d for d in digests if d in have}
    bad = {d for d in check if have[d] != digests[d]} | {d for d, _ in casgc.verify(inv, check, quick=False)}
    for d in sorted(bad):
        if d in inv.loose:
            casgc.remove_loose(inv.loose[d])
    for pack in inv.packs:
        if pack.damaged and not pack.entries:
            casgc.remove_temp(pack.idx)  # unreadable index: its pack is unreachable anyway
            casgc.remove_temp(pack.pack)
        elif pack.damaged or bad & set(pack.entries):
            readable = _readable(pack)
            casgc.repack(pack, (set(pack.entries) & readable) - bad)
    if bad:
        done.append(f"removed {len(bad)} damaged object(s)")
    ws.__dict__.pop("store", None)  # its cached pack index is stale now
    missing = {d: s for d, s in digests.items() if not ws.store.has(d)}
    if missing and ws.config.remotes:
        from .remote import fetch_content

        n = fetch_content(ws, missing, remote=remote, progress=progress)
        done.append(f"fetched {n} object(s) from the data remote")
    return done


def _readable(pack: casgc.Pack) -> set[str]:
    """Objects of a pack whose bytes are there and hash right (a truncated pack keeps its head)."""
    from ..store.cas import hash_bytes

    out = set()
    try:
        with open(pack.pack, "rb") as f:
            for d, (off, size) in pack.entries.items():
                if hash_bytes(os.pread(f.fileno(), size, off)) == d:
                    out.add(d)
    except OSError:
        pass
    return out
