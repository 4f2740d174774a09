"""The hook entry: `python -m git_dws.hooks HOOK [--hook-dir=DIR] [--] ARGS` from the shim, or
`git dws hook-impl ...` (the same, through the CLI). Runs a displaced hook (`<hook>.legacy`) first with
the same arguments and stdin, honours the recursion guard (GIT_DWS_RUNNING) and the skip switch
(GIT_DWS_SKIP), calls the use case and renders its result as plain lines on stderr.

Exit codes follow what git does with them: a failing pre-commit stops the commit, so only pre-commit
fails on error; post-checkout's status becomes that of `git checkout`, so the post-* hooks exit 0 (or
with the displaced hook's status). Standard library only, imported lazily: this runs on every commit.
"""

from __future__ import annotations

import os
import sys

from .. import crashlog

TYPE_CHECKING = False  # typing costs more than a hook with nothing to do
if TYPE_CHECKING:
    from typing import Any

HOOKS = ("pre-commit", "post-commit", "post-checkout", "post-merge", "post-rewrite", "pre-push")
STDIN_HOOKS = ("post-rewrite", "pre-push", "pre-receive", "post-receive", "reference-transaction")
GUARD = "GIT_DWS_RUNNING"  # store.git.GUARD
SKIP = "GIT_DWS_SKIP"
PREFIX = "git-dws: "


def skipped_by_env() -> bool:
    return os.environ.get(GUARD) == "1" or os.environ.get(SKIP, "0") not in ("", "0")


def run() -> None:
    """The shim's entry: main(), then exit at once (interpreter teardown is a few ms a commit)."""
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str]) -> int:
    if not argv:
        _err("error: usage: git dws hook-impl HOOK [--hook-dir=DIR] [--] ARGS")
        return 2
    hook, rest = argv[0], list(argv[1:])
    hook_dir = None
    if rest and rest[0].startswith("--hook-dir="):
        hook_dir = rest.pop(0)[len("--hook-dir="):]
    if rest and rest[0] == "--":
        rest.pop(0)
    stdin = sys.stdin.buffer.read() if hook in STDIN_HOOKS and not sys.stdin.isatty() else b""
    status = 0
    legacy = os.path.join(hook_dir, f"{hook}.legacy") if hook_dir else ""
    if legacy and os.access(legacy, os.X_OK) and not os.path.isdir(legacy):
        import subprocess

        status = subprocess.run([legacy, *rest], input=stdin).returncode
        if status and hook.startswith("pre-"):
            return status  # the user's hook refused: stop here, as git would
    if skipped_by_env() or hook not in HOOKS:
        return status
    try:
        own = _run(hook, rest, stdin)
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # the error boundary of a hook: never a traceback in the middle of git output
        own = _failed(hook, e)
    return own if hook.startswith("pre-") else status


def _run(hook: str, args: list[str], stdin: bytes) -> int:
    from ..ops import hook_impl
    from ..ops.hook_context import open_context

    ctx = open_context(os.getcwd())
    if ctx is None:
        return 0  # not a workspace (e.g. core.hooksPath shared with other repositories)
    try:
        if hook == "pre-commit":
            hook_impl.pre_commit(ctx)
        elif hook == "post-commit":
            _post_commit(hook_impl.post_commit(ctx))
        elif hook == "post-checkout":
            old, new, flag = ([*args, "", "", ""])[:3] if args else _framework_checkout()
            _post_checkout(hook_impl.post_checkout(ctx, old, new, flag))
        elif hook == "post-merge":
            merged = hook_impl.post_merge(ctx, (args or [os.environ.get("PRE_COMMIT_IS_SQUASH_MERGE", "0")])[0])
            _post_checkout(merged.checkout)
            if merged.recorded is not None:
                _post_commit(merged.recorded)
            if merged.fetched:
                _err(f"{PREFIX}the snapshots of the merged commits came with the fetch from '{merged.fetched}' "
                     "and are not merged here, so the data stayed as it was")
                _err(f"hint: to merge them and bring the data: git dws pull {merged.fetched}")
        elif hook == "post-rewrite":
            hook_impl.post_rewrite(ctx, hook_impl.parse_rewrites(stdin))
        elif hook == "pre-push":
            from ..ops import hook_push

            _pre_push(hook_push.pre_push(ctx, (args or ["origin"])[0], hook_push.parse_updates(stdin)))
    finally:
        ctx.git.close()
    return 0


