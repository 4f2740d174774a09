"""The one exception root. Every expected failure is a DwsError with a one-line message and a hint;
cli.py turns it into `error: ...` / `hint: ...` and exit code 1. Anything else is a bug (exit 3)."""

from __future__ import annotations


class DwsError(Exception):
    """An expected failure the user can act on."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class NotAWorkspace(DwsError):
    pass


class ConfigError(DwsError):
    pass


class UsageError(DwsError):
    exit_code = 2


class BatchModeError(DwsError):
    """An answer was needed but we may not ask (--batch or no terminal)."""


class UserAbort(DwsError):
    pass


class SnapshotNotFound(DwsError):
    pass


class AmbiguousSnapshot(DwsError):
    def __init__(self, prefix: str, candidates: list[str]) -> None:
        super().__init__(
            f"snapshot id prefix '{prefix}' is ambiguous: {', '.join(sorted(candidates))}",
            "give more characters of the id, or use a tag",
        )
        self.candidates = candidates


class UnsafeRestore(DwsError):
    """Restoring would destroy data that no snapshot holds: {resource: paths}."""

    def __init__(self, unsafe: dict[str, list[str]]) -> None:
        parts = []
        for resource, paths in unsafe.items():
            shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
            parts.append(f"{resource}: {shown}")
        super().__init__(
            f"changes that no snapshot holds would be lost ({'; '.join(parts)})",
            "take a snapshot first (git dws snapshot), or rerun with --force to discard them",
        )
        self.unsafe = unsafe


class RefRaceError(DwsError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            f"refs changed while git-dws was working ({detail})", "nothing was changed; run the command again"
        )


class BadManifest(DwsError):
    """Something read from git objects or a remote (a manifest entry, a snapshot's content, a name) is
    malformed or unsafe. Raised before anything is written; `at()` adds where it was found, so the one
    line names the snapshot, the resource and the offending entry."""

    def __init__(self, why: str, entry: str, *, snapshot: str | None = None, resource: str | None = None) -> None:
        self.why = why
        self.entry = entry
        self.snapshot = snapshot
        self.resource = resource
        where = "".join([f"snapshot {snapshot[:12]}: " if snapshot else "",
                         f"resource '{resource}': " if resource else ""])
        super().__init__(
            f"{where}bad manifest entry {entry!r}: {why}",
            "it was not written by git-dws or was tampered with; nothing was written. Ask who pushed it, "
            "or delete that snapshot (git dws delete-snapshot ID)",
        )

    def at(self, *, snapshot: str | None = None, resource: str | None = None) -> BadManifest:
        return BadManifest(self.why, self.entry, snapshot=self.snapshot or snapshot,
                           resource=self.resource or resource)


class UnsafePath(DwsError):
    """A path would lead outside the directory it must stay in (a resource, the workspace)."""


class GitCommandError(DwsError):
    def __init__(self, cmd: list[str], rc: int, stderr: str) -> None:
        last = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit status {rc}"
        super().__init__(f"git {' '.join(cmd[1:3])} failed: {last}")
        self.cmd = cmd
        self.rc = rc
        self.stderr = stderr
