"""Lineage values and their JSON form: resource references, certificates (a version of a reference:
an exact content id, or a placeholder until the next snapshot) and lineage records (a step, source data,
code, or lineage imported from another workspace). Pure values, no I/O.

The JSON keeps the original Data Workspaces layout, so lineage.json files move between the two tools,
with one fix: an output placeholder is written `"is_output": true` (the original wrote `is_ouput`, and
then read it back as an input placeholder). The misspelled key is still accepted when reading.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import posixpath
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..errors import DwsError

FORMAT = 1


class LineageError(DwsError):
    """Lineage is missing, malformed or inconsistent."""


class LineageConflictError(LineageError):
    """Lineage would be kept at a path that overlaps another one of the same resource (a parent or a
    child path), or one step's inputs overlap each other. Its message is one line that names both steps
    and the fix; `str()` gives the same line, so a user's script that lets it escape shows it whole."""

    def __str__(self) -> str:
        return f"{self.message} (fix: {self.hint})" if self.hint else self.message


class LineageConsistencyError(LineageError):
    """A step would depend (directly or through other steps) on two versions of the same data."""


class LineagePlaceHolderError(LineageError):
    """A snapshot would contain lineage that still has an unresolved placeholder."""


class LineageNotFoundError(LineageError):
    """No lineage is recorded for a reference."""


class PathNotAResourceError(LineageError):
    """A local path lies in no resource of the workspace."""


class ResourceRef(NamedTuple):
    """A resource, or a path inside one (`subpath`, relative, '/'-separated)."""

    name: str
    subpath: str | None = None

    def covers(self, other: ResourceRef) -> bool:
        """True if this reference is strictly above `other`: same resource, and this one is the
        resource itself or a parent directory (component-wise) of the other's subpath."""
        if self.name != other.name or other.subpath is None or self.subpath == other.subpath:
            return False
        if self.subpath is None:
            return True
        return other.subpath.startswith(self.subpath.rstrip("/") + "/")

    def overlaps(self, other: ResourceRef) -> bool:
        return self == other or self.covers(other) or other.covers(self)

    def __str__(self) -> str:
        return self.name if self.subpath is None else f"{self.name}:/{self.subpath}"


def make_ref(name: str, subpath: str | None = None) -> ResourceRef:
    """A reference with a normalised subpath ('' and '.' mean the resource itself)."""
    if subpath is not None:
        sub = posixpath.normpath(subpath.replace("\\", "/")).strip("/")
        if sub.startswith("..") or sub.startswith("../"):
            raise LineageError(f"subpath '{subpath}' leaves resource '{name}'")
        subpath = None if sub in ("", ".") else sub
    return ResourceRef(name, subpath)


def parse_ref(text: str) -> ResourceRef:
    """`RES`, `RES:PATH` or `RES:/PATH` as typed on the command line."""
    name, sep, sub = text.partition(":")
    if not name:
        raise LineageError(f"bad resource reference '{text}'", "write RESOURCE or RESOURCE:PATH")
    return make_ref(name, sub if sep else None)


# -- certificates ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class HashCertificate:
    """The reference was at this exact version: the content id (manifest tree id) of its resource."""

    ref: ResourceRef
    hashval: str
    comment: str = field(default="", compare=False)

    def to_json(self) -> dict[str, Any]:
        return {"resource_name": self.ref.name, "subpath": self.ref.subpath,
                "certificate": {"cert_type": "hash", "hashval": self.hashval, "comment": self.comment}}

    def label(self) -> str:
        return f"Hash:{self.hashval[:8]}"


@dataclass(frozen=True, slots=True)
class PlaceholderCertificate:
    """A version not known yet: resolved to the content id at the next snapshot. Outputs get a new
    version each time a step writes them; inputs read before any snapshot get version 1."""

    ref: ResourceRef
    version: int
    comment: str = field(default="", compare=False)
    is_output: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"resource_name": self.ref.name, "subpath": self.ref.subpath,
                "certificate": {"cert_type": "placeholder", "version": self.version, "comment": self.comment,
                                "is_output": self.is_output}}

    def resolved(self, hashval: str) -> HashCertificate:
        return HashCertificate(self.ref, hashval, self.comment)

    def label(self) -> str:
        return f"Placeholder:version={self.version}"


