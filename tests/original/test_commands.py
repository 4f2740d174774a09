"""ORIGINAL.md §1.2, the command table: one test per row (init, clone, add *, snapshot, delete-snapshot,
restore, publish, push, pull, report *, status, diff, lineage graph, deploy, config, version, run),
asserting what a user of the original sees: exit codes, the facts in messages, files and git history."""

from __future__ import annotations

from pathlib import Path

from conftest import assert_error, dws, dws_json, git, git_out, snapshot_id_of_tag

from .conftest import pipeline, step

README_RESULTS = (
    "This directory is for experimental results.\nThis README file ensures the directory is "
    "added to the git repository, as git does not support empty directories.\n"
)


# -- init ------------------------------------------------------------------------------------------
def test_init(tmp_path: Path) -> None:
    """The cwd becomes the workspace, NAME only names it; an existing repository is kept ("already a git
    repository"); --create-resources makes one git-subdirectory per role with the original's README;
    the ignore file has the original's entries; a second init is refused (exit 1)."""
    root = tmp_path / "proj"
    root.mkdir()
    git(root, "init", "-q")
    (root / "mine.txt").write_text("x\n")
    git(root, "add", "mine.txt")
    git(root, "commit", "-q", "-m", "user")
    out = dws(root, "init", "myname", "--hostname", "h1", "--create-resources", "all", "--no-hooks").stdout
    assert "is already a git repository, will just add to it" in out
    assert "Workspace myname initialized successfully." in out
    assert 'name = "myname"' in (root / ".dws.toml").read_text()
    assert (root / "results" / "README.txt").read_text() == README_RESULTS
    ignores = (root / ".gitignore").read_text().splitlines()
    assert {".ipynb_checkpoints/", ".~*", "/scratch/"} <= set(ignores)
    assert git_out(root, "log", "--format=%s")  # history kept, init committed on top
    assert git_out(root, "log", "--format=%s").splitlines()[-1] == "user"
    assert git_out(root, "status", "--porcelain") == ""
    assert_error(dws(root, "init", "--no-hooks", check=False), "already a git-dws workspace", code=1)


def test_init_git_fat_and_lfs_options_are_not_built(tmp_path: Path) -> None:
    """Not built: --git-fat-* (git-fat needs Python 2) and --git-lfs-attributes; large files go to the
    content store instead (local-files). They are unknown options (exit 2)."""
    assert_error(dws(tmp_path, "init", "--git-fat-remote", "host:/p", check=False), code=2)
    assert_error(dws(tmp_path, "init", "--git-lfs-attributes", "*.bin", check=False), code=2)


