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
    assert ch.to_json() == {"added": [], "modified": [], "deleted": [], "renamed": []}


def test_compare_added_modified_deleted_sorted() -> None:
    old = as_map(fe("z"), fe("keep"), fe("gone2", "g2"), fe("gone1", "g1"), fe("mod", "x"))
    new = as_map(fe("keep"), fe("mod", "y"), fe("new b", "nb"), fe("new a", "na"), fe("z"))
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


def test_same_content_at_a_new_path_is_a_rename() -> None:
    """As dvc diff: a deleted and an added path with the same hash (and size and mode) are a rename;
    added/deleted stay complete (restore writes and removes them), the listings show the rename once."""
    empty = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
    old = as_map(fe("a", "h1"), fe("b", "h1"), fe("x", "h2"), fe("e1", empty, size=0), fe("exe", "h3"))
    new = as_map(fe("d/a", "h1"), fe("c", "h1"), fe("y", "h2", size=5), fe("e2", empty, size=0),
                 fe("exe2", "h3", MODE_EXEC))
    ch = compare(old, new)
    assert ch.renamed == [("a", "c"), ("b", "d/a")]  # several of one content: paired in path order
    assert ch.added == ["c", "d/a", "e2", "exe2", "y"] and ch.deleted == ["a", "b", "e1", "exe", "x"]
    assert ch.only_added == ["e2", "exe2", "y"] and ch.only_deleted == ["e1", "exe", "x"]  # size, empty, mode
    assert ch.summary() == "3 added, 3 deleted, 2 renamed"
    assert ch.to_json()["renamed"] == [{"old": "a", "new": "c"}, {"old": "b", "new": "d/a"}]
    assert ("R", "a", "c") in ch.listing() and ("A", "c", None) not in ch.listing()
