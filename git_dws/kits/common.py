"""What the kits share: finding the resource a kit reads or writes, hashing in-memory inputs (numpy
arrays, pandas frames, lists) into an api-resource version, the scratch directory, and a results step.

Imports no third-party library: values are recognised by their attributes (`tobytes`, `to_numpy`), so
this module works with whichever of numpy or pandas the caller has.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from typing import Any

from ..errors import DwsError
from ..lineage.api import LineageBuilder, ResultsLineage, map_path, open_workspace
from ..lineage.model import LineageError, ResourceRef, make_ref
from ..workspace import Workspace

ResourceArg = str | os.PathLike[str] | ResourceRef


def workspace(workspace_dir: str | os.PathLike[str] | None = None) -> Workspace:
    return open_workspace(workspace_dir)


def find_resource(ws: Workspace, role: str, resource: ResourceArg | None = None) -> ResourceRef:
    """A resource by name, by local path or by ref; when none is given, the one resource of `role`."""
    if isinstance(resource, ResourceRef):
        return make_ref(resource.name, resource.subpath)
    if resource is not None:
        text = os.fspath(resource)
        if ws.config.resource(text) is not None:
            return ResourceRef(text)
        if os.path.exists(text):
            return map_path(ws, text)
        names = ", ".join(r.name for r in ws.config.resources) or "none"
        raise LineageError(f"'{text}' is neither a resource nor a path in one", f"resources: {names}")
    of_role = [r.name for r in ws.config.resources if r.role == role]
    if len(of_role) != 1:
        raise LineageError(f"the workspace has {len(of_role)} {role} resources, so which one is meant is unclear",
                           f"name it: {', '.join(of_role)}" if of_role else f"add a {role} resource")
    return ResourceRef(of_role[0])


def is_api_resource(ws: Workspace, ref: ResourceRef) -> bool:
    spec = ws.config.resource(ref.name)
    return spec is not None and spec.type == "api-resource"


def add_to_hash(h: Any, obj: Any) -> None:
    """Feed one input into hash `h`: arrays by dtype, shape and bytes; frames also by column names."""
    if obj is None:
        h.update(b"N")
    elif hasattr(obj, "to_numpy") and hasattr(obj, "columns"):  # pandas DataFrame
        h.update(b"D" + repr(list(obj.columns)).encode())
        add_to_hash(h, obj.to_numpy())
    elif hasattr(obj, "to_numpy") and hasattr(obj, "name"):  # pandas Series
        h.update(b"S" + repr(obj.name).encode())
        add_to_hash(h, obj.to_numpy())
    elif hasattr(obj, "tobytes") and hasattr(obj, "dtype") and hasattr(obj, "shape"):  # numpy and alike
        if str(obj.dtype) == "object":
            h.update(b"O" + repr(obj.shape).encode())
            for item in obj.ravel().tolist():
                add_to_hash(h, item)
        else:
            h.update(b"A" + f"{obj.dtype}{tuple(obj.shape)}".encode())
            h.update(obj.tobytes(order="C") if hasattr(obj, "flags") else obj.tobytes())
    elif isinstance(obj, list | tuple):
        h.update(b"L%d" % len(obj))
        for item in obj:
            add_to_hash(h, item)
    elif isinstance(obj, dict):
        h.update(b"M%d" % len(obj))
        for k in sorted(obj, key=repr):
            add_to_hash(h, k)
            add_to_hash(h, obj[k])
    elif isinstance(obj, str | bytes | int | float | bool):
        h.update(b"V" + repr(obj).encode())
    elif hasattr(obj, "__array__"):  # a tensor: through numpy
        import numpy as np

        add_to_hash(h, np.asarray(obj))
    else:
        raise DwsError(f"cannot hash an input of type {type(obj).__name__} into an api-resource version",
                       "pass numpy arrays, pandas frames, lists or dicts, or read the data from a file-based "
                       "input resource (its version is then its content)")


def hash_inputs(objs: Iterable[Any]) -> str:
    h = hashlib.sha256()
    for obj in objs:
        add_to_hash(h, obj)
    return h.hexdigest()


def scratch_directory(ws: Workspace) -> str:
    """The workspace's scratch directory (git_dws.scratch.scratch_dir: `<ws>/scratch` by default, or
    this machine's directory outside the workspace). The one place the kits read it."""
    from ..scratch import scratch_dir

    return scratch_dir(ws)


def results_lineage(ws: Workspace, step_name: str | None, parameters: dict[str, Any],
                    inputs: list[ResourceRef], results: ResourceRef,
                    run_description: str | None = None) -> ResultsLineage:
    """A results step started now: the running script as code, these inputs and parameters."""
    builder = LineageBuilder().with_workspace_directory(ws.root)
    builder = builder.as_script_step() if step_name is None else builder.with_step_name(step_name)
    builder = builder.with_parameters(parameters)
    for ref in inputs:
        builder = builder.with_input_ref(ref)
    if not inputs:
        builder = builder.with_no_inputs()
    lineage = builder.as_results_step(results, run_description).eval()
    assert isinstance(lineage, ResultsLineage)
    return lineage


def results_root(ws: Workspace, ref: ResourceRef) -> str:
    """The local directory of a results reference (its subpath included)."""
    from ..lineage.api import local_root

    spec = ws.config.resource(ref.name)
    root = local_root(ws, spec) if spec is not None else None
    if root is None:
        raise LineageError(f"resource '{ref.name}' has no files, so it cannot hold results",
                           "write results to a git or local-files resource")
    return os.path.join(root, *(ref.subpath or "").split("/")) if ref.subpath else root
