"""Property tests (Hypothesis) of issue 8's defences, below the CLI: the validator, the listing parser and
SafeDir get random names, modes, sizes, digests, bytes and JSON, and random paths over planted symlinks.
They may refuse (BadManifest; for SafeDir also UnsafePath/OSError), never raise anything else, never
accept what could lead out of a resource, and SafeDir never creates or removes a file outside its root.
The APIs are imported inside the tests so that collection works whatever state the package is in."""

from __future__ import annotations

import json
import os
import posixpath
import shutil
import tempfile
from pathlib import Path
from typing import Any

from craft import b3, file_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FAST = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

# Names an attacker would try, mixed with ordinary ones and random text.
TRICKY = ["", ".", "..", "...", ".git", ".GIT", ".Git", ".git ", ".git.", ".git::$INDEX_ALLOCATION", "git~1",
          "GIT~1", ".g\u200cit", "\ufeff.git", ".gitmodules", "a/b", "/abs", "a\0b", "../x", "./x", "a\\..\\b",
          "ok", "ok.txt", "new\nline", "ünï", "\udcff", ".dws-files", ".dws-tmp-1", "x" * 300]
names = st.one_of(st.sampled_from(TRICKY), st.text(max_size=12),
                  st.text(alphabet=st.sampled_from("./\\\0gitGIT~1 a:"), max_size=8))
rel_paths = st.one_of(names, st.lists(names, min_size=1, max_size=4).map("/".join))
anything = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=70),
                     st.binary(max_size=8), st.lists(st.integers(), max_size=2),
                     st.sampled_from(["100644", "100755", "120000", "040000", "100777", b3(b""), b3(b"").upper()]))
GOOD_B3 = b3(b"x")


def _bad() -> type[Exception]:
    from git_dws.errors import BadManifest

    return BadManifest


def _is_dotgit_like(part: str) -> bool:
    from git_dws.model.validate import HFS_IGNORABLE

    folded = part.translate(HFS_IGNORABLE).lower().split(":")[0].rstrip(" .")
    return folded in (".git", "git~1")


def _stays_inside(path: str) -> bool:
    full = posixpath.normpath(posixpath.join("/root/res", path))
    return full.startswith("/root/res/") and posixpath.relpath(full, "/root/res") == path


@FAST
@given(names)
def test_check_component_only_accepts_one_safe_component(name: str) -> None:
    from git_dws.model import validate

    try:
        got = validate.check_component(name)
    except _bad():
        return
    assert got == name
    assert name not in ("", ".", "..") and "/" not in name and "\0" not in name
    assert not _is_dotgit_like(name), name
    assert _stays_inside(name)


@FAST
@given(rel_paths)
def test_check_rel_path_never_leaves_the_resource(path: str) -> None:
    from git_dws.model import validate

    try:
        validate.check_rel_path(path)
    except _bad():
        return
    assert _stays_inside(path), path
    assert not any(_is_dotgit_like(p) for p in path.split("/")), path
    assert "\0" not in path and not path.startswith("/")


@FAST
@given(st.lists(st.text(alphabet="abcxyz0129-_ ", min_size=1, max_size=10), min_size=1, max_size=4))
def test_ordinary_paths_are_accepted(parts: list[str]) -> None:
    from git_dws.model import validate

    parts = [p for p in parts if p.strip(" .")] or ["a"]
    path = "/".join(parts)
    assert validate.check_rel_path(path) == path


@FAST
@given(anything)
def test_check_mode_size_b3_oid_target_raise_only_bad_manifest(value: Any) -> None:
    from git_dws.model import validate

    for check in (validate.check_mode, validate.check_size, validate.check_b3, validate.check_oid,
                  validate.check_link_target, validate.check_component, validate.check_rel_path):
        try:
            got = check(value)
        except _bad():
            continue
        if check is validate.check_mode:
            assert got in (0o100644, 0o100755, 0o120000) and type(got) is int
        elif check is validate.check_size:
            assert type(got) is int and 0 <= got < 2**63
        elif check is validate.check_b3:
            assert isinstance(got, str) and len(got) == 64 and set(got) <= set("0123456789abcdef")
        elif check is validate.check_oid:
            assert isinstance(got, str) and len(got) == 40 and set(got) <= set("0123456789abcdef")
        elif check is validate.check_link_target:
            assert isinstance(got, str) and got and "\0" not in got
        else:
            assert isinstance(got, str) and _stays_inside(got)


