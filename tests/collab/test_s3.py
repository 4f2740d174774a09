"""A real S3 server (`rclone serve s3`): the S3 data remote, an interrupted push that resumes after the
server comes back, corruption on the server detected on pull, and the S3 resource type."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from collab_fixtures import S3Server, clone, origin, s3  # noqa: F401
from conftest import assert_error, dws, git_out, pseudo_random, snapshot_ids, state_diff, take, tree_state, write


def _client(server: S3Server) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=server.endpoint)


def _objects(server: S3Server) -> list[Path]:
    return sorted(p for p in (server.root / "bucket").rglob("*") if p.is_file())


def _publish(ws: Path, origin: Path, server: S3Server, files: int, size: int) -> None:  # noqa: F811
    for i in range(files):
        write(ws / "data" / f"f{i:02}.bin", pseudo_random(size + i, i))
    dws(ws, "add", "local-files", "data", "--role", "source-data")
    dws(ws, "remote", "add", "s3", "s3://bucket/team/ws", "--endpoint-url", server.endpoint)
    take(ws, "S1")


def test_s3_data_remote_roundtrip(ws: Path, origin: Path, s3: S3Server, tmp_path: Path) -> None:  # noqa: F811
    _publish(ws, origin, s3, 5, 300 * 1024)
    write(ws / "data" / "big.bin", pseudo_random(2 * 1024 * 1024, 99))  # a loose (large) object
    take(ws, "S2")
    dws(ws, "publish", str(origin))
    keys = [str(p.relative_to(s3.root / "bucket")) for p in _objects(s3)]
    assert keys and all(k.startswith(("team/ws/objects/", "team/ws/packs/")) for k in keys)
    assert len([k for k in keys if k.startswith("team/ws/packs/")]) == 2  # S1 and S2 pushed at once: one pack
    assert s3.key not in (ws / ".dws.toml").read_text() and s3.secret not in (ws / ".dws.toml").read_text()
    b = clone(tmp_path, origin, "b", "hostb")
    assert state_diff(tree_state(b / "data"), tree_state(ws / "data")) == ""
    dws(b, "restore", "S1")
    assert not (b / "data" / "big.bin").exists()


def test_server_stopped_mid_push_then_resumed(ws: Path, origin: Path, s3: S3Server,  # noqa: F811
                                              tmp_path: Path) -> None:
    _publish(ws, origin, s3, 24, 40 * 1024)  # 24 small objects: one pack
    for i in range(3):
        write(ws / "data" / f"big{i}.bin", pseudo_random(600 * 1024 + i, 50 + i))  # 3 loose objects
    take(ws, "S2")
    from conftest import git

    git(ws, "remote", "add", "origin", str(origin))
    s3.stop_after_puts(2)  # the push's lock and the pack go up, the server dies before the pack's index
    err = assert_error(dws(ws, "push", check=False))
    assert "run the command again" in err or "resume" in err
    names = [p.name for p in _objects(s3) if p.parent.name != "locks"]
    assert len(names) == 1 and names[0].endswith(".pack")  # a pack without its index: invisible
    assert git_out(origin, "for-each-ref") == ""  # no refs were pushed: nobody sees snapshots without data

    s3.start()
    s3.stop_after_puts(4)  # lock, pack + index again, then one large object, then the server dies
    assert_error(dws(ws, "push", check=False))
    assert git_out(origin, "for-each-ref") == ""
    s3.start()
    out = dws(ws, "push").stdout
    m = re.search(r"uploaded (\d+) object\(s\), (\d+) already there", out)
    assert m and int(m[1]) + int(m[2]) == 27 and 24 <= int(m[2]) < 27, out  # the pack was not sent again
    assert sorted(p.suffix for p in _objects(s3) if p.parent.name == "packs") == [".idx", ".pack"]
    assert len([p for p in _objects(s3) if "/objects/" in str(p)]) == 3
    b = clone(tmp_path, origin, "b", "hostb")
    assert state_diff(tree_state(b / "data"), tree_state(ws / "data")) == ""


def test_corrupt_object_on_server_detected(ws: Path, origin: Path, s3: S3Server, tmp_path: Path) -> None:  # noqa: F811
    _publish(ws, origin, s3, 2, 1000)
    dws(ws, "publish", str(origin))
    b = clone(tmp_path, origin, "b", "hostb")
    before = tree_state(b / "data")
    write(ws / "data" / "new.txt", "brand new content\n")
    take(ws, "S2")
    have = set(_objects(s3))
    dws(ws, "push")
    (new,) = [p for p in _objects(s3) if p not in have and p.suffix == ".pack"]
    assert new.read_bytes() == b"brand new content\n"
    os.chmod(new, 0o644)
    new.write_bytes(b"BRAND NEW CONTENT\n")
    err = assert_error(dws(b, "pull", check=False), "corrupt")
    assert "hash mismatch" in err
    assert state_diff(tree_state(b / "data"), before) == ""
    assert len(snapshot_ids(b)) == 1  # all or nothing: a pull whose data is refused takes no ref either


def test_s3_resource_snapshot_restore_and_drift(ws: Path, s3: S3Server) -> None:  # noqa: F811
    c = _client(s3)
    c.put_object(Bucket="bucket", Key="raw/a.csv", Body=b"a,b\n1,2\n")
    c.put_object(Bucket="bucket", Key="raw/sub/b.bin", Body=pseudo_random(600 * 1024, 5))
    c.put_object(Bucket="bucket", Key="other/x", Body=b"not in the resource")
    dws(ws, "add", "s3", "bucket/raw", "--role", "source-data", "--endpoint-url", s3.endpoint)
    dws(ws, "add", "s3", "bucket/other", "--name", "hashonly", "--role", "source-data", "--no-store",
        "--endpoint-url", s3.endpoint)
    s1 = take(ws, "S1")
    meta = git_out(ws, "show", f"refs/dws/manifests:snapshots/{s1}/resources/raw/.dws-s3")
    assert '"key":"a.csv"' in meta and '"etag"' in meta and '"size":8' in meta

    c.put_object(Bucket="bucket", Key="raw/a.csv", Body=b"changed\n")
    c.delete_object(Bucket="bucket", Key="raw/sub/b.bin")
    c.put_object(Bucket="bucket", Key="raw/new.txt", Body=b"new")
    c.put_object(Bucket="bucket", Key="other/x", Body=b"drifted")
    status = dws(ws, "status").stdout
    assert "raw" in status
    take(ws, "S2")
    proc = dws(ws, "restore", "S1")
    got = {o["Key"]: c.get_object(Bucket="bucket", Key=o["Key"])["Body"].read()
           for o in c.list_objects_v2(Bucket="bucket", Prefix="raw/")["Contents"]}
    assert got == {"raw/a.csv": b"a,b\n1,2\n", "raw/sub/b.bin": pseudo_random(600 * 1024, 5)}
    assert "hashonly" in proc.stderr and "differs" in proc.stderr  # drift reported, nothing written there
    assert c.get_object(Bucket="bucket", Key="other/x")["Body"].read() == b"drifted"
    dws(ws, "restore", "S2")
    assert c.get_object(Bucket="bucket", Key="raw/a.csv")["Body"].read() == b"changed\n"
