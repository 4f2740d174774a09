"""`git dws add api-resource`: a resource for data fetched from an API. It has no files; its version is
the hash a step hands over through the lineage API (see resources/api_resource.py)."""

from __future__ import annotations

from ..config import ResourceSpec
from ..errors import UsageError
from ..model.names import check_resource_name
from ..resources.api_resource import ROLES, ApiResource
from ..workspace import Workspace
from .add import AddResult


def add_api_resource(ws: Workspace, *, role: str, name: str | None = None) -> AddResult:
    if role not in ROLES:
        raise UsageError(f"an api-resource cannot have role {role}", f"use one of: {', '.join(ROLES)}")
    spec_name = check_resource_name(name or f"{role}-api")
    if ws.config.resource(spec_name):
        raise UsageError(f"a resource named '{spec_name}' already exists", "choose another with --name")
    spec = ResourceSpec(spec_name, ApiResource.kind, role, "")
    ws.save_config(ws.config.with_resource(spec), f"Add resource {spec_name}")
    return AddResult(spec.name, spec.type, role, "")
