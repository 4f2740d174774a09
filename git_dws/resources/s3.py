"""s3: a bucket prefix on S3 or an S3-compatible server. A snapshot records every object's key, size,
ETag and VersionId (when the bucket is versioned) and, unless `store = false`, captures the content in
the store (objects already captured are recognised by key + ETag + size and not downloaded again).
Restore puts the prefix back from captured content (uploads what differs, deletes what the snapshot
lacks); without captured content it only verifies and reports the drift.

Manifest tree: the usual `.dws-files` listings by key path, plus a root blob `.dws-s3` (JSON lines of
key, size, etag, version_id) with what S3 itself says about each object."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import BadManifest, DwsError
from ..model import validate
from ..model.diff import Changes, compare
from ..model.manifest import MODE_FILE, FileEntry
from ..progress import Progress
from ..store.cas import SMALL, hash_bytes, hash_file
from ..store.remotes.s3 import client, explain
from ..store.repo import Repo, TreeEntry
from . import files as filemod
from .base import RestorePlan

if TYPE_CHECKING:
    from ..config import ResourceSpec
    from ..workspace import Workspace

META = ".dws-s3"
Obj = dict[str, Any]  # key, size, etag, version_id


class S3Resource:
    kind: ClassVar[str] = "s3"

    @staticmethod
    def check_manifest(repo: Repo, tree: str) -> None:
        filemod.read_manifest(repo, tree, (META,), uncaptured=True)
        e = repo.tree_path(tree, META)
        if e is not None:
            for line in repo.read_blob(e.id).splitlines():
                _meta_line(line)

    def __init__(self, ws: Workspace, spec: ResourceSpec) -> None:
        self.ws = ws
        self.spec = spec
        self._c: Any = None

    @property
    def local_path(self) -> str:
        return self.spec.path

    @property
    def stores_content(self) -> bool:
        return bool(self.spec.params.get("store", True))

    @property
    def bucket(self) -> str:
        return str(self.spec.params["bucket"])

    @property
    def prefix(self) -> str:
        p = str(self.spec.params.get("prefix", "")).strip("/")
        return p + "/" if p else ""

    @property
    def where(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def client(self) -> Any:
        if self._c is None:
            ep = self.spec.params.get("endpoint_url")
            self._c = client(str(ep) if ep else None)
        return self._c

    def check_access(self) -> None:
        try:
            self.client().list_objects_v2(Bucket=self.bucket, Prefix=self.prefix, MaxKeys=1)
        except DwsError:
            raise
        except Exception as e:
            raise explain(e, self.where) from e

    # -- listing ------------------------------------------------------------------------------------------
    def _versioned(self) -> bool:
        try:
            return bool(self.client().get_bucket_versioning(Bucket=self.bucket).get("Status") == "Enabled")
        except Exception:
            return False

    def listing(self) -> dict[str, Obj]:
        """rel key -> object facts, for the current state of the prefix."""
        out: dict[str, Obj] = {}
        c = self.client()
        try:
            if self._versioned():
                pages = c.get_paginator("list_object_versions").paginate(Bucket=self.bucket, Prefix=self.prefix)
                items = [(v, v.get("VersionId")) for p in pages for v in p.get("Versions", []) if v.get("IsLatest")]
            else:
                pages = c.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
                items = [(o, None) for p in pages for o in p.get("Contents", [])]
        except Exception as e:
            raise explain(e, self.where) from e
        for o, version in items:
            rel = o["Key"][len(self.prefix):]
            if not rel or rel.endswith("/") or "//" in rel or rel.startswith("/"):
                continue  # folder markers and names that are no paths
            out[rel] = {"key": rel, "size": int(o["Size"]), "etag": str(o.get("ETag", "")).strip('"'),
                        "version_id": version if version not in (None, "null") else None}
        return out

    # -- identity of content: captured digest when known, else the ETag --------------------------------
    def _cache_path(self) -> str:
        return os.path.join(self.ws.state_dir, "s3cache", self.spec.name + ".json")

    def _cache(self) -> dict[str, str]:
        try:
            with open(self._cache_path()) as f:
                return dict(json.load(f))
        except (OSError, ValueError):
            return {}

    def _save_cache(self, cache: dict[str, str]) -> None:
        os.makedirs(os.path.dirname(self._cache_path()), exist_ok=True)
        tmp = self._cache_path() + ".tmp"
        with open(tmp, "w") as f:
            json.dump(cache, f, sort_keys=True)
        os.replace(tmp, self._cache_path())

    @staticmethod
    def _ck(o: Obj) -> str:
        return f"{o['key']}\t{o['etag']}\t{o['size']}"

    def _entries(self, objs: dict[str, Obj], cache: dict[str, str]) -> dict[str, FileEntry]:
        return {k: FileEntry(k, MODE_FILE, cache.get(self._ck(o)) or "etag:" + o["etag"], o["size"])
                for k, o in objs.items()}

    def _recorded(self, tree: str) -> tuple[dict[str, FileEntry], dict[str, Obj]]:
        files = filemod.read_manifest(self.ws.repo, tree, (META,), uncaptured=True)
        meta: dict[str, Obj] = {}
        e = self.ws.repo.tree_path(tree, META)
        if e is not None:
            for line in self.ws.repo.read_blob(e.id).splitlines():
                o = _meta_line(line)
                meta[o["key"]] = o
        entries = {k: FileEntry(k, MODE_FILE, f.digest or "etag:" + meta.get(k, {}).get("etag", ""), f.size)
                   for k, f in files.items()}
        return entries, meta

    # -- the protocol -----------------------------------------------------------------------------------
    def snapshot(self, progress: Progress) -> str:
        objs = self.listing()
        cache = self._cache()
        store = self.ws.store
        task = progress.task(f"{self.spec.name}: {'capturing' if self.stores_content else 'listing'}", len(objs))
        entries = []
        with store.pack_writer() as pack:
            for k, o in sorted(objs.items()):
                digest = ""
                if self.stores_content:
                    known = cache.get(self._ck(o))
                    digest = known if known and store.has(known) else self._capture(o, pack)
                    cache[self._ck(o)] = digest
                entries.append(FileEntry(k, MODE_FILE, digest, o["size"]))
                task.advance()
        progress.done(task)
        self._save_cache(cache)
        repo = self.ws.repo
        tree = filemod.write_manifest(repo, entries)
        meta = b"".join(json.dumps(objs[k], sort_keys=True, separators=(",", ":")).encode() + b"\n"
                        for k in sorted(objs))
        root = [e for e in repo.tree_entries(tree) if e.name != META]
        if meta:
            root.append(TreeEntry(META, repo.write_blob(meta), 0o100644))
        return repo.write_tree(root)

    def _capture(self, o: Obj, pack: Any) -> str:
        args: dict[str, Any] = {"Bucket": self.bucket, "Key": self.prefix + o["key"]}
        if o.get("version_id"):
            args["VersionId"] = o["version_id"]
        try:
            if o["size"] < SMALL:
                data = self.client().get_object(**args)["Body"].read()
                return str(pack.add(data))
            store = self.ws.store
            os.makedirs(store.root, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=store.root, prefix=".tmp-s3-")
            os.close(fd)
            try:
                extra = {"VersionId": o["version_id"]} if o.get("version_id") else None
                self.client().download_file(self.bucket, args["Key"], tmp, ExtraArgs=extra)
                digest = hash_file(tmp, os.path.getsize(tmp))
                store.adopt(tmp, digest)
                return digest
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
        except DwsError:
            raise
        except Exception as e:
            raise explain(e, self.where) from e

    def files(self, tree: str) -> dict[str, FileEntry]:
        return filemod.read_manifest(self.ws.repo, tree, (META,), uncaptured=True)

    def status(self, base_tree: str | None, progress: Progress) -> Changes:
        current = self._entries(self.listing(), self._cache())
        base = self._recorded(base_tree)[0] if base_tree else {}
        return compare(base, current)

    def plan_restore(self, tree: str, progress: Progress) -> RestorePlan:
        cache = self._cache()
        objs = self.listing()
        current = self._entries(objs, cache)
        target, _ = self._recorded(tree)
        changes = compare(current, target)
        if not self.stores_content:
            return RestorePlan(self.spec.name, tree, changes, [], can_write=False)
        store = self.ws.store
        unsafe = [k for k in (*changes.modified, *changes.deleted)
                  if not (current[k].digest and store.has(current[k].digest))] if not self._versioned() else []
        return RestorePlan(self.spec.name, tree, changes, unsafe)

    def restore(self, plan: RestorePlan, progress: Progress) -> None:
        if not plan.can_write:
            raise DwsError(f"resource '{self.spec.name}' records hashes only (store = false)",
                           "its content cannot be restored; see the drift report")
        target = self.files(plan.tree)
        cache = self._cache()
        c = self.client()
        ch = plan.changes
        task = progress.task(f"{self.spec.name}: restoring", len(ch.added) + len(ch.modified) + len(ch.deleted))
        try:
            for k in (*ch.added, *ch.modified):
                e = target[k]
                loose = self.ws.store.loose_path(e.digest)
                if loose is not None:
                    with open(loose, "rb") as body:
                        r = c.put_object(Bucket=self.bucket, Key=self.prefix + k, Body=body)
                else:
                    data = self.ws.store.read(e.digest)
                    if hash_bytes(data) != e.digest:
                        raise DwsError(f"stored content of {k} is damaged", "pull it again from the data remote")
                    r = c.put_object(Bucket=self.bucket, Key=self.prefix + k, Body=data)
                cache[f"{k}\t{str(r.get('ETag', '')).strip(chr(34))}\t{e.size}"] = e.digest
                task.advance()
            for k in ch.deleted:
                c.delete_object(Bucket=self.bucket, Key=self.prefix + k)
                task.advance()
        except DwsError:
            raise
        except Exception as ex:
            raise explain(ex, self.where) from ex
        finally:
            self._save_cache(cache)
            progress.done(task)

    def move_results(self, dest_rel: str, exclude: list[str]) -> int:
        raise DwsError("an S3 resource cannot hold results", "use a local-files or git resource for results")


def _meta_line(line: bytes) -> Obj:
    """One line of the manifest's object metadata, validated (the manifest may come from another clone)."""
    try:
        o = json.loads(line)
    except ValueError:
        o = None
    if not (isinstance(o, dict) and isinstance(o.get("key"), str) and isinstance(o.get("etag", ""), str)):
        raise BadManifest("an S3 object record is not valid", META)
    validate.check_rel_path(o["key"])
    return o
