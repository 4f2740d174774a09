"""Installing beside other hooks: a foreign hook is kept as <hook>.legacy, runs first with the same
arguments and stdin, and comes back on uninstall; only our own hooks are overwritten; core.hooksPath;
the shim's fallbacks when the recorded interpreter is gone."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from conftest import assert_error, dws
from hook_fixtures import HOOKS, commit, git, hooks_dir, make_ws, note_ids, out

LOGGER = """#!/bin/sh
# a user's own hook: logs its name, arguments and stdin
{{ echo "$0 $*"; case $0 in *post-rewrite*) cat ;; esac; }} >> "{log}"
exit {code}
"""


def _foreign(ws: Path, log: Path, code: int = 0) -> dict[str, str]:
    texts = {}
    for name in HOOKS:
        path = hooks_dir(ws) / name
        texts[name] = LOGGER.format(log=log, code=code)
        path.write_text(texts[name])
        path.chmod(0o755)
    return texts


def test_foreign_hooks_are_kept_run_first_and_put_back(tmp_path: Path) -> None:
    ws = make_ws(tmp_path / "ws", data=True, hooks=False)
    log = tmp_path / "log"
    texts = _foreign(ws, log)
    proc = dws(ws, "hooks", "install")
    assert "Kept the existing pre-commit hook as pre-commit.legacy" in proc.stdout
    commit(ws, "one")
    assert len(note_ids(ws)) == 1
    git(ws, "commit", "-q", "--amend", "--allow-empty", "-m", "one, amended")
    git(ws, "switch", "-q", "-c", "side")
    lines = log.read_text().splitlines()
    names = [line.split()[0].rsplit("/", 1)[-1] for line in lines if line.startswith(".git") or "/" in line.split()[0]]
    assert names[:2] == ["pre-commit.legacy", "post-commit.legacy"], lines
    assert any(line.endswith("post-rewrite.legacy amend") for line in lines), lines
    old_new = [line for line in lines if len(line.split()) == 2 and len(line.split()[0]) == 40]
    assert old_new and old_new[0].split()[1] == out(ws, "rev-parse", "HEAD")  # post-rewrite got its stdin
    assert any("post-checkout.legacy" in line and line.endswith(" 1") for line in lines)
    # installing again never wraps our own hook
    dws(ws, "hooks", "install")
    assert (hooks_dir(ws) / "pre-commit.legacy").read_text() == texts["pre-commit"]
    proc = dws(ws, "hooks", "uninstall")
    assert "Put back the pre-commit hook" in proc.stdout
    for name in HOOKS:
        assert (hooks_dir(ws) / name).read_text() == texts[name]
        assert not (hooks_dir(ws) / f"{name}.legacy").exists()
    status = json.loads(dws(ws, "hooks", "status", "--json").stdout)
    assert {h["state"] for h in status["hooks"]} == {"foreign"}


def test_a_failing_foreign_pre_commit_stops_the_commit(tmp_path: Path) -> None:
    ws = make_ws(tmp_path / "ws", hooks=False)
    _foreign(ws, tmp_path / "log", code=3)
    dws(ws, "hooks", "install")
    before = out(ws, "rev-parse", "HEAD")
    proc = commit(ws, "refused", check=False)
    assert proc.returncode != 0 and out(ws, "rev-parse", "HEAD") == before and note_ids(ws) == []


def test_uninstall_leaves_foreign_hooks_alone(tmp_path: Path) -> None:
    ws = make_ws(tmp_path / "ws")
    dws(ws, "hooks", "uninstall")
    assert not any((hooks_dir(ws) / h).exists() for h in HOOKS)
    (hooks_dir(ws) / "pre-commit").write_text("#!/bin/sh\nexit 0\n")
    proc = dws(ws, "hooks", "uninstall")
    assert "Left pre-commit alone" in proc.stdout and (hooks_dir(ws) / "pre-commit").exists()
    (hooks_dir(ws) / "pre-commit.legacy").write_text("#!/bin/sh\nexit 0\n")
    assert_error(dws(ws, "hooks", "install", check=False), "pre-commit.legacy")


def test_core_hooks_path(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    git(ws, "init", "-q")
    git(ws, "config", "core.hooksPath", ".githooks")
    proc = dws(ws, "init", "--hostname", "testhost", "--create-resources", "code")
    assert "hooks not installed: core.hooksPath is set" in proc.stderr and "--hooks-path" in proc.stderr
    assert_error(dws(ws, "hooks", "install", check=False), "core.hooksPath", code=1)
    dws(ws, "hooks", "install", "--hooks-path")
    assert (ws / ".githooks" / "post-commit").exists()
    commit(ws, "via hooksPath")
    assert len(note_ids(ws)) == 1
    status = json.loads(dws(ws, "hooks", "status", "--json").stdout)
    assert status["hooks_path"] == ".githooks" and status["directory"] == str(ws / ".githooks")
    dws(ws, "hooks", "uninstall", "--hooks-path")
    assert not (ws / ".githooks" / "post-commit").exists()


def test_shim_falls_back_to_git_dws_on_path_then_explains(tmp_path: Path) -> None:
    ws = make_ws(tmp_path / "ws")
    for name in HOOKS:  # the interpreter that installed the hooks is gone
        path = hooks_dir(ws) / name
        text = path.read_text()
        python = text.split("INSTALL_PYTHON=", 1)[1].split("\n", 1)[0]
        path.write_text(text.replace(f"INSTALL_PYTHON={python}", "INSTALL_PYTHON=/nonexistent/python3"))
    # git-dws on PATH: the shim runs `git-dws hook-impl`
    venv_bin = os.path.dirname(shutil.which("git-dws") or "")
    commit(ws, "fallback", PATH=venv_bin + os.pathsep + os.environ["PATH"])
    assert len(note_ids(ws)) == 1
    status = json.loads(dws(ws, "hooks", "status", "--json").stdout)
    assert not any(h["python_ok"] for h in status["hooks"])
    # neither: a clear message; pre-commit refuses, post-checkout does not fail the checkout
    proc = commit(ws, "nothing to run", check=False)
    assert proc.returncode != 0 and "git-dws is not on PATH" in proc.stderr and "GIT_DWS_SKIP=1" in proc.stderr
    commit(ws, "skipped", GIT_DWS_SKIP="1")
    assert git(ws, "switch", "-q", "-c", "x").returncode == 0


def test_pre_commit_framework_manifest() -> None:
    text = (Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml").read_text()
    for stage in ("pre-commit", "post-commit", "post-checkout", "post-merge", "post-rewrite"):
        assert f"entry: git-dws hook-impl {stage}" in text and f"stages: [{stage}]" in text
