"""The S3 resource type on a *versioned* bucket: the VersionId path of git_dws/resources/s3.py.

rclone's S3 server (the one tests/collab/test_s3.py runs) has no bucket versioning, and no real
versioned S3 server can run on this machine, so this module runs moto's standalone server
(`moto[server]`'s ThreadedMotoServer) on 127.0.0.1: an S3-compatible server that `git dws` reaches
over real HTTP with boto3, exactly as it reaches AWS. Nothing of git-dws is mocked (the last test only
wraps the resource's listing in-process, to time a race no CLI can). The oracles are
S3 itself (boto3 against the same endpoint: the VersionIds it returned at upload, the bytes each
VersionId resolves to) and plain git on the manifest tree (`git cat-file` on `.dws-s3`).
Credentials are dummy values in the environment only, never in a file."""

from __future__ import annotations

import json
import os
import secrets
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import MANIFESTS, dws, dws_json, git, git_out, pseudo_random, take

moto_server = pytest.importorskip("moto.server", reason="moto[server] is not installed (pip install 'moto[server]')")
boto3 = pytest.importorskip("boto3")

BIG = pseudo_random(600 * 1024, 7)  # above the store's 512 KiB pack threshold: captured by download_file


@dataclass
class Versioned:
    endpoint: str
    bucket: str
    c: Any  # a boto3 S3 client on the same endpoint

    def put(self, key: str, body: bytes) -> str:
        """Upload and return the VersionId S3 gave the new version."""
        vid = self.c.put_object(Bucket=self.bucket, Key=key, Body=body)["VersionId"]
        assert vid and vid != "null"
        return str(vid)

    def current(self, prefix: str) -> dict[str, bytes]:
        """Key -> bytes of every current object under prefix."""
        pages = self.c.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        return {o["Key"]: self.c.get_object(Bucket=self.bucket, Key=o["Key"])["Body"].read()
                for p in pages for o in p.get("Contents", [])}

    def at(self, key: str, version_id: str) -> bytes:
        return bytes(self.c.get_object(Bucket=self.bucket, Key=key, VersionId=version_id)["Body"].read())


