"""Writes that cannot leave a directory: the one way restore, pull and clone touch a resource's files.

A manifest comes from another clone and may be crafted, and the working copy may hold symlinks planted
earlier (`sub -> /home/victim`). So every path is validated (model.validate) and resolved from an open
descriptor of the root, one component at a time, with O_NOFOLLOW (openat-style): a symlink or file that
stands where a directory must be is removed (the link itself, never what it points to) and replaced by a
directory, so even a valid-looking plan writes nothing outside the root. Files are written to a temporary
name in their final directory and renamed over the old one, so a reader never sees half a file;
temporaries carry the reserved prefix `.dws-tmp-`, which scans ignore and the next restore removes.

Directory descriptors are cached for the life of the SafeDir (a restore of 20,000 files would otherwise
reopen each parent 20,000 times); use it as a context manager so they are closed.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import threading
from collections.abc import Callable, Iterable
from types import TracebackType

from .errors import UnsafePath
from .model.validate import check_rel_path

TMP_PREFIX = ".dws-tmp-"
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_counter = itertools.count()


class SafeDir:
    def __init__(self, root: str) -> None:
        self.root = root
        self._fds: dict[str, int] = {}
        self._lock = threading.Lock()  # large files are written from two threads

    def __enter__(self) -> SafeDir:
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            for fd in self._fds.values():
                os.close(fd)
            self._fds.clear()

    # -- resolving -----------------------------------------------------------------------------------
    def _dir(self, rel: str, create: bool) -> int | None:
        """Descriptor of directory `rel` ('' = root), never through a symlink. With `create`, missing
        directories are made and a file or symlink in the way is replaced; without, None if absent."""
        fd = self._fds.get(rel)
        if fd is not None:
            return fd
        if not rel:
            if create:
                os.makedirs(self.root, exist_ok=True)
            try:  # the root itself may be a symlink the user made (data on another disk): followed once
                fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            except FileNotFoundError:
                return None
        else:
            parent_rel, _, name = rel.rpartition("/")
            parent = self._dir(parent_rel, create)
            if parent is None:
                return None
            fd = _open_subdir(parent, name, create)
            if fd is None:
                return None
        self._fds[rel] = fd
        return fd

    def _parent(self, rel: str, create: bool) -> tuple[int | None, str]:
        check_rel_path(rel)
        parent_rel, _, name = rel.rpartition("/")
        with self._lock:
            return self._dir(parent_rel, create), name

    # -- operations ----------------------------------------------------------------------------------
    def write_file(self, rel: str, fill: Callable[[int], None], mode: int) -> None:
        """Create `rel` with content written by `fill(fd)` (an open, empty file), then rename it into place."""
        fd, name = self._parent(rel, create=True)
        assert fd is not None
        tmp = f"{TMP_PREFIX}{os.getpid()}-{next(_counter)}"  # short: a name may already be 255 bytes
        out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=fd)
        try:
            try:
                fill(out)
                os.fchmod(out, mode)
            finally:
                os.close(out)
            self._replace(fd, tmp, name)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp, dir_fd=fd)
            raise

    def write_bytes(self, rel: str, data: bytes, mode: int = 0o644) -> None:
        def fill(out: int) -> None:
            view = memoryview(data)
            while view:
                view = view[os.write(out, view):]

        self.write_file(rel, fill, mode)

    def symlink(self, rel: str, target: str) -> None:
        fd, name = self._parent(rel, create=True)
        assert fd is not None
        tmp = f"{TMP_PREFIX}{os.getpid()}-{next(_counter)}"
        os.symlink(target, tmp, dir_fd=fd)
        try:
            self._replace(fd, tmp, name)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp, dir_fd=fd)
            raise

    def _replace(self, fd: int, tmp: str, name: str) -> None:
        try:
            os.replace(tmp, name, src_dir_fd=fd, dst_dir_fd=fd)  # over a file or symlink: never followed
        except (IsADirectoryError, OSError) as e:
            if e.errno not in (errno.EISDIR, errno.ENOTEMPTY, errno.EEXIST):
                raise
            # A directory stands where the file goes: the plan deleted what it held, so it is empty.
            with self._lock:
                self._forget(fd, name)
            try:
                os.rmdir(name, dir_fd=fd)
            except OSError:
                raise UnsafePath(f"cannot put a file in place of directory {os.path.join(self.root, name)}",
                                 "it is not empty; move its content away and restore again") from None
            os.replace(tmp, name, src_dir_fd=fd, dst_dir_fd=fd)

    def _forget(self, parent_fd: int, name: str) -> None:
        """Drop cached descriptors of a directory about to be removed (and of everything below it)."""
        for rel, fd in list(self._fds.items()):
            if fd == parent_fd:
                prefix = f"{rel}/{name}" if rel else name
                for sub in [r for r in self._fds if r == prefix or r.startswith(prefix + "/")]:
                    os.close(self._fds.pop(sub))
                return

    def _existing_parent(self, rel: str) -> tuple[int | None, str]:
        """The parent of `rel` if it exists as a real directory (never through a symlink), else None."""
        try:
            return self._parent(rel, create=False)
        except (NotADirectoryError, FileNotFoundError):
            return None, ""

    def remove(self, rel: str) -> None:
        """Remove the file or symlink `rel`; nothing to do if it (or a parent) is absent."""
        fd, name = self._existing_parent(rel)
        if fd is None:
            return
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            os.unlink(name, dir_fd=fd)

    def prune_empty(self, rels: Iterable[str]) -> None:
        """Remove directories (and their emptied parents) left empty, never the root itself."""
        todo: set[str] = set()
        for rel in rels:
            while rel:
                todo.add(rel)
                rel = rel.rpartition("/")[0]
        for rel in sorted(todo, key=lambda p: -p.count("/")):
            fd, name = self._existing_parent(rel)
            if fd is None:
                continue
            with self._lock:
                self._forget(fd, name)
            with contextlib.suppress(OSError):
                os.rmdir(name, dir_fd=fd)

    def makedirs(self, rel: str) -> None:
        check_rel_path(rel)
        with self._lock:
            self._dir(rel, create=True)


def _open_subdir(parent: int, name: str, create: bool) -> int | None:
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=parent)
    except FileNotFoundError:
        if not create:
            return None
    except OSError as e:  # ELOOP: a symlink; ENOTDIR: a file. Either stands where a directory must be.
        if e.errno not in (errno.ELOOP, errno.ENOTDIR):
            raise
        if not create:
            return None
        os.unlink(name, dir_fd=parent)  # the link itself, never its target
    with contextlib.suppress(FileExistsError):  # another thread made it meanwhile
        os.mkdir(name, 0o777, dir_fd=parent)
    return os.open(name, _DIR_FLAGS, dir_fd=parent)


def is_temporary(name: str) -> bool:
    return name.startswith(TMP_PREFIX)
