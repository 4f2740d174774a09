"""A data remote on S3 or an S3-compatible server, through boto3 (the optional `s3` extra).

Credentials come from boto3's standard chain (environment, ~/.aws profiles, instance roles); only the
endpoint URL of an S3-compatible server is configuration. A PUT is atomic, so an object is either
complete or absent."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from ...errors import DwsError
from ...progress import NULL_TASK, Task
from ..cas import ContentStore
from . import Entry, object_key
from .parallel import WORKERS, run_parallel

_ATTEMPTS = 4
T = TypeVar("T")


def client(endpoint_url: str | None) -> Any:
    """A boto3 S3 client, or a DwsError that says how to install boto3."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise DwsError("S3 support needs boto3, which is not installed",
                       "pip install 'git-dws[s3]'") from None
    # Checksums only where S3 requires them: every object is verified by BLAKE3 after download anyway,
    # botocore's default CRC of every PUT halves upload speed (measured against rclone serve s3: 32 MiB
    # in 1.5 s against 0.8 s), and its response check fails on ranged GETs from servers that send the
    # whole object's checksum with a part of it (rclone serve s3 does).
    config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=60,
                    max_pool_connections=WORKERS * 2, request_checksum_calculation="when_required",
                    response_checksum_validation="when_required")
    endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    # A session of its own: boto3.client() would reuse a process-wide default session and the
    # credentials it resolved first.
    return boto3.session.Session().client("s3", endpoint_url=endpoint or None, config=config)


def explain(e: BaseException, where: str) -> DwsError:
    """Turn a botocore failure into a message with a hint."""
    name = type(e).__name__
    if name in ("NoCredentialsError", "PartialCredentialsError"):
        return DwsError(f"no AWS credentials for {where}",
                        "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE (never in .dws.toml)")
    if name in ("EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError", "ConnectionClosedError"):
        return DwsError(f"cannot reach {where}: {e}",
                        "nothing is lost: check the network or endpoint_url, then run the command again; "
                        "it resumes where it stopped")
    response = getattr(e, "response", None)
    if isinstance(response, dict):
        err = response.get("Error", {})
        code = err.get("Code", "")
        if code in ("NoSuchBucket",):
            return DwsError(f"bucket of {where} does not exist", "create the bucket first")
        if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"):
            return DwsError(f"access denied by {where} ({code})", "check your AWS credentials and their rights")
        return DwsError(f"{where}: {code} {err.get('Message', '')}".strip(), "run the command again")
    return DwsError(f"{where}: {e}", "run the command again; transfers resume where they stopped")


def is_not_found(e: BaseException) -> bool:
    response = getattr(e, "response", None)
    code = response.get("Error", {}).get("Code", "") if isinstance(response, dict) else ""
    return code in ("404", "NoSuchKey", "NotFound")


class S3Backend:
    def __init__(self, url: str, bucket: str, prefix: str, endpoint_url: str | None) -> None:
        self.url = url
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self._client = client(endpoint_url)

    def _retry(self, fn: Callable[[], T]) -> T:
        for attempt in range(_ATTEMPTS):
            try:
                return fn()
            except Exception as e:
                if is_not_found(e):
                    raise
                # Under load a server may answer with an error that botocore then fails to parse
                # (seen with rclone serve s3 at 20,000 GETs); such a failure is worth another try.
                if attempt == _ATTEMPTS - 1:
                    raise explain(e, self.url) from e
                time.sleep(0.2 * 2**attempt)
        raise AssertionError("unreachable")

    def list(self, prefix: str) -> dict[str, Entry]:
        out: dict[str, Entry] = {}
        try:
            pages = self._client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                           Prefix=self.prefix + prefix)
            for page in pages:
                for obj in page.get("Contents", []):
                    key = obj["Key"][len(self.prefix):]
                    out[key] = Entry(int(obj["Size"]), obj["LastModified"].timestamp())
        except Exception as e:
            raise explain(e, self.url) from e
        return out

    def read(self, key: str, offset: int = 0, size: int | None = None) -> bytes:
        args: dict[str, Any] = {"Bucket": self.bucket, "Key": self.prefix + key}
        if size is not None:
            if size == 0:
                return b""
            args["Range"] = f"bytes={offset}-{offset + size - 1}"
        elif offset:
            args["Range"] = f"bytes={offset}-"

        def get() -> bytes:
            return bytes(self._client.get_object(**args)["Body"].read())

        try:
            return self._retry(get)
        except Exception as e:
            if is_not_found(e):
                raise FileNotFoundError(key) from None
            raise

    def read_many(self, keys: Sequence[str]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}

        def one(key: str) -> None:
            try:
                out[key] = self.read(key)
            except FileNotFoundError:
                pass

        run_parallel(one, keys, NULL_TASK, self.url)
        return out

    def put_file(self, path: str, key: str) -> None:
        def put() -> None:
            # One PUT whatever the size (a pack is tens of MiB): upload_file would split it into a
            # multipart upload, several requests per pack.
            with open(path, "rb") as f:
                self._client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=f)

        self._retry(put)

    def delete(self, keys: Sequence[str]) -> None:
        for start in range(0, len(keys), 1000):
            batch = [{"Key": self.prefix + k} for k in keys[start:start + 1000]]
            try:
                self._client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
            except Exception as e:
                raise explain(e, self.url) from e

    def clean_temporaries(self, older_than: float) -> int:
        return 0  # a PUT is atomic: nothing half-written is ever left

    def upload(self, store: ContentStore, digests: Sequence[str], task: Task, sizes: Mapping[str, int]) -> None:
        def put(digest: str) -> None:
            key = self.prefix + object_key(digest)
            try:
                path = store.loose_path(digest)
                if path is not None:
                    self._client.upload_file(path, self.bucket, key)
                else:
                    self._client.put_object(Bucket=self.bucket, Key=key, Body=store.read(digest))
            except DwsError:
                raise
            except Exception as e:
                raise explain(e, self.url) from e

        run_parallel(put, digests, task, self.url, sizes=sizes)

    def download(self, digests: Sequence[str], dest_dir: str, task: Task,
                 sizes: Mapping[str, int]) -> dict[str, str]:
        got: dict[str, str] = {}

        def get(digest: str) -> None:
            dest = os.path.join(dest_dir, digest)
            key = self.prefix + object_key(digest)

            def fetch() -> None:  # one GET per object (download_file adds a HEAD: twice the requests)
                body = self._client.get_object(Bucket=self.bucket, Key=key)["Body"]
                with open(dest, "wb") as f:
                    for chunk in body.iter_chunks(1 << 20):
                        f.write(chunk)

            try:
                self._retry(fetch)
            except Exception as e:
                if is_not_found(e):
                    return
                raise
            got[digest] = dest

        run_parallel(get, digests, task, self.url, sizes=sizes)
        return got
