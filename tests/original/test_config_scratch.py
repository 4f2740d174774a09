"""ORIGINAL.md §1.4 (hostname, scratch directory, ignore files, large files) and §1.8 (configuration
parameters, global and machine-local)."""

from __future__ import annotations

from pathlib import Path

from conftest import assert_error, dws, git, git_out

from git_dws.scratch import scratch_dir
from git_dws.workspace import Workspace


def test_scratch_default_is_git_ignored_and_never_snapshotted(ows: Path) -> None:
    """init makes <ws>/scratch, stored as scratch_directory = "scratch", git-ignored; its content is
    never committed or snapshotted; scratch_dir() (what the kits use for <scratch>/checkpoints)
    returns it; a resource inside it is refused."""
    assert 'scratch_directory = "scratch"' in (ows / ".dws.toml").read_text()
    assert (ows / "scratch").is_dir() and "/scratch/" in (ows / ".gitignore").read_text().splitlines()
    assert scratch_dir(Workspace.open(str(ows))) == str(ows / "scratch")
    (ows / "scratch" / "checkpoints").mkdir()
    (ows / "scratch" / "checkpoints" / "model_1").write_text("weights\n")
    dws(ows, "snapshot", "S1")
    assert git_out(ows, "status", "--porcelain") == ""
    assert "scratch" not in git_out(ows, "ls-files")
    assert "scratch" not in {r["name"] for r in dws_json_status(ows)}
    assert_error(
        dws(ows, "add", "local-files", "scratch/checkpoints", "--role", "intermediate-data", check=False),
        "scratch directory",
        code=2,
    )


def test_scratch_outside_the_workspace(tmp_path: Path) -> None:
    """An absolute --scratch-directory outside the workspace is machine-local: git config
    dws.scratch-directory, never in .dws.toml (which records only that it is machine-local); the
    workspace itself is refused; a --batch clone fails saying the scratch directory is needed,
    unless --scratch-directory is given."""
    ws = tmp_path / "ws"
    ws.mkdir()
    assert_error(dws(ws, "init", "--scratch-directory", str(ws), check=False), "workspace itself", code=2)
    assert not (ws / ".dws.toml").exists()
    scratch = tmp_path / "scratch-a"
    dws(ws, "init", "--hostname", "h", "--scratch-directory", str(scratch), "--no-hooks")
    assert git_out(ws, "config", "dws.scratch-directory") == str(scratch) and scratch.is_dir()
    assert str(scratch) not in (ws / ".dws.toml").read_text()
    assert 'scratch_directory = ""' in (ws / ".dws.toml").read_text()
    origin = tmp_path / "o.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    dws(ws, "publish", str(origin))
    err = assert_error(dws(tmp_path, "clone", "--no-hooks", str(origin), str(tmp_path / "c1"), check=False), code=1)
    assert "--batch" in err and "scratch directory" in err and "--scratch-directory" in err
    assert not (tmp_path / "c1").exists()
    dws(
        tmp_path,
        "clone",
        "--no-hooks",
        "--scratch-directory",
        str(tmp_path / "scratch-b"),
        str(origin),
        str(tmp_path / "c2"),
    )
    assert git_out(tmp_path / "c2", "config", "dws.scratch-directory") == str(tmp_path / "scratch-b")
    assert (tmp_path / "scratch-b").is_dir()


def test_interactive_clone_asks_for_the_scratch_directory(tmp_path: Path) -> None:
    """Interactively (an `ask` callback: the CLI's prompt) the clone asks for this machine's scratch
    directory, as the original did."""
    from git_dws.ops.clone import clone

    ws = tmp_path / "ws"
    ws.mkdir()
    dws(ws, "init", "--hostname", "h", "--scratch-directory", str(tmp_path / "sa"), "--no-hooks")
    origin = tmp_path / "o.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    dws(ws, "publish", str(origin))
    asked: list[str] = []

    def ask(question: str, default: str) -> str:
        asked.append(question)
        return str(tmp_path / "sb") if "Scratch" in question else default

    clone(str(origin), str(tmp_path / "c"), hostname="hc", ask=ask)
    assert any("Scratch directory" in q for q in asked)
    assert git_out(tmp_path / "c", "config", "dws.scratch-directory") == str(tmp_path / "sb")


def test_hostname_is_machine_local(ows: Path) -> None:
    """The hostname is a local parameter (git config dws.hostname, never committed), used in the
    results directory; `config hostname X` changes it."""
    assert "testhost" not in (ows / ".dws.toml").read_text()
    dws(ows, "config", "hostname", "other")
    from .conftest import step

    step(ows, "step2.py")
    dws(ows, "snapshot", "H1")
    assert (ows / "results" / "snapshots" / "other-H1").is_dir()


def test_global_parameters(ows: Path) -> None:
    """results.dir_template must start with snapshots/ and use known variables;
    results.move_exclude_files is a JSON list; both are committed in .dws.toml."""
    assert_error(dws(ows, "config", "results.dir_template", "out/{TAG}", check=False), "snapshots/")
    assert_error(dws(ows, "config", "results.dir_template", "snapshots/{NOPE}", check=False))
    dws(ows, "config", "results.move_exclude_files", '["keep.txt"]')
    assert '"results.move_exclude_files" = ["keep.txt"]' in (ows / ".dws.toml").read_text()
    from .conftest import step

    step(ows, "step2.py")
    (ows / "results" / "keep.txt").write_text("k\n")
    dws(ows, "snapshot", "X1")
    assert (ows / "results" / "keep.txt").exists()
    assert (ows / "results" / "snapshots" / "testhost-X1" / "README.txt").exists()  # no longer excluded


def test_resource_parameters(ows: Path, tmp_path: Path) -> None:
    """Resource parameters are set with config --resource R NAME VALUE; a machine-local one
    (local_path) goes to git config, not .dws.toml."""
    (tmp_path / "ext").mkdir()
    dws(ows, "add", "local-files", str(tmp_path / "ext"), "--role", "source-data", "--name", "ext")
    dws(ows, "config", "--resource", "ext", "local_path", str(tmp_path))
    assert git_out(ows, "config", "dws-resource.ext.path") == str(tmp_path)
    dws(ows, "config", "--resource", "ext", "store", "false")
    assert "store = false" in (ows / ".dws.toml").read_text()


def test_large_files_go_to_the_content_store_not_git_fat(ows: Path, tmp_path: Path) -> None:
    """Not built: git-fat and git-lfs. Better: a local-files resource keeps large files in the
    content store outside git (no Python 2, no filters failing silently, issue #12)."""
    big = ows / "big"
    big.mkdir()
    (big / "blob.bin").write_bytes(b"\0" * (1 << 20))
    dws(ows, "add", "local-files", "big", "--role", "source-data")
    dws(ows, "snapshot", "B1")
    assert "blob.bin" not in git_out(ows, "ls-files")
    (big / "blob.bin").unlink()
    dws(ows, "restore", "B1")
    assert (big / "blob.bin").stat().st_size == 1 << 20


def dws_json_status(ws: Path) -> list[dict[str, object]]:
    from conftest import dws_json

    return list(dws_json(ws, "report", "status")["resources"])