@FAST
@given(st.integers(min_value=-(2**80), max_value=2**80), st.binary(min_size=32, max_size=32))
def test_sizes_and_digests_boundaries(size: int, raw: bytes) -> None:
    from git_dws.model import validate

    if 0 <= size <= 2**40:
        assert validate.check_size(size) == size
    if size < 0 or size >= 2**63:
        try:
            validate.check_size(size)
        except _bad():
            pass
        else:
            raise AssertionError(f"size {size} accepted")
    assert validate.check_b3(raw.hex()) == raw.hex()
    for wrong in (raw.hex().upper() if any(c in "abcdef" for c in raw.hex()) else None, raw.hex()[:63],
                  raw.hex() + "0", ".." + raw.hex()[2:], "/" + raw.hex()[1:]):
        if wrong is None:
            continue
        try:
            validate.check_b3(wrong)
        except _bad():
            continue
        raise AssertionError(f"digest {wrong!r} accepted")


def _check_entries(entries: list[Any], prefix: str) -> None:
    from git_dws.model import validate

    for e in entries:
        validate.check_rel_path(e.path)
        assert e.path.startswith(prefix) and "/" not in e.path[len(prefix):]
        assert e.mode in (0o100644, 0o100755, 0o120000)
        if e.mode == 0o120000:
            validate.check_link_target(e.target)
        else:
            validate.check_b3(e.digest)
            assert type(e.size) is int and e.size >= 0
    assert len({e.path for e in entries}) == len(entries), "duplicate names accepted"


prefixes = st.sampled_from(["", "a/", "a/b c/", "ü/"])


@FAST
@given(st.binary(max_size=300), prefixes)
def test_decode_listing_random_bytes(data: bytes, prefix: str) -> None:
    from git_dws.model.manifest import decode_listing

    try:
        entries = decode_listing(data, prefix)
    except _bad():
        return
    _check_entries(entries, prefix)


line_objects = st.dictionaries(st.sampled_from(["b3", "mode", "name", "size", "target", "x"]),
                               st.one_of(anything, names, st.just(GOOD_B3)), max_size=6)
plausible = st.fixed_dictionaries({"b3": st.one_of(st.just(GOOD_B3), anything), "mode": st.sampled_from(
    ["100644", "100755", "120000", "40000", "100777", "644"]), "name": names,
    "size": st.one_of(st.integers(min_value=-3, max_value=2**70), anything)},
    optional={"target": st.one_of(names, anything)})


@FAST
@given(st.lists(st.one_of(line_objects, plausible, anything), max_size=6), prefixes, st.booleans())
def test_decode_listing_random_json_lines(objs: list[Any], prefix: str, trailing: bool) -> None:
    from git_dws.model.manifest import decode_listing

    try:
        data = b"\n".join(json.dumps(o).encode() for o in objs) + (b"\n" if trailing and objs else b"")
    except (TypeError, ValueError):  # bytes values: not JSON
        return
    try:
        entries = decode_listing(data, prefix)
    except _bad():
        return
    _check_entries(entries, prefix)


@FAST
@given(st.lists(st.tuples(st.text(alphabet="abc.-_ üx\n", min_size=1, max_size=8),
                          st.sampled_from([0o100644, 0o100755, 0o120000]), st.integers(0, 2**40)),
                unique_by=lambda t: t[0], max_size=6), prefixes)
