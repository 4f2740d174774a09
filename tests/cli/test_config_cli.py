"""git dws config [--resource R] [NAME [VALUE]]: workspace parameters in the committed .dws.toml,
machine-local ones (hostname, a resource's local path) in git config."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from conftest import assert_error, dws, git, git_out, take, tree_state, write


def toml(ws: Path) -> dict[str, object]:
    return tomllib.loads((ws / ".dws.toml").read_text())


def test_get_defaults(ws: Path) -> None:
    assert dws(ws, "config", "results.dir_template").stdout.strip() == \
        "results.dir_template = snapshots/{HOSTNAME}-{TAG}"
    assert json.loads(dws(ws, "config", "results.move_exclude_files").stdout.split(" = ", 1)[1]) == \
        ["README.txt", "README.rst", "README.md"]
    assert dws(ws, "config", "hostname").stdout.strip() == "hostname = testhost"
    listing = dws(ws, "config").stdout
    for name in ("results.dir_template", "results.move_exclude_files", "hostname"):
        assert name in listing


def test_set_global_parameter_is_committed(ws: Path) -> None:
    head = git_out(ws, "rev-parse", "HEAD")
    dws(ws, "config", "results.dir_template", "snapshots/{TAG}-{SNAPSHOT_NO}")
    assert dws(ws, "config", "results.dir_template").stdout.strip().endswith("snapshots/{TAG}-{SNAPSHOT_NO}")
    assert toml(ws)["params"]["results.dir_template"] == "snapshots/{TAG}-{SNAPSHOT_NO}"  # type: ignore[index]
    assert git_out(ws, "rev-parse", "HEAD^") == head
    assert git_out(ws, "status", "--porcelain") == ""
    assert git_out(ws, "show", "HEAD:.dws.toml") == (ws / ".dws.toml").read_text().strip()
    dws(ws, "config", "results.move_exclude_files", '["README.md", "keep me.txt"]')
    assert toml(ws)["params"]["results.move_exclude_files"] == ["README.md", "keep me.txt"]  # type: ignore[index]


def test_setting_the_default_value_removes_it(ws: Path) -> None:
    dws(ws, "config", "results.dir_template", "snapshots/{TAG}")
    dws(ws, "config", "results.dir_template", "snapshots/{HOSTNAME}-{TAG}")
    assert "results.dir_template" not in toml(ws).get("params", {})  # type: ignore[operator]


def test_hostname_is_machine_local(ws: Path) -> None:
    toml_before = (ws / ".dws.toml").read_bytes()
    dws(ws, "config", "hostname", "laptop-2")
    assert git_out(ws, "config", "--local", "dws.hostname") == "laptop-2"
    assert (ws / ".dws.toml").read_bytes() == toml_before
    assert_error(dws(ws, "config", "hostname", "bad_host", check=False), "hostname")
    assert git_out(ws, "config", "--local", "dws.hostname") == "laptop-2"


def test_resource_parameters(data_ws: Path, tmp_path: Path) -> None:
    ws = data_ws
    out = dws(ws, "config", "--resource", "data").stdout
    assert "local-files" in out and "source-data" in out
    assert dws(ws, "config", "--resource", "data", "store").stdout.strip() == "store = true"
    dws(ws, "config", "--resource", "data", "store", "false")
    assert toml(ws)["resources"]["data"]["store"] is False  # type: ignore[index]
    for fixed in ("role", "type", "path"):
        assert_error(dws(ws, "config", "--resource", "data", fixed, "x", check=False), fixed)
    # a machine-local path override lives in git config, not in the committed file
    elsewhere = tmp_path / "moved data"
    write(elsewhere / "a.txt", "alpha\n")
    dws(ws, "config", "--resource", "data", "local_path", str(elsewhere))
    assert git_out(ws, "config", "--local", "dws-resource.data.path") == str(elsewhere)
    assert str(elsewhere) not in (ws / ".dws.toml").read_text()


def test_local_path_override_is_used_by_snapshot_and_restore(data_ws: Path, tmp_path: Path) -> None:
    ws = data_ws
    elsewhere = tmp_path / "moved data"
    write(elsewhere / "a.txt", "elsewhere v1\n")
    dws(ws, "config", "--resource", "data", "local_path", str(elsewhere))
    take(ws, "S1")
    state = tree_state(elsewhere)
    write(elsewhere / "a.txt", "elsewhere v2\n")
    take(ws, "S2")
    dws(ws, "restore", "S1")
    assert tree_state(elsewhere) == state
    assert (ws / "data" / "a.txt").read_text() == "alpha\n"  # the old place is not touched


def test_bad_config_input(ws: Path) -> None:
    before = (ws / ".dws.toml").read_bytes()
    assert_error(dws(ws, "config", "nope", check=False), "nope")
    assert_error(dws(ws, "config", "nope", "1", check=False), "nope")
    assert_error(dws(ws, "config", "results.dir_template", "elsewhere/{TAG}", check=False), "snapshots/",
                 hint=False)  # see test_errors.py::test_every_refusal_has_a_hint
    assert_error(dws(ws, "config", "results.dir_template", "snapshots/{BOGUS}", check=False), "BOGUS")
    assert_error(dws(ws, "config", "results.move_exclude_files", "README.md", check=False), "JSON")
    assert_error(dws(ws, "config", "--resource", "nope", check=False), "nope")
    assert_error(dws(ws, "config", "--resource", "nope", "store", "false", check=False), "nope")
    assert (ws / ".dws.toml").read_bytes() == before


def test_hand_edited_config_round_trips(ws: Path) -> None:
    """A user-edited .dws.toml (comments, other order) is read; rewriting keeps every value."""
    text = (ws / ".dws.toml").read_text() + '\n# my comment\n[resources."my.data"]\nrole = "source-data"\n' \
        'type = "local-files"\npath = "my data"\n'
    (ws / ".dws.toml").write_text(text)
    write(ws / "my data" / "f", "f\n")
    git(ws, "commit", "-q", "-am", "hand edit")
    before = toml(ws)
    dws(ws, "config", "results.dir_template", "snapshots/{TAG}")
    after = toml(ws)
    after["params"].pop("results.dir_template")  # type: ignore[union-attr]
    assert after == before
    take(ws, "S1")


def test_corrupt_config_is_a_clean_error(ws: Path) -> None:
    (ws / ".dws.toml").write_text("[workspace\nname = ")
    for cmd in (["status"], ["snapshot", "S1"], ["config"], ["report", "history"]):
        assert_error(dws(ws, *cmd, check=False), r"\.dws\.toml")
