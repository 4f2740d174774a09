"""ORIGINAL.md §1.1, global CLI conventions: `--batch`, finding the workspace, exit codes, commits,
role names and hostname syntax."""

from __future__ import annotations

from pathlib import Path

from conftest import assert_error, dws, git, git_out, run


def test_batch_never_prompts_and_names_what_it_needed(ows: Path) -> None:
    """Where input is required, --batch fails (exit 1) and says what input was needed."""
    err = assert_error(dws(ows, "add", "git", "missing-dir", "--role", "source-data", check=False), code=1)
    assert "does not exist" in err and "without --batch" in err


def test_verbose_echoes_git(ows: Path) -> None:
    """--verbose echoes every git subprocess (on stderr), as the original did."""
    proc = run(ows, "git", "dws", "--batch", "--verbose", "report", "status")
    assert "+ git " in proc.stderr and "Status for workspace" in proc.stdout


def test_workspace_found_from_a_subdirectory(ows: Path) -> None:
    """The workspace is found by walking up from the cwd."""
    out = dws(ows / "code", "report", "status").stdout
    assert "Status for workspace: ws" in out


def test_outside_a_workspace_is_an_error_not_a_prompt(tmp_path: Path) -> None:
    """Better: outside a workspace the original prompted for the root even for --help; git-dws fails
    with exit 1 and a hint (and `-h` always works)."""
    (tmp_path / "plain").mkdir()
    assert_error(dws(tmp_path / "plain", "snapshot", check=False), code=1)
    assert "usage:" in run(tmp_path / "plain", "git", "dws", "add", "git", "-h").stdout


def test_exit_codes(ows: Path) -> None:
    """0 on success, 1 on configuration errors (unknown parameter), 2 on usage errors (exclusive
    options, bad values), never a traceback."""
    assert dws(ows, "report", "status").returncode == 0
    assert_error(dws(ows, "config", "nope", check=False), "no parameter named 'nope'", code=1)
    assert_error(dws(ows, "restore", "--only", "code", "--leave", "results", "X", check=False), code=2)
    assert_error(dws(ows, "add", "git", "code", "--role", "bogus", check=False), code=2)


def test_commands_commit_only_their_own_files(ows: Path) -> None:
    """Better: the original's workspace.save() committed every change in the repository (even
    unrelated user edits); git-dws commits only the files the command wrote, staged work stays staged."""
    (ows / "notes.txt").write_text("mine\n")
    git(ows, "add", "notes.txt")
    (ows / "extra").mkdir()
    dws(ows, "add", "local-files", "extra", "--role", "source-data")
    assert "notes.txt" not in git_out(ows, "show", "--name-only", "--format=", "HEAD")
    assert git_out(ows, "diff", "--cached", "--name-only") == "notes.txt"


def test_role_abbreviations_and_case(ows: Path) -> None:
    """Roles are case-insensitive and s/i/c/r abbreviate them."""
    for d, role, expect in (
        ("d1", "S", "source-data"),
        ("d2", "i", "intermediate-data"),
        ("d3", "Code", "code"),
        ("d4", "r", "results"),
    ):
        (ows / d).mkdir()
        dws(ows, "add", "local-files", d, "--role", role)
        assert f'role = "{expect}"' in (ows / ".dws.toml").read_text().split(f"[resources.{d}]")[1]


def test_hostname_syntax(tmp_path: Path) -> None:
    """DNS labels of letters, digits and '-': underscores, a leading '-' and labels over 63 characters
    are refused (exit 2); the original's message wrongly said '_' was allowed, ours does not."""
    for bad in ("has_underscore", "-lead", "x" * 64):
        d = tmp_path / f"w{len(bad)}{bad[:2]}"
        d.mkdir()
        err = assert_error(dws(d, "init", "--hostname", bad, check=False), code=2)
        assert "'_'" not in err or "not" in err
    d = tmp_path / "ok"
    d.mkdir()
    dws(d, "init", "--hostname", "my-host.lab", "--no-hooks")
    assert git_out(d, "config", "dws.hostname") == "my-host.lab"
