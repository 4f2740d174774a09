"""kill -9 at any point of a snapshot leaves no half snapshot (tag, note and manifest refs are all old or
all new) and `git fsck --strict` clean; two snapshots at once: one gets the lock error."""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import time
from pathlib import Path

from conftest import (
    MANIFESTS,
    NOTES,
    assert_error,
    dws,
    dws_json,
    fsck,
    git,
    git_out,
    pseudo_random,
    snapshot_id_of_tag,
    snapshot_ids,
    take,
    tree_state,
    write,
)

N_DIRS, N_FILES = 30, 100  # 3,000 small files
BIG = 3 * [6 << 20]  # and 18 MiB in large files: a snapshot takes a visible fraction of a second


def make_data(ws: Path) -> None:
    data = ws / "data"
    for d in range(N_DIRS):
        (data / f"d{d:02}").mkdir(parents=True)
        for i in range(N_FILES):
            (data / f"d{d:02}" / f"f{i:03}").write_bytes(b"%d/%d " % (d, i) * 200)
    for n, size in enumerate(BIG):
        write(data / f"big{n}.bin", pseudo_random(size, n))


def invalidate_stat_cache(ws: Path) -> None:
    """Touch every file so the next snapshot re-hashes them all (slow enough to be interrupted)."""
    now = time.time_ns() + 5_000_000_000
    for p in (ws / "data").rglob("*"):
        if p.is_file():
            os.utime(p, ns=(now, now))


def ref(ws: Path, name: str) -> str | None:
    proc = git(ws, "rev-parse", "--verify", "-q", name, check=False)
    return proc.stdout.strip() or None


