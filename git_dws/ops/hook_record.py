"""The commit hooks' snapshot writer: the same objects and refs as `ops.snapshot.take_snapshot(...,
for_commit=True)` and `store.snapdb`, written through `store.lite` with the standard library only.

Why a second writer: the post-commit hook must record a note on every commit, and importing the regular
code path (pygit2, dataclasses, the resource registry) takes longer than the hook's whole budget. This
module mirrors the layout of docs/FORMAT.md; whenever it meets something it does not know (a newer
manifest format, an unknown root entry) it answers None and the caller takes the regular path instead.
tests/hooks/test_record.py checks that both writers give byte-identical manifests, notes and tags.
"""

from __future__ import annotations

import os
import time

from ..model.notes import note_bytes, note_lines
from ..store.lite import (
    EMPTY_TREE,
    MODE_BLOB,
    MODE_TREE,
    Entry,
    LiteGit,
    commit_bytes,
    encode_tree,
    object_id,
    tag_bytes,
)
from .hook_context import GIT_HELD

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

# Mirrors of workspace.MANIFESTS_REF / NOTES_REF, store.snapdb.FORMAT_BLOB and model.snapshot.FORMAT
# (importing those modules is what this one exists to avoid; the tests check they agree).
MANIFESTS_REF = "refs/dws/manifests"
NOTES_REF = "refs/notes/dws"
FORMAT_BLOB = b"git-dws manifests 1\n"
FORMAT = 1
LINEAGE_FORMAT = 1  # lineage.model.FORMAT
_ROOT_NAMES = {"FORMAT", "NUMBER", "snapshots"}
_META_KNOWN = {"format", "timestamp", "hostname", "message", "workspace_commit", "number", "tags",
               "metrics", "results_dir", "updated_timestamp"}

State = tuple[str, str, str, str, int]  # resource name, type, role, manifest tree, its mode in the tree


# -- JSON, without importing json (it costs more than this hook's work) ----------------------------------
_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\b"): "\\b", ord("\f"): "\\f", ord("\n"): "\\n",
            ord("\r"): "\\r", ord("\t"): "\\t"}
_ESCAPES.update({i: f"\\u{i:04x}" for i in range(0x20) if i not in _ESCAPES})


def _dump(obj: object, out: list[str]) -> None:
    """json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False), piece by piece."""
    if isinstance(obj, str):
        out.append('"' + obj.translate(_ESCAPES) + '"')
    elif obj is None or isinstance(obj, bool):
        out.append("null" if obj is None else "true" if obj else "false")
    elif isinstance(obj, int):
        out.append(int.__repr__(obj))
    elif isinstance(obj, float):
        out.append("NaN" if obj != obj else "Infinity" if obj == float("inf") else
                   "-Infinity" if obj == -float("inf") else float.__repr__(obj))
    elif isinstance(obj, dict):
        out.append("{")
        for i, key in enumerate(sorted(obj)):
            if not isinstance(key, str):
                raise TypeError(f"keys must be str, not {type(key).__name__}")
            out.append("," if i else "")
            _dump(key, out)
            out.append(":")
            _dump(obj[key], out)
        out.append("}")
    elif isinstance(obj, list | tuple):
        out.append("[")
        for i, item in enumerate(obj):
            out.append("," if i else "")
            _dump(item, out)
        out.append("]")
    else:
        raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def canonical_json(obj: object) -> bytes:
    """model.snapshot.canonical_json."""
    out: list[str] = []
    _dump(obj, out)
    return ("".join(out) + "\n").encode()


class _Decoding:  # what CPython's C scanner reads from json.JSONDecoder
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}.__getitem__


