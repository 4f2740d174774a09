"""The protocol every resource type satisfies, and the values it exchanges with the use cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Protocol

from ..model.diff import Changes
from ..model.manifest import FileEntry
from ..progress import Progress

if TYPE_CHECKING:
    from ..config import ResourceSpec
    from ..store.repo import Repo
    from ..workspace import Workspace


@dataclass(frozen=True, slots=True)
class RestorePlan:
    resource: str
    tree: str
    changes: Changes  # what restoring changes in the working copy
    unsafe: list[str] = field(default_factory=list)  # paths whose current content no snapshot holds
    can_write: bool = True  # False: content was not captured (--no-store); restore only verifies
    snapshot: str = ""  # the snapshot id being restored, for messages


class ResourceType(Protocol):
    kind: ClassVar[str]
    spec: ResourceSpec

    def __init__(self, ws: Workspace, spec: ResourceSpec) -> None: ...

    @staticmethod
    def check_manifest(repo: Repo, tree: str) -> None:
        """Validate a manifest tree another clone may have crafted (raise BadManifest), before any
        reader uses it: pull and clone run this over every snapshot new to them, fsck over all."""
        ...

    @property
    def local_path(self) -> str: ...

    def snapshot(self, progress: Progress) -> str:
        """Record the current state: write data and manifest objects, return the manifest tree id."""
        ...

    def files(self, tree: str) -> dict[str, FileEntry]:
        """The files recorded in a manifest tree, by path relative to the resource."""
        ...

    def status(self, base_tree: str | None, progress: Progress) -> Changes:
        """Differences of the working copy from `base_tree` (everything added when None)."""
        ...

    def plan_restore(self, tree: str, progress: Progress) -> RestorePlan: ...

    def restore(self, plan: RestorePlan, progress: Progress) -> None: ...

    def move_results(self, dest_rel: str, exclude: list[str]) -> int:
        """Move current result files into `dest_rel` (relative to the resource). Returns the count."""
        ...