Certificate = HashCertificate | PlaceholderCertificate


def narrow(c: Certificate, ref: ResourceRef) -> Certificate:
    """The certificate of a covering reference, for a path below it: same version, the path's own
    reference (so a step that read `data:train.csv` records that subpath, not the whole resource)."""
    return c if c.ref == ref else dataclasses.replace(c, ref=ref)


def cert_from_json(obj: Any) -> Certificate:
    try:
        ref = make_ref(str(obj["resource_name"]), obj.get("subpath"))
        c = obj["certificate"]
        kind = c["cert_type"]
        if kind == "hash":
            return HashCertificate(ref, str(c["hashval"]), str(c.get("comment") or ""))
        if kind == "placeholder":
            out = c.get("is_output", c.get("is_ouput", False))  # the original's spelling, read only
            return PlaceholderCertificate(ref, int(c["version"]), str(c.get("comment") or ""), bool(out))
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise LineageError(f"malformed lineage certificate: {e!r}") from None
    raise LineageError(f"unknown certificate type '{kind}'")


def ref_to_json(ref: ResourceRef | None) -> dict[str, Any] | None:
    return None if ref is None else {"resource_name": ref.name, "subpath": ref.subpath}


def ref_from_json(obj: Any) -> ResourceRef | None:
    if obj is None:
        return None
    if isinstance(obj, dict):
        return make_ref(str(obj["resource_name"]), obj.get("subpath"))
    if isinstance(obj, list | tuple) and obj:  # the original stored a NamedTuple as a JSON list
        return make_ref(str(obj[0]), obj[1] if len(obj) > 1 else None)
    return None


# -- lineage records -------------------------------------------------------------------------------
@dataclass(slots=True)
class StepLineage:
    step_name: str
    start_time: dt.datetime
    parameters: dict[str, Any]
    input_resources: list[Certificate]
    code_resources: list[Certificate]
    output_resources: list[Certificate] = field(default_factory=list)
    execution_time_seconds: float | None = None
    command_line: list[str] | None = None
    run_from_directory: ResourceRef | None = None

    kind = "step"

    def certs(self) -> list[Certificate]:
        return list(self.output_resources)

    def cert_for(self, ref: ResourceRef) -> Certificate | None:
        c = next((c for c in self.output_resources if c.ref == ref or c.ref.covers(ref)), None)
        return None if c is None else narrow(c, ref)

    def inputs(self) -> list[Certificate]:
        return list(self.input_resources)

    def code(self) -> list[Certificate]:
        return list(self.code_resources)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "step",
            "step_name": self.step_name,
            "start_time": self.start_time.isoformat(),
            "execution_time_seconds": self.execution_time_seconds,
            "parameters": self.parameters,
            "input_resources": [c.to_json() for c in self.input_resources],
            "code_resources": [c.to_json() for c in self.code_resources],
            "output_resources": [c.to_json() for c in self.output_resources],
            "command_line": self.command_line,
            "run_from_directory": ref_to_json(self.run_from_directory),
        }

    def label(self) -> str:
        return f"{self.step_name} at {self.start_time.isoformat(sep=' ', timespec='seconds')}"

    def map_certs(self, fn: Any) -> None:
        self.input_resources = [fn(c) for c in self.input_resources]
        self.code_resources = [fn(c) for c in self.code_resources]
        self.output_resources = [fn(c) for c in self.output_resources]


@dataclass(slots=True)
class SourceDataLineage:
    """Data no recorded step produced: its version is whatever was read (source data)."""

    cert: Certificate
    kind = "source_data"

    def certs(self) -> list[Certificate]:
        return [self.cert]

    def cert_for(self, ref: ResourceRef) -> Certificate | None:
        return narrow(self.cert, ref) if ref == self.cert.ref or self.cert.ref.covers(ref) else None

    def inputs(self) -> list[Certificate]:
        return []

    def code(self) -> list[Certificate]:
        return []

    def to_json(self) -> dict[str, Any]:
        return {**self.cert.to_json(), "type": self.kind}

    def label(self) -> str:
        return self.cert.label()

    def map_certs(self, fn: Any) -> None:
        self.cert = fn(self.cert)


