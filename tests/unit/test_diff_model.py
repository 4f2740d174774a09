"""File-level comparison of two manifests."""

from __future__ import annotations

from git_dws.model.diff import Changes, compare
from git_dws.model.manifest import MODE_EXEC, MODE_FILE, MODE_LINK, FileEntry


def fe(path: str, digest: str = "d1", mode: int = MODE_FILE, size: int = 1, target: str = "") -> FileEntry:
    return FileEntry(path, mode, digest, size, target)


def as_map(*entries: FileEntry) -> dict[str, FileEntry]:
    return {e.path: e for e in entries}


def test_compare_identical_is_clean() -> None:
    m = as_map(fe("a"), fe("b/c"))
    ch = compare(m, dict(m))
    assert ch.clean and ch.summary() == "unchanged"
    assert ch.to_json() == {"added": [], "modified": [], "deleted": []}


def test_compare_added_modified_deleted_sorted() -> None:
    old = as_map(fe("z"), fe("keep"), fe("gone2"), fe("gone1"), fe("mod", "x"))
    new = as_map(fe("keep"), fe("mod", "y"), fe("new b"), fe("new a"), fe("z"))
    ch = compare(old, new)
    assert ch.added == ["new a", "new b"]
    assert ch.modified == ["mod"]
    assert ch.deleted == ["gone1", "gone2"]
    assert not ch.clean
    assert ch.summary() == "2 added, 1 modified, 2 deleted"


def test_mode_size_and_link_target_changes_are_modifications() -> None:
    old = as_map(fe("exec"), fe("size"), fe("link", "", MODE_LINK, 0, "a"), fe("kind"))
    new = as_map(fe("exec", mode=MODE_EXEC), fe("size", size=2), fe("link", "", MODE_LINK, 0, "b"),
                 fe("kind", "", MODE_LINK, 0, "d1"))
    assert compare(old, new).modified == ["exec", "kind", "link", "size"]


def test_summary_omits_empty_parts() -> None:
    assert Changes(added=["a"]).summary() == "1 added"
    assert Changes(deleted=["a", "b"]).summary() == "2 deleted"
    assert Changes(modified=["a"], deleted=["b"]).summary() == "1 modified, 1 deleted"


def test_compare_from_nothing_adds_everything() -> None:
    new = as_map(fe("a"), fe("b"))
    assert compare({}, new) == Changes(["a", "b"], [], [])
    assert compare(new, {}) == Changes([], [], ["a", "b"])
