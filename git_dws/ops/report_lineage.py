"""`git dws report lineage [--snapshot S]`: one row per recorded reference (resource or path): what
made it (a step, source data, code), the step's parameters, and the versions of its inputs and code.
In the current lineage an input still at the version the step read shows `(current)`; in a snapshot's
(frozen) lineage every input and code reference shows the exact hash it had at that snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..lineage import store
from ..lineage.graph import nested_set, record_kind
from ..lineage.model import Certificate, ImportedLineage, LineageNotFoundError, LineageRecord, StepLineage
from ..lineage.records import LineageSet
from ..workspace import Workspace
from .resolve import resolve


@dataclass(frozen=True, slots=True)
class LineageRow:
    resource: str  # `name` or `name:/subpath`
    type: str  # Step | Source Data | Code
    details: str
    inputs: list[str] | None
    record: dict[str, Any]
    code: list[str] | None = None
    parameters: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class LineageReport:
    snapshot: str | None
    tags: tuple[str, ...]
    rows: list[LineageRow]

    def to_json(self) -> dict[str, Any]:
        return {"snapshot": self.snapshot, "tags": list(self.tags), "lineage": [
            {"resource": r.resource, "type": r.type, "details": r.details, "inputs": r.inputs,
             "code": r.code, "parameters": r.parameters, "record": r.record} for r in self.rows]}


def load(ws: Workspace, snapshot: str | None) -> tuple[LineageSet, str | None, tuple[str, ...]]:
    """The current lineage, or the lineage frozen with a snapshot."""
    if snapshot is None:
        return store.load_current(ws), None, ()
    sid = resolve(ws, snapshot)
    lset = store.load_snapshot(ws, sid)
    if lset is None:
        raise LineageNotFoundError(f"snapshot {sid[:12]} has no lineage (it was taken without lineage support)")
    return lset, sid, ws.db.get(sid).meta.tags


def lineage_report(ws: Workspace, snapshot: str | None = None) -> LineageReport:
    lset, sid, tags = load(ws, snapshot)
    rows: list[LineageRow] = []
    for name in sorted(lset.files):
        for ref, rec in lset.files[name].items():
            if isinstance(rec, ImportedLineage):
                scope = nested_set(rec)
                for nested in rec.nested_lineage:
                    for c in nested.certs():
                        rows.append(_row(str(c.ref), nested, scope, True))  # exported lineage is frozen
                break  # every key of an imported resource points at the same record
            rows.append(_row(str(ref), rec, lset, sid is not None))
    return LineageReport(sid, tags, rows)


def _row(ref: str, rec: LineageRecord, scope: LineageSet, frozen: bool) -> LineageRow:
    def show(c: Certificate) -> str:
        return f"{c.ref} (current)" if not frozen and scope.is_current(c) else f"{c.ref} ({c.label()})"

    if isinstance(rec, StepLineage):
        return LineageRow(ref, "Step", rec.label(), [show(c) for c in rec.input_resources], rec.to_json(),
                          [show(c) for c in rec.code_resources], dict(rec.parameters))
    return LineageRow(ref, record_kind(rec), rec.label(), None, rec.to_json())
