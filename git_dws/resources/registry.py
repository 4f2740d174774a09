"""The one registry of resource types."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ..errors import ConfigError
from ..store.repo import MODE_TREE
from .base import ResourceType

if TYPE_CHECKING:
    from ..config import ResourceSpec
    from ..workspace import Workspace

# kind -> (module, class). Modules load on first use: a workspace of local files never imports the
# S3 or rclone code, which keeps start-up (and status) fast.
TYPES: dict[str, tuple[str, str]] = {
    "git-subdirectory": ("git_subdir", "GitSubdirectory"),
    "local-files": ("local_files", "LocalFiles"),
    "api-resource": ("api_resource", "ApiResource"),
    "git": ("git_repo", "GitRepo"),
    "rclone": ("rclone", "Rclone"),
    "s3": ("s3", "S3Resource"),
}


def get(kind: str) -> type[ResourceType] | None:
    where = TYPES.get(kind)
    if where is None:
        return None
    cls: type[ResourceType] = getattr(importlib.import_module(f"{__package__}.{where[0]}"), where[1])
    return cls


def manifest_mode(type_name: str) -> int:
    """How a type's manifest sits in the snapshot tree: a tree, or a gitlink (external git repos)."""
    return int(getattr(get(type_name), "manifest_mode", MODE_TREE))


def load(ws: Workspace, spec: ResourceSpec) -> ResourceType:
    cls = get(spec.type)
    if cls is None:
        raise ConfigError(f"resource '{spec.name}' has unknown type '{spec.type}'",
                          f"known types: {', '.join(sorted(TYPES))}; upgrade git-dws?")
    return cls(ws, spec)