# -- clone -----------------------------------------------------------------------------------------
def test_clone(shared: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """clone REPO DIR: the hostname is this machine's (--hostname), DIR must not exist or must be
    empty (exit 2), the resources and snapshots come along; an unreachable URL fails (exit 1) and
    leaves nothing behind."""
    origin, _, b = shared
    assert git_out(b, "config", "dws.hostname") == "otherhost"
    assert (b / "code" / "step1.py").exists() and (b / "scratch").is_dir()
    assert_error(dws(tmp_path, "clone", str(origin), str(b), check=False), code=2)
    assert_error(dws(tmp_path, "clone", str(tmp_path / "nothing.git"), str(tmp_path / "c"), check=False), code=1)
    assert not (tmp_path / "c").exists()


# -- add git -----------------------------------------------------------------------------------------
def test_add_git_subdirectory_rules(ows: Path) -> None:
    """add git: a URL is refused (exit 2, "looks like a git URL"); a directory of the workspace becomes
    a git-subdirectory; --read-only and another --branch are refused for it; a missing directory needs
    a confirmation (batch: error); --export is refused for source-data and code (exit 2); the default
    name is the basename."""
    assert_error(
        dws(ows, "add", "git", "https://example.com/r.git", "--role", "code", check=False),
        "looks like a git URL",
        code=2,
    )
    (ows / "sub").mkdir()
    (ows / "sub" / "f.txt").write_text("x\n")
    assert_error(dws(ows, "add", "git", "sub", "--role", "source-data", "--read-only", check=False), code=2)
    assert_error(dws(ows, "add", "git", "sub", "--role", "source-data", "--branch", "other", check=False), code=2)
    assert_error(dws(ows, "add", "git", "sub", "--role", "code", "--export", check=False), code=2)
    assert_error(dws(ows, "add", "git", "sub", "--role", "source-data", "--export", check=False), code=2)
    dws(ows, "add", "git", "sub", "--role", "intermediate-data")
    spec = (ows / ".dws.toml").read_text().split("[resources.sub]")[1]
    assert 'type = "git-subdirectory"' in spec and 'role = "intermediate-data"' in spec
    assert git_out(ows, "log", "-1", "--format=%s") == "Add resource sub"


def test_add_git_separate_repository(ows: Path, tmp_path: Path) -> None:
    """A separate repository needs remote.origin.url; --branch is checked out; a repository inside the
    workspace is git-ignored as /<rel>/; --read-only is kept."""
    repo = ows / "ext"
    git(tmp_path, "init", "-q", str(repo))
    (repo / "a.txt").write_text("a\n")
    git(repo, "add", "a.txt")
    git(repo, "commit", "-q", "-m", "a")
    git(repo, "branch", "other")
    assert_error(dws(ows, "add", "git", "ext", "--role", "source-data", check=False), "no remote 'origin'")
    git(repo, "remote", "add", "origin", str(tmp_path / "ext-origin.git"))
    dws(ows, "add", "git", "ext", "--role", "source-data", "--branch", "other", "--read-only")
    assert git_out(repo, "symbolic-ref", "--short", "HEAD") == "other"
    assert "/ext/" in (ows / ".gitignore").read_text().splitlines()
    spec = (ows / ".dws.toml").read_text().split("[resources.ext]")[1]
    assert 'type = "git"' in spec and "read_only = true" in spec and 'branch = "other"' in spec


# -- add local-files / rclone / api-resource / s3 -----------------------------------------------------
def test_add_local_files(ows: Path, tmp_path: Path) -> None:
    """PATH must be an existing directory (exit 2); inside the workspace it is git-ignored; --export is
    refused for source-data; better: a directory overlapping another resource is refused (the original
    accepted it and git-ignored a git-subdirectory, ORIGINAL §4 item 5), and a directory outside the
    workspace is kept in machine-local settings (the original committed its absolute path)."""
    assert_error(dws(ows, "add", "local-files", "nope", "--role", "source-data", check=False), code=2)
    (ows / "big").mkdir()
    assert_error(dws(ows, "add", "local-files", "big", "--role", "source-data", "--export", check=False), code=2)
    dws(ows, "add", "local-files", "big", "--role", "source-data", "--compute-hash")
    assert "/big/" in (ows / ".gitignore").read_text().splitlines()
    assert_error(
        dws(ows, "add", "local-files", "code", "--role", "source-data", "--name", "c2", check=False),
        "overlaps|tracked by git",
    )
    outside = tmp_path / "outside"
    outside.mkdir()
    dws(ows, "add", "local-files", str(outside), "--role", "intermediate-data")
    # better: a directory outside the workspace is this machine's (git config), not committed
    assert git_out(ows, "config", "dws-resource.outside.path") == str(outside)
    assert str(outside) not in (ows / ".dws.toml").read_text()


def test_add_rclone_checks_the_remote(ows: Path) -> None:
    """REMOTE must look like NAME:PATH and rclone must know NAME (checked with rclone itself)."""
    assert_error(
        dws(ows, "add", "rclone", "nocolon", "x", "--role", "source-data", check=False),
        "not an rclone REMOTE:PATH",
        code=2,
    )
    assert_error(
        dws(ows, "add", "rclone", "nosuch:path", "x", "--role", "source-data", check=False),
        "rclone knows no remote named 'nosuch'",
    )


def test_add_api_resource(ows: Path) -> None:
    """Only source-data or intermediate-data; the default name is <role>-api; no hash -> a warning-free
    snapshot still records it (the original printed "no hash available" and stored null)."""
    assert_error(dws(ows, "add", "api-resource", "--role", "results", check=False), code=2)
    out = dws(ows, "add", "api-resource", "--role", "source-data").stdout
    assert "source-data-api" in out
    assert "source-data-api" in dws(ows, "report", "status").stdout


def test_add_s3_refuses_results(ows: Path) -> None:
    """The results role is not supported for S3 (exit 2). Better: the type is always registered (the
    original failed with an internal error without its extra); tests/collab/test_s3.py runs a real
    S3 server for the rest."""
    assert_error(dws(ows, "add", "s3", "bucket", "--role", "results", check=False), "results role", code=2)


# -- snapshot / delete-snapshot / restore -------------------------------------------------------------
def test_snapshot_output(ows: Path) -> None:
    """Output names the tag and the snapshot hash; -m stores the message."""
    out = dws(ows, "snapshot", "T1", "-m", "first").stdout
    sid = snapshot_id_of_tag(ows, "T1")
    assert "'T1'" in out and sid[:12] in out
    assert dws_json(ows, "report", "history")[0]["message"] == "first"


def test_delete_snapshot(ows: Path) -> None:
    """delete-snapshot removes the snapshot and its results directory (committed), or keeps the
    directory with --no-include-resources; the output names the short hash and tags."""
    pipeline(ows, "D1")
    sid = snapshot_id_of_tag(ows, "D1")
    assert (ows / "results" / "snapshots" / "testhost-D1").is_dir()
    out = dws(ows, "delete-snapshot", "D1").stdout
    assert sid[:7] in out and "D1" in out
    assert not (ows / "results" / "snapshots" / "testhost-D1").exists()
    assert "D1" not in dws(ows, "report", "history").stdout
    dws(ows, "snapshot", "D2")
    step_dir_kept = ows / "results"
    dws(ows, "delete-snapshot", "--no-include-resources", "D2")
    assert step_dir_kept.is_dir()
    assert_error(dws(ows, "delete-snapshot", "D2", check=False), code=1)


def test_restore(ows: Path) -> None:
    """restore TAG puts git-subdirectories back (history kept: a new commit); --only and --leave are
    exclusive (exit 2); results are skipped, and said."""
    pipeline(ows, "R1")
    (ows / "source-data" / "data.csv").write_text("changed\n")
    dws(ows, "snapshot", "R2")
    before = git_out(ows, "rev-list", "--count", "HEAD")
    proc = dws(ows, "restore", "R1")
    assert "results" in proc.stdout + proc.stderr
    assert (ows / "source-data" / "data.csv").read_text() == "a,b,c\n1,2,3\n"
    assert int(git_out(ows, "rev-list", "--count", "HEAD")) > int(before)
    assert_error(dws(ows, "restore", "--only", "code", "--leave", "code", "R1", check=False), code=2)


# -- publish / push / pull ------------------------------------------------------------------------------
def test_publish_push_pull(shared: tuple[Path, Path, Path]) -> None:
    """publish URL adds origin and pushes everything; a second publish is refused (origin exists);
    push and pull take at most one of --only/--skip/--only-workspace (exit 2); a pull brings the other
    side's snapshots and data."""
    origin, a, b = shared
    assert git_out(a, "remote", "get-url", "origin") == str(origin)
    assert_error(dws(a, "publish", str(origin), check=False), "already has a remote 'origin'")
    for cmd in ("push", "pull"):
        assert_error(dws(a, cmd, "--only", "code", "--skip", "results", check=False), code=2)
        assert_error(dws(a, cmd, "--only-workspace", "--skip", "results", check=False), code=2)
    pipeline(a, "P1")
    dws(a, "push")
    dws(b, "pull")
    assert "P1" in dws(b, "report", "history").stdout
    assert (b / "results" / "snapshots" / "testhost-P1" / "results.json").exists()


# -- reports ------------------------------------------------------------------------------------------
def test_report_status(ows: Path) -> None:
    """ "Status for workspace: N", one row per resource with its role, type and parameters."""
    out = dws(ows, "report", "status").stdout
    assert out.startswith("Status for workspace: ws")
    rows = {r["name"]: r for r in dws_json(ows, "report", "status")["resources"]}
    assert rows["results"]["role"] == "results" and rows["code"]["type"] == "git-subdirectory"


def test_report_history(ows: Path) -> None:
    """Newest first; the two most common metric names as columns, rounded as the original (3 decimals
    below 1); "N snapshots total"; --limit N shows the first N."""
    pipeline(ows, "H1")
    step(ows, "step2.py", "--gamma", "0.25")
    dws(ows, "snapshot", "H2")
    out = dws(ows, "report", "history").stdout
    assert out.index("H2") < out.index("H1")
    assert "accuracy" in out and "0.975" in out and "2 snapshots total" in out
    limited = dws(ows, "report", "history", "--limit", "1").stdout
    assert "H2" in limited and "H1" not in limited and "Showing first 1" in limited


def test_report_lineage_and_results(ows: Path) -> None:
    """report lineage: Resource / Type / Details / Inputs; report results: "Results file at res:/path"
    and the General Properties, Parameters and Metrics tables, one extra table per dict metric;
    without a current results.json it says so and falls back to the latest snapshot."""
    step(ows, "step1.py")
    step(ows, "step2.py")
    rows = {r["resource"]: r for r in dws_json(ows, "report", "lineage")["lineage"]}
    assert rows["results"]["type"] == "Step" and rows["source-data"]["type"] == "Source Data"
    assert rows["intermediate-data"]["inputs"] == ["source-data (current)"]
    out = dws(ows, "report", "results").stdout
    assert "results:results.json" in out.replace("/", "") or "Results file at results" in out
    for title in ("General Properties", "Parameters", "Metrics", "Metrics: report"):
        assert title in out
    dws(ows, "snapshot", "L1")
    proc = dws(ows, "report", "results")
    assert "Did not find a results.json" in proc.stderr and "snapshots/testhost-L1/results.json" in proc.stdout


def test_status_history_is_report_history(ows: Path) -> None:
    """Not built: the original's deprecated `status --history`; `git dws report history` is the
    command (status itself compares the working state with the current snapshot)."""
    assert_error(dws(ows, "status", "--history", check=False), code=2)
    assert dws(ows, "report", "history").returncode == 0


def test_diff(ows: Path) -> None:
    """diff S1 S2 compares each resource's content: same, different, added, removed."""
    dws(ows, "snapshot", "S1")
    (ows / "code" / "new.py").write_text("x = 1\n")
    (ows / "extra").mkdir()
    (ows / "extra" / "f").write_text("f\n")
    dws(ows, "add", "local-files", "extra", "--role", "source-data")
    dws(ows, "snapshot", "S2")
    res = {r["name"]: r for r in dws_json(ows, "diff", "S1", "S2")["resources"]}
    assert res["source-data"]["state"] == "same" and res["code"]["state"] != "same"
    assert res["extra"]["state"] == "added"
    assert "code" in dws(ows, "diff", "S1", "S2").stdout


def test_lineage_graph(ows: Path, tmp_path: Path) -> None:
    """lineage graph OUT [--resource R] [--snapshot S] [--format html|dot] [--width --height]:
    defaults to the first results resource; "no lineage found for resource X" when it has none.
    Better: the HTML is self-contained (the original loaded d3 from a CDN)."""
    pipeline(ows, "G1")
    dws(ows, "lineage", "graph", str(tmp_path / "g.html"), "--snapshot", "G1", "--width", "800", "--height", "600")
    html = (tmp_path / "g.html").read_text()
    assert "step2" in html and "https://" not in html
    dws(ows, "lineage", "graph", str(tmp_path / "g.dot"), "--format", "dot", "--resource", "intermediate-data")
    assert "step1" in (tmp_path / "g.dot").read_text()
    assert_error(
        dws(ows, "lineage", "graph", str(tmp_path / "x.dot"), "--resource", "code2", check=False),
        "no lineage found for resource 'code2'",
    )


def test_deploy_is_not_built(ows: Path) -> None:
    """Not built: `deploy build|run` (experimental in the original, needs repo2docker); exit 2."""
    assert_error(dws(ows, "deploy", "build", check=False), code=2)


def test_config(ows: Path) -> None:
    """config: no args lists Name/Scope/Value/Default?; NAME shows one; NAME VALUE validates, stores
    and commits ("Set workspace parameter ..."); unknown names exit 1; a bad value exits 1."""
    listing = dws(ows, "config").stdout
    for name in ("results.dir_template", "results.move_exclude_files", "scratch_directory", "hostname"):
        assert name in listing
    dws(ows, "config", "results.dir_template", "snapshots/{USERNAME}-{SNAPSHOT_NO}")
    assert "snapshots/{USERNAME}-{SNAPSHOT_NO}" in dws(ows, "config", "results.dir_template").stdout
    assert "results.dir_template" in git_out(ows, "log", "-1", "--format=%s")
    assert_error(dws(ows, "config", "results.dir_template", "{BOGUS}", check=False), "must start with 'snapshots/'")
    assert_error(dws(ows, "config", "results.move_exclude_files", "notjson", check=False), code=1)
    dws(ows, "config", "hostname", "newhost")
    assert git_out(ows, "config", "dws.hostname") == "newhost"
    assert_error(dws(ows, "config", "hostname", "bad_host", check=False))
    res = dws(ows, "config", "--resource", "code").stdout
    assert "role" in res and "code" in res


def test_version(ows: Path) -> None:
    """`version` prints the version (ours: git-dws, not "Data Workspaces 1.6.0")."""
    assert dws(ows, "version").stdout.startswith("git-dws version ")


def test_run_is_built(ows: Path) -> None:
    """Better: the original's `run` was disabled; `git dws run` records a command's lineage."""
    proc = dws(
        ows,
        "run",
        "--input",
        "source-data",
        "--output",
        "intermediate-data:copy.csv",
        "--param",
        "k=1",
        "--",
        "cp",
        "source-data/data.csv",
        "intermediate-data/copy.csv",
    )
    assert "Recorded step cp" in proc.stderr
    rows = {r["resource"]: r for r in dws_json(ows, "report", "lineage")["lineage"]}
    assert rows["intermediate-data:/copy.csv"]["parameters"] == {"k": 1}
