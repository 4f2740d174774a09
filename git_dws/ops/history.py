"""Snapshot history with the metrics and parameters of each snapshot (`report history`), and the series
of one metric across snapshots (`report plot`, `%dws_history --plot`).

Which columns a table shows is the renderer's choice (what fits the terminal); this module orders them:
metrics most common first (then top-level before nested, then by name), parameters that vary between the
listed snapshots first. Asking for names with `metrics=`/`params=` keeps exactly those, in that order."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..errors import UsageError
from ..model.numbers import is_number
from ..model.snapshot import SnapshotInfo
from ..workspace import Workspace
from .compare import snapshot_values


def history(ws: Workspace, limit: int | None = None) -> list[SnapshotInfo]:
    """Newest first."""
    snaps = list(reversed(ws.db.history()))
    return snaps[:limit] if limit else snaps


@dataclass(frozen=True, slots=True)
class HistoryRow:
    snap: SnapshotInfo
    metrics: dict[str, Any]  # flattened (dotted names)
    params: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {**self.snap.to_json(), "parameters": self.params}


@dataclass(frozen=True, slots=True)
class HistoryTable:
    rows: list[HistoryRow]  # newest first
    total: int  # snapshots in the workspace
    metric_names: list[str]  # in display order
    param_names: list[str]
    chosen: bool = False  # names were asked for: show them all, drop none


def history_table(ws: Workspace, limit: int | None = None, metrics: list[str] | None = None,
                  params: list[str] | None = None) -> HistoryTable:
    everything = history(ws)
    snaps = everything[:limit] if limit else everything
    want_params = params is None or bool(params)
    rows = []
    for s in snaps:
        met, par = snapshot_values(ws, s, want_params=want_params)
        rows.append(HistoryRow(s, met, par))
    metric_names = _pick("metric", metrics, _metric_order(rows), {k for r in rows for k in r.metrics})
    param_names = _pick("parameter", params, _param_order(rows), {k for r in rows for k in r.params})
    return HistoryTable(rows, len(everything), metric_names, param_names,
                        chosen=metrics is not None or params is not None)


def _pick(what: str, asked: list[str] | None, ordered: list[str], known: set[str]) -> list[str]:
    if asked is None:
        return ordered
    unknown = [n for n in asked if n not in known]
    if unknown:
        raise UsageError(f"no listed snapshot has the {what} '{unknown[0]}'",
                         f"{what}s: {', '.join(sorted(known)) or 'none'}")
    return asked


def _metric_order(rows: list[HistoryRow]) -> list[str]:
    c: Counter[str] = Counter(k for r in rows for k, v in r.metrics.items() if is_number(v))
    return sorted(c, key=lambda k: (-c[k], k.count("."), k))


def _param_order(rows: list[HistoryRow]) -> list[str]:
    names = sorted({k for r in rows for k in r.params})
    varies = {k for k in names if len({repr(r.params.get(k)) for r in rows}) > 1}
    return sorted(names, key=lambda k: (k not in varies, k.count("."), k))


@dataclass(frozen=True, slots=True)
class Point:
    id: str
    number: int
    label: str  # tags, else the short id
    value: float


@dataclass(frozen=True, slots=True)
class Series:
    metric: str
    workspace: str
    points: list[Point]  # oldest first: snapshot order

    def to_json(self) -> dict[str, Any]:
        return {"metric": self.metric, "workspace": self.workspace,
                "points": [{"id": p.id, "number": p.number, "label": p.label, "value": p.value}
                           for p in self.points]}


def metric_series(ws: Workspace, metric: str, limit: int | None = None) -> Series:
    """The numeric values of `metric` across snapshots, oldest first (the newest `limit` snapshots)."""
    snaps = list(reversed(history(ws, limit)))
    points: list[Point] = []
    known: set[str] = set()
    for s in snaps:
        met, _ = snapshot_values(ws, s, want_params=False)
        known.update(k for k, v in met.items() if is_number(v))
        v = met.get(metric)
        if isinstance(v, int | float) and is_number(v):
            points.append(Point(s.id, s.meta.number, ", ".join(s.meta.tags) or s.id[:7], float(v)))
    if not points:
        raise UsageError(f"no snapshot has a numeric metric '{metric}'",
                         f"metrics: {', '.join(sorted(known)) or 'none (write results.json with metrics)'}")
    return Series(metric, ws.config.name, points)