def test_valid_listings_round_trip(rows: list[tuple[str, int, int]], prefix: str) -> None:
    from git_dws.model import validate
    from git_dws.model.manifest import FileEntry, decode_listing, encode_listing

    rows = [r for r in rows if validate.component_problem(r[0]) is None]
    entries = [FileEntry(n, m, "", 0, "t/" + n) if m == 0o120000 else FileEntry(n, m, b3(n.encode()), s)
               for n, m, s in rows]
    got = decode_listing(encode_listing(entries), prefix)
    want = {prefix + e.path: e for e in entries}
    assert {e.path: (e.mode, e.digest, e.size, e.target) for e in got} == {
        p: (e.mode, e.digest, e.size, e.target) for p, e in want.items()}


# -- SafeDir ----------------------------------------------------------------------------------------------
def _scratch() -> Path:
    shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    base = Path(tempfile.mkdtemp(prefix="dws-safefs-", dir=shm))
    (base / "outside" / "dir").mkdir(parents=True)
    (base / "outside" / "dir" / "f").write_bytes(b"outside\n")
    (base / "outside" / "x").write_bytes(b"x\n")
    root = base / "root"
    (root / "d" / "e").mkdir(parents=True)
    (root / "d" / "file").write_bytes(b"inside\n")
    (root / "f").write_bytes(b"f\n")
    os.symlink("../outside", root / "up")  # planted links: relative, absolute, deep, to a file, dangling
    os.symlink(str(base / "outside" / "dir"), root / "abs")
    os.symlink("../../outside/dir", root / "d" / "deep")
    os.symlink("../outside/x", root / "tofile")
    os.symlink("/nonexistent-dws", root / "dangling")
    os.symlink(".", root / "self")
    return base


seg = st.sampled_from(["up", "abs", "d", "deep", "e", "tofile", "dangling", "self", "f", "new", "x", "dir",
                       "..", ".", "", ".git", "GIT~1"])
safe_paths = st.one_of(st.lists(seg, min_size=1, max_size=4).map("/".join), names)
ops = st.lists(st.tuples(st.sampled_from(["write", "symlink", "remove", "prune", "makedirs"]), safe_paths,
                         st.sampled_from(["../outside", "/", "x", "../../outside/dir"])), min_size=1, max_size=6)


@FAST
@given(ops)
def test_safedir_never_touches_outside(steps: list[tuple[str, str, str]]) -> None:
    from git_dws.errors import DwsError
    from git_dws.safefs import SafeDir

    base = _scratch()
    try:
        before = file_tree(base, skip_top=("root",))
        with SafeDir(str(base / "root")) as sd:
            for op, rel, target in steps:
                try:
                    if op == "write":
                        sd.write_bytes(rel, b"written by SafeDir\n", 0o644)
                    elif op == "symlink":
                        sd.symlink(rel, target)
                    elif op == "remove":
                        sd.remove(rel)
                    elif op == "prune":
                        sd.prune_empty([rel])
                    else:
                        sd.makedirs(rel)
                except (DwsError, OSError):
                    pass
        after = file_tree(base, skip_top=("root",))
        assert after == before, f"{steps} changed outside the root: {set(before) ^ set(after)}"
        assert (base / "root").is_dir() and not (base / "root").is_symlink()
    finally:
        shutil.rmtree(base, ignore_errors=True)


@FAST
@given(st.lists(seg, min_size=1, max_size=4).map("/".join))
def test_safedir_write_lands_inside_or_is_refused(rel: str) -> None:
    """A write that succeeds puts the file at root/rel with only real directories on the way."""
    from git_dws.errors import DwsError
    from git_dws.safefs import SafeDir

    base = _scratch()
    try:
        with SafeDir(str(base / "root")) as sd:
            try:
                sd.write_bytes(rel, b"payload\n", 0o644)
            except (DwsError, OSError):
                return
        parts = rel.split("/")
        here = base / "root"
        for p in parts[:-1]:
            here = here / p
            assert here.is_dir() and not here.is_symlink(), f"{rel}: {here} is not a real directory"
        final = here / parts[-1]
        assert not final.is_symlink() and final.read_bytes() == b"payload\n"
        assert (base / "outside" / "dir" / "f").read_bytes() == b"outside\n"
    finally:
        shutil.rmtree(base, ignore_errors=True)