def start(ws: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(["git", "dws", "--batch", *args], cwd=ws, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)


def check_consistent(ws: Path) -> None:
    """Every tag with a Dws-Snapshot trailer names a live snapshot, whose workspace commit carries a note
    line for it; every live snapshot's note exists."""
    fsck(ws)
    live = set(snapshot_ids(ws))
    for tag in git_out(ws, "tag", "--list").split():
        sid = snapshot_id_of_tag(ws, tag)
        assert sid in live, f"tag {tag} names {sid}, which is not in the manifest branch"
    history = {h["id"]: h for h in dws_json(ws, "report", "history")}
    assert set(history) == live
    for sid, h in history.items():
        note = git_out(ws, "notes", f"--ref={NOTES}", "show", h["workspace_commit"])
        assert f"snapshot {sid}" in note.splitlines()
    stale = [p for p in (ws / ".git").rglob("*.lock") if "dws" not in p.relative_to(ws / ".git").parts]
    assert not stale, f"a stale git lock file was left behind: {stale}"


def test_kill_9_during_snapshot(bare_ws: Path) -> None:
    ws = bare_ws
    make_data(ws)
    dws(ws, "add", "local-files", "data", "--role", "source-data")
    take(ws, "S0")
    # calibrate: how long does a full re-hash snapshot take here?
    invalidate_stat_cache(ws)
    write(ws / "data" / "marker", "calibrate\n")
    t0 = time.monotonic()
    take(ws, "C")
    duration = time.monotonic() - t0
    completed = interrupted = 0
    for i, fraction in enumerate((0.15, 0.3, 0.45, 0.6, 0.7, 0.8, 0.9, 0.97, 1.05)):
        invalidate_stat_cache(ws)
        write(ws / "data" / "marker", f"attempt {i}\n")
        tag = f"K{i}"
        before = {r: ref(ws, r) for r in (MANIFESTS, NOTES, f"refs/tags/{tag}", "HEAD")}
        proc = start(ws, "snapshot", tag)
        time.sleep(duration * fraction)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        dws(ws, "status")  # the next command finishes (or forgets) a transaction the kill cut short
        after = {r: ref(ws, r) for r in before}
        assert after["HEAD"] == before["HEAD"]
        moved = {r for r in (MANIFESTS, NOTES, f"refs/tags/{tag}") if after[r] != before[r]}
        ref_locks = sorted((ws / ".git" / "refs").rglob("*.lock"))
        assert not ref_locks, f"stale ref locks after recovery: {ref_locks}"
        assert moved in (set(), {MANIFESTS, NOTES, f"refs/tags/{tag}"}), f"half snapshot: only {moved} moved"
        if moved:
            completed += 1
        else:
            interrupted += 1
        t1 = time.monotonic()
        check_consistent(ws)
        print(f"attempt {i}: killed at {duration * fraction:.2f}s, {'completed' if moved else 'interrupted'}, "
              f"check {time.monotonic() - t1:.2f}s")
    assert interrupted >= 1, "no attempt was actually interrupted: the test did not test anything"
    # the workspace is fully usable afterwards: no stale lock, the store serves every snapshot
    state = tree_state(ws / "data")
    write(ws / "data" / "marker", "final\n")
    take(ws, "FINAL")
    dws(ws, "restore", "S0")
    assert not (ws / "data" / "marker").exists()
    dws(ws, "restore", "FINAL")
    final = tree_state(ws / "data")
    state[b"marker"] = ("file", False, b"final\n")
    assert final == state
    check_consistent(ws)


def wait_for(fd: int, text: bytes, timeout: float = 60) -> bytes:
    """Read from fd until `text` appears."""
    seen = b""
    deadline = time.monotonic() + timeout
    while text not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"timed out waiting for {text!r}; got {seen!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 4096)
            assert chunk, f"output ended before {text!r}; got {seen!r}"
            seen += chunk
    return seen


def test_a_snapshot_waits_for_no_one_while_another_holds_the_lock(ws: Path) -> None:
    """Deterministic: an interactive snapshot stops at its question while holding the workspace lock (a
    terminal on stdin); a second snapshot, a restore and a delete meanwhile get the lock error."""
    write(ws / "code" / "v.py", "1\n")
    take(ws, "S0")
    write(ws / "code" / "v.py", "2\n")
    tip = ref(ws, MANIFESTS)
    master, slave = os.openpty()
    out_r, out_w = os.pipe()
    first = subprocess.Popen(["git", "dws", "snapshot", "S0"], cwd=ws, stdin=slave, stdout=out_w,
                             stderr=subprocess.PIPE, start_new_session=True)
    os.close(slave)
    os.close(out_w)
    try:
        wait_for(out_r, b"[Y/n]")  # asking whether to move tag S0: the lock is held now
        for cmd in (["snapshot", "S1"], ["restore", "S0"], ["delete-snapshot", "S0"]):
            assert_error(dws(ws, *cmd, check=False), "another git-dws command is running", code=1)
        assert ref(ws, MANIFESTS) == tip
        os.write(master, b"y\n")
        assert first.wait(timeout=60) == 0, first.stderr.read().decode() if first.stderr else ""
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
        if first.stderr:
            first.stderr.close()
        os.close(master)
        os.close(out_r)
    assert ref(ws, MANIFESTS) != tip
    assert ref(ws, "refs/tags/S1") is None
    take(ws, "S1")  # the lock is free again
    check_consistent(ws)


def test_two_snapshots_started_together_never_interleave(bare_ws: Path) -> None:
    """Whatever the timing: each either succeeds or gets the lock error, and the result is consistent."""
    ws = bare_ws
    make_data(ws)
    dws(ws, "add", "local-files", "data", "--role", "source-data")
    take(ws, "S0")
    invalidate_stat_cache(ws)
    write(ws / "data" / "marker", "m\n")
    procs = [start(ws, "snapshot", tag) for tag in ("A", "B")]
    outcomes = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        proc = subprocess.CompletedProcess(p.args, p.returncode, out.decode(), err.decode())
        if proc.returncode != 0:
            assert_error(proc, "another git-dws command is running")
        outcomes.append(proc.returncode)
    assert 0 in outcomes
    winners = [tag for tag, rc in zip("AB", outcomes, strict=True) if rc == 0]
    for tag in winners:
        snapshot_id_of_tag(ws, tag)
    check_consistent(ws)


SHIM = """#!/bin/sh
# Emulates `kill -9` of `git update-ref --stdin` in the middle of its commit phase, in the exact state a
# real kill leaves (observed: refs/dws/manifests and refs/notes/dws moved, refs/tags/<T>.lock left behind,
# the tag not created): git's files backend renames the locked refs one by one, so a transaction over
# several loose refs is not atomic against kill -9.
REAL={real}
case " $* " in
  *" update-ref "*"--stdin"*)
    input=$(cat)
    case "$input" in
      *refs/dws/manifests*)
        n=$(printf '%s\\n' "$input" | wc -l)
        printf '%s\\n' "$input" | head -n $((n - 1)) | "$REAL" "$@" || exit 1
        last=$(printf '%s\\n' "$input" | tail -n 1)
        ref=$(echo "$last" | cut -d' ' -f2)
        new=$(echo "$last" | cut -d' ' -f3)
        echo "$new" > "$("$REAL" rev-parse --git-common-dir)/$ref.lock"
        kill -9 0
        ;;
    esac
    printf '%s\\n' "$input" | exec "$REAL" "$@"
    ;;
esac
exec "$REAL" "$@"
"""


def test_kill_inside_the_ref_transaction_leaves_no_half_snapshot(bare_ws: Path, tmp_path: Path) -> None:
    ws = bare_ws
    write(ws / "data" / "a", "a\n")
    dws(ws, "add", "local-files", "data", "--role", "source-data")
    take(ws, "S0")
    write(ws / "data" / "a", "b\n")
    shim = tmp_path / "shim"
    shim.mkdir()
    real = shutil.which("git")
    assert real
    (shim / "git").write_text(SHIM.format(real=real))
    (shim / "git").chmod(0o755)
    env = dict(os.environ, PATH=f"{shim}{os.pathsep}{os.environ['PATH']}")
    before = {r: ref(ws, r) for r in (MANIFESTS, NOTES, "refs/tags/K")}
    exe = shutil.which("git-dws")  # run directly: `git dws` would put git's exec-path before the shim
    assert exe
    proc = subprocess.run([exe, "--batch", "snapshot", "K"], cwd=ws, env=env, capture_output=True,
                          start_new_session=True)
    assert proc.returncode < 0 or proc.returncode == 137  # killed
    dws(ws, "status")  # any later command may repair; after it the snapshot is all there or not at all
    after = {r: ref(ws, r) for r in before}
    moved = {r for r in before if after[r] != before[r]}
    assert moved in (set(), set(before)), f"half snapshot: only {sorted(moved)} moved"
    check_consistent(ws)
    take(ws, "K2")
