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

from .errors import ConfigError
from .model import template

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
        try:
            obj = tomllib.loads(data.decode("utf-8"))
            ws = obj["workspace"]
            if int(ws.get("format", 1)) > FORMAT:
                raise ConfigError(f"{where} has format {ws['format']}, newer than this git-dws understands",
                                  "upgrade git-dws: pip install -U git-dws")
            resources = []
            for name, table in obj.get("resources", {}).items():
                table = dict(table)
                rtype, role, path = table.pop("type"), table.pop("role"), table.pop("path", "")
                resources.append(ResourceSpec(name, rtype, role, path, table))
            remotes = tuple(DataRemote(n, str(t["url"]), {k: v for k, v in t.items() if k != "url"})
                            for n, t in obj.get("data-remotes", {}).items())
            return cls(str(ws["name"]), dict(obj.get("params", {})), tuple(resources), remotes)
        except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError, UnicodeDecodeError) as e:
            raise ConfigError(f"cannot read {where}: {e}", f"fix {where} by hand or restore it from git") from e


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
