"""The one registry of resource types."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ConfigError
from ..store.repo import MODE_TREE
from .api_resource import ApiResource
from .base import ResourceType
from .git_repo import GitRepo
from .git_subdir import GitSubdirectory
from .local_files import LocalFiles
from .rclone import Rclone
from .s3 import S3Resource

if TYPE_CHECKING:
    from ..config import ResourceSpec
    from ..workspace import Workspace

TYPES: dict[str, type[ResourceType]] = {
    GitSubdirectory.kind: GitSubdirectory,
    LocalFiles.kind: LocalFiles,
    ApiResource.kind: ApiResource,
    GitRepo.kind: GitRepo,
    Rclone.kind: Rclone,
    S3Resource.kind: S3Resource,
}


def manifest_mode(type_name: str) -> int:
    """How a type's manifest sits in the snapshot tree: a tree, or a gitlink (external git repos)."""
    return int(getattr(TYPES.get(type_name), "manifest_mode", MODE_TREE))


def load(ws: Workspace, spec: ResourceSpec) -> ResourceType:
    try:
        cls = TYPES[spec.type]
    except KeyError:
        raise ConfigError(f"resource '{spec.name}' has unknown type '{spec.type}'",
                          f"known types: {', '.join(sorted(TYPES))}; upgrade git-dws?") from None
    return cls(ws, spec)