def _framework_checkout() -> list[str]:
    """The pre-commit framework passes post-checkout's arguments in its environment."""
    env = os.environ
    return [env.get("PRE_COMMIT_FROM_REF", ""), env.get("PRE_COMMIT_TO_REF", ""),
            env.get("PRE_COMMIT_CHECKOUT_TYPE", "")]


def _failed(hook: str, e: Exception) -> int:
    from ..errors import DwsError

    if isinstance(e, DwsError):
        _err(f"error: {e.message}")
        if e.hint:
            _err(f"hint: {e.hint}")
    else:
        _err(f"error: git-dws hit an internal error in the {hook} hook ({e!r})")
        _err(f"hint: please report it with the log at {_crash_log(hook)}")
    if hook == "pre-push":
        _err("hint: git-dws stopped the push; to push without this check: git push --no-verify, "
             "or GIT_DWS_SKIP=1 git push ...")
        return 1
    if hook == "pre-commit":
        _err("hint: git-dws stopped the commit; to commit without recording data: git commit --no-verify, "
             "or GIT_DWS_SKIP=1 git commit ...")
        return 1
    if hook == "post-commit":
        _err("hint: the commit was made, but no snapshot was recorded for it; after fixing this, run "
             "`git dws snapshot`")
    return 0


def _crash_log(hook: str) -> str:
    import datetime as dt
    import traceback

    text = f"{dt.datetime.now().isoformat()} hook {hook} {sys.argv!r}\n{traceback.format_exc()}\n"
    git_dir = os.path.join(os.getcwd(), ".git")
    return crashlog.write(text, git_dir if os.path.isdir(git_dir) else None)


# -- rendering -------------------------------------------------------------------------------------
def _err(line: str) -> None:
    sys.stderr.write(line + "\n")


def _post_commit(r: Any) -> None:
    if os.environ.get("GIT_DWS_HOOK_DEBUG"):
        _err(f"{PREFIX}post-commit: {r.skipped or r.path} {r.sid}")
    if r.tag:
        _err(f"{PREFIX}tagged snapshot {r.sid[:12]} (#{r.number}) as '{r.tag}'")
    for p in r.problems:
        _err(f"{PREFIX}warning: {p}")


def _pre_push(r: Any) -> None:
    if r.pushed is not None and r.pushed.uploaded:
        _err(f"{PREFIX}uploaded {r.pushed.uploaded} object(s) to data remote '{r.data_remote}' for "
             f"{r.snapshots} snapshot(s) this push publishes")


def _post_checkout(r: Any) -> None:
    if r is None or r.sid is None:
        return
    sid = r.sid[:12]
    for name, summary in r.restored.items():
        _err(f"{PREFIX}restored '{name}' to snapshot {sid} ({summary})")
    for name, paths in r.unsafe.items():
        shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
        _err(f"{PREFIX}warning: did not restore '{name}' to snapshot {sid}: it has changes that no snapshot "
             f"holds: {shown}")
        _err(f"hint: keep them with `git dws snapshot`, or discard them: git dws restore --force --only {name} {sid}")
    for name, summary in r.differs.items():
        _err(f"{PREFIX}'{name}' differs from snapshot {sid} of this commit ({summary})")
        _err(f"hint: to restore it: git dws restore --only {name} {sid}")
    for name, why in r.problems.items():
        _err(f"{PREFIX}warning: did not restore '{name}' to snapshot {sid}: {why}")
