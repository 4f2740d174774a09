"""Lineage at snapshot time (the original's step 9), in three calls from the snapshot use case:

1. `Freeze(ws, names)` before anything is moved or written: loads the current lineage and fails with
   LineagePlaceHolderError if a record that the snapshot would hold has a placeholder no resource of the
   snapshot can resolve.
2. `freeze.tree(repo, hashes)` once every resource has its content id: resolves placeholders to those
   ids and writes `lineage/<resource>.json` blobs (one per resource, empty when it has no lineage), returned
   as the extra tree entry for `snapshots/<id>/`.
3. `freeze.commit(sid, moved_results)` after the refs moved: saves the resolved current lineage, forgets
   the lineage of results that were moved away, and writes `lineage.json` at the root of exported
   resources and into the snapshot's results directory (committed where git holds the resource).
"""

from __future__ import annotations

import contextlib

from ..model.snapshot import canonical_json
from ..store.repo import MODE_TREE, Repo, TreeEntry
from ..workspace import Workspace
from . import export, store
from .model import LineagePlaceHolderError
from .records import LineageSet


class Freeze:
    def __init__(self, ws: Workspace, names: list[str]) -> None:
        self.ws = ws
        self.names = names
        self.hashes: dict[str, str] = {}
        self.lset: LineageSet = store.load_current(ws)
        self.lset.check_placeholders(set(names))

    def tree(self, repo: Repo, hashes: dict[str, str]) -> dict[str, TreeEntry]:
        self.hashes = dict(hashes)
        self.lset.resolve(self.hashes)
        entries = [TreeEntry(f"{name}{store.SUFFIX}", repo.write_blob(canonical_json(self.lset.to_json(name))),
                             0o100644) for name in sorted(self.hashes)]
        return {"lineage": TreeEntry("lineage", repo.write_tree(entries), MODE_TREE)}

    def commit(self, sid: str, moved_results: list[str], results: list[str] | None = None,
               results_dir: str | None = None, files: bool = True) -> None:
        """`files=False` (the commit hook's snapshot): no lineage.json is written, so a `git commit`
        never grows a commit of ours on top; the next `git dws snapshot` writes them."""
        with store.editing(self.ws) as fresh:
            # a step may have finished since we loaded: resolve again on what is there now
            with contextlib.suppress(LineagePlaceHolderError):
                fresh.resolve(self.hashes)
            for name in moved_results:
                fresh.clear_resource(name)
        if files:
            export.write_exports(self.ws, sid, self.lset, results, results_dir)
