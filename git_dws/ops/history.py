"""Snapshot history and the workspace's resource table (`report history`, `report status`)."""

from __future__ import annotations

from collections import Counter

from ..model.snapshot import SnapshotInfo
from ..workspace import Workspace


def history(ws: Workspace, limit: int | None = None) -> list[SnapshotInfo]:
    """Newest first."""
    snaps = list(reversed(ws.db.history()))
    return snaps[:limit] if limit else snaps


def main_metrics(snaps: list[SnapshotInfo], count: int = 2) -> list[str]:
    """The most common metric names across snapshots (the original shows two)."""
    c: Counter[str] = Counter()
    for s in snaps:
        if s.meta.metrics:
            c.update(k for k, v in s.meta.metrics.items() if isinstance(v, int | float))
    return [k for k, _ in c.most_common(count)]
