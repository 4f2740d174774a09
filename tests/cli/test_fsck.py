"""`git dws fsck`: clean after ordinary work; each kind of damage reported on one line with the command
that repairs it, and that command makes it clean; --quick, --remote and --json."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from conftest import assert_error, dws, git, git_out, pseudo_random, take, write

BIG = 600 * 1024


def report(ws: Path, *args: str) -> dict[str, Any]:
    proc = dws(ws, "fsck", "--json", *args, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    data: dict[str, Any] = json.loads(proc.stdout)
    assert (proc.returncode == 0) == data["clean"]
    return data


def kinds(ws: Path, *args: str) -> list[str]:
    return [p["kind"] for p in report(ws, *args)["problems"]]


def loose_path(ws: Path, data: bytes) -> Path:
    import blake3

    d = blake3.blake3(data).hexdigest()
    return ws / ".git" / "dws" / "objects" / d[:2] / d[2:]


def damage(path: Path, at: int = 100) -> None:
    os.chmod(path, 0o644)
    b = bytearray(path.read_bytes())
    b[at] ^= 0xFF
    path.write_bytes(bytes(b))


def test_clean_after_ordinary_work_and_json_is_stable(data_ws: Path) -> None:
    ws = data_ws
    write(ws / "data" / "big.bin", pseudo_random(BIG, 1))
    write(ws / "code" / "x.py", "1\n")
    take(ws, "S1")
    write(ws / "data" / "b.txt", "b\n")
    take(ws, "S2", "second")
    dws(ws, "restore", "S1")
    write(ws / "data" / "c.txt", "c\n")
    take(ws)  # untagged
    r = report(ws)
    assert r["clean"] and r["snapshots"] == 3 and r["objects"] == 4 and r["verified"] == 4
    assert set(r) == {"clean", "snapshots", "objects", "verified", "not_local", "remote", "quick", "repaired",
                      "problems"}
    out = dws(ws, "fsck").stdout
    assert out.strip().splitlines()[-1].endswith(": clean"), out


def test_a_damaged_loose_object_and_quick(data_ws: Path, tmp_path: Path) -> None:
    ws = data_ws
    big = pseudo_random(BIG, 2)
    write(ws / "data" / "big.bin", big)
    take(ws, "S1")
    damage(loose_path(ws, big))
    assert kinds(ws) == ["object-damaged"]
    assert kinds(ws, "--quick") == []  # same size: only the hash tells
    proc = dws(ws, "fsck", check=False)
    assert proc.returncode == 1
    (line,) = [ln for ln in proc.stdout.splitlines() if ln.startswith("object-damaged")]
    assert "data/big.bin" in line and "repair: git dws fsck --repair" in line
    # no data remote: the repair removes the damaged copy and says what is left
    dws(ws, "remote", "add", "shared", str(tmp_path / "dr"))
    assert kinds(ws) == ["object-damaged"]


def test_repair_fetches_a_good_copy_from_the_data_remote(data_ws: Path, tmp_path: Path) -> None:
    ws = data_ws
    big = pseudo_random(BIG, 3)
    write(ws / "data" / "big.bin", big)
    write(ws / "data" / "small.txt", "small\n")
    dws(ws, "remote", "add", "shared", str(tmp_path / "dr"))
    take(ws, "S1")
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    dws(ws, "publish", str(origin))
    assert kinds(ws, "--remote", "shared") == []
    damage(loose_path(ws, big))
    pack = next((ws / ".git" / "dws" / "objects" / "packs").glob("*.pack"))
    os.chmod(pack, 0o644)
    pack.write_bytes(pack.read_bytes().replace(b"small\n", b"SMALL\n"))
    assert kinds(ws) == ["object-damaged", "object-damaged"]
    r = report(ws, "--repair")
    assert r["clean"], r
    assert any("fetched 2" in x for x in r["repaired"]), r
    assert loose_path(ws, big).read_bytes() == big
    (ws / "data" / "big.bin").unlink()
    (ws / "data" / "small.txt").unlink()
    dws(ws, "restore", "S1", "--force")
    assert (ws / "data" / "big.bin").read_bytes() == big and (ws / "data" / "small.txt").read_text() == "small\n"


def test_missing_objects_without_a_data_remote(data_ws: Path) -> None:
    ws = data_ws
    big = pseudo_random(BIG, 4)
    write(ws / "data" / "big.bin", big)
    take(ws, "S1")
    loose_path(ws, big).unlink()
    r = report(ws)
    (p,) = r["problems"]
    assert p["kind"] == "object-missing" and "git dws remote add" in p["repair"]


def test_missing_on_the_data_remote(data_ws: Path, tmp_path: Path) -> None:
    ws = data_ws
    dr = tmp_path / "dr"
    dws(ws, "remote", "add", "shared", str(dr))
    big = pseudo_random(BIG, 5)
    write(ws / "data" / "big.bin", big)
    take(ws, "S1")
    r = report(ws, "--remote", "shared")
    (p,) = r["problems"]
    assert p["kind"] == "remote-missing" and p["repair"] == "git dws push --data-remote shared"
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    dws(ws, "publish", str(origin))
    assert report(ws, "--remote", "shared")["clean"]
    obj = next(p for p in (dr / "objects").rglob("*") if p.is_file() and p.stat().st_size == BIG)
    damage(obj)
    assert kinds(ws, "--remote", "shared", "--quick") == []
    assert kinds(ws, "--remote", "shared") == ["remote-damaged"]
    assert_error(dws(ws, "fsck", "--remote", "nope", check=False), "no data remote named 'nope'")


def test_leftovers_of_killed_commands(data_ws: Path) -> None:
    ws = data_ws
    take(ws, "S1")
    lock = ws / ".git" / "refs" / "tags" / "S9.lock"
    lock.write_text("0" * 40 + "\n")
    write(ws / ".git" / "dws" / "objects" / ".tmp-x", "half")
    r = report(ws)
    assert sorted(p["kind"] for p in r["problems"]) == ["git-lock", "store-temp"]
    for p in r["problems"]:  # each repair, run as given, repairs it
        os.system(f"cd '{ws}' && {p['repair']} >/dev/null")
    assert report(ws)["clean"]


def test_tags_notes_and_manifests_disagree(data_ws: Path) -> None:
    ws = data_ws
    s1 = take(ws, "S1")
    commit = git_out(ws, "rev-parse", "HEAD")
    # a tag naming a snapshot nobody has
    git(ws, "tag", "-a", "GHOST", "-m", "x", "-m", "Dws-Snapshot: " + "1" * 40)
    # a snapshot whose note is gone
    git(ws, "notes", "--ref=dws", "remove", commit)
    r = report(ws)
    got = {p["kind"]: p["repair"] for p in r["problems"]}
    assert got == {"tag-dangling": "git tag -d GHOST",
                   "note-missing": f"git notes --ref=dws append -m 'snapshot {s1}' {commit}"}, r
    for repair in got.values():
        os.system(f"cd '{ws}' && {repair} >/dev/null 2>&1")
    assert report(ws)["clean"]
    dws(ws, "restore", "S1")


def test_a_damaged_manifest(data_ws: Path) -> None:
    """A snapshot (as a hostile clone could push it) whose listing is not JSON lines: reported, naming
    the snapshot and the repair."""
    ws = data_ws
    s1 = take(ws, "S1")
    tip = git_out(ws, "rev-parse", "refs/dws/manifests")
    listing = git(ws, "hash-object", "-w", "--stdin", input="not json\n").stdout.strip()
    bad_tree = git(ws, "mktree", input=f"100644 blob {listing}\t.dws-files\n").stdout.strip()
    content = json.loads(git_out(ws, "show", f"{tip}:snapshots/{s1}/CONTENT"))
    for r in content["resources"]:
        if r["name"] == "data":
            r["tree"] = bad_tree
    text = json.dumps(content, sort_keys=True, separators=(",", ":")) + "\n"
    sid = git(ws, "hash-object", "-w", "--stdin", input=text).stdout.strip()
    meta = git_out(ws, "rev-parse", f"{tip}:snapshots/{s1}/SNAPSHOT")
    resources = git_out(ws, "rev-parse", f"{tip}:snapshots/{s1}/resources")
    entry = git(ws, "mktree", input=f"100644 blob {sid}\tCONTENT\n100644 blob {meta}\tSNAPSHOT\n"
                f"040000 tree {resources}\tresources\n").stdout.strip()
    index = ws / ".git" / "tmp-index"
    os.environ["GIT_INDEX_FILE"] = str(index)
    try:
        git(ws, "read-tree", f"{tip}^{{tree}}")
        git(ws, "read-tree", f"--prefix=snapshots/{sid}/", entry)
        new_root = git_out(ws, "write-tree")
    finally:
        del os.environ["GIT_INDEX_FILE"]
    commit = git_out(ws, "commit-tree", new_root, "-p", tip, "-m", "from a hostile clone")
    git(ws, "update-ref", "refs/dws/manifests", commit)
    problems = report(ws)["problems"]
    assert any(p["kind"] == "manifest-bad" and p["repair"] == f"git dws delete-snapshot {sid}"
               and "resource data: .dws-files" in p["message"] for p in problems), problems
    dws(ws, "delete-snapshot", sid)
    assert report(ws)["clean"]
