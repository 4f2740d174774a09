"""`.dws.toml`, the committed workspace configuration, as frozen values.

Read with tomllib; written by a small canonical writer (our schema is only tables of strings, booleans,
integers and string lists), so equal configurations give equal bytes and no extra dependency is needed.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import ConfigError, DwsError
from .model import template
from .model.names import ROLES, is_resource_name

FILENAME = ".dws.toml"
FORMAT = 1

DEFAULT_PARAMS: dict[str, Any] = {
    "results.dir_template": template.DEFAULT,
    "results.move_exclude_files": ["README.txt", "README.rst", "README.md"],
}

# name -> (description, parser). Local (machine) parameters live in git config, see store.repo.
GLOBAL_PARAMS: dict[str, str] = {
    "results.dir_template": "where results move at snapshot; variables {HOSTNAME} {TAG} {SNAPSHOT_NO} ...",
    "results.move_exclude_files": "JSON list of files left in place in results resources",
    "scratch_directory": "scratch directory, relative to the workspace (git-ignored)",
    "snapshot.auto_tag": "tag template for snapshots taken by the commit hook, e.g. {BRANCH}-{SNAPSHOT_NO} "
                         "(empty: no tag; variables: see git-dws-hooks(1))",
    "hooks.checkout": "what the checkout hook does: restore | warn | off",
}


@dataclass(frozen=True, slots=True)
class ResourceSpec:
    name: str
    type: str
    role: str
    path: str  # relative to the workspace root when inside it, absolute otherwise
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def read_only(self) -> bool:
        return bool(self.params.get("read_only", False))

    def to_table(self) -> dict[str, Any]:
        return {"type": self.type, "role": self.role, "path": self.path, **self.params}


@dataclass(frozen=True, slots=True)
class DataRemote:
    """A data remote (`[data-remotes.NAME]`): where snapshot content travels. Never holds credentials."""

    name: str
    url: str
    params: dict[str, Any] = field(default_factory=dict)  # endpoint_url, default

    @property
    def is_default(self) -> bool:
        return bool(self.params.get("default", False))


@dataclass(frozen=True, slots=True)
class WorkspaceConfig:
    name: str
    params: dict[str, Any]
    resources: tuple[ResourceSpec, ...]
    remotes: tuple[DataRemote, ...] = ()

    def resource(self, name: str) -> ResourceSpec | None:
        return next((r for r in self.resources if r.name == name), None)

    def param(self, name: str) -> Any:
        return self.params.get(name, DEFAULT_PARAMS.get(name))

    def with_resource(self, spec: ResourceSpec) -> WorkspaceConfig:
        if self.resource(spec.name) is None:
            return replace(self, resources=(*self.resources, spec))
        return replace(self, resources=tuple(spec if r.name == spec.name else r for r in self.resources))

    def with_param(self, name: str, value: Any) -> WorkspaceConfig:
        return replace(self, params={**self.params, name: value})

    def to_bytes(self) -> bytes:
        lines = [
            "# git-dws workspace configuration. Edit with `git dws config` or by hand; see git-dws(1).",
            "[workspace]",
            f"name = {_value(self.name)}",
            f"format = {FORMAT}",
            "",
            "[params]",
        ]
        lines += [f"{_key(k)} = {_value(v)}" for k, v in sorted(self.params.items())]
        for r in self.resources:
            lines += ["", f"[resources.{_key(r.name)}]"]
            lines += [f"{_key(k)} = {_value(v)}" for k, v in r.to_table().items()]
        for d in self.remotes:
            lines += ["", f"[data-remotes.{_key(d.name)}]", f"url = {_value(d.url)}"]
            lines += [f"{_key(k)} = {_value(v)}" for k, v in sorted(d.params.items())]
        return ("\n".join(lines) + "\n").encode()

    @classmethod
    def from_bytes(cls, data: bytes, where: str = FILENAME) -> WorkspaceConfig:
        """Parse and check `.dws.toml`. It is committed, so it may come from anyone who can push: every
        value is checked here, once, before any command uses it (paths: see Workspace.resource_path)."""
        try:
            obj = tomllib.loads(data.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"cannot read {where}: {e}", f"fix {where} by hand or restore it from git") from e
        ws = obj.get("workspace")
        if not isinstance(ws, dict) or not isinstance(ws.get("name"), str):
            raise ConfigError(f"{where} has no [workspace] table with a name",
                              f"restore it from git (git checkout -- {FILENAME}) or run git dws init")
        fmt = ws.get("format", 1)
        if not isinstance(fmt, int) or fmt > FORMAT:
            raise ConfigError(f"{where} has format {fmt}, newer than this git-dws understands",
                              "upgrade git-dws: pip install -U git-dws")
        resources = tuple(_resource(name, table, where) for name, table in _tables(obj, "resources", where))
        remotes = tuple(_remote(name, table, where) for name, table in _tables(obj, "data-remotes", where))
        params = obj.get("params", {})
        if not isinstance(params, dict):
            raise ConfigError(f"[params] of {where} is not a table", f"fix {where} by hand")
        for name, value in params.items():
            _check_param(name, value, where)
        return cls(ws["name"], dict(params), resources, remotes)


def _tables(obj: dict[str, Any], key: str, where: str) -> list[tuple[str, dict[str, Any]]]:
    tables = obj.get(key, {})
    if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
        raise ConfigError(f"[{key}] of {where} must hold one table per entry", f"fix {where} by hand")
    return list(tables.items())


def _resource(name: str, table: dict[str, Any], where: str) -> ResourceSpec:
    table = dict(table)
    rtype, role, path = table.pop("type", None), table.pop("role", None), table.pop("path", "")
    if not is_resource_name(name):
        raise ConfigError(f"resource name '{name}' in {where} is not valid",
                          "use letters, digits, '.', '_' and '-' (at most 100)")
    if not isinstance(rtype, str) or not rtype:
        raise ConfigError(f"resource '{name}' in {where} has no type",
                          'add a line such as type = "local-files" (or git-subdirectory, git, rclone, s3, '
                          "api-resource) to its table")
    if role not in ROLES:
        raise ConfigError(f"resource '{name}' in {where} has role {role!r}", f"use one of: {', '.join(ROLES)}")
    if not isinstance(path, str):
        raise ConfigError(f"resource '{name}' in {where} has a path that is not text", f"fix {where} by hand")
    return ResourceSpec(name, rtype, role, path, table)


def _remote(name: str, table: dict[str, Any], where: str) -> DataRemote:
    url = table.get("url")
    if not isinstance(url, str) or not url:
        raise ConfigError(f"data remote '{name}' in {where} has no url", f"fix {where} by hand")
    return DataRemote(name, url, {k: v for k, v in table.items() if k != "url"})


def _check_param(name: str, value: Any, where: str) -> None:
    """Known parameters get the checks `git dws config` applies; a bad one is refused, not used."""
    try:
        if name == "results.dir_template":
            template.check(value if isinstance(value, str) else "")
            if ".." in value.split("/"):
                raise ConfigError("'..' is not allowed in results.dir_template")
        elif name == "results.move_exclude_files":
            if not (isinstance(value, list) and all(isinstance(x, str) for x in value)):
                raise ConfigError("results.move_exclude_files must be a list of names")
        elif name == "scratch_directory" and isinstance(value, str) and value != "":  # "": machine-local
            parse_param_value(name, value)
        elif name in ("hooks.checkout", "snapshot.auto_tag"):
            parse_param_value(name, value if isinstance(value, str) else "?")
    except DwsError as e:
        raise ConfigError(f"{where}: parameter '{name}': {e.message}", e.hint or f"fix {where} by hand") from None


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: str) -> str:
    return k if _BARE_KEY.match(k) else json.dumps(k)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise ConfigError(f"cannot store value {v!r} in {FILENAME}", "use text, true/false, a number or a list")


def parse_param_value(name: str, text: str) -> Any:
    """Parse a `git dws config NAME VALUE` value for a global or resource parameter."""
    if name == "results.dir_template":
        return template.check(text)
    if name == "results.move_exclude_files":
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = None
        if not (isinstance(value, list) and all(isinstance(x, str) for x in value)):
            raise ConfigError(f"'{name}' takes a JSON list of file names", 'example: \'["README.md"]\'')
        return value
    if name == "scratch_directory" and (text.startswith("/") or ".." in text.split("/") or not text.strip("/")):
        raise ConfigError(f"'{name}' must be a path relative to the workspace", "example: scratch")
    if name == "hooks.checkout" and text not in ("restore", "warn", "off"):
        raise ConfigError(f"'{name}' must be restore, warn or off")
    if name == "snapshot.auto_tag":
        from .model import autotag

        return autotag.check(text)  # a tag name template, e.g. {BRANCH}-{SNAPSHOT_NO}; see git-dws-hooks(1)
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text
