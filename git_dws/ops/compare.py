"""`git dws report compare S1 S2 ...`: the metrics and parameters of several snapshots side by side.

Metrics come from the snapshot's metadata (read from results.json when it was taken), else from the
results.json files it holds. Parameters come from those results.json files, else from the steps in its
frozen lineage that wrote results. Nested values are flattened to dotted names. The change column is last
minus first (model/numbers.change: rounded to the digits the values were written with); `report history`
reads values through the same `snapshot_values`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import UsageError
from ..lineage import store
from ..lineage.model import StepLineage
from ..model.numbers import change
from ..model.snapshot import SnapshotInfo
from ..workspace import Workspace
from .report_results import in_snapshot
from .resolve import resolve


@dataclass(frozen=True, slots=True)
class Column:
    id: str
    number: int
    tags: tuple[str, ...]
    timestamp: str
    message: str

    @property
    def title(self) -> str:
        return ", ".join(self.tags) or self.id[:7]


@dataclass(frozen=True, slots=True)
class Comparison:
    columns: list[Column]
    metrics: dict[str, list[Any]]  # name -> one value per column (None: absent)
    parameters: dict[str, list[Any]]

    @staticmethod
    def differs(values: list[Any]) -> bool:
        return len({repr(v) for v in values}) > 1

    @staticmethod
    def change(values: list[Any]) -> float | int | None:
        """Last minus first, when both are numbers (None otherwise, and for a single snapshot)."""
        return change(values[0], values[-1]) if len(values) > 1 else None

    def to_json(self) -> dict[str, Any]:
        def rows(d: dict[str, list[Any]]) -> list[dict[str, Any]]:
            return [{"name": k, "values": v, "differs": self.differs(v), "change": self.change(v)}
                    for k, v in d.items()]

        return {"snapshots": [{"id": c.id, "number": c.number, "tags": list(c.tags), "timestamp": c.timestamp,
                               "message": c.message} for c in self.columns],
                "metrics": rows(self.metrics), "parameters": rows(self.parameters)}


def compare(ws: Workspace, names: list[str]) -> Comparison:
    if not names:
        raise UsageError("name at least one snapshot", "git dws report compare S1 S2 ...")
    ids = [resolve(ws, n) for n in names]
    columns, metrics, params = [], [], []
    for sid in ids:
        info = ws.db.get(sid)
        m = info.meta
        columns.append(Column(sid, m.number, m.tags, m.timestamp, m.message))
        met, par = snapshot_values(ws, info)
        metrics.append(met)
        params.append(par)
    return Comparison(columns, _table(metrics), _table(params))


def snapshot_values(ws: Workspace, info: SnapshotInfo, *, want_params: bool = True) -> tuple[dict[str, Any],
                                                                                              dict[str, Any]]:
    """(metrics, parameters) of one snapshot, flattened to dotted names. Reading parameters lists the
    snapshot's results files, so callers that show metrics only say so."""
    m = info.meta
    if m.metrics is not None and not want_params:
        return flatten(m.metrics), {}
    files = in_snapshot(ws, info.id, None)
    met = m.metrics if m.metrics is not None else next(
        (f.data["metrics"] for f in files if isinstance(f.data.get("metrics"), dict)), {})
    par: dict[str, Any] = {}
    if want_params:
        par = next((f.data["parameters"] for f in files if isinstance(f.data.get("parameters"), dict)), {})
        if not par:
            par = _lineage_params(ws, info.id, {r.name for r in info.content.resources if r.role == "results"})
    return flatten(met or {}), flatten(par)


def _lineage_params(ws: Workspace, sid: str, results: set[str]) -> dict[str, Any]:
    lset = store.load_snapshot(ws, sid)
    if lset is None:
        return {}
    steps = [r for name in sorted(results) for r in lset.records_for(name) if isinstance(r, StepLineage)]
    if len(steps) == 1:
        return dict(steps[0].parameters)
    return {s.step_name: s.parameters for s in steps}


def flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict) and v:
            out.update(flatten(v, name + "."))
        else:
            out[name] = v
    return out


def _table(per_column: list[dict[str, Any]]) -> dict[str, list[Any]]:
    keys = sorted({k for d in per_column for k in d})
    return {k: [d.get(k) for d in per_column] for k in keys}