@pytest.fixture
def vs3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Versioned]:
    """moto's S3 server on a free loopback port, one fresh bucket with versioning enabled."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing-" + secrets.token_hex(4))
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secrets.token_hex(16))
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(var, raising=False)
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        c = boto3.client("s3", endpoint_url=endpoint)
        bucket = "vbucket-" + secrets.token_hex(4)
        c.create_bucket(Bucket=bucket)
        c.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        assert c.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        yield Versioned(endpoint, bucket, c)
    finally:
        # moto keeps its state per process: empty it so no other test sees this bucket
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10)
        server.stop()


def recorded(ws: Path, sid: str, name: str) -> dict[str, dict[str, Any]]:
    """The `.dws-s3` facts of resource `name` in snapshot `sid`, read with plain git."""
    tree = f"{MANIFESTS}:snapshots/{sid}/resources/{name}"
    assert ".dws-s3" in git_out(ws, "ls-tree", "--name-only", tree).split()
    lines = git_out(ws, "cat-file", "-p", f"{tree}/.dws-s3").splitlines()
    return {o["key"]: o for o in map(json.loads, lines)}


def raw_status(ws: Path) -> dict[str, Any]:
    (raw,) = [r for r in dws_json(ws, "status")["resources"] if r["name"] == "raw"]
    return dict(raw)


def seed(s3: Versioned) -> tuple[dict[str, bytes], dict[str, str]]:
    """Objects under raw/ (with history and a delete marker) plus neighbours outside the prefix.
    Returns (rel key -> current bytes, rel key -> current VersionId)."""
    s3.put("raw/a.csv", b"old,version\n")  # superseded: the snapshot must record the latest version
    vids = {"a.csv": s3.put("raw/a.csv", b"a,b\n1,2\n"),
            "c.txt": s3.put("raw/c.txt", b"same size 1\n"),
            "sub/b.bin": s3.put("raw/sub/b.bin", BIG)}
    s3.put("raw/gone.txt", b"deleted before the snapshot\n")
    s3.c.delete_object(Bucket=s3.bucket, Key="raw/gone.txt")  # a delete marker is now its latest version
    s3.put("rawish/x", b"shares the prefix string, not the folder")
    s3.put("other/y", b"outside")
    content = {"a.csv": b"a,b\n1,2\n", "c.txt": b"same size 1\n", "sub/b.bin": BIG}
    return content, vids


def mutate(s3: Versioned) -> None:
    s3.put("raw/a.csv", b"changed\n")
    s3.put("raw/c.txt", b"same size 2\n")  # same size, other ETag
    s3.c.delete_object(Bucket=s3.bucket, Key="raw/sub/b.bin")
    s3.put("raw/new.txt", b"new")


def test_versioned_bucket_records_version_ids_and_restores(ws: Path, vs3: Versioned) -> None:
    content, vids = seed(vs3)
    dws(ws, "add", "s3", f"{vs3.bucket}/raw", "--endpoint-url", vs3.endpoint, "--role", "source-data")
    assert vs3.endpoint in (ws / ".dws.toml").read_text()
    assert os.environ["AWS_SECRET_ACCESS_KEY"] not in (ws / ".dws.toml").read_text()
    s1 = take(ws, "S1")

    meta1 = recorded(ws, s1, "raw")
    assert set(meta1) == set(content)  # latest versions only: no delete-marked key, nothing outside raw/
    for k, o in meta1.items():
        assert o["version_id"] == vids[k], k
        head = vs3.c.head_object(Bucket=vs3.bucket, Key="raw/" + k)
        assert o["size"] == len(content[k]) == head["ContentLength"]
        assert o["etag"] == head["ETag"].strip('"')
        assert vs3.at("raw/" + k, o["version_id"]) == content[k]  # the recorded id names the snapshot's bytes
    listed = git_out(ws, "ls-tree", "-r", "--name-only", f"{MANIFESTS}:snapshots/{s1}/resources/raw")
    assert "sub" in listed  # the key path listing sits beside .dws-s3

    mutate(vs3)
    st = raw_status(ws)
    assert (st["added"], st["modified"], st["deleted"]) == (["new.txt"], ["a.csv", "c.txt"], ["sub/b.bin"])
    s2 = take(ws, "S2")
    meta2 = recorded(ws, s2, "raw")
    assert set(meta2) == {"a.csv", "c.txt", "new.txt"}
    assert meta2["a.csv"]["version_id"] not in (None, meta1["a.csv"]["version_id"])
    assert meta2["c.txt"]["size"] == meta1["c.txt"]["size"]
    assert meta2["c.txt"]["etag"] != meta1["c.txt"]["etag"]
    s2_content = {"raw/a.csv": b"changed\n", "raw/c.txt": b"same size 2\n", "raw/new.txt": b"new"}
    assert vs3.current("raw/") == s2_content

    # a version nobody snapshotted: on a versioned bucket overwriting it loses nothing, so restore
    # needs no --force (the unversioned path would refuse it as unsafe); S3 keeps it in the history
    uncaptured = vs3.put("raw/a.csv", b"uncaptured\n")
    out = dws(ws, "restore", "S1").stdout
    assert "raw: 1 added, 2 modified, 1 deleted" in out, out
    assert vs3.current("raw/") == {"raw/" + k: v for k, v in content.items()}  # byte for byte
    assert vs3.current("rawish/") == {"rawish/x": b"shares the prefix string, not the folder"}
    assert vs3.current("other/") == {"other/y": b"outside"}
    assert vs3.at("raw/a.csv", uncaptured) == b"uncaptured\n"  # restore wrote new versions: history kept
    assert vs3.at("raw/a.csv", meta2["a.csv"]["version_id"]) == b"changed\n"
    assert raw_status(ws)["clean"]

    # and forward again: S2's content, new.txt included, comes back from the store
    dws(ws, "restore", "S2")
    assert vs3.current("raw/") == s2_content
    git(ws, "fsck", "--no-progress")


def test_versioned_bucket_no_store_records_version_ids_and_reports_drift(ws: Path, vs3: Versioned) -> None:
    content, vids = seed(vs3)
    dws(ws, "add", "s3", f"{vs3.bucket}/raw", "--endpoint-url", vs3.endpoint, "--role", "source-data",
        "--no-store")
    s1 = take(ws, "S1")
    meta1 = recorded(ws, s1, "raw")
    assert {k: o["version_id"] for k, o in meta1.items()} == vids

    mutate(vs3)
    proc = dws(ws, "restore", "S1")
    # store = false: restore only verifies, even though the recorded VersionIds still hold the bytes
    assert "raw records hashes only and differs from the snapshot: 1 added, 2 modified, 1 deleted" in proc.stderr
    assert "Nothing restored" in proc.stdout, proc.stdout
    assert vs3.current("raw/") == {"raw/a.csv": b"changed\n", "raw/c.txt": b"same size 2\n", "raw/new.txt": b"new"}
    for k, o in meta1.items():  # what a person would recover by hand: the ids name the snapshot's bytes
        assert vs3.at("raw/" + k, o["version_id"]) == content[k]


def test_capture_reads_the_listed_version_when_objects_change_mid_snapshot(
        ws: Path, vs3: Versioned, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the VersionId buys at snapshot time: an object overwritten after the listing but before its
    content is read is still captured as the version that was listed (size and ETag agree with the
    bytes). No CLI can time that race, so this one drives the resource in-process, against the same
    real HTTP server; both capture paths are crossed (get_object for a.csv, download_file for b.bin)."""
    import hashlib

    from git_dws.progress import NULL
    from git_dws.resources import registry
    from git_dws.resources.s3 import S3Resource
    from git_dws.workspace import Workspace

    content, vids = seed(vs3)
    dws(ws, "add", "s3", f"{vs3.bucket}/raw", "--endpoint-url", vs3.endpoint, "--role", "source-data")
    w = Workspace.open(str(ws))
    (spec,) = [s for s in w.config.resources if s.name == "raw"]
    res = registry.load(w, spec)
    assert isinstance(res, S3Resource)
    listed = res.listing

    def listing_then_overwrite() -> dict[str, Any]:
        objs = listed()
        vs3.put("raw/a.csv", b"written after the listing\n")
        vs3.put("raw/sub/b.bin", pseudo_random(len(BIG), 8))
        return dict(objs)

    monkeypatch.setattr(res, "listing", listing_then_overwrite)
    tree = res.snapshot(NULL)
    files = res.files(tree)
    blob = w.repo.tree_path(tree, ".dws-s3")
    assert blob is not None
    meta = {o["key"]: o for o in map(json.loads, w.repo.read_blob(blob.id).splitlines())}
    assert {k: o["version_id"] for k, o in meta.items()} == vids
    for k, want in content.items():
        got = w.store.read(files[k].digest)
        assert got == want, k
        assert meta[k]["etag"] == hashlib.md5(got).hexdigest() and meta[k]["size"] == len(got)
