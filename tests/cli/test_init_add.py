"""init and add: workspaces in new or existing repositories; git-subdirectory and local-files resources;
overlapping or nested resources and local-files over git-tracked paths are refused."""

from __future__ import annotations

from pathlib import Path

from conftest import assert_error, dws, dws_json, git, git_out, write


def resources(ws: Path) -> dict[str, dict[str, object]]:
    return {r["name"]: r for r in dws_json(ws, "report", "status")["resources"]}


def test_init_in_a_new_directory(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    root.mkdir()
    out = dws(root, "init", "myws", "--hostname", "h1", "--create-resources", "all").stdout
    assert "myws" in out
    assert (root / ".git").is_dir()
    assert set(resources(root)) == {"source-data", "intermediate-data", "code", "results"}
    for role in ("source-data", "intermediate-data", "code", "results"):
        assert (root / role / "README.txt").exists()
    assert git_out(root, "status", "--porcelain") == ""
    assert git_out(root, "ls-files", ".dws.toml") == ".dws.toml"
    assert git_out(root, "config", "--local", "dws.hostname") == "h1"
    assert git_out(root, "config", "notes.rewriteRef") == "refs/notes/dws"


def test_init_in_an_existing_repository_keeps_history(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    write(root / "existing.txt", "hi\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first")
    first = git_out(root, "rev-parse", "HEAD")
    out = dws(root, "init", "--hostname", "h").stdout
    assert "already a git repository" in out
    git(root, "merge-base", "--is-ancestor", first, "HEAD")
    assert dws_json(root, "report", "status")["workspace"] == "repo"


def test_init_refusals(ws: Path, tmp_path: Path) -> None:
    assert_error(dws(ws, "init", check=False), "already")
    sub = ws / "code"
    assert_error(dws(sub, "init", check=False), "inside")
    fresh = tmp_path / "f"
    fresh.mkdir()
    assert_error(dws(fresh, "init", "--create-resources", "code,bogus", check=False), "bogus", code=2)
    assert_error(dws(fresh, "init", "--hostname", "bad_host", check=False), "hostname")
    assert not (fresh / ".dws.toml").exists()


def test_init_scratch_directory(tmp_path: Path) -> None:
    root = tmp_path / "s"
    root.mkdir()
    dws(root, "init", "--hostname", "h", "--scratch-directory", "scratch")
    write(root / "scratch" / "tmp.bin", "x")
    assert git_out(root, "status", "--porcelain") == ""
    assert dws(root, "config", "scratch_directory").stdout.strip() == "scratch_directory = scratch"


def test_add_git_subdirectory(ws: Path) -> None:
    write(ws / "models" / "m.txt", "m\n")
    out = dws(ws, "add", "git", "models", "--role", "i").stdout
    assert "models" in out
    r = resources(ws)["models"]
    assert (r["type"], r["role"], r["path"]) == ("git-subdirectory", "intermediate-data", "models")
    assert git_out(ws, "log", "-1", "--format=%s").startswith("Add resource")


def test_add_git_missing_directory_in_batch(ws: Path) -> None:
    err = assert_error(dws(ws, "add", "git", "newdir", "--role", "code", check=False), "newdir")
    assert "mkdir" in err
    assert "newdir" not in resources(ws) and not (ws / "newdir").exists()


def test_add_local_files_is_git_ignored(ws: Path) -> None:
    write(ws / "raw data" / "x.csv", "1,2\n")
    dws(ws, "add", "local-files", "raw data", "--role", "source-data", "--name", "raw")
    assert git_out(ws, "status", "--porcelain", "--untracked-files=all") == ""
    assert git_out(ws, "check-ignore", "raw data/x.csv") == "raw data/x.csv"
    assert resources(ws)["raw"]["path"] == "raw data"


def test_add_local_files_with_glob_characters_is_git_ignored(ws: Path) -> None:
    write(ws / "[x]" / "data.bin", "secret\n")
    dws(ws, "add", "local-files", "[x]", "--role", "source-data", "--name", "x")
    assert git_out(ws, "status", "--porcelain", "--untracked-files=all") == ""


def test_add_local_files_name_defaults_to_directory_name(ws: Path) -> None:
    write(ws / "dataset" / "x", "x\n")
    dws(ws, "add", "local-files", "dataset/", "--role", "s")
    assert resources(ws)["dataset"]["role"] == "source-data"


def test_role_is_required_in_batch(ws: Path) -> None:
    write(ws / "d" / "x", "x\n")
    assert_error(dws(ws, "add", "local-files", "d", check=False), "role")
    assert_error(dws(ws, "add", "local-files", "d", "--role", "bogus", check=False), "role", code=2)
    assert "d" not in resources(ws)


def test_overlapping_and_nested_resources_are_refused(data_ws: Path) -> None:
    ws = data_ws
    write(ws / "data" / "inner" / "x", "x\n")
    write(ws / "code" / "lib" / "y.py", "y\n")
    before = (ws / ".dws.toml").read_bytes()
    cases = [
        ("local-files", "data/inner", "in"),      # inside a local-files resource
        ("git", "code/lib", "lib"),               # inside a git-subdirectory resource
        ("local-files", "data", "again"),         # the same directory under another name
        ("git", "code", "code-again"),
    ]
    for kind, path, name in cases:
        assert_error(dws(ws, "add", kind, path, "--role", "s", "--name", name, check=False), "overlap|nested|exists")
    # containing existing resources
    write(ws / "outer" / "x", "x\n")
    (ws / "outer" / "code").symlink_to(ws / "code")  # via a link is still the same directory
    assert_error(dws(ws, "add", "local-files", "outer/code", "--role", "s", "--name", "via-link",
                     check=False), "overlap|nested")
    assert (ws / ".dws.toml").read_bytes() == before


def test_resource_containing_another_is_refused(ws: Path) -> None:
    write(ws / "all" / "sub" / "x", "x\n")
    dws(ws, "add", "local-files", "all/sub", "--role", "s")
    assert_error(dws(ws, "add", "local-files", "all", "--role", "s", check=False), "overlap|nested")


def test_duplicate_name_is_refused(data_ws: Path) -> None:
    write(data_ws / "other" / "x", "x\n")
    assert_error(dws(data_ws, "add", "local-files", "other", "--role", "s", "--name", "data", check=False),
                 "already exists")


def test_local_files_over_git_tracked_files_is_refused(ws: Path) -> None:
    write(ws / "tracked" / "t.txt", "t\n")
    git(ws, "add", "tracked")
    git(ws, "commit", "-q", "-m", "tracked")
    before = (ws / ".dws.toml").read_bytes()
    assert_error(dws(ws, "add", "local-files", "tracked", "--role", "s", check=False), "tracked")
    assert (ws / ".dws.toml").read_bytes() == before
    assert "/tracked/" not in (ws / ".gitignore").read_text()


def test_workspace_root_and_git_dir_are_refused(ws: Path) -> None:
    assert_error(dws(ws, "add", "local-files", ".", "--role", "s", "--name", "root", check=False))
    assert_error(dws(ws, "add", "git", ".", "--role", "s", "--name", "root", check=False))
    assert_error(dws(ws, "add", "local-files", ".git", "--role", "s", "--name", "g", check=False), hint=False)


def test_git_path_outside_the_workspace_is_refused(ws: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    assert_error(dws(ws, "add", "git", str(outside), "--role", "code", check=False), "outside")
    assert_error(dws(ws, "add", "git", "../outside", "--role", "code", check=False), "outside")


def test_local_files_missing_directory(ws: Path) -> None:
    assert_error(dws(ws, "add", "local-files", "nope", "--role", "s", check=False), "nope")


def test_add_from_a_subdirectory(ws: Path) -> None:
    write(ws / "code" / "deep" / "d" / "x", "x\n")
    write(ws / "elsewhere" / "x", "x\n")
    dws(ws / "code", "add", "local-files", "../elsewhere", "--role", "s")
    assert resources(ws)["elsewhere"]["path"] == "elsewhere"
