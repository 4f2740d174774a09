"""`git dws config [--resource R] [NAME [VALUE]]`: workspace parameters live in .dws.toml (committed),
machine-local ones (hostname, a resource's local path) in git config."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..config import DEFAULT_PARAMS, GLOBAL_PARAMS, ResourceSpec, parse_param_value
from ..errors import ConfigError, DwsError, UsageError
from ..model.names import check_hostname
from ..workspace import Workspace, default_hostname
from .add import ensure_gitignore

LOCAL_PARAMS = {"hostname": "this machine's name in snapshots and results directories"}
RESOURCE_PARAMS = {
    "role": "source-data | intermediate-data | code | results (fixed at add)",
    "path": "directory of the resource",
    "store": "local-files: capture content in the content store (false: record hashes only)",
    "local_path": "(machine-local) where the resource lives on this machine",
}
_FIXED = {"role", "type"}


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    scope: str  # global | local | resource | resource-local
    value: Any
    default: bool
    description: str


def list_params(ws: Workspace, resource: str | None = None) -> list[Param]:
    if resource is None:
        out = [Param(n, "global", ws.config.param(n), n not in ws.config.params, d)
               for n, d in GLOBAL_PARAMS.items()]
        host = ws.repo.config_get("dws.hostname")
        out.append(Param("hostname", "local", host or default_hostname(), host is None, LOCAL_PARAMS["hostname"]))
        return out
    spec = _spec(ws, resource)
    out = [Param("type", "resource", spec.type, False, "resource type (fixed)")]
    for n, d in RESOURCE_PARAMS.items():
        if n == "local_path":
            v = ws.repo.config_get(f"dws-resource.{spec.name}.path")
            try:
                shown = v or ws.resource_path(spec.name, spec.path)
            except DwsError:  # outside the workspace and not set on this machine
                shown = "(not set on this machine)"
            out.append(Param(n, "resource-local", shown, v is None, d))
        elif n == "role":
            out.append(Param(n, "resource", spec.role, False, d))
        elif n == "path":
            out.append(Param(n, "resource", spec.path, False, d))
        elif n in spec.params or spec.type == "local-files":
            out.append(Param(n, "resource", spec.params.get(n, True), n not in spec.params, d))
    return out


def get_param(ws: Workspace, name: str, resource: str | None = None) -> Param:
    for p in list_params(ws, resource):
        if p.name == name:
            return p
    where = f"resource '{resource}'" if resource else "the workspace"
    raise ConfigError(f"no parameter named '{name}' for {where}", "`git dws config` lists them")


def set_param(ws: Workspace, name: str, value: str, resource: str | None = None) -> Param:
    get_param(ws, name, resource)  # unknown name -> clear error
    if resource is None:
        if name == "hostname":
            ws.repo.config_set("dws.hostname", check_hostname(value))
        else:
            parsed = parse_param_value(name, value)
            config = ws.config.with_param(name, parsed)
            if DEFAULT_PARAMS.get(name) == parsed:
                config = replace(config, params={k: v for k, v in config.params.items() if k != name})
            extra: tuple[str, ...] = ()
            if name == "scratch_directory":  # like init: the scratch directory is never committed
                ensure_gitignore(ws.root, [f"/{str(parsed).strip('/')}/"])
                extra = (".gitignore",)
            ws.save_config(config, f"Set workspace parameter {name}", extra)
        return get_param(ws, name)
    spec = _spec(ws, resource)
    if name in _FIXED or name == "path":
        raise UsageError(f"'{name}' of a resource cannot be changed",
                         "remove and re-add the resource, or set local_path for this machine")
    if name == "local_path":
        ws.repo.config_set(f"dws-resource.{spec.name}.path", value)
    else:
        new = replace(spec, params={**spec.params, name: parse_param_value(name, value)})
        ws.save_config(ws.config.with_resource(new), f"Set parameter {name} of resource {spec.name}")
    return get_param(ws, name, resource)


def _spec(ws: Workspace, name: str) -> ResourceSpec:
    spec = ws.config.resource(name)
    if spec is None:
        raise UsageError(f"no resource named '{name}'",
                         f"resources: {', '.join(r.name for r in ws.config.resources) or 'none'}")
    return spec
