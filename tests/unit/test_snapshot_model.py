"""Snapshot content ids: canonical bytes, stable ids (same content -> same id), metadata round trips."""

from __future__ import annotations

import hashlib
import json
import subprocess

from git_dws.model.snapshot import (
    FORMAT,
    ResourceState,
    SnapshotContent,
    SnapshotInfo,
    SnapshotMeta,
    canonical_json,
    git_blob_id,
    note_bytes,
    note_lines,
)

T1 = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
T2 = "5ebd6b830c0fbd08765a78dd2a1dcd6b24646b55"

RES = (
    ResourceState("code", "git-subdirectory", "code", T1),
    ResourceState("data", "local-files", "source-data", T2),
    ResourceState("results-2", "git-subdirectory", "results", T1),
)


def test_id_is_the_git_blob_id_of_the_content_bytes(tmp_path: object) -> None:
    content = SnapshotContent(RES)
    data = content.to_bytes()
    assert content.id == hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    oracle = subprocess.run(["git", "hash-object", "--stdin"], input=data, capture_output=True, check=True)
    assert content.id == oracle.stdout.decode().strip()


def test_id_does_not_depend_on_resource_order() -> None:
    a = SnapshotContent(RES)
    b = SnapshotContent(tuple(reversed(RES)))
    assert a.to_bytes() == b.to_bytes()
    assert a.id == b.id


def test_id_changes_with_any_content_field() -> None:
    base = SnapshotContent(RES).id
    variants = [
        (ResourceState("code2", "git-subdirectory", "code", T1), *RES[1:]),
        (ResourceState("code", "local-files", "code", T1), *RES[1:]),
        (ResourceState("code", "git-subdirectory", "source-data", T1), *RES[1:]),
        (ResourceState("code", "git-subdirectory", "code", T2), *RES[1:]),
        RES[1:],
    ]
    ids = {SnapshotContent(v).id for v in variants}
    assert base not in ids and len(ids) == len(variants)


def test_content_bytes_are_canonical_json_with_format_version() -> None:
    data = SnapshotContent(RES).to_bytes()
    assert data.endswith(b"\n") and data.count(b"\n") == 1
    obj = json.loads(data)
    assert obj["format"] == FORMAT == 1
    assert [r["name"] for r in obj["resources"]] == ["code", "data", "results-2"]
    assert data == canonical_json(obj)
    assert b"results-2" in data


def test_content_round_trip() -> None:
    content = SnapshotContent(RES)
    again = SnapshotContent.from_bytes(content.to_bytes())
    assert set(again.resources) == set(RES)
    assert again.id == content.id
    assert again.resource("data") == RES[1]
    assert again.resource("nope") is None


def test_empty_workspace_has_a_stable_id() -> None:
    assert SnapshotContent(()).id == SnapshotContent(()).id == git_blob_id(SnapshotContent(()).to_bytes())


def meta(**kw: object) -> SnapshotMeta:
    base: dict[str, object] = dict(timestamp="2026-01-02T03:04:05+00:00", hostname="h", message="msg ü\nline 2",
                                   workspace_commit="a" * 40, number=3, tags=("b", "a"),
                                   metrics={"acc": 0.5, "n": 3}, results_dir="snapshots/h-a")
    base.update(kw)
    return SnapshotMeta(**base)  # type: ignore[arg-type]


def test_meta_round_trip() -> None:
    m = meta(updated_timestamp="2026-01-03T00:00:00+00:00", extra={"future_key": [1, 2]})
    again = SnapshotMeta.from_bytes(m.to_bytes())
    assert again.timestamp == m.timestamp and again.hostname == "h" and again.message == m.message
    assert again.workspace_commit == m.workspace_commit and again.number == 3
    assert sorted(again.tags) == ["a", "b"]
    assert again.metrics == {"acc": 0.5, "n": 3}
    assert again.results_dir == "snapshots/h-a"
    assert again.updated_timestamp == m.updated_timestamp
    assert again.extra == {"future_key": [1, 2]}  # unknown keys of newer writers survive a rewrite
    assert again.to_bytes() == m.to_bytes()


def test_meta_bytes_are_canonical() -> None:
    a, b = meta(tags=("x", "y")), meta(tags=("y", "x"))
    assert a.to_bytes() == b.to_bytes()
    assert json.loads(a.to_bytes())["tags"] == ["x", "y"]


def test_meta_is_not_part_of_the_id() -> None:
    """Time, host, message and tags live in SNAPSHOT, not CONTENT: the id ignores them by construction."""
    data = SnapshotContent(RES).to_bytes()
    for word in (b"timestamp", b"hostname", b"message", b"tags"):
        assert word not in data


def test_with_tags_sorts_and_dedups() -> None:
    assert meta().with_tags(("z", "a", "z")).tags == ("a", "z")


def test_info_to_json_shape() -> None:
    info = SnapshotInfo(SnapshotContent(RES).id, SnapshotContent(RES), meta())
    obj = info.to_json()
    assert set(obj) == {"id", "number", "tags", "timestamp", "hostname", "message", "workspace_commit",
                        "metrics", "resources"}
    assert obj["resources"] == {"code": T1, "data": T2, "results-2": T1}


def test_note_lines_round_trip_sorted_and_unique() -> None:
    ids = ["b" * 40, "a" * 40, "b" * 40]
    data = note_bytes(ids)
    assert data == f"snapshot {'a' * 40}\nsnapshot {'b' * 40}\n".encode()
    assert note_lines(data) == ["a" * 40, "b" * 40]


def test_note_lines_ignore_foreign_lines() -> None:
    data = b"hello world\nsnapshot " + b"c" * 40 + b"\nsnapshot\n\nsnapshot a b\n"
    assert note_lines(data) == ["c" * 40]


def test_notes_merged_by_cat_sort_uniq_stay_valid() -> None:
    """Two clones' notes concatenated, sorted and de-duplicated (git's cat_sort_uniq) parse as the union."""
    a, b = note_bytes(["a" * 40, "c" * 40]), note_bytes(["b" * 40, "c" * 40])
    merged = b"".join(sorted(set((a + b).splitlines(keepends=True))))
    assert note_lines(merged) == ["a" * 40, "b" * 40, "c" * 40]