def loads(data: bytes | str) -> Any:
    """json.loads, through the C scanner json itself uses when the interpreter has it."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    try:
        from _json import make_scanner
    except ImportError:  # pragma: no cover - an interpreter without the accelerator
        import json

        return json.loads(text)
    ws = " \t\n\r"
    start = len(text) - len(text.lstrip(ws))
    try:
        obj, end = make_scanner(_Decoding)(text, start)  # type: ignore[arg-type]
    except StopIteration as e:
        raise ValueError(f"Expecting value at {e.value}") from None
    if text[end:].strip(ws):
        raise ValueError(f"Extra data at {end}")
    return obj


def content_bytes(states: list[State]) -> bytes:
    return canonical_json({"format": FORMAT, "resources": [
        {"name": n, "role": r, "tree": t, "type": k} for n, k, r, t, _ in sorted(states, key=lambda s: s[0])
    ]})


def parse_meta(data: bytes) -> dict[str, Any]:
    """SNAPSHOT bytes -> the fields of model.snapshot.SnapshotMeta (unknown keys kept under 'extra')."""
    obj = loads(data)
    return {
        "timestamp": obj["timestamp"], "hostname": obj["hostname"], "message": obj.get("message", ""),
        "workspace_commit": obj.get("workspace_commit", ""), "number": int(obj.get("number", 0)),
        "tags": list(obj.get("tags", ())), "metrics": obj.get("metrics"), "results_dir": obj.get("results_dir"),
        "updated_timestamp": obj.get("updated_timestamp"),
        "extra": {k: v for k, v in obj.items() if k not in _META_KNOWN},
    }


def meta_bytes(m: dict[str, Any]) -> bytes:
    obj: dict[str, Any] = {
        "format": FORMAT, "timestamp": m["timestamp"], "hostname": m["hostname"], "message": m["message"],
        "workspace_commit": m["workspace_commit"], "number": m["number"], "tags": sorted(m["tags"]),
        "metrics": m["metrics"], "results_dir": m["results_dir"],
    }
    if m.get("updated_timestamp"):
        obj["updated_timestamp"] = m["updated_timestamp"]
    obj.update(m.get("extra") or {})
    return canonical_json(obj)


def now_iso(when: float | None = None) -> str:
    """datetime.now().astimezone().isoformat(timespec="seconds"), without importing datetime."""
    t = time.localtime(when)
    off = t.tm_gmtoff or 0
    sign = "-" if off < 0 else "+"
    off = abs(off)
    return f"{time.strftime('%Y-%m-%dT%H:%M:%S', t)}{sign}{off // 3600:02d}:{off % 3600 // 60:02d}"


def empty_lineage(git: LiteGit, names: list[str]) -> str:
    """`snapshots/<id>/lineage/` as lineage.freeze.Freeze.tree writes it when there is no current
    lineage: one `<resource>.json` per resource, with no records. (The caller makes sure there is none.)"""
    entries = [(f"{n}.json", git.write("blob", canonical_json(
        {"format": LINEAGE_FORMAT, "resource_name": n, "lineages": []})), MODE_BLOB) for n in names]
    return git.write("tree", encode_tree(entries))


class Recorded:
    """What `record` did: snapshot id and number, whether it is new content, whether the commit had it
    already (nothing written), and the tag it made."""

    __slots__ = ("already", "id", "new", "number", "tag")

    def __init__(self, sid: str, number: int, new: bool, already: bool, tag: str | None) -> None:
        self.id, self.number, self.new, self.already, self.tag = sid, number, new, already, tag


class Manifests:
    """The tip of refs/dws/manifests as the hooks need it, or None (`ok` False) when it looks unfamiliar."""

    def __init__(self, git: LiteGit) -> None:
        self.git = git
        self.tip = git.oid(MANIFESTS_REF)
        self.root: dict[str, Entry] = {}
        self.snaps: dict[str, Entry] = {}
        self.ok = True
        self._next: int | None = None
        if self.tip:
            self.root = git.tree(git.commit_tree(self.tip) or "") or {}
            fmt = self.root.get("FORMAT")
            if set(self.root) - _ROOT_NAMES or (fmt is not None and fmt[1] != object_id("blob", FORMAT_BLOB)):
                self.ok = False
                return
            snaps, number = self.root.get("snapshots"), self.root.get("NUMBER")
            git.prefetch([e[1] for e in (snaps, number) if e is not None])
            self.snaps = dict(git.tree(snaps[1]) or {}) if snaps else {}

    def meta(self, sid: str) -> dict[str, Any] | None:
        if sid not in self.snaps:
            return None
        self.git.prefetch([self.snaps[sid][1], f"{self.snaps[sid][1]}:SNAPSHOT"])  # with_meta reads both
        got = self.git.read(f"{self.snaps[sid][1]}:SNAPSHOT")
        return parse_meta(got[2]) if got else None

    def next_number(self) -> int:
        """As SnapshotDB.next_number: NUMBER at the tip, else the highest number of a live snapshot."""
        if self._next is None:
            number = self.root.get("NUMBER")
            got = self.git.read(number[1]) if number is not None else None
            if got:
                self._next = int(got[2]) + 1
            else:
                metas = self.git.read_many([f"{e[1]}:SNAPSHOT" for e in self.snaps.values()])
                self._next = max((int(loads(m[2]).get("number", 0)) for m in metas if m), default=0) + 1
        return self._next

    def commit(self, snaps: dict[str, Entry], number: int, message: str, who: str) -> str:
        """A manifest commit holding `snaps`, as SnapshotDB.write (objects only)."""
        git = self.git
        root = [
            ("FORMAT", git.write("blob", FORMAT_BLOB), MODE_BLOB),
            ("NUMBER", git.write("blob", b"%d\n" % number), MODE_BLOB),
            ("snapshots", git.write("tree", encode_tree(snaps.values())), MODE_TREE),
        ]
        tree = git.write("tree", encode_tree(root))
        return git.write("commit", commit_bytes(tree, [self.tip] if self.tip else [], message, who))

    def with_meta(self, snaps: dict[str, Entry], sid: str, meta: dict[str, Any]) -> None:
        files = dict(self.git.tree(snaps[sid][1]) or {})
        files["SNAPSHOT"] = ("SNAPSHOT", self.git.write("blob", meta_bytes(meta)), MODE_BLOB)
        snaps[sid] = (sid, self.git.write("tree", encode_tree(files.values())), MODE_TREE)


def record(git: LiteGit, *, head: str, states: list[State], message: str,
           tag_for: Callable[[int], str | None] | None, hostname: str, metrics: dict[str, Any] | None,
           who: str, state_dir: str) -> Recorded | None:
    """Record the snapshot of commit `head` (take_snapshot's for_commit mode), tagged `tag_for(number)`
    (a tag that does not exist yet). Returns None when the regular path must do it. The caller holds
    the workspace lock."""
    db = Manifests(git)
    if not db.ok:
        return None
    content = content_bytes(states)
    sid = object_id("blob", content)
    notes_tip = git.oid(NOTES_REF)
    note = git.note(notes_tip, head)
    note_ids = note_lines(note or b"")
    now = now_iso()
    snaps = dict(db.snaps)
    old = db.meta(sid)
    # A snapshot that exists already keeps its message and tags (the user's: `git dws snapshot keep -m
    # ...`); this commit only attaches to it. Only a new snapshot gets the commit's subject and auto tag.
    tag = tag_for(db.next_number()) if tag_for and old is None else None
    tags = [tag] if tag else []
    if old is not None:
        if sid in note_ids:
            return Recorded(sid, old["number"], False, True, None)
        number = old["number"]
        meta = dict(old, workspace_commit=head, updated_timestamp=now,
                    metrics=metrics if metrics is not None else old["metrics"])
        db.with_meta(snaps, sid, meta)
        top = db.next_number() - 1
    else:
        number = db.next_number()
        top = number
        meta = {"timestamp": now, "hostname": hostname, "message": message, "workspace_commit": head,
                "number": number, "tags": tags, "metrics": metrics, "results_dir": None}
        if git.write("blob", content) != sid:
            raise AssertionError("snapshot id does not match its content")
        resources = encode_tree((n, t, mode) for n, _, _, t, mode in states)
        parts = [("CONTENT", sid, MODE_BLOB), ("SNAPSHOT", git.write("blob", meta_bytes(meta)), MODE_BLOB),
                 ("resources", git.write("tree", resources), MODE_TREE),
                 ("lineage", empty_lineage(git, [n for n, *_ in states]), MODE_TREE)]
        snaps[sid] = (sid, git.write("tree", encode_tree(parts)), MODE_TREE)
    manifest = db.commit(snaps, top, f"snapshot {sid[:12]}{f' ({tag})' if tag else ''}", who)
    notes_tree = git.notes_tree(notes_tip, {head: note_bytes([*note_ids, sid])})
    notes = git.write("commit", commit_bytes(notes_tree, [notes_tip] if notes_tip else [],
                                             f"git dws snapshot {sid[:12]}", who))
    refs: list[tuple[str, str | None, str | None]] = [(MANIFESTS_REF, manifest, db.tip),
                                                      (NOTES_REF, notes, notes_tip)]
    if tag:
        body = f"{message or 'git-dws snapshot'}\n\nDws-Snapshot: {sid}\n"
        refs.append((f"refs/tags/{tag}", git.write("tag", tag_bytes(tag, head, body, who)), None))
    git.update_refs(refs, f"git dws snapshot {sid[:12]}")
    set_current(state_dir, meta["tags"], content)
    return Recorded(sid, number, old is None, False, tag)


def set_current(state_dir: str, tags: list[str], content: bytes) -> None:
    """$GIT_DIR/dws/HEAD, as Workspace.set_current_snapshot writes it."""
    os.makedirs(state_dir, exist_ok=True)
    path = os.path.join(state_dir, "HEAD")
    with open(path + ".tmp", "wb") as f:
        f.write(" ".join(sorted(tags)).encode() + b"\n" + content)
    os.replace(path + ".tmp", path)


def rewrite_notes(git: LiteGit, pairs: list[tuple[str, str]], who: str, held: dict[str, str] | None = None,
                  state_dir: str | None = None) -> int | None:
    """After `git commit --amend` / `git rebase`: give each rewritten commit the snapshots of the commit
    it replaces, unless the post-commit hook recorded a newer one for it. A snapshot must describe the
    commit it is on, so each is re-recorded for the new commit: the resources git holds (`held`: name ->
    path) read from the new commit, every other resource's manifest kept. Where that changes nothing
    (an amended message) the snapshot itself moves: its `workspace_commit` names the new commit; else
    the new commit gets a new snapshot with the old one's message (its tags stay with the old commit,
    as git's own tags do). Notes git copied itself (notes.rewriteRef) are folded in. The current
    snapshot of this worktree (`state_dir`) follows. Returns the number of commits whose note changed,
    or None when the regular path must do it."""
    db = Manifests(git)
    if not db.ok:
        return None
    notes_tip = git.oid(NOTES_REF)
    changes: dict[str, bytes | None] = {}
    snaps = dict(db.snaps)
    renamed: dict[str, str] = {}  # old sid -> the sid describing the new commit
    number = db.next_number() - 1
    now = now_iso()
    git.prefetch([f"{new}:{path}" for _, new in pairs for path in (held or {}).values()])
    for old, new in pairs:
        old_ids = note_lines(git.note(notes_tip, old) or b"")
        if not old_ids:
            continue
        current = git.note(notes_tip, new)
        new_ids = note_lines(current or b"")
        fresh = [i for i in new_ids if i not in old_ids]  # recorded by post-commit for the new commit
        if not fresh:
            for sid in old_ids:
                got = _rerecord(git, db, snaps, sid, (old, new), held or {}, number + 1, now)
                if got is None:
                    return None
                renamed[sid], made = got
                number += made
        want = note_bytes(fresh or list(dict.fromkeys(renamed.get(i, i) for i in old_ids)))
        if want != current:
            changes[new] = want
    refs: list[tuple[str, str | None, str | None]] = []
    if snaps != db.snaps:
        refs.append((MANIFESTS_REF, db.commit(snaps, number, "rewritten commits", who), db.tip))
    if changes:
        tree = git.notes_tree(notes_tip, changes)
        refs.append((NOTES_REF, git.write("commit", commit_bytes(
            tree, [notes_tip] if notes_tip else [], f"git dws: notes of {len(changes)} rewritten commit(s)",
            who)), notes_tip))
    if refs:
        git.update_refs(refs, "git dws post-rewrite")
    if state_dir and renamed:
        _follow_current(git, db, snaps, state_dir, renamed)
    return len(changes)


def _rerecord(git: LiteGit, db: Manifests, snaps: dict[str, Entry], sid: str, pair: tuple[str, str],
              held: dict[str, str], number: int, now: str) -> tuple[str, int] | None:
    """The snapshot `sid` of commit `pair[0]` as it describes its rewrite `pair[1]`: (its id, 1 if a new
    snapshot was added to `snaps` with `number`, else 0). None: a layout the regular path must handle."""
    old, commit = pair
    meta = db.meta(sid)
    parts = git.tree(snaps[sid][1]) if sid in snaps else None
    if meta is None or parts is None or "CONTENT" not in parts or "resources" not in parts:
        return (sid, 0) if meta is None else None  # not in the database (pruned): keep the note as it is
    got = git.read(parts["CONTENT"][1])
    listed = loads(got[2]) if got else None
    modes = git.tree(parts["resources"][1]) or {}
    if not isinstance(listed, dict) or listed.get("format") != FORMAT:
        return None
    states: list[State] = []
    for r in listed.get("resources") or []:
        name, kind, tree = str(r["name"]), str(r["type"]), str(r["tree"])
        if name in held and kind in GIT_HELD:
            hit = git.read(f"{commit}:{held[name]}")
            tree = hit[0] if hit and hit[1] == "tree" else EMPTY_TREE
        states.append((name, kind, str(r["role"]), tree, modes[name][2] if name in modes else MODE_TREE))
    content = content_bytes(states)
    new_sid = object_id("blob", content)
    if new_sid == sid or new_sid in snaps:  # the same state: that snapshot now (also) names this commit
        other = meta if new_sid == sid else db.meta(new_sid)
        if other is not None and other["workspace_commit"] != commit and \
                (new_sid != sid or other["workspace_commit"] == old):
            db.with_meta(snaps, new_sid, dict(other, workspace_commit=commit, updated_timestamp=now))
        return new_sid, 0
    if git.write("blob", content) != new_sid:
        raise AssertionError("snapshot id does not match its content")
    fresh = dict(meta, timestamp=now, workspace_commit=commit, number=number, tags=[], updated_timestamp=None)
    resources = encode_tree((n, t, mode) for n, _, _, t, mode in states)
    entries = dict(parts)
    entries["CONTENT"] = ("CONTENT", new_sid, MODE_BLOB)
    entries["SNAPSHOT"] = ("SNAPSHOT", git.write("blob", meta_bytes(fresh)), MODE_BLOB)
    entries["resources"] = ("resources", git.write("tree", resources), MODE_TREE)
    snaps[new_sid] = (new_sid, git.write("tree", encode_tree(entries.values())), MODE_TREE)
    return new_sid, 1


def _follow_current(git: LiteGit, db: Manifests, snaps: dict[str, Entry], state_dir: str,
                    renamed: dict[str, str]) -> None:
    """The worktree's current snapshot was re-recorded for a rewritten commit: the new one is current."""
    try:
        with open(os.path.join(state_dir, "HEAD"), "rb") as f:
            _, _, content = f.read().partition(b"\n")
    except OSError:
        return
    now = renamed.get(object_id("blob", content))
    if now is None or now == object_id("blob", content):
        return
    got = git.read(f"{snaps[now][1]}:CONTENT") if now in snaps else None
    meta = git.read(f"{snaps[now][1]}:SNAPSHOT") if now in snaps else None
    if got and meta:
        set_current(state_dir, list(parse_meta(meta[2])["tags"]), got[2])
