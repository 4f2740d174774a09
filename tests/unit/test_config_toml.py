"""`.dws.toml`: the committed configuration round-trips through canonical TOML."""

from __future__ import annotations

import tomllib

import pytest

from git_dws.config import DEFAULT_PARAMS, ResourceSpec, WorkspaceConfig, parse_param_value
from git_dws.errors import ConfigError, DwsError


def sample() -> WorkspaceConfig:
    return WorkspaceConfig(
        "my ws ü \"q\"",
        {"results.dir_template": "snapshots/{TAG}", "results.move_exclude_files": ["README.md", "a b"],
         "scratch_directory": "scratch", "flag": True, "count": 3},
        (
            ResourceSpec("code", "git-subdirectory", "code", "code"),
            ResourceSpec("my.data", "local-files", "source-data", "/abs/path with space/ü", {"store": False}),
            ResourceSpec("r_1", "git-subdirectory", "results", "sub/results", {"note": "x\ny\t\"z\"\\"}),
        ),
    )


def test_round_trip() -> None:
    c = sample()
    again = WorkspaceConfig.from_bytes(c.to_bytes())
    assert again == c


def test_bytes_are_valid_toml_with_expected_tables() -> None:
    obj = tomllib.loads(sample().to_bytes().decode())
    assert obj["workspace"] == {"name": "my ws ü \"q\"", "format": 1}
    assert obj["params"]["results.move_exclude_files"] == ["README.md", "a b"]
    assert obj["resources"]["my.data"] == {"type": "local-files", "role": "source-data",
                                           "path": "/abs/path with space/ü", "store": False}


def test_bytes_are_canonical() -> None:
    a = sample()
    b = WorkspaceConfig(a.name, dict(reversed(list(a.params.items()))), a.resources)
    assert a.to_bytes() == b.to_bytes()
    assert WorkspaceConfig.from_bytes(a.to_bytes()).to_bytes() == a.to_bytes()


def test_with_resource_and_param_are_pure() -> None:
    c = sample()
    spec = ResourceSpec("new", "local-files", "intermediate-data", "new")
    c2 = c.with_resource(spec).with_param("scratch_directory", "tmp")
    assert c.resource("new") is None and c.params["scratch_directory"] == "scratch"
    assert c2.resource("new") == spec and c2.param("scratch_directory") == "tmp"
    replaced = c2.with_resource(ResourceSpec("new", "local-files", "intermediate-data", "elsewhere"))
    assert [r.name for r in replaced.resources] == [r.name for r in c2.resources]
    assert replaced.resource("new").path == "elsewhere"  # type: ignore[union-attr]


def test_defaults() -> None:
    c = WorkspaceConfig("w", {}, ())
    assert c.param("results.dir_template") == DEFAULT_PARAMS["results.dir_template"] == "snapshots/{HOSTNAME}-{TAG}"
    assert c.param("results.move_exclude_files") == ["README.txt", "README.rst", "README.md"]
    assert c.param("unknown") is None


@pytest.mark.parametrize("bad", [b"not toml [", b"[workspace]\n", b"[params]\nx=1\n",
                                 b"[workspace]\nname='w'\n[resources.r]\nrole='code'\n", b"\xff\xfe"])
def test_bad_files_raise_a_config_error(bad: bytes) -> None:
    with pytest.raises(ConfigError) as e:
        WorkspaceConfig.from_bytes(bad)
    assert e.value.hint


def test_newer_format_is_refused() -> None:
    with pytest.raises(ConfigError, match="newer"):
        WorkspaceConfig.from_bytes(b"[workspace]\nname = 'w'\nformat = 99\n")


def test_parse_param_value() -> None:
    assert parse_param_value("results.dir_template", "snapshots/{TAG}") == "snapshots/{TAG}"
    assert parse_param_value("results.move_exclude_files", '["a", "b"]') == ["a", "b"]
    assert parse_param_value("store", "False") is False
    assert parse_param_value("store", "true") is True
    assert parse_param_value("scratch_directory", "x") == "x"
    for name, value in (("results.move_exclude_files", "README.md"), ("results.move_exclude_files", "[1]"),
                        ("results.dir_template", "elsewhere/{TAG}"), ("hooks.checkout", "sometimes")):
        with pytest.raises(DwsError):
            parse_param_value(name, value)
