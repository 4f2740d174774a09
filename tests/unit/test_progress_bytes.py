"""Progress in bytes: large-file capture and transfers advance a task measured in bytes, by the bytes
actually moved (so a 2 x 512 MiB snapshot shows 1.2 GB/3.0 GB and a rate, not 0/2 until done); the bar
text; and no bar at all when stderr is not a terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from git_dws.progress import BYTES, Task
from git_dws.store import cas
from git_dws.store.cas import ContentStore
from git_dws.store.remotes.directory import DirectoryBackend
from git_dws.store.remotes.transfer import fetch_objects, push_objects
from git_dws.ui.console import amount_text, progress


class Recorder:
    def __init__(self) -> None:
        self.tasks: list[tuple[str, int | None, str, list[int]]] = []

    def task(self, label: str, total: int | None, unit: str = "") -> Task:
        steps: list[int] = []
        self.tasks.append((label, total, unit, steps))

        class T:
            def advance(self, n: int = 1) -> None:
                steps.append(n)

        return T()

    def done(self, task: Task) -> None:
        pass


def test_bar_text() -> None:
    assert amount_text(1.2e9, 3.0e9, BYTES, 480e6) == "1.2 GB/3.0 GB 480.0 MB/s"
    assert amount_text(512, None, BYTES, None) == "512 B"
    assert amount_text(12, 20, "", 3.0) == "12/20"


def test_capture_reports_bytes_as_they_are_copied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cas, "_CHUNK", 256 * 1024)
    src = tmp_path / "big"
    src.write_bytes(b"x" * (3 * 1024 * 1024 + 1))
    seen: list[int] = []
    ContentStore(str(tmp_path / "s")).add_large(str(src), on_bytes=seen.append)
    assert sum(seen) == src.stat().st_size and len(seen) > 1  # several steps, not one at the end


def test_transfers_count_bytes(tmp_path: Path) -> None:
    store = ContentStore(str(tmp_path / "src"))
    with store.pack_writer() as pack:
        small = {pack.add(b"%d" % i * 100): 100 * len(b"%d" % i) for i in range(20)}
    big = tmp_path / "big"
    big.write_bytes(b"y" * (700 * 1024))
    sizes = {**small, store.add_large(str(big)): 700 * 1024}
    remote = DirectoryBackend(str(tmp_path / "r"), str(tmp_path / "r"))
    rec = Recorder()
    push_objects(store, remote, sizes, rec)
    ((_, total, unit, steps),) = rec.tasks
    assert unit == BYTES and total == sum(sizes.values()) == sum(steps)
    rec = Recorder()
    fetch_objects(ContentStore(str(tmp_path / "dst")), remote, sizes, rec)
    ((_, total, unit, steps),) = rec.tasks
    assert unit == BYTES and total == sum(sizes.values()) == sum(steps)


def test_quiet_when_not_a_tty() -> None:
    assert progress(True) is None  # pytest captures stderr: not a terminal
