"""A set of lineage records, kept per resource and per reference (the current lineage of a worktree, or
the frozen lineage of a snapshot), with the original's rules: lookups fall back to a covering
reference, no two references of one resource may overlap, and walks follow inputs and code through the
set to find everything a resource was derived from. Pure: loading and saving are elsewhere."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from .model import (
    Certificate,
    CodeLineage,
    HashCertificate,
    ImportedLineage,
    LineageConflictError,
    LineageConsistencyError,
    LineagePlaceHolderError,
    LineageRecord,
    PlaceholderCertificate,
    ResourceRef,
    SourceDataLineage,
    StepLineage,
    file_from_json,
    file_to_json,
)


class LineageSet:
    def __init__(self, files: dict[str, dict[ResourceRef, LineageRecord]] | None = None) -> None:
        self.files: dict[str, dict[ResourceRef, LineageRecord]] = files or {}
        self.dirty: set[str] = set()

    @classmethod
    def from_json(cls, objs: dict[str, Any]) -> LineageSet:
        """`objs`: resource name -> lineage file JSON."""
        out = cls()
        for name, obj in objs.items():
            rname, records = file_from_json(obj, f"lineage of '{name}'")
            out.files[name] = index(rname, records)
        return out

    def to_json(self, name: str) -> dict[str, Any]:
        return file_to_json(name, unique(self.files.get(name, {}).values()))

    # -- lookups ---------------------------------------------------------------------------------
    def resources(self) -> list[str]:
        return sorted(n for n, m in self.files.items() if m)

    def refs_for(self, name: str) -> list[ResourceRef]:
        return list(self.files.get(name, {}))

    def retrieve(self, ref: ResourceRef) -> LineageRecord | None:
        for other, rec in self.files.get(ref.name, {}).items():
            if other == ref or other.covers(ref):
                return rec
        return None

    def cert_for(self, ref: ResourceRef) -> Certificate | None:
        rec = self.retrieve(ref)
        return rec.cert_for(ref) if rec is not None else None

    def expand(self, ref: ResourceRef) -> list[ResourceRef]:
        """What reading `ref` means: `ref` itself, or, when lineage is recorded only for paths below it
        (a directory whose files steps wrote), those paths."""
        if self.retrieve(ref) is not None:
            return [ref]
        return [k for k in self.files.get(ref.name, {}) if ref.covers(k)] or [ref]

    def is_current(self, cert: Certificate) -> bool:
        return self.cert_for(cert.ref) == cert

    def records_for(self, name: str) -> list[LineageRecord]:
        return unique(self.files.get(name, {}).values())

    def iterate(self) -> Iterator[tuple[ResourceRef, LineageRecord]]:
        """Every (reference, record), imported lineage expanded into its nested records."""
        for name in sorted(self.files):
            seen_import = False
            for ref, rec in self.files[name].items():
                if isinstance(rec, ImportedLineage):
                    if not seen_import:
                        for nested in rec.nested_lineage:
                            for c in nested.certs():
                                yield c.ref, nested
                    seen_import = True
                else:
                    yield ref, rec

    def count(self) -> int:
        return sum(len(self.records_for(n)) for n in self.files)

    # -- changes ---------------------------------------------------------------------------------
    def check_put(self, ref: ResourceRef, step: str | None = None) -> None:
        """Raise if lineage for `ref` cannot be kept beside what the set has (check (c)). `step` is the
        step that would write `ref`, named in the message with the step that wrote the other path."""
        for other, rec in self.files.get(ref.name, {}).items():
            if other == ref:
                return
            if not (other.covers(ref) or ref.covers(other)):
                continue
            relation = "parent" if other.covers(ref) else "child"
            who = f"step {step}" if step else "this step"
            by = f"step {rec.step_name}" if isinstance(rec, StepLineage) else record_what(rec)
            fix = (f"write {other} as a whole" if relation == "parent" else
                   f"record the outputs below {ref} one by one (as {other})") + \
                f", or forget the old lineage first: git dws lineage clear {ref.name}"
            raise LineageConflictError(
                f"{who} cannot record lineage for {ref}: {by} already recorded lineage for its "
                f"{relation} path {other}", fix)

    def put(self, rec: LineageRecord) -> None:
        certs = rec.certs()
        for c in certs:
            self.check_put(c.ref, rec.step_name if isinstance(rec, StepLineage) else None)
        for c in certs:
            self.files.setdefault(c.ref.name, {})[c.ref] = rec
            self.dirty.add(c.ref.name)

    def put_resource(self, name: str, records: list[LineageRecord]) -> None:
        """Replace everything recorded for a resource (restore, import)."""
        self.files[name] = index(name, records)
        self.dirty.add(name)

    def clear(self, ref: ResourceRef) -> None:
        """Forget the lineage of `ref` and of every path below it."""
        mapping = self.files.get(ref.name)
        if not mapping:
            return
        for key in [k for k in mapping if k == ref or ref.covers(k)]:
            del mapping[key]
            self.dirty.add(ref.name)

    def clear_resource(self, name: str) -> None:
        if self.files.pop(name, None) is not None:
            self.dirty.add(name)

    # -- the original's checks -------------------------------------------------------------------
    def check_transitive(self, step_name: str, refs: Iterable[ResourceRef]) -> None:
        """Check (b): following the inputs of `refs` back through the set, every reference has one
        version only."""
        seen: dict[ResourceRef, Certificate] = {}
        todo = list(refs)
        while todo:
            nxt: list[ResourceRef] = []
            for ref in todo:
                rec = self.retrieve(ref)
                if rec is None:
                    continue  # will be a placeholder
                cert = rec.cert_for(ref)
                if cert is None:
                    continue
                _same(step_name, ref, cert, seen)
                if isinstance(rec, StepLineage):
                    for c in rec.inputs():
                        if c.ref not in seen:
                            nxt.append(c.ref)
                        _same(step_name, c.ref, c, seen)
            todo = nxt

    def closure(self, name: str) -> tuple[list[LineageRecord], list[str]]:
        """Everything the resource `name` was derived from: its records, then the records of their
        inputs and code, transitively. Returns (records, warnings about versions that differ)."""
        result: list[LineageRecord] = []
        warnings: list[str] = []
        seen: dict[ResourceRef, Certificate] = {}
        keys: set[str] = set()

        def add(rec: LineageRecord) -> None:
            k = key(rec)
            if k not in keys:
                keys.add(k)
                result.append(rec)

        todo = self.refs_for(name)
        while todo:
            nxt: list[ResourceRef] = []
            for ref in todo:
                rec = self.retrieve(ref)
                if rec is None:
                    continue
                cert = rec.cert_for(ref)
                if cert is None:
                    continue
                if ref in seen and seen[ref] != cert:
                    warnings.append(f"{name} depends on two versions of {ref}: {seen[ref].label()} and "
                                    f"{cert.label()}")
                    continue
                seen[ref] = cert
                add(rec)
                if isinstance(rec, ImportedLineage):
                    for nested in rec.nested_lineage:
                        add(nested)
                for c in [*rec.inputs(), *rec.code()]:
                    if c.ref in seen:
                        if seen[c.ref] != c:
                            warnings.append(f"{name} depends on two versions of {c.ref}: "
                                            f"{seen[c.ref].label()} and {c.label()}")
                        continue
                    nxt.append(c.ref)
            todo = nxt
        return result, warnings

    def placeholders(self, names: set[str]) -> list[tuple[str, LineageRecord, Certificate]]:
        """Check (d) helper: placeholders in records kept for resources in `names` whose own resource
        is not in `names` (they cannot be resolved by a snapshot of those resources)."""
        out: list[tuple[str, LineageRecord, Certificate]] = []
        for name in sorted(names):
            for rec in self.records_for(name):
                for c in _all_certs(rec):
                    if isinstance(c, PlaceholderCertificate) and c.ref.name not in names:
                        out.append((name, rec, c))
        return out

    def check_placeholders(self, names: set[str]) -> None:
        bad = self.placeholders(names)
        if bad:
            name, rec, c = bad[0]
            what = f"step {rec.step_name}" if isinstance(rec, StepLineage) else rec.kind.replace("_", " ")
            raise LineagePlaceHolderError(
                f"lineage of '{name}' ({what}) has an unresolved placeholder for {c.ref}, "
                f"which is not a resource of this snapshot",
                f"re-run the step, or forget its lineage: git dws lineage clear {name}")

    def resolve(self, hashes: dict[str, str]) -> None:
        """Replace placeholders of the resources in `hashes` by their content id, and give source data
        and code records the content id they have now. Raises LineagePlaceHolderError (check (d)) when
        a record kept for a snapshotted resource still has a placeholder of another resource."""
        self.check_placeholders(set(hashes))

        def fix(c: Certificate) -> Certificate:
            if isinstance(c, PlaceholderCertificate) and c.ref.name in hashes:
                return c.resolved(hashes[c.ref.name])
            return c

        for name, mapping in self.files.items():
            for rec in unique(mapping.values()):
                if isinstance(rec, SourceDataLineage | CodeLineage) and rec.cert.ref.name in hashes:
                    new: Certificate = HashCertificate(rec.cert.ref, hashes[rec.cert.ref.name], rec.cert.comment)
                    if new != rec.cert:
                        rec.cert = new
                        self.dirty.add(name)
                elif isinstance(rec, StepLineage):
                    before = json.dumps(rec.to_json(), sort_keys=True)
                    rec.map_certs(fix)
                    if json.dumps(rec.to_json(), sort_keys=True) != before:
                        self.dirty.update({name, *(c.ref.name for c in rec.certs())})


def record_what(rec: LineageRecord) -> str:
    if isinstance(rec, StepLineage):
        return f"step {rec.step_name}"
    if isinstance(rec, ImportedLineage):
        return "imported lineage"
    return "code" if isinstance(rec, CodeLineage) else "source data"


def _all_certs(rec: LineageRecord) -> list[Certificate]:
    if isinstance(rec, StepLineage):
        return [*rec.input_resources, *rec.code_resources, *rec.output_resources]
    if isinstance(rec, ImportedLineage):
        return []
    return [rec.cert]


def _same(step: str, ref: ResourceRef, cert: Certificate, seen: dict[ResourceRef, Certificate]) -> None:
    other = seen.get(ref)
    if other is None:
        seen[ref] = cert
    elif other != cert:
        raise LineageConsistencyError(
            f"step {step} (transitively) depends on {ref} in two versions: {other.label()} and {cert.label()}",
            "re-run the steps that produced the older version first, so every input uses the same data")


def index(resource: str, records: list[LineageRecord]) -> dict[ResourceRef, LineageRecord]:
    """Resource file -> reference map (the file keeps the records; the keys are their outputs)."""
    out: dict[ResourceRef, LineageRecord] = {}
    for rec in records:
        for c in rec.certs():
            if c.ref.name == resource:
                out[c.ref] = rec
    return out


def key(rec: LineageRecord) -> str:
    return json.dumps(rec.to_json(), sort_keys=True)


def unique(records: Iterable[LineageRecord]) -> list[LineageRecord]:
    out: list[LineageRecord] = []
    ids: set[int] = set()
    for r in records:
        if id(r) not in ids:
            ids.add(id(r))
            out.append(r)
    return out


def distinct(records: Iterable[LineageRecord]) -> list[LineageRecord]:
    """Records without repeats, also across files (a step with outputs in two resources is kept in
    both resources' files)."""
    out: list[LineageRecord] = []
    keys: set[str] = set()
    for r in records:
        k = key(r)
        if k not in keys:
            keys.add(k)
            out.append(r)
    return out