@dataclass(slots=True)
class CodeLineage(SourceDataLineage):
    """A code resource a step ran."""

    kind = "code"


@dataclass(slots=True)
class ImportedLineage:
    """Lineage of a resource exported by another workspace (its lineage.json), kept whole under the
    imported resource and expanded in reports and graphs."""

    resource_name: str
    nested_lineage: list[LineageRecord]
    kind = "imported"

    def certs(self) -> list[Certificate]:
        return [c for rec in self.nested_lineage for c in rec.certs() if c.ref.name == self.resource_name]

    def cert_for(self, ref: ResourceRef) -> Certificate | None:
        c = next((c for c in self.certs() if c.ref == ref or c.ref.covers(ref)), None)
        return None if c is None else narrow(c, ref)

    def inputs(self) -> list[Certificate]:
        return []

    def code(self) -> list[Certificate]:
        return []

    def to_json(self) -> dict[str, Any]:
        return {"type": "imported", "resource_name": self.resource_name,
                "nested_lineage": [r.to_json() for r in self.nested_lineage]}

    def label(self) -> str:
        return f"Imported ({len(self.nested_lineage)} records)"

    def map_certs(self, fn: Any) -> None:
        pass  # exported lineage is final: it has no placeholders

    def find(self, ref: ResourceRef) -> tuple[Certificate, LineageRecord] | None:
        """The nested record that produced `ref`, and its certificate."""
        for rec in self.nested_lineage:
            c = rec.cert_for(ref)
            if c is not None:
                return c, rec
        return None


LineageRecord = StepLineage | SourceDataLineage | CodeLineage | ImportedLineage


def lineage_from_json(obj: Any) -> LineageRecord:
    if not isinstance(obj, dict) or "type" not in obj:
        raise LineageError("malformed lineage record: no 'type'")
    kind = obj["type"]
    try:
        if kind == "step":
            return StepLineage(
                step_name=str(obj["step_name"]),
                start_time=parse_time(str(obj["start_time"])),
                parameters=dict(obj.get("parameters") or {}),
                input_resources=[cert_from_json(c) for c in obj.get("input_resources", [])],
                code_resources=[cert_from_json(c) for c in obj.get("code_resources", [])],
                output_resources=[cert_from_json(c) for c in obj.get("output_resources", [])],
                execution_time_seconds=obj.get("execution_time_seconds"),
                command_line=obj.get("command_line"),
                run_from_directory=ref_from_json(obj.get("run_from_directory")),
            )
        if kind == "source_data":
            return SourceDataLineage(cert_from_json(obj))
        if kind == "code":
            return CodeLineage(cert_from_json(obj))
        if kind == "imported":
            nested = [lineage_from_json(o) for o in obj["nested_lineage"]]
            rec = ImportedLineage(str(obj["resource_name"]), nested)
            if not rec.certs():
                raise LineageError(f"imported lineage of '{rec.resource_name}' never mentions that resource")
            return rec
    except (KeyError, TypeError, ValueError) as e:
        raise LineageError(f"malformed {kind} lineage record: {e!r}") from None
    raise LineageError(f"unknown lineage record type '{kind}'")


def parse_time(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise LineageError(f"bad timestamp '{text}' in lineage") from None


def file_to_json(resource: str, records: list[LineageRecord]) -> dict[str, Any]:
    """One resource's lineage file, the original's layout plus a format number."""
    return {"format": FORMAT, "resource_name": resource, "lineages": [r.to_json() for r in records]}


def file_from_json(obj: Any, where: str) -> tuple[str, list[LineageRecord]]:
    if not isinstance(obj, dict) or "lineages" not in obj or "resource_name" not in obj:
        raise LineageError(f"{where} is not a lineage file")
    if int(obj.get("format", 1)) > FORMAT:
        raise LineageError(f"{where} has lineage format {obj['format']}, newer than this git-dws",
                           "upgrade git-dws")
    return str(obj["resource_name"]), [lineage_from_json(o) for o in obj["lineages"]]
