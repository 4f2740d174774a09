"""The per-directory manifest listing (`.dws-files`): canonical bytes and an exact round trip."""

from __future__ import annotations

import json
import random

import pytest

from git_dws.errors import BadManifest
from git_dws.model.manifest import (
    LISTING,
    MODE_EXEC,
    MODE_FILE,
    MODE_LINK,
    FileEntry,
    decode_listing,
    dir_to_tree_name,
    encode_listing,
    tree_name_to_dir,
)

B3 = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"  # blake3(b"")

ODD_NAMES = ["plain.txt", "with space", "ünïcødé-日本", "new\nline", "tab\tname", 'quote"d', "back\\slash",
             ".hidden", LISTING, ".dws-dir-x", "emoji-🎉", "\udcff\udcfe-not-utf8", "-dash", "#hash", "*star?",
             "control\x01\x7f"]


def entries() -> list[FileEntry]:
    out = []
    for i, name in enumerate(ODD_NAMES):
        if i % 5 == 4:
            out.append(FileEntry(name, MODE_LINK, "", 0, f"../target {i}/ü\n"))
        else:
            out.append(FileEntry(name, MODE_EXEC if i % 3 == 0 else MODE_FILE, B3[i:] + B3[:i], i * 1000))
    return out


def test_round_trip_preserves_every_field() -> None:
    es = entries()
    decoded = decode_listing(encode_listing(es), "")
    assert sorted(decoded, key=lambda e: e.path) == sorted(es, key=lambda e: e.path)


def test_round_trip_with_prefix() -> None:
    es = entries()
    decoded = {e.path: e for e in decode_listing(encode_listing(es), "sub dir/ü/")}
    assert set(decoded) == {"sub dir/ü/" + e.path for e in es}
    for e in es:
        d = decoded["sub dir/ü/" + e.path]
        assert (d.mode, d.digest, d.size, d.target) == (e.mode, e.digest, e.size, e.target)


def test_canonical_bytes_do_not_depend_on_input_order() -> None:
    es = entries()
    want = encode_listing(es)
    rng = random.Random(2)
    for _ in range(5):
        shuffled = es[:]
        rng.shuffle(shuffled)
        assert encode_listing(shuffled) == want


def test_listing_is_one_ascii_json_object_per_line() -> None:
    data = encode_listing(entries())
    data.decode("ascii")  # ensure_ascii: no raw newlines, tabs or non-ASCII can split a line
    lines = data.split(b"\n")
    assert lines[-1] == b""  # ends with a newline
    assert len(lines) - 1 == len(ODD_NAMES)
    for line in lines[:-1]:
        obj = json.loads(line)
        assert list(obj) == sorted(obj)  # sorted keys
        assert b", " not in line and b": " not in line  # compact separators


def test_links_carry_a_target_and_files_a_hash() -> None:
    for line in encode_listing(entries()).splitlines():
        obj = json.loads(line)
        if obj["mode"] == "120000":
            assert "target" in obj and "b3" not in obj
        else:
            assert obj["b3"] and "size" in obj and "target" not in obj


def test_empty_listing() -> None:
    assert encode_listing([]) == b""
    assert decode_listing(b"", "x/") == []


def test_mode_is_part_of_the_content() -> None:
    a = FileEntry("f", MODE_FILE, B3, 1)
    b = FileEntry("f", MODE_EXEC, B3, 1)
    assert encode_listing([a]) != encode_listing([b])
    assert not a.same_content(b)


def test_same_content_ignores_path_only() -> None:
    assert FileEntry("a", MODE_FILE, B3, 3).same_content(FileEntry("b", MODE_FILE, B3, 3))
    assert not FileEntry("a", MODE_LINK, "", 0, "x").same_content(FileEntry("a", MODE_LINK, "", 0, "y"))
    assert not FileEntry("a", MODE_FILE, B3, 3).same_content(FileEntry("a", MODE_FILE, B3, 4))


@pytest.mark.parametrize("name", [".dws-files", ".dws-dir-x", ".dws-", "normal", ".dwsx", ".dws-dir-.dws-files",
                                  ".git-x", ".dws-dir-.git", ".gitmodules", "gitmod~1"])
def test_directory_names_round_trip_through_tree_names(name: str) -> None:
    tree_name = dir_to_tree_name(name)
    assert tree_name_to_dir(tree_name) == name
    assert tree_name != LISTING  # a user directory can never collide with the listing blob
    assert tree_name.lower() != ".git"  # git fsck rejects a tree entry named .git


@pytest.mark.parametrize("name", [".git", ".GIT", ".git.", "git~1", ".g\u200cit"])
def test_a_dotgit_directory_is_never_read_back(name: str) -> None:
    """A nested repository's .git is never recorded (the scan skips it), and a manifest naming one,
    escaped or not, is refused: restoring it would plant a repository's control directory."""
    with pytest.raises(BadManifest):
        tree_name_to_dir(dir_to_tree_name(name))
    with pytest.raises(BadManifest):
        tree_name_to_dir(name)


def test_escaped_tree_names_are_distinct() -> None:
    names = [".dws-files", ".dws-dir-.dws-files", ".dws-dir-x", "x", ".dws-x"]
    assert len({dir_to_tree_name(n) for n in names}) == len(names)
